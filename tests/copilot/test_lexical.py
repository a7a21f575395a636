"""The BM25 index: identifier-aware tokens, persistence, and rebuilding only when the chunk set changes."""

from __future__ import annotations

import threading
from pathlib import Path

from copilot.lexical import LexicalIndex, store_fingerprint, tokenize
from ingest.models import Chunk, Clause, DocumentMeta, Records
from ingest.store import RecordStore


def test_tokens_keep_identifiers_whole_and_split() -> None:
    tokens = tokenize("Rec. ITU-R P.452-18 clause 4.2 on IMT-2020 requirements")
    for whole in ("p.452-18", "p.452", "4.2", "imt-2020", "itu-r"):
        assert whole in tokens
    for part in ("p", "452", "18", "imt", "2020", "requirement"):
        assert part in tokens
    assert "on" not in tokens


def _add(
    store: RecordStore, doc_id: str, texts: list[str], content: str = "h1", title: str | None = None
) -> None:
    path = f"/docs/{doc_id}.md"
    meta = DocumentMeta(doc_id=doc_id, rec_id=f"ITU-T {doc_id}", path=path, content_hash=content, title=title)
    chunks = [
        Chunk(chunk_id=f"{doc_id}:{i:05d}", doc_id=doc_id, rec_id=meta.rec_id, edition=None,
              clause=str(i + 1), heading="h", heading_path="h", text=t, ordinal=i)
        for i, t in enumerate(texts)
    ]  # fmt: skip
    store.mark_pending(path, doc_id, content, pipeline="test")
    store.replace_document(meta, [Clause(number="1", heading="h", level=1)], chunks, Records())


def test_index_is_saved_reused_and_rebuilt_on_change(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records.sqlite3")
    _add(store, "Y.1", ["packet loss ratio is measured per segment", "clock synchronization with NTP"])
    _add(store, "Y.2", ["optical fibre identification by macrobending"])
    folder = tmp_path / "bm25"

    first = LexicalIndex.open(store, folder)
    assert (folder / "chunks.json").is_file()
    hits = first.search("packet loss", k=5)
    assert [first.chunk_ids[h.position] for h in hits] == ["Y.1:00000"]
    assert first.search("fibre", k=5, doc_ids={"Y.1"}) == []

    again = LexicalIndex.load(folder)
    assert again is not None and again.fingerprint == store_fingerprint(store)
    assert LexicalIndex.open(store, folder).chunk_ids == first.chunk_ids

    _add(store, "Y.2", ["macrobending of live fibres at 1650 nm"], content="h2")
    assert store_fingerprint(store) != first.fingerprint
    rebuilt = LexicalIndex.open(store, folder)
    assert [rebuilt.chunk_ids[h.position] for h in rebuilt.search("1650 nm", k=3)] == ["Y.2:00000"]
    store.close()


def test_an_empty_library_answers_no_hits_and_then_indexes_its_first_document(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records.sqlite3")
    folder = tmp_path / "bm25"
    assert LexicalIndex.open(store, folder).search("packet loss", k=5) == []
    assert LexicalIndex.open(store, folder).search("packet loss", k=5) == [], "the saved empty index reloads"
    _add(store, "Y.1", ["packet loss ratio is measured per segment"])
    index = LexicalIndex.open(store, folder)
    assert [index.chunk_ids[h.position] for h in index.search("packet loss", k=5)] == ["Y.1:00000"]


def test_a_clause_that_never_names_its_document_s_subject_is_found_by_its_title(tmp_path: Path) -> None:
    """O.173 clause 9 speaks of climatic conditions, never of OTN jitter test equipment: its title
    does, so the short clause outranks a long clause of another document on the same conditions."""
    store = RecordStore(tmp_path / "records.sqlite3")
    title = "Jitter measuring equipment for digital systems based on the optical transport network (OTN)"
    _add(store, "O.173", ["Operating environment: the climatic conditions of [ITU-T O.3] apply"], title=title)
    _add(store, "K.20", ["Climatic conditions of equipment in a telecommunication centre: " + "test " * 30])
    index = LexicalIndex.open(store, tmp_path / "bm25")
    hits = index.search("climatic conditions of OTN jitter equipment", k=2)
    assert [index.chunk_ids[h.position] for h in hits] == ["O.173:00000", "K.20:00000"]
    assert index.search("transport network", k=2, doc_ids={"K.20"}) == []
    store.close()


def test_threads_saving_one_folder_at_once_all_leave_a_whole_index(tmp_path: Path) -> None:
    """A server's background preparation and its first request may both build the index at once."""
    store = RecordStore(tmp_path / "records.sqlite3")
    _add(store, "Y.1", ["packet loss ratio is measured per segment", "clock synchronization with NTP"])
    index = LexicalIndex.build(store)
    failures: list[Exception] = []
    for attempt in range(20):
        folder = tmp_path / f"bm25-{attempt}"
        start = threading.Barrier(2)

        def save(folder: Path = folder, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                index.save(folder)
            except Exception as exc:  # a thread's failure is the finding
                failures.append(exc)

        threads = [threading.Thread(target=save) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = LexicalIndex.load(folder)
        assert saved is not None and saved.chunk_ids == index.chunk_ids
    assert failures == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bm25")) == [
        f"bm25-{i}" for i in sorted(range(20), key=str)
    ]  # no staging folder left behind
    store.close()

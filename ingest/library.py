"""The library: ingest, list, show and remove documents. The CLI and the UI are thin shells over it.

Per file: hash -> skip if unchanged -> parse -> clause tree -> chunks + records -> embed (cached by
text) -> mark pending -> replace vectors -> write records and mark complete. Everything up to the
embedding runs in parse worker processes, several files ahead (``Settings.parse_workers``); embedding
and writing stay in this process, one document at a time in file order. A failure on one file is
recorded with its reason and never touches what is already indexed.
"""

from __future__ import annotations

import fnmatch
import logging
import multiprocessing
import os
import shutil
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ingest.chunker import ClauseChunker
from ingest.embedding import Embedder, passage
from ingest.extract import RecordExtractor
from ingest.index_parts import IndexParts, window_id
from ingest.lock import writer_lock
from ingest.metadata import doc_id_for, identify, normalize_rec_id
from ingest.models import (
    Chunk,
    Clause,
    ClauseText,
    DocumentMeta,
    DocumentSummary,
    IngestFailure,
    IngestReport,
    Records,
)
from ingest.parsers import Limits, ParseError, parse_file
from ingest.store import RecordStore, file_hash, text_hash
from ingest.structure import ClauseTree, ClauseTreeBuilder
from rapporteur.errors import IndexDamaged, UsageError
from rapporteur.settings import Settings

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as (files done, files total, current file) while ingesting."""

PIPELINE_VERSION = "7"
"""Bump when parsing, chunking, extraction or what is embedded changes: every file is then read again on
the next ingest (embeddings of unchanged passages are reused from the cache). 7: the title above each
passage (:func:`ingest.embedding.passage`)."""

POOL_MIN_FILES = 8
"""Fewer files than this are read in-process: starting parse workers costs a few seconds (a fork
server that imports the parsers), which only a longer ingest pays back."""

IGNORED_NAMES = ("README*", "MANIFEST*", "*.gz", "*.tsv", "*.jsonl", ".*", "~$*")


class RepairReport(BaseModel):
    """What ``rapporteur index --repair`` found and did (its JSON contract)."""

    records_damaged: bool = False
    moved_aside: str | None = None
    """Where the unreadable record store was moved, kept for inspection."""
    reingested: IngestReport | None = None
    """Files read again because the records were lost (the paths the damaged store still gave up)."""
    vector_store_reset: bool = False
    vectors_restored: int = 0
    windows_restored: int = 0
    """Vectors of long chunks' later windows added (an index from before windows gets them here)."""
    documents: int = 0
    chunks: int = 0


@dataclass
class PreparedDocument:
    """Everything derived from one file before anything is written."""

    meta: DocumentMeta
    clauses: list[Clause]
    chunks: list[Chunk]
    records: Records


def expand_paths(paths: Iterable[Path], index: Path | None = None) -> list[Path]:
    """Files named directly, plus every file under named folders except corpus bookkeeping files and
    the files of ``index`` (an index kept inside the corpus folder it is built from)."""
    found: list[Path] = []
    own = index.resolve() if index is not None else None
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if own is not None and child.resolve().is_relative_to(own):
                    continue
                if child.is_file() and not any(fnmatch.fnmatch(child.name, p) for p in IGNORED_NAMES):
                    found.append(child)
        else:
            found.append(path)
    if own is not None and any(p.is_dir() and own.is_relative_to(p.resolve()) for p in paths):
        logger.info("left out the index's own files under %s", own)
    return found


def prepare_document(
    path: Path, doc_id: str, limits: Limits, chunker: ClauseChunker, content_hash: str
) -> PreparedDocument:
    """Parse one file into its metadata, clause tree, chunks and records (no side effects)."""
    parsed = parse_file(path, limits)
    tree: ClauseTree = ClauseTreeBuilder().build(parsed.blocks)
    if not tree.clauses:
        raise ParseError("no clauses or text found in the document")
    meta = identify(parsed, tree, path)
    meta.doc_id = doc_id
    meta.path = str(path.resolve())
    meta.content_hash = content_hash
    meta.format = parsed.meta.format
    chunks = chunker.chunk(tree, meta)
    if not chunks:
        raise ParseError("no text found in the document's clauses")
    records = RecordExtractor().extract(tree, meta)
    return PreparedDocument(meta, tree.clauses, chunks, records)


@dataclass(frozen=True)
class ParseJob:
    """A file to read again, with what its writer needs once the parse worker is done."""

    path: Path
    key: str
    doc_id: str
    content_hash: str
    known: bool
    """The file was indexed before (reported as updated, not added)."""


Planned = tuple[Path, "ParseJob | IngestFailure | str"]
"""One file in ingest order and its plan: a parse job, a failure, or its key when it is unchanged."""


def prepare_or_fail(
    job: ParseJob, limits: Limits, chunker: ClauseChunker
) -> PreparedDocument | IngestFailure:
    """:func:`prepare_document`, or the reason it failed. It never raises, so nothing that cannot be
    pickled crosses back from a worker process and one bad file never stops the others."""
    try:
        return prepare_document(job.path, job.doc_id, limits, chunker, job.content_hash)
    except ParseError as exc:
        return IngestFailure(path=str(job.path), error=str(exc))
    except Exception as exc:  # a parser bug must not stop the other files
        return IngestFailure(path=str(job.path), error=f"parser error: {type(exc).__name__}: {exc}")


class ParsePool:
    """Parses files ahead of the writer in ``workers`` processes (1: in this process, as they come).

    Workers come from a fork server (``spawn`` where there is none), never a plain ``fork`` of the
    writer, whose ONNX Runtime and Chroma threads do not survive one; they start as jobs arrive. A
    worker that dies (a parser crash, the out-of-memory killer) breaks the pool; the files it held
    are then read again one at a time in a fresh process, so only the file that kills its parser
    fails.
    """

    def __init__(self, workers: int, limits: Limits, chunker: ClauseChunker) -> None:
        self.workers = workers
        self.ahead = 0 if workers == 1 else 2 * workers
        """Jobs submitted beyond the one being written."""
        self.limits = limits
        self.chunker = chunker
        self._executor: ProcessPoolExecutor | None = None
        self._running: dict[str, Future[PreparedDocument | IngestFailure]] = {}

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _spawn(workers: int) -> ProcessPoolExecutor:
        if "forkserver" not in multiprocessing.get_all_start_methods():
            return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        context = multiprocessing.get_context("forkserver")
        # The fork server imports the parsers once; each worker is then a cheap fork of it.
        context.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(workers, mp_context=context)

    def submit(self, job: ParseJob) -> None:
        """Start reading ``job`` in a worker (in-process: nothing yet, it is read in :meth:`result`)."""
        if self.workers == 1:
            return
        if self._executor is None:
            self._executor = self._spawn(self.workers)
        try:
            self._running[job.key] = self._executor.submit(prepare_or_fail, job, self.limits, self.chunker)
        except BrokenProcessPool:
            self._executor.shutdown(wait=False)
            self._executor = None
            self.submit(job)

    def result(self, job: ParseJob) -> PreparedDocument | IngestFailure:
        """The submitted job's document or failure, waiting for it if need be."""
        if self.workers == 1:
            return prepare_or_fail(job, self.limits, self.chunker)
        try:
            return self._running.pop(job.key).result()
        except BrokenProcessPool:
            with self._spawn(1) as alone:
                try:
                    return alone.submit(prepare_or_fail, job, self.limits, self.chunker).result()
                except BrokenProcessPool:
                    return IngestFailure(
                        path=str(job.path),
                        error="the parser process died reading this file (a crash, or out of memory)",
                    )


class Library(IndexParts):
    """One index directory: a record store (SQLite) and vector indexes (Chroma: chunks, windows)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        super().__init__(settings, embedder)
        self.store = RecordStore(settings.index / "records.sqlite3")
        self.limits = Limits(settings.ingest.max_file_bytes, settings.ingest.max_unzipped_bytes)
        self.chunker = ClauseChunker(settings.ingest.chunk_chars)

    def close(self) -> None:
        self.store.close()

    # -- ingest ------------------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[Path], prune: bool = False, on_progress: ProgressCallback | None = None
    ) -> IngestReport:
        """Read files (folders expanded) into the index; parse workers read ahead while this process
        embeds and writes one document at a time, in file order."""
        with writer_lock(self.settings.index):
            return self._ingest([Path(p) for p in paths], prune, on_progress)

    def _ingest(self, roots: list[Path], prune: bool, on_progress: ProgressCallback | None) -> IngestReport:
        self.check_vectors()  # else unchanged files would be skipped over their missing vectors
        by_key: dict[str, Path] = {}
        for found in expand_paths(roots, self.settings.index):
            by_key.setdefault(str(self._key(found)), found)
        files = list(by_key.values())
        report = IngestReport()
        workers = self.settings.ingest.parse_workers if len(files) >= POOL_MIN_FILES else 1
        with ParsePool(workers, self.limits, self.chunker) as pool:
            for done, (path, planned) in enumerate(self._read_ahead(files, pool)):
                if on_progress:
                    on_progress(done, len(files), str(path))
                if isinstance(planned, str):
                    report.unchanged.append(planned)
                elif isinstance(planned, IngestFailure):
                    report.failed.append(planned)
                elif isinstance(prepared := pool.result(planned), IngestFailure):
                    report.failed.append(prepared)
                else:
                    self._write(planned, prepared, report)
        if prune:
            self._prune(roots, set(by_key), report)
        if on_progress:
            on_progress(len(files), len(files), "")
        report.chunks = self.store.chunk_count()
        return report

    @staticmethod
    def _key(path: Path) -> Path:
        return path.resolve() if path.exists() else path.absolute()

    def _read_ahead(self, files: list[Path], pool: ParsePool) -> Iterator[Planned]:
        """Each file's plan in order, with up to ``pool.ahead`` files being parsed beyond the one the
        caller is writing (files that need no parsing pass straight through)."""
        window: deque[Planned] = deque()
        reserved: set[str] = set()
        in_flight = 0
        for path in files:
            planned = self._plan(path, reserved)
            if isinstance(planned, ParseJob):
                pool.submit(planned)
                in_flight += 1
            window.append((path, planned))
            while window and (not isinstance(window[0][1], ParseJob) or in_flight > pool.ahead):
                head = window.popleft()
                in_flight -= isinstance(head[1], ParseJob)
                yield head
        yield from window

    def _plan(self, path: Path, reserved: set[str]) -> ParseJob | IngestFailure | str:
        """What one file needs: a parse job, a failure (unreadable), or nothing (its key: unchanged)."""
        key = str(self._key(path))
        try:
            if not path.exists():
                raise ParseError("no such file or directory")
            content_hash = file_hash(path, self.settings.ingest.max_file_bytes)
        except PermissionError as exc:
            return IngestFailure(path=str(path), error=f"cannot read file: {exc.strerror}")
        except (ParseError, OSError) as exc:
            return IngestFailure(path=str(path), error=str(exc))
        previous = self.store.file_state(key)
        if (
            previous
            and previous.content_hash == content_hash
            and previous.state == "complete"
            and previous.pipeline == PIPELINE_VERSION
        ):
            return key
        doc_id = previous.doc_id if previous else self._unique_doc_id(path, key, reserved)
        reserved.add(doc_id)
        return ParseJob(path, key, doc_id, content_hash, known=previous is not None)

    def _write(self, job: ParseJob, doc: PreparedDocument, report: IngestReport) -> None:
        """Embed, then write in the crash-safe order: pending -> vectors -> records and complete."""
        vectors = self._embed_passages(doc.chunks, doc.meta.title)
        windows = self.windows_of(doc.chunks) if self.settings.ingest.dense_windows else []
        window_vectors = self._embed_passages(windows, doc.meta.title)
        self.store.mark_pending(job.key, doc.meta.doc_id, job.content_hash, PIPELINE_VERSION)
        self.vectors.delete_document(doc.meta.doc_id)
        self.vectors.upsert(doc.chunks, vectors)
        self.windows.delete_document(doc.meta.doc_id)
        self.windows.upsert(windows, window_vectors)
        self.store.replace_document(doc.meta, doc.clauses, doc.chunks, doc.records)
        (report.updated if job.known else report.added).append(job.key)

    def _unique_doc_id(self, path: Path, key: str, reserved: set[str]) -> str:
        """A doc_id no other file holds, in the store or among the files this run is reading."""
        base = doc_id_for(path)
        candidate, n = base, 1
        while candidate in reserved or (
            (owner := self.store.doc_id_owner(candidate)) is not None and owner != key
        ):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def windows_of(self, chunks: list[Chunk]) -> list[Chunk]:
        """The windows after the first of chunks longer than the embedder sees, as chunks of their own
        (same metadata, :func:`window_id` ids), so dense search can score a clause by its best window."""
        return [
            chunk.model_copy(update={"chunk_id": window_id(chunk.chunk_id, n), "text": text})
            for chunk in chunks
            for n, text in enumerate(self.embedder.windows(chunk.text)[1:], start=1)
        ]

    def _embed_passages(self, chunks: list[Chunk], title: str | None) -> np.ndarray:
        """The vectors of chunks (or windows) of the document titled ``title``, as ingest embeds them."""
        return self._embed([passage(title, c.text) for c in chunks])

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed in batches, reusing vectors of texts seen before (unchanged clauses of a changed file)."""
        model = self.embedder.name
        hashes = [text_hash(t) for t in texts]
        cached = self.store.cached_embeddings(hashes, model)
        # Length-sorted batches pad less: the transformer's cost follows the longest text in a batch.
        missing = sorted((i for i, h in enumerate(hashes) if h not in cached), key=lambda i: len(texts[i]))
        fresh: dict[str, np.ndarray] = {}
        batch = self.settings.ingest.embed_batch
        for start in range(0, len(missing), batch):
            idx = missing[start : start + batch]
            for i, vector in zip(idx, self.embedder.embed([texts[i] for i in idx]), strict=True):
                fresh[hashes[i]] = vector
        if fresh:
            self.store.cache_embeddings(fresh, model)
        cached.update(fresh)
        return np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, self.embedder.dimension))

    def _prune(self, roots: list[Path], seen: set[str], report: IngestReport) -> None:
        """Drop documents whose files were under the given folders but are gone now."""
        folders = [str(self._key(r)) for r in roots if r.is_dir()]
        for known in self.store.known_paths():
            inside = any(known.startswith(f.rstrip("/") + "/") for f in folders)
            state = self.store.file_state(known)
            if inside and known not in seen and not Path(known).exists() and state is not None:
                self._remove_document(state.doc_id)
                report.removed.append(known)

    # -- queries and removal -----------------------------------------------------------------------

    def remove(self, key: str, all_matching: bool = False) -> list[str]:
        """Remove the document a doc_id, path or rec_id names; returns the removed doc_ids. An empty key
        matches nothing, and a key naming several documents (a Recommendation in two languages)
        removes them only with ``all_matching``: a typo never empties the library."""
        if not key.strip():
            raise UsageError("an empty name matches no document; give a doc id, path or Recommendation id")
        with writer_lock(self.settings.index):
            candidates = self._matching(key)
            if not candidates:
                state = self.store.file_state(str(self._key(Path(key))))
                candidates = [d for d in self.store.documents() if state and d.doc_id == state.doc_id]
            if len(candidates) > 1 and not all_matching:
                named = ", ".join(d.doc_id for d in candidates[:8])
                raise UsageError(
                    f"{key!r} matches {len(candidates)} documents ({named}); name one by doc id, "
                    "or add --all-matching to remove them all"
                )
            for doc in candidates:
                self._remove_document(doc.doc_id)
            return [d.doc_id for d in candidates]

    def _remove_document(self, doc_id: str) -> None:
        self.vectors.delete_document(doc_id)
        self.windows.delete_document(doc_id)
        self.store.remove_document(doc_id)

    def documents(self) -> list[DocumentSummary]:
        return self.store.documents()

    # -- integrity -----------------------------------------------------------------------------------

    def check_vectors(self) -> None:
        """:class:`IndexDamaged` when the vector store lacks vectors of indexed chunks (a deleted or
        damaged ``chroma`` folder), which would otherwise make search silently lexical only."""
        expected = sum(len(ids) for ids in self.store.settled_chunks().values())
        try:
            held = self.vectors.count()
        except Exception as exc:  # chromadb's errors for a damaged store have no common base
            raise IndexDamaged(self.settings.index, f"the vector store cannot be opened ({exc})") from None
        if held < expected:
            what = f"the vector store holds {held} vectors for {expected} indexed chunks"
            raise IndexDamaged(self.settings.index, what)

    def restore_vectors(self, on_progress: ProgressCallback | None = None) -> int:
        """Put back the vectors of indexed chunks the vector store lacks, from the embedding cache
        (embedding again only texts it does not hold); returns how many were restored."""
        restored = 0
        titles = self.store.titles()
        settled = self.store.settled_chunks()
        for done, (doc_id, chunk_ids) in enumerate(settled.items(), start=1):
            present = set(self.vectors.ids_of(doc_id))
            if not present.issuperset(chunk_ids):
                missing = [c for c in self.store.chunks(doc_id) if c.chunk_id not in present]
                self.vectors.upsert(missing, self._embed_passages(missing, titles.get(doc_id)))
                restored += len(missing)
            if on_progress:
                on_progress(done, len(settled), f"vectors {doc_id}")
        return restored

    def restore_windows(self, on_progress: ProgressCallback | None = None) -> int:
        """Add the window vectors indexed chunks lack (all of them for an index made before windows):
        the upgrade path, embedding only windows after the first; returns how many were added."""
        restored = 0
        titles = self.store.titles()
        settled = self.store.settled_chunks()
        for done, doc_id in enumerate(settled, start=1):
            present = set(self.windows.ids_of(doc_id))
            missing = [w for w in self.windows_of(self.store.chunks(doc_id)) if w.chunk_id not in present]
            if missing:
                self.windows.upsert(missing, self._embed_passages(missing, titles.get(doc_id)))
                restored += len(missing)
                logger.info("%s: %d window vectors added", doc_id, len(missing))
            if on_progress:
                on_progress(done, len(settled), f"windows {doc_id}")
        return restored

    def _matching(self, key: str) -> list[DocumentSummary]:
        """Documents with this doc_id, path or Recommendation id, spelled as people do ('Y.3507')."""
        matches = self.store.find_documents(key)
        if not matches and (canonical := normalize_rec_id(key)):
            matches = self.store.find_documents(canonical)
        return matches

    def resolve(self, key: str, language: str | None = None) -> DocumentSummary | None:
        """The document a user means by a doc_id, path or Recommendation id ('Y.3507' works too)."""
        matches = self._matching(key)
        if language:
            matches = [d for d in matches if d.language == language] or matches
        preferred = sorted(matches, key=lambda d: (d.language != "en", -(d.chunks or 0)))
        return preferred[0] if preferred else None

    def clause(self, doc_id: str, number: str) -> list[Clause]:
        """The clause(s) numbered ``number`` with everything nested under them, in order."""
        tree = ClauseTree(clauses=self.store.clauses(doc_id))
        out: list[Clause] = []
        for found in tree.find(number):
            out.extend(tree.subtree(found))
        return out

    def clause_text(self, doc: DocumentSummary, number: str) -> ClauseText | None:
        """A clause's full text (sub-clauses included) and its page span; None when it has no such clause."""
        clauses = self.clause(doc.doc_id, number)
        if not clauses:
            return None
        first = clauses[0]
        pages = [p for c in clauses for p in (c.page_start, c.page_end) if p is not None]
        return ClauseText(
            doc_id=doc.doc_id,
            rec_id=doc.rec_id,
            clause=first.number,
            heading=first.heading,
            page_start=min(pages) if pages else None,
            page_end=max(pages) if pages else None,
            text="\n\n".join("\n".join([f"{c.number} {c.heading}".strip(), *c.paragraphs]) for c in clauses),
        )


RECORDS = "records.sqlite3"


def _salvage_paths(records: Path) -> list[Path]:
    """The indexed files a damaged record store still names, row by row until the damage."""
    found: list[Path] = []
    try:
        db = sqlite3.connect(f"file:{records}?mode=ro", uri=True)
        try:
            for row in db.execute("SELECT path FROM files"):
                found.append(Path(row[0]))
        finally:
            db.close()
    except sqlite3.DatabaseError:
        pass  # what was read before the damage is all there is
    return found


def _set_aside(folder: Path) -> None:
    """Move a damaged vector store to ``chroma.damaged`` (replacing an older one) for inspection."""
    aside = folder.with_name(f"{folder.name}.damaged")
    shutil.rmtree(aside, ignore_errors=True)
    shutil.move(folder, aside)


def repair_index(
    settings: Settings, embedder: Embedder | None = None, on_progress: ProgressCallback | None = None
) -> RepairReport:
    """Rebuild what can be rebuilt: an unreadable record store is moved aside and the files it still
    names are read again; an unreadable vector store (embedded) is moved aside; then every indexed
    chunk without a vector gets one back from the embedding cache. ``on_progress`` is told of each file
    read again, then of each document whose vectors (and windows) were checked, one pass after the
    other."""
    report = RepairReport()
    index = settings.index
    records = index / RECORDS
    with writer_lock(index):
        try:
            RecordStore(records).close()
        except IndexDamaged:
            paths = _salvage_paths(records)
            aside = records.with_name(f"{RECORDS}.damaged")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{records}{suffix}").exists():
                    os.replace(f"{records}{suffix}", f"{aside}{suffix}")
            report.records_damaged, report.moved_aside = True, str(aside)
            if not settings.chroma.host and (index / "chroma").exists():
                # Its vectors belong to records that are gone; the files read again bring their own.
                _set_aside(index / "chroma")
                report.vector_store_reset = True
            library = Library(settings, embedder)
            report.reingested = library._ingest([p for p in paths if p.exists()], False, on_progress)
            library.close()
        library = Library(settings, embedder)
        try:
            try:
                library.check_vectors()
            except IndexDamaged:
                if not settings.chroma.host and library._vectors is None:  # it could not be opened
                    _set_aside(index / "chroma")
                    report.vector_store_reset = True
            report.vectors_restored = library.restore_vectors(on_progress)
            if settings.ingest.dense_windows:
                report.windows_restored = library.restore_windows(on_progress)
            library.check_vectors()
            report.documents, report.chunks = len(library.documents()), library.store.chunk_count()
        finally:
            library.close()
    return report

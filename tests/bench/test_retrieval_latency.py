"""The latency bench's scaled index: copies of every document with the vectors ingest gave them."""

from __future__ import annotations

from pathlib import Path

from bench.retrieval_latency import duplicate
from copilot.retrieval import HybridRetriever
from ingest.embedding import passage
from ingest.library import Library
from rapporteur.settings import Settings


def test_copies_hold_the_ingested_vectors_and_are_found(synthetic_library: Settings, tmp_path: Path) -> None:
    source = Library(synthetic_library)
    target = Library(Settings(index=tmp_path / "index"), embedder=source.embedder)
    try:
        assert duplicate(source, target, 2) == 2 * source.store.chunk_count()
        doc = next(d for d in source.store.documents() if d.rec_id == "ITU-T Y.9901")
        chunk = source.store.chunks(doc.doc_id)[0]
        query = source.embedder.embed([passage(doc.title, chunk.text)])[0]
        found = target.vectors.query(query, 2)
        assert {chunk_id for chunk_id, _ in found} == {chunk.chunk_id, f"{doc.doc_id}~1:{chunk.ordinal:05d}"}
        assert all(distance < 1e-4 for _, distance in found)
        hits = HybridRetriever(target).search("reserved manufacturer code of test widgets", k=1)
        assert [(h.rec_id, h.clause) for h in hits] == [("ITU-T Y.9901", "A.2")]
    finally:
        target.close()
        source.close()

"""The Chroma seam: the HNSW search breadth of new collections and of collections made before."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.api.client import SharedSystemClient

from ingest.vectors import EF_SEARCH, ChromaIndex


def test_new_collections_search_wide_and_a_writer_widens_an_older_one(tmp_path: Path) -> None:
    """Chroma's default breadth (100) missed 2-3% of the exact top 10 on the whole corpus."""
    path = tmp_path / "chroma"
    client = chromadb.PersistentClient(path=str(path), settings=chromadb.Settings(anonymized_telemetry=False))
    client.get_or_create_collection("older", embedding_function=None, metadata={"hnsw:space": "cosine"})
    assert ChromaIndex(path, "older", create=False).ef_search() == 100  # a reader changes nothing
    assert ChromaIndex(path, "older").ef_search() == EF_SEARCH > 100
    assert ChromaIndex(path, "newer").ef_search() == EF_SEARCH
    SharedSystemClient.clear_system_cache()  # as the next process opens it
    reopened = chromadb.PersistentClient(
        path=str(path), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    for name in ("older", "newer"):
        hnsw = reopened.get_collection(name).configuration_json["hnsw"]
        assert hnsw["ef_search"] == EF_SEARCH and hnsw["space"] == "cosine"

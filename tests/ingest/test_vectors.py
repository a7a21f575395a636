"""The Chroma seam: the HNSW search breadth of new collections and of collections made before."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
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


def test_threads_opening_one_folder_at_once_all_get_it(tmp_path: Path) -> None:
    """A server prepares search in the background while its first request opens the same index (the
    chunk vectors in one thread, the absent windows collection in the other). Without a lock Chroma's
    shared system cache lost the folder in about one try in five (KeyError)."""

    def chunk_count(path: Path, start: threading.Barrier) -> int:
        start.wait()
        return ChromaIndex(path, "chunks", create=False).count()

    def windows(path: Path, start: threading.Barrier) -> bool:
        start.wait()
        try:
            ChromaIndex(path, "chunks_windows", create=False)
        except LookupError:
            return False
        return True

    for attempt in range(20):
        path = tmp_path / str(attempt) / "chroma"
        ChromaIndex(path, "chunks")
        SharedSystemClient.clear_system_cache()  # as a fresh server process finds it
        start = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            count, has_windows = pool.submit(chunk_count, path, start), pool.submit(windows, path, start)
            assert (count.result(), has_windows.result()) == (0, False)

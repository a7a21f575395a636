"""The vector store seam: Chroma, embedded (persistent) by default or a Chroma server by setting alone.

Vectors are computed by Rapporteur's own embedder and passed in explicitly, so no collection ever
falls back to Chroma's default embedding function (which downloads a model and fails offline).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.models import Chunk

UPSERT_BATCH = 1000
EF_SEARCH = 500
"""HNSW candidates kept while searching. Chroma's 100 returned 0.980 of the exact top 10 among its top
100 over the retrieval eval's English questions on the whole-corpus index, and 0.966 after every file
was written again (deletes and upserts, chroma #7758); 500 returns 0.994 (eval/retrieval/RESULTS.md)."""


class VectorIndex(Protocol):
    """What the rest of Rapporteur needs from a vector store."""

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None: ...

    def delete_document(self, doc_id: str) -> None: ...

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...

    def ids_of(self, doc_id: str) -> list[str]: ...


_OPENING = threading.Lock()
"""Chroma keeps one system per folder in a class-level cache that two threads opening the same folder
at once corrupt (a KeyError): a server preparing search in the background while its first request
opens the index did."""


class ChromaIndex:
    """Chroma collection with cosine distance; ``host`` set means a Chroma server, else a local folder."""

    def __init__(
        self, path: Path, collection: str, host: str | None = None, port: int = 8000, create: bool = True
    ) -> None:
        """``create=False`` opens only an existing collection (:class:`LookupError` when there is none),
        so a reader never writes to an index it only reads."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        with _OPENING:
            if host:
                self._client: Any = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            if not create and collection not in {c.name for c in self._client.list_collections()}:
                raise LookupError(f"no collection {collection!r}")
            self._collection = self._client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
            # set apart from creation: a configuration passed there records a 'legacy' embedding function
            if create and self.ef_search() < EF_SEARCH:  # a new collection, or one made before this
                self._collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})

    def ef_search(self) -> int:
        return int(self._collection.configuration_json["hnsw"]["ef_search"])

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), UPSERT_BATCH):
            part = chunks[start : start + UPSERT_BATCH]
            self._collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + UPSERT_BATCH].tolist(),
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        if self.count() == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where or None, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[0.0] * len(ids)])[0]
        return list(zip(ids, (float(d) for d in distances), strict=True))

    def count(self) -> int:
        return int(self._collection.count())

    def ids_of(self, doc_id: str) -> list[str]:
        return list(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

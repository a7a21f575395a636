"""The vector stores and the embedder of one index directory, opened on first use.

The writer (``Library``) and the read side (``copilot.retrieval.IndexReader``) both hold them; opening
Chroma or loading the model costs seconds, so a command that needs neither never pays for them.
"""

from __future__ import annotations

import threading

from ingest.embedding import Embedder, MiniLMEmbedder
from ingest.vectors import ChromaIndex, VectorIndex
from rapporteur.settings import Settings

WINDOWS_SUFFIX = "_windows"
WINDOW_MARK = "#w"


def window_id(chunk_id: str, n: int) -> str:
    """The id of a chunk's ``n``-th window (n >= 1; window 0 is the chunk's own vector)."""
    return f"{chunk_id}{WINDOW_MARK}{n}"


def chunk_of_window(window: str) -> str:
    """The chunk a window id belongs to."""
    return window.rsplit(WINDOW_MARK, 1)[0]


class IndexParts:
    """Lazily opened: the chunk vectors, the vectors of long chunks' later windows, the embedder. Each
    is opened once even when threads ask at once (a server's requests and its background preparation)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._vectors: VectorIndex | None = None
        self._windows: VectorIndex | None = None
        self._embedder = embedder
        self._opening = threading.Lock()

    def _open(self, collection: str, create: bool = True) -> VectorIndex:
        s = self.settings
        return ChromaIndex(s.index / "chroma", collection, s.chroma.host, s.chroma.port, create)

    @property
    def vectors(self) -> VectorIndex:
        with self._opening:
            if self._vectors is None:
                self._vectors = self._open(self.settings.chroma.collection)
            return self._vectors

    @property
    def windows(self) -> VectorIndex:
        """Windows after the first of chunks longer than the embedder sees (ids from :func:`window_id`)."""
        with self._opening:
            if self._windows is None:
                self._windows = self._open(self.settings.chroma.collection + WINDOWS_SUFFIX)
            return self._windows

    @property
    def existing_windows(self) -> VectorIndex | None:
        """The windows collection when the index has one: readers never create it (an index made
        before windows is searched by chunk vectors alone until ``rapporteur index --repair``)."""
        with self._opening:
            if self._windows is None:
                try:
                    self._windows = self._open(self.settings.chroma.collection + WINDOWS_SUFFIX, create=False)
                except LookupError:
                    return None
            return self._windows

    @property
    def embedder(self) -> Embedder:
        with self._opening:
            if self._embedder is None:
                self._embedder = MiniLMEmbedder()
            return self._embedder

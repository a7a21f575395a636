"""Term vectors: each defined term embedded once, kept beside the index, and only new terms embedded."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from copilot.retrieval.term_vectors import TermVectorFile
from ingest.embedding import MiniLMEmbedder


class CountingEmbedder(MiniLMEmbedder):
    """The real embedder, remembering which texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(verify=False)
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed(texts)


TERMS = ["aggregate loss ratio", "proportional directions", "the Directory"]


def test_saved_vectors_are_reused_and_only_new_terms_embedded(tmp_path: Path) -> None:
    saved = TermVectorFile(tmp_path / "term_vectors.npz")
    first = CountingEmbedder()
    vectors = saved.vectors(TERMS, first)
    assert vectors.shape == (3, 384) and first.seen == TERMS
    assert np.allclose(vectors[0], first.embed(["aggregate loss ratio"])[0], atol=1e-5)

    again = CountingEmbedder()
    assert np.array_equal(saved.vectors(TERMS, again), vectors) and again.seen == []
    grown = saved.vectors(["Opinion", *TERMS], again)
    assert again.seen == ["Opinion"] and np.array_equal(grown[1:], vectors)


def test_vectors_of_another_embedder_are_not_reused(tmp_path: Path) -> None:
    saved = TermVectorFile(tmp_path / "term_vectors.npz")
    saved.vectors(TERMS, CountingEmbedder())
    other = CountingEmbedder()
    other.name = "another-model"
    saved.vectors(TERMS, other)
    assert other.seen == TERMS


def test_a_folder_that_cannot_be_written_costs_only_the_saving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    saved = TermVectorFile(tmp_path / "missing-folder" / "term_vectors.npz")
    with caplog.at_level(logging.WARNING, logger="copilot.retrieval.term_vectors"):
        vectors = saved.vectors(TERMS, CountingEmbedder())
    assert vectors.shape == (3, 384)
    assert "term vectors not saved" in caplog.text and not saved.path.exists()


def test_a_file_cut_short_is_embedded_again_not_an_error(tmp_path: Path) -> None:
    saved = TermVectorFile(tmp_path / "term_vectors.npz")
    saved.vectors(TERMS, CountingEmbedder())
    saved.path.write_bytes(saved.path.read_bytes()[:100])
    again = CountingEmbedder()
    assert saved.vectors(TERMS, again).shape == (3, 384) and again.seen == TERMS


def test_threads_saving_at_once_leave_a_whole_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A server's background preparation and its first request may both embed and save the terms."""
    embedder = CountingEmbedder()
    caplog.set_level(logging.WARNING, logger="copilot.retrieval.term_vectors")
    for attempt in range(10):
        saved = TermVectorFile(tmp_path / f"term_vectors-{attempt}.npz")
        start = threading.Barrier(2)

        def embed(saved: TermVectorFile = saved, start: threading.Barrier = start) -> None:
            start.wait()
            saved.vectors(TERMS, embedder)

        threads = [threading.Thread(target=embed) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        again = CountingEmbedder()
        assert saved.vectors(TERMS, again).shape == (3, 384) and again.seen == []
    assert caplog.records == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"term_vectors-{i}.npz" for i in range(10))

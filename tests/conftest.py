"""Shared fixtures: the real ITU corpus beside the checkout, skipped with a reason where absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("RAPPORTEUR_TEST_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus: real ITU documents (read-only, never copied into the repo)."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"real ITU corpus not found at {CORPUS} (set RAPPORTEUR_TEST_CORPUS)")
    return CORPUS

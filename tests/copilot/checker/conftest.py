"""Fixtures for the checker: a record store built from real corpus documents, and a cached check."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.models import Finding
from copilot.checker.rules.base import CheckContext
from eval.checking.corpus import build_record_store, corpus_catalog
from ingest.store import RecordStore
from tests.copilot.checker.seeded import DEFECTS, CheckFn


@pytest.fixture(scope="session")
def corpus_store(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    """The records of the documents the defects are seeded in (they define each other's terms)."""
    docs = sorted({corpus_dir / d.doc for d in DEFECTS})
    store, failures = build_record_store(docs, tmp_path_factory.mktemp("records") / "records.sqlite3")
    assert not failures
    return store


@pytest.fixture(scope="session")
def check(corpus_dir: Path, corpus_store: RecordStore) -> CheckFn:
    """Check a file with the catalog and the record store; an unchanged file is checked once."""
    catalog = corpus_catalog(corpus_dir)
    cache: dict[Path, list[Finding]] = {}

    def run(path: Path) -> list[Finding]:
        if path not in cache:
            draft = load_draft(path)
            context = CheckContext(catalog=catalog, store=corpus_store, own_rec_id=draft.meta.rec_id)
            cache[path] = check_draft(draft, context).findings
        return cache[path]

    return run

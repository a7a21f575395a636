"""A small real index shared by the assistant and drafting tests: the sample draft, ITU-T Y.3507
(definitions, conventions, requirements) and ITU-T J.1108 (another series' conventions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.library import Library
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"


@pytest.fixture(scope="session")
def copilot_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the index (and the real corpus, for the catalog); no model configured, and
    short generations for the tests that hand in the tiny model (its prose degenerates anyway)."""
    settings = Settings(
        index=tmp_path_factory.mktemp("copilot") / "index",
        corpus=corpus_dir,
        llm={"enabled": False, "max_tokens": 64, "temperature": 0.0},
    )
    library = Library(settings)
    report = library.ingest(
        [
            SAMPLE,
            corpus_dir / "itu-t" / "Y.3507-201812.docx",
            corpus_dir / "itu-t" / "T-REC-J.1108-201901-P!!MSW-E.docx",
        ]
    )
    library.close()
    assert not report.failed
    return settings

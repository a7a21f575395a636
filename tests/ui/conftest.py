"""Fixtures for the workspace: a real server on loopback over a small real index, and real Chromium.

Chromium is Debian's (``scripts/install.sh`` installs it as root), driven by Playwright; the tests that
need it are skipped, with the reason, only where ``/usr/bin/chromium`` is absent. Every test gets its
own browser context, so its own Gradio session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ingest.library import Library
from rapporteur.processes import free_port
from rapporteur.settings import Settings
from ui.server import RunningServer, start

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SAMPLE_DRAFT = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
REBOUND_HOST = "evil.example"
TIMEOUT_MS = 30_000
"""Generous: the first search loads the embedding model, and CI shares two cores."""


@pytest.fixture(scope="session")
def ui_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real ITU-T Recommendations, ingested once for the session's servers."""
    folder = tmp_path_factory.mktemp("ui-index") / "index"
    library = Library(Settings(index=folder))
    itu_t = corpus_dir / "itu-t"
    report = library.ingest([itu_t / "Y.3507-201812.docx", itu_t / "T-REC-M.3372-201808-I!!MSW-E.docx"])
    library.close()
    assert not report.failed
    return folder


@pytest.fixture(scope="session")
def ui_settings(ui_index: Path, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the shared server: the small index, the real catalog, no model (retrieval answers)."""
    return Settings(
        index=ui_index,
        corpus=tmp_path_factory.mktemp("ui-corpus"),
        catalog=corpus_dir / "catalog" / "itu-recommendations.jsonl.gz",
        llm={"enabled": False},
    )


@pytest.fixture(scope="session")
def ui_server(ui_settings: Settings) -> Iterator[RunningServer]:
    """The workspace on a free loopback port, shared by the read-only tests."""
    running = start(ui_settings, port=free_port())
    yield running
    running.close()


WORKSPACE = "#question textarea"


class PageFactory(Protocol):
    def __call__(self, url: str, wait_for: str = WORKSPACE) -> Page: ...


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM} (scripts/install.sh installs it when run as root)")
    with sync_playwright() as playwright:
        # A rebinding attacker's name resolving to loopback, as DNS rebinding makes it (test_guard.py).
        rebound = f"--host-resolver-rules=MAP {REBOUND_HOST} 127.0.0.1"
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[rebound])
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """A factory of pages, each in a fresh browser context (a separate user and Gradio session)."""
    contexts = []

    def make(url: str, wait_for: str = WORKSPACE) -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(wait_for)
        return page

    yield make
    for context in contexts:
        context.close()

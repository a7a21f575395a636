"""Library view, in Chromium, on a library of its own: add documents (uploads and a server folder) with a
progress bar, see what failed and why, remove a document."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.ui.conftest import SAMPLE_DRAFT, PageFactory
from ui.server import RunningServer, start


@pytest.fixture
def empty_server(tmp_path: Path, ui_settings: Settings) -> Iterator[RunningServer]:
    """The workspace over an empty index (this test's own), so adding and removing touch nothing shared."""
    settings = ui_settings.model_copy(update={"index": tmp_path / "index"})
    running = start(settings, port=free_port())
    yield running
    running.close()


def doc_ids(page: Page) -> list[str]:
    rows = page.locator("#library-docs [role=row][data-index]")
    return [row.locator("[role=gridcell]").first.inner_text() for row in rows.all()]


def open_library(page: Page) -> None:
    page.get_by_role("tab", name="Library").click()
    expect(page.locator("#library-docs")).to_be_visible()


def test_uploads_go_in_failures_say_why_and_a_document_can_be_removed(
    empty_server: RunningServer, new_page: PageFactory, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.doc"
    garbage.write_bytes(os.urandom(4096))
    page = new_page(empty_server.url)
    open_library(page)
    assert doc_ids(page) == []
    page.locator("#library-upload input[type=file]").set_input_files([str(SAMPLE_DRAFT), str(garbage)])
    expect(page.locator("#library-upload")).to_contain_text("garbage")
    page.locator("#library-ingest").click()
    result = page.locator("#library-result")
    expect(result).to_contain_text("added 1, updated 0, unchanged 0, removed 0, failed 1;")
    failures = page.locator("#library-failures")
    expect(failures).to_contain_text("garbage.doc")
    expect(failures).to_contain_text("unknown format")
    assert doc_ids(page) == ["draft-y.ml-qa-sample.md"]
    uploads = empty_server.workspace.uploads
    assert sorted(p.name for p in uploads.iterdir()) == ["draft-Y.ML-QA-sample.md", "garbage.doc"]

    page.get_by_role("combobox", name="Document to remove").click()
    page.get_by_role("option", name="draft-y.ml-qa-sample.md").click()
    page.locator("#library-remove").click()
    expect(result).to_contain_text("Removed draft-y.ml-qa-sample.md.")
    expect(page.locator("#library-docs [role=row][data-index]")).to_have_count(0)
    assert empty_server.workspace.library.documents() == []
    assert not (uploads / "draft-Y.ML-QA-sample.md").exists()


def test_a_server_folder_is_ingested_with_a_progress_bar(
    empty_server: RunningServer, new_page: PageFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    for n in range(3):
        shutil.copyfile(SAMPLE_DRAFT, folder / f"draft-{n}.md")
    page = new_page(empty_server.url)
    open_library(page)
    page.locator("#library-folder textarea").fill(str(folder))
    page.locator("#library-ingest").click()
    bar = page.locator(".progress-text").filter(has_text=re.compile(r"^\d/3 files"))
    expect(bar.first).to_be_visible()
    expect(page.locator("#library-result")).to_contain_text("added 3,")
    assert doc_ids(page) == ["draft-0.md", "draft-1.md", "draft-2.md"]


def test_a_missing_folder_is_a_failure_with_its_reason(
    empty_server: RunningServer, new_page: PageFactory, tmp_path: Path
) -> None:
    page = new_page(empty_server.url)
    open_library(page)
    page.locator("#library-folder textarea").fill(str(tmp_path / "nowhere"))
    page.locator("#library-ingest").click()
    expect(page.locator("#library-result")).to_contain_text("failed 1")
    expect(page.locator("#library-failures")).to_contain_text("no such folder on the server")

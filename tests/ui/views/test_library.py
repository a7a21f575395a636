"""Library view, in Chromium, on a library of its own: add documents (uploads and a server folder) with a
progress bar, see what failed and why, remove a document."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from playwright.sync_api import Page, expect

from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.ui.conftest import SAMPLE_DRAFT, PageFactory
from ui.server import RunningServer, start
from ui.views.library import FOLDER_REFUSED, document_rows, server_files


@pytest.fixture
def empty_server(tmp_path: Path, ui_settings: Settings) -> Iterator[RunningServer]:
    """The workspace over an empty index (this test's own), so adding and removing touch nothing shared;
    its one server folder is ``tmp_path / "offered"``."""
    offered = tmp_path / "offered"
    offered.mkdir()
    settings = ui_settings.updated(index=tmp_path / "index", ui={"folders": [offered]})
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
    expect(page.locator("#library-docs [role=row][data-index]").first).to_contain_text("local")
    uploads = empty_server.workspace.uploads
    assert sorted(p.name for p in uploads.rglob("*") if p.is_file()) == [
        "draft-Y.ML-QA-sample.md",
        "garbage.doc",
    ]

    page.get_by_role("combobox", name="Document to remove").click()
    page.get_by_role("option", name="draft-y.ml-qa-sample.md").click()
    page.locator("#library-remove").click()
    expect(result).to_contain_text("Removed draft-y.ml-qa-sample.md.")
    expect(page.locator("#library-docs [role=row][data-index]")).to_have_count(0)
    assert empty_server.workspace.library.documents() == []
    assert not any(uploads.rglob("draft-Y.ML-QA-sample.md"))


def test_a_server_folder_is_ingested_with_a_progress_bar(
    empty_server: RunningServer, new_page: PageFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "offered" / "drafts"
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


def test_a_folder_outside_the_allowed_ones_is_refused_like_a_missing_one(
    empty_server: RunningServer, new_page: PageFactory, tmp_path: Path
) -> None:
    page = new_page(empty_server.url)
    open_library(page)
    page.locator("#library-folder textarea").fill(str(tmp_path / "offered" / "nowhere"))
    page.locator("#library-ingest").click()
    expect(page.locator("#library-result")).to_contain_text("failed 1")
    expect(page.locator("#library-failures")).to_contain_text(FOLDER_REFUSED)
    client = Client(empty_server.url, verbose=False)
    for outside in ("/etc", "/etc/default", "/no/such/folder", str(tmp_path / "offered" / ".." / "index")):
        summary, failures, *_ = client.predict([], outside, api_name="/ingest")
        assert summary.startswith("added 0,"), outside
        assert failures["data"] == [[outside, FOLDER_REFUSED]]
    assert empty_server.workspace.library.documents() == []


def test_a_server_file_named_as_an_upload_is_refused(empty_server: RunningServer) -> None:
    """The other way to a server file: an API caller naming it in place of an upload (Gradio refuses)."""
    with httpx.Client(base_url=empty_server.url, timeout=60) as client:
        upload = {"path": "/etc/os-release", "meta": {"_type": "gradio.FileData"}}
        event = client.post("gradio_api/call/ingest", json={"data": [[upload], ""]}).json()["event_id"]
        outcome = client.get(f"gradio_api/call/ingest/{event}").text
    assert "event: error" in outcome and "not uploaded by a user" in outcome
    assert empty_server.workspace.library.documents() == []


@pytest.mark.server
def test_without_allowed_folders_the_field_is_hidden_and_refused(
    ui_settings: Settings, new_page: PageFactory, tmp_path: Path
) -> None:
    settings = ui_settings.model_copy(update={"index": tmp_path / "index"})
    running = start(settings, port=free_port())
    try:
        page = new_page(running.url)
        open_library(page)
        expect(page.locator("#library-folder")).to_have_count(0)
        _, failures, *_ = Client(running.url, verbose=False).predict([], "/etc/default", api_name="/ingest")
        assert failures["data"] == [["/etc/default", FOLDER_REFUSED]]
        assert running.workspace.library.documents() == []
    finally:
        running.close()


def test_server_files_resolve_links_and_dots_before_the_check(tmp_path: Path) -> None:
    offered, secret = tmp_path / "offered", tmp_path / "secret"
    (offered / "drafts").mkdir(parents=True)
    secret.mkdir()
    (secret / "passwords.txt").write_text("root: hunter2\n", encoding="utf-8")
    (offered / "drafts" / "a.md").write_text("# 1 Scope\n", encoding="utf-8")
    (offered / "drafts" / "leak.txt").symlink_to(secret / "passwords.txt")
    (offered / "way-out").symlink_to(secret)
    assert server_files([offered], str(offered / "drafts")) == [(offered / "drafts" / "a.md").resolve()]
    assert server_files([offered], "drafts") == [(offered / "drafts" / "a.md").resolve()]
    assert server_files([offered], str(offered / "way-out")) is None
    assert server_files([offered], str(offered / "drafts" / ".." / ".." / "secret")) is None
    assert server_files([offered], str(offered / "drafts" / "a.md")) is None  # a file is not a folder
    assert server_files([], str(offered)) is None
    index = offered / "drafts" / "index"  # the workspace's own index kept in an offered folder
    index.mkdir()
    (index / "records.sqlite3").write_bytes(b"SQLite format 3\x00")
    assert server_files([offered], "drafts", index) == [(offered / "drafts" / "a.md").resolve()]


def test_uploads_with_one_name_stay_separate_documents_and_say_who_added_them(
    empty_server: RunningServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "first" / "report.md", tmp_path / "second" / "report.md"
    for path, topic in ((first, "widget gateways"), (second, "gizmo relays")):
        path.parent.mkdir()
        path.write_text(f"# Report\n\n## 1 Scope\n\nThis report is about {topic}.\n", encoding="utf-8")
    client = Client(empty_server.url, verbose=False)
    for path in (first, second, first):
        client.predict([handle_file(str(path))], "", api_name="/ingest")
    docs = empty_server.workspace.library.documents()
    assert len(docs) == 2
    assert {Path(d.path).read_text(encoding="utf-8") for d in docs} == {
        first.read_text(encoding="utf-8"),
        second.read_text(encoding="utf-8"),
    }
    assert [row[-1] for row in document_rows(empty_server.workspace)] == ["local", "local"]

    assert [row[-1] for row in document_rows(empty_server.workspace)] == ["local", "local"]


@pytest.mark.server
def test_a_signed_in_user_is_named_as_the_one_who_added_a_document(
    ui_settings: Settings, tmp_path: Path
) -> None:
    guarded = ui_settings.updated(index=tmp_path / "index", ui={"users": ["alice:s3cret"]})
    running = start(guarded, port=free_port())
    try:
        report = tmp_path / "report.md"
        report.write_text("# Report\n\n## 1 Scope\n\nThis report is about sprocket hubs.\n", encoding="utf-8")
        client = Client(running.url, auth=("alice", "s3cret"), verbose=False)
        client.predict([handle_file(str(report))], "", api_name="/ingest")
        assert [row[-1] for row in document_rows(running.workspace)] == ["alice"]
    finally:
        running.close()

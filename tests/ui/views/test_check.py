"""Check view, in Chromium: upload a draft, read and filter the findings, open one's evidence, download
the report, the commented .docx and the tracked-changes copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import gradio as gr
import pytest
from docx.oxml.ns import qn
from playwright.sync_api import Page, expect

from copilot.checker import run_check
from copilot.checker.docx_comments import AUTHOR
from copilot.redline import AUTHOR as REVISION_AUTHOR
from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from tests.ui.conftest import SAMPLE_DRAFT, PageFactory
from ui.markup import literal
from ui.server import RunningServer
from ui.views.check import check_draft, evidence_markdown, finding_rows

PHYSICAL_MACHINE = "3.2.3 physical machine: A computing machine providing physical resources."
SEEDS = {
    "3.2.2 quality assessment:": f"{PHYSICAL_MACHINE}\n\n3.2.2 quality assessment:",
    "7.1 A deployed ML model": "7.1 A deployed ML model running on a VM",
}


@pytest.fixture
def seeded_draft(tmp_path: Path) -> Path:
    """The sample draft with a term Y.3507 already defines and an abbreviation it never lists."""
    text = SAMPLE_DRAFT.read_text(encoding="utf-8")
    for old, new in SEEDS.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "draft-seeded.md"
    path.write_text(text, encoding="utf-8")
    return path


def findings(page: Page) -> list[list[str]]:
    rows = page.locator("#findings [role=row][data-index]")
    return [row.locator("[role=gridcell]").all_inner_texts() for row in rows.all()]


def upload_and_check(page: Page, draft: Path, shown_as: str) -> None:
    page.get_by_role("tab", name="Check").click()
    page.locator("#draft-upload input[type=file]").set_input_files(str(draft))
    page.locator("#check-run").click()
    expect(page.locator("#check-summary")).to_contain_text(f"{shown_as}:")


def test_upload_shows_findings_filters_them_and_opens_the_evidence(
    ui_server: RunningServer, new_page: PageFactory, seeded_draft: Path
) -> None:
    page = new_page(ui_server.url)
    upload_and_check(page, seeded_draft, "draft-seeded.md")
    table = page.locator("#findings")
    expect(table).to_contain_text("definitions.already-defined")
    rows = findings(page)
    assert {"definitions.already-defined", "abbreviations.unlisted"} <= {r[6] for r in rows}

    page.get_by_role("combobox", name="Severity").click()
    page.get_by_role("option", name="warning", exact=True).click()
    page.keyboard.press("Escape")
    expect(table).not_to_contain_text("Not checked")
    assert {r[1] for r in findings(page)} == {"warning"}

    page.locator("#filter-clause textarea").fill("3")
    page.locator("#filter-clause textarea").press("Enter")
    expect(table).not_to_contain_text("abbreviations.unlisted")
    rows = findings(page)
    assert [r[6] for r in rows] == ["definitions.already-defined"]

    page.locator("#findings [role=row][data-index='0'] [role=gridcell]").last.click()
    evidence = page.locator("#evidence")
    expect(evidence).to_contain_text("physical machine")
    expect(evidence).to_contain_text("[ITU-T Y.3507] clause 3.2.1")
    expect(evidence).to_contain_text("computing machine providing physical resources")


def test_reports_download_and_a_docx_draft_gets_a_commented_copy(
    ui_server: RunningServer, new_page: PageFactory, corpus_dir: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "my draft (v2).docx"
    shutil.copyfile(corpus_dir / "itu-t" / "T-REC-M.3372-201808-I!!MSW-E.docx", draft)
    page = new_page(ui_server.url)
    upload_and_check(page, draft, "my_draft_(v2).docx")
    downloads = page.locator("#check-downloads")
    names = ("check.md", "check.html", "commented.docx", "fixed.docx")
    for name in (f"my_draft_(v2).{suffix}" for suffix in names):
        expect(downloads.get_by_role("cell", name=name, exact=True)).to_be_visible()
    saved = {}
    for name in ("my_draft_(v2).check.md", "my_draft_(v2).commented.docx", "my_draft_(v2).fixed.docx"):
        with page.expect_download() as info:
            downloads.get_by_role("row", name=name).get_by_role("link").click()
        saved[name] = Path(info.value.path())
    report = saved["my_draft_(v2).check.md"].read_text(encoding="utf-8")
    assert report.startswith("# Draft check: my_draft_(v2).docx")
    comments = docx.Document(str(saved["my_draft_(v2).commented.docx"])).comments
    assert len(comments) >= 1
    assert all(c.author == AUTHOR for c in comments)
    # The tracked-changes copy: fixes as revisions by Rapporteur, the rest as its comments.
    fixed = docx.Document(str(saved["my_draft_(v2).fixed.docx"]))
    assert {c.author for c in fixed.comments} == {REVISION_AUTHOR}
    assert {m.get(qn("w:author")) for m in fixed.element.body.xpath(".//w:ins | .//w:del")} <= {
        REVISION_AUTHOR
    }


def test_rows_and_evidence_follow_the_report(ui_server: RunningServer, seeded_draft: Path) -> None:
    ws = ui_server.workspace
    _, report = run_check(seeded_draft, ws.settings, ws.library)
    every = finding_rows(report, [], [], "")
    assert [row[0] for row in every] == list(range(1, len(report.findings) + 1))
    in_clause_3 = finding_rows(report, [], [], "3")
    assert in_clause_3 and all(row[3] == "3" or row[3].startswith("3.") for row in in_clause_3)
    assert finding_rows(report, ["style"], ["error"], "") == [
        r for r in every if r[2] == "style" and r[1] == "error"
    ]
    unlisted = next(r for r in every if r[6] == "abbreviations.unlisted")
    assert literal("'VM' is used but not listed") in evidence_markdown(report, unlisted[0])
    assert evidence_markdown(report, 0) == evidence_markdown(report, len(report.findings) + 1) == ""


def test_bad_drafts_are_refused_naming_the_file_and_the_reason(ui_settings: Settings, tmp_path: Path) -> None:
    ws = Workspace(ui_settings.updated(ui={"max_upload_bytes": 1000}))
    try:
        big = tmp_path / "big draft.md"
        big.write_text("# 1 Scope\n" + "x" * 2000, encoding="utf-8")
        with pytest.raises(
            gr.Error, match=r"big_draft\.md: 2,010 bytes is over the upload limit of 1,000 bytes"
        ):
            check_draft(ws, str(big))
        binary = tmp_path / "scan.pdf"
        binary.write_bytes(b"\x00\x01\x02" * 100)
        with pytest.raises(gr.Error, match=r"scan\.pdf: unknown format"):
            check_draft(ws, str(binary))
        with pytest.raises(gr.Error, match="Choose a draft"):
            check_draft(ws, None)
    finally:
        ws.close()

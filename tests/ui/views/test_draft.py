"""Draft view, in Chromium: a clause drafted from the library, its sources opened, the text edited,
exported to .docx and regenerated. Without a model the exact parts (reused definitions) are drafted."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from playwright.sync_api import expect

from tests.ui.conftest import PageFactory
from ui.server import RunningServer

TOPIC = "functional requirements of physical machines for cloud computing"
EDIT = "3.2.1\tquality report: A report of the measured quality of a model."


def test_a_draft_is_cited_editable_exportable_and_regenerated(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(ui_server.url)
    page.get_by_role("tab", name="Draft", exact=True).click()
    page.get_by_role("combobox", name="Clause kind").click()
    page.get_by_role("option", name="definitions", exact=True).click()
    page.locator("#draft-topic textarea").fill(TOPIC)
    page.locator("#draft-id textarea").fill("Y.PM-REQ")
    page.locator("#draft-go").click()
    text = page.locator("#draft-text textarea")
    reused = re.compile(r"3\.1\.1\tphysical machine \[ITU-T Y\.3507\]: A type of computing machine")
    expect(text).to_have_value(reused)

    page.locator("#draft-sources").get_by_text("[ITU-T Y.3507] clause 3.2.1", exact=False).first.click()
    expect(page.locator("#clause-panel")).to_contain_text(
        "A type of computing machine providing physical resources"
    )

    text.fill(text.input_value().rstrip("\n") + "\n\n" + EDIT)
    page.locator("#draft-export").click()
    row = page.locator("#draft-docx").get_by_role("row", name="Y.PM-REQ-definitions.docx")
    with page.expect_download() as info:
        row.get_by_role("link").click()
    paragraphs = [p.text for p in docx.Document(str(Path(info.value.path()))).paragraphs]
    assert EDIT in paragraphs
    assert any(p.startswith("3.1.1\tphysical machine [ITU-T Y.3507]") for p in paragraphs)

    page.locator("#draft-again").click()
    expect(text).not_to_have_value(re.compile("quality report"))
    expect(text).to_have_value(reused)

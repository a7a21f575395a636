"""Draft view, in Chromium: a clause drafted from the library, its sources opened, the text edited,
exported to .docx and regenerated; and a conversation's draft grown under the Ask history, a clause
edited by hand, the whole draft checked and exported, the .docx checked again by ``rapporteur check``.
Without a model the exact parts (reused definitions, conventions, lists) are drafted."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
from playwright.sync_api import expect

from tests.ui.conftest import REPO, TIMEOUT_MS, PageFactory
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


WAIT_MS = 2 * TIMEOUT_MS
"""Drafting and checking on a loaded two-core machine take longer than an assertion's default 5 s."""
HAND_EDIT = (
    "6\tRequirements\n\nREQ-01: The physical machine shall provide at least one CPU to each virtual machine."
)


def test_a_conversation_grows_one_draft_that_is_edited_checked_and_exported(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(ui_server.url)
    page.locator("#question textarea").fill("What is a physical machine?")
    page.locator("#ask").click()
    expect(page.locator("#chat")).to_contain_text("[ITU-T Y.3507] clause 3.2.1", timeout=WAIT_MS)

    def add(kind: str) -> None:
        page.get_by_role("combobox", name="Clause kind").last.click()
        page.get_by_role("option", name=kind, exact=True).click()
        page.locator("#cd-add").click()

    add("definitions")  # about the conversation's topic: the topic box is left empty
    whole = page.locator("#cd-text textarea")
    reused = re.compile(r"3\.1\.1\tphysical machine \[ITU-T Y\.3507\]: A type of")
    expect(whole).to_have_value(reused, timeout=WAIT_MS)
    add("requirements")
    clause = page.locator("#cd-clause-text textarea")
    expect(clause).to_have_value(re.compile(r"^6\tRequirements"), timeout=WAIT_MS)
    expect(whole).to_have_value(re.compile(r"\n6\tRequirements"), timeout=WAIT_MS)  # the add has settled
    expect(page.locator("#cd-add")).to_be_enabled(timeout=WAIT_MS)
    clause.fill(HAND_EDIT)
    expect(clause).to_have_value(HAND_EDIT)
    page.locator("#cd-save").click()
    listed = re.compile(r"CPU\tCentral Processing Unit")  # clause 4 follows the edit
    expect(whole).to_have_value(listed, timeout=WAIT_MS)
    add("conventions")
    conventions = re.compile(r'5\tConventions\n\nIn this Recommendation:\n\nThe keywords "is')
    expect(whole).to_have_value(conventions, timeout=WAIT_MS)
    assert HAND_EDIT in whole.input_value()

    page.locator("#cd-check").click()
    findings = page.locator("#cd-findings")
    shall = findings.get_by_text(re.compile(r"^clause 6 · \w+ · requirements · .*shall"))
    expect(shall).to_be_visible(timeout=WAIT_MS)
    assert not findings.get_by_text(re.compile(r"· error · structure ·")).count()
    clause.fill("")
    shall.click()
    expect(clause).to_have_value(HAND_EDIT + "\n", timeout=WAIT_MS)

    page.locator("#cd-export").click()
    with page.expect_download() as info:
        page.locator("#cd-docx").get_by_role("link").first.click()
    exported = Path(info.value.path())
    paragraphs = [p.text for p in docx.Document(str(exported)).paragraphs]
    assert HAND_EDIT.split("\n\n")[1] in paragraphs and "CPU\tCentral Processing Unit" in paragraphs
    copy = exported.with_suffix(".docx")
    copy.write_bytes(exported.read_bytes())
    settings = ui_server.workspace.settings
    env = {"RAPPORTEUR_INDEX": str(settings.index), "RAPPORTEUR_CATALOG": str(settings.catalog)}
    checked = subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", "check", str(copy), "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
        env={**os.environ, **env, "RAPPORTEUR_LLM_ENABLED": "false"},
    )  # fmt: skip
    findings_json = json.loads(checked.stdout)["findings"]
    assert not [f for f in findings_json if f["category"] == "structure" and f["severity"] == "error"]
    assert any(f["rule"] == "requirements.shall" and f["location"]["clause"] == "6" for f in findings_json)

    page.locator("#ask-clear").click()  # a new conversation starts without a draft
    expect(whole).to_have_value("", timeout=WAIT_MS)
    add("conventions")
    expect(whole).not_to_have_value(re.compile("Requirements"), timeout=WAIT_MS)

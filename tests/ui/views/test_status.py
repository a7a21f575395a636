"""Settings view, in Chromium: which index, embedding model and model endpoint are in use, and whether
each is reachable."""

from __future__ import annotations

from playwright.sync_api import expect

from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from tests.ui.conftest import PageFactory
from ui.markup import literal
from ui.server import RunningServer
from ui.views.status import status_markdown


def test_the_settings_tab_says_what_is_in_use_and_reachable(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(ui_server.url)
    page.get_by_role("tab", name="Settings").click()
    table = page.locator("#status-table")
    expect(table.locator("tbody tr")).to_have_count(11)
    rows = {
        row.locator("td").first.inner_text(): row.locator("td").all_inner_texts()
        for row in table.locator("tbody tr").all()
    }
    assert rows["index"][1:] == [str(ui_server.workspace.settings.index), "yes", "2 documents, 140 chunks"]
    assert rows["embedding model"][1:3] == ["all-MiniLM-L6-v2-int8 (384 dimensions)", "yes"]
    assert rows["model endpoint"][2:] == ["no", "generation is switched off (RAPPORTEUR_LLM_ENABLED=false)"]
    assert rows["catalog"][2] == "yes"
    page.locator("#status-refresh").click()
    expect(table).to_contain_text("all-MiniLM-L6-v2-int8")


def test_a_model_that_cannot_start_is_reported_with_its_reason(ui_settings: Settings) -> None:
    ws = Workspace(ui_settings.updated(llm={"enabled": True, "model": "no-such-model"}))
    try:
        row = next(line for line in status_markdown(ws).splitlines() if line.startswith("| model endpoint |"))
    finally:
        ws.close()
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:3] == ["model endpoint", literal("embedded llama.cpp server (loopback)"), "**no**"]
    assert cells[3], "the reason is shown"

"""The page as a whole, in Chromium: its four views, and nothing fetched from outside this machine."""

from __future__ import annotations

from playwright.sync_api import Request, expect

from tests.ui.conftest import PageFactory
from ui.server import RunningServer

LOCAL = ("http://127.0.0.1:", "data:", "blob:")


def test_the_page_loads_its_views_and_fetches_nothing_from_outside(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    outside: list[str] = []

    def watch(request: Request) -> None:
        if not request.url.startswith(LOCAL):
            outside.append(request.url)

    page = new_page(ui_server.url)
    page.context.on("request", watch)
    page.reload()
    expect(page).to_have_title("Rapporteur")
    for tab in ("Ask & Draft", "Check", "Compare", "Library", "Settings"):
        page.get_by_role("tab", name=tab, exact=True).click()
        expect(page.get_by_role("tab", name=tab, exact=True)).to_have_attribute("aria-selected", "true")
    page.wait_for_load_state("load")
    assert outside == []

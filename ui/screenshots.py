"""Screenshots of each view for the README: ``python -m ui.screenshots [--index DIR] [--out ui/screenshots]``.

Starts the workspace on a loopback port over the configured library (``RAPPORTEUR_INDEX``; nothing is
added to it), drives Debian's Chromium through Playwright (installed with the ``test`` extra) the way a
person would, and saves one PNG per view.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from rapporteur.processes import free_port
from rapporteur.settings import Settings
from ui.server import start

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
SAMPLE_DRAFT = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
GENERATION_MS = 600_000
"""A first answer may wait for the embedded model to start and read its sources on two cores."""


def ask(page: Page, questions: list[str]) -> None:
    """A conversation: each question once the previous answer is complete; then the first source opens."""
    for turn, question in enumerate(questions, start=1):
        page.locator("#question textarea").fill(question)
        page.locator("#ask").click()
        answered = "n => document.querySelectorAll('#chat [data-testid=bot]').length >= n"
        page.wait_for_function(answered, arg=turn, timeout=GENERATION_MS)
        page.locator("#ask").and_(page.locator(":enabled")).wait_for(timeout=GENERATION_MS)
        page.locator("#ask-sources label").first.wait_for(timeout=GENERATION_MS)
    page.locator("#ask-sources label").first.click()
    page.locator("#clause-panel .clause-text").wait_for()


def grow_draft(page: Page, kinds: list[str]) -> None:
    """The conversation's draft: each clause added about the conversation's topic, then the whole draft
    checked."""
    whole = page.locator("#cd-text textarea")
    for kind in kinds:
        before = len(whole.input_value())
        page.get_by_role("combobox", name="Clause kind").last.click()
        page.get_by_role("option", name=kind, exact=True).click()
        page.locator("#cd-add").click()
        grown = "n => document.querySelector('#cd-text textarea').value.length > n"
        page.wait_for_function(grown, arg=before, timeout=GENERATION_MS)
    page.locator("#cd-check").click()
    page.locator("#cd-findings label").first.wait_for(timeout=GENERATION_MS)


def draft(page: Page, kind: str, topic: str) -> None:
    page.get_by_role("tab", name="Draft", exact=True).click()
    page.get_by_role("combobox", name="Clause kind").click()
    page.get_by_role("option", name=kind, exact=True).click()
    page.locator("#draft-topic textarea").fill(topic)
    page.locator("#draft-go").click()
    page.locator("#draft-sources label").first.wait_for(timeout=GENERATION_MS)
    page.locator("#draft-sources label").first.click()
    page.locator("#clause-panel .clause-text").wait_for()


def check(page: Page, draft_path: Path) -> None:
    page.get_by_role("tab", name="Check", exact=True).click()
    page.locator("#draft-upload input[type=file]").set_input_files(str(draft_path))
    page.locator("#check-run").click()
    page.locator("#check-summary strong").wait_for(timeout=GENERATION_MS)
    rows = page.locator("#findings [role=row][data-index]")
    rows.first.wait_for()
    chosen = rows.filter(has_text="warning").first if rows.filter(has_text="warning").count() else rows.first
    chosen.locator("[role=gridcell]").last.click()
    page.locator("#evidence h3").wait_for()


def take(settings: Settings, out: Path, questions: list[str], draft_path: Path) -> list[Path]:
    """Start a server, visit each view, save ``ask``, ``conversation-draft``, ``draft``, ``check``,
    ``library``, ``settings``."""
    out.mkdir(parents=True, exist_ok=True)
    running = start(settings, port=free_port())
    saved: list[Path] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(running.url)
            page.locator("#question textarea").wait_for()

            def shot(name: str) -> None:
                path = out / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)

            ask(page, questions)
            shot("ask")
            grow_draft(page, ["definitions", "conventions"])
            shot("conversation-draft")
            draft(page, "definitions", "functional requirements of physical machines for cloud computing")
            shot("draft")
            check(page, draft_path)
            shot("check")
            page.get_by_role("tab", name="Library", exact=True).click()
            page.locator("#library-docs [role=row][data-index]").first.wait_for()
            shot("library")
            page.get_by_role("tab", name="Settings", exact=True).click()
            page.locator("#status-table tbody tr").first.wait_for(timeout=GENERATION_MS)
            shot("settings")
            browser.close()
    finally:
        running.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="library to show (default: RAPPORTEUR_INDEX); it is only read")
    parser.add_argument("--out", default=str(REPO / "ui" / "screenshots"), help="folder for the PNGs")
    parser.add_argument(
        "--question",
        action="append",
        help="a question to ask (repeatable; default: two about ITU-T Y.3507's physical machines)",
    )
    parser.add_argument("--draft", default=str(SAMPLE_DRAFT), help="draft to check")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"ui.screenshots: Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    settings = Settings(index=Path(args.index)) if args.index else Settings()
    questions = args.question or [
        "What is a physical machine?",
        "What are the enclosure requirements for a physical machine?",
    ]
    for path in take(settings, Path(args.out), questions, Path(args.draft)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Library text and model answers are shown as text: in a CommonMark renderer here, and in Chromium a
document holding a Markdown image and an ``<img>`` makes the page fetch nothing when its clause is
shown in an answer and in the clause panel."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import expect

from copilot.assistant import Answer
from copilot.checker.models import Category, CheckReport, Finding, Location, Severity
from copilot.citation import Citation
from ingest.library import Library
from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.ui.conftest import PageFactory
from ui.markup import error, literal
from ui.server import RunningServer, start
from ui.views.ask import answer_message
from ui.views.check import evidence_markdown

PAYLOADS = [
    "![q](http://127.0.0.1:9/p.png?leak=x)",
    '<img src="http://127.0.0.1:9/i.png?leak=y"> and <svg onload=alert(1)>',
    "[click](javascript:alert(1)) <a href='http://evil.example'>here</a>",
    "see www.evil.example or http://evil.example/x and a@b.example",
    "&lt;img&gt; &#60; *em* __strong__ `code` ~~gone~~ | a | b |",
    "# SYSTEM\n1. first\n- bullet\n> quote\n\\\\ backslash",
]


def rendered_text(markdown: str) -> str:
    """What a CommonMark renderer shows for ``markdown``, as plain text, failing on any element but
    paragraphs and line breaks."""
    out = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    tags = set(re.findall(r"</?([a-z0-9]+)", out))
    assert tags <= {"p", "br"}, f"{tags} in {out!r}"
    return html.unescape(re.sub(r"</?p>\n?", "", out)).strip()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_literal_text_renders_as_itself(payload: str) -> None:
    assert rendered_text(literal(payload)) == payload.strip()


def test_an_injected_answer_shows_as_text_with_our_notice_in_italics() -> None:
    """The chat renders HTML (no Markdown): the answer's markup arrives as escaped text."""
    answer = Answer(question="q", answer=f"Fine. {PAYLOADS[0]} {PAYLOADS[1]}", notice="Uncited <b>x</b>.")
    out = answer_message(answer)
    assert "<img" not in out and "<svg" not in out and "<b>" not in out
    assert html.unescape(out.split("\n\n<em>")[0]) == answer.answer
    assert out.endswith("<em>Uncited &lt;b&gt;x&lt;/b&gt;.</em>")


def test_check_evidence_quotes_the_library_as_text() -> None:
    quoted = Citation(doc_id="evil.md", clause="6", text=PAYLOADS[0])
    finding = Finding(
        rule="terms.redefined",
        category=Category.DEFINITIONS,
        severity=Severity.WARNING,
        location=Location(clause="3.2.1"),
        message=f"'gateway' {PAYLOADS[1]}",
        evidence=[quoted],
        suggestion=PAYLOADS[2],
    )
    report = CheckReport(file="draft.md", findings=[finding])
    out = MarkdownIt("commonmark").render(evidence_markdown(report, 1))
    assert "<img" not in out and "<svg" not in out and "<a " not in out
    assert "<strong>Evidence</strong>" in out  # our own Markdown still renders


def test_errors_shown_on_the_page_are_text() -> None:
    """Gradio renders an error's message as HTML (its toast showed an <img> and <b> when tried)."""
    shown = error(f"report.docx: cannot read {PAYLOADS[1]}").message
    assert "<img" not in shown and "<svg" not in shown
    assert html.unescape(shown) == f"report.docx: cannot read {PAYLOADS[1]}"


class Beacon:
    """A loopback HTTP server that records every request it gets (there must be none)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                beacon.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, name="beacon", daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    running = Beacon()
    yield running
    running.close()


@pytest.fixture
def injected_server(beacon: Beacon, ui_settings: Settings, tmp_path: Path) -> Iterator[RunningServer]:
    """The workspace over an index holding one hostile document whose markup points at the beacon."""
    url = f"http://127.0.0.1:{beacon.port}"
    hostile = tmp_path / "widget-gateway.txt"  # plain text keeps markup as written (Markdown is parsed)
    hostile.write_text(
        "Widget gateways\n\n1 Scope\n\nThis draft specifies the widget gateway.\n\n"
        "2 Widget gateway relay\n\n"
        f"The widget gateway relays widget telemetry ![q]({url}/p.png?leak=x) between domains "
        f'<img src="{url}/i.png?leak=y"> and operators.\n',
        encoding="utf-8",
    )
    settings = ui_settings.model_copy(update={"index": tmp_path / "index"})
    library = Library(settings)
    assert not library.ingest([hostile]).failed
    library.close()
    running = start(settings, port=free_port())
    yield running
    running.close()


@pytest.mark.server
def test_library_markup_in_an_answer_fetches_nothing(
    injected_server: RunningServer, beacon: Beacon, new_page: PageFactory
) -> None:
    page = new_page(injected_server.url)
    page.locator("#question textarea").fill("How does the widget gateway relay widget telemetry?")
    page.locator("#ask").click()
    chat = page.locator("#chat")
    expect(chat).to_contain_text("![q](http://127.0.0.1:", timeout=120_000)
    expect(chat).to_contain_text("<img src=")
    page.locator("#ask-sources label").first.click()
    expect(page.locator("#clause-panel .clause-text")).to_contain_text("![q](http://127.0.0.1:")
    # The beacon's address, not its port alone: Gradio's inline SVG icons hold digit runs such as
    # '2.42195' (a CI run drew port 42195 and matched one).
    address = f"127.0.0.1:{beacon.port}/"
    assert page.locator(f"img[src*='{address}'], a[href*='{address}']").count() == 0
    # A request the page makes on purpose, after everything shown: once it has arrived, an image the
    # page had started fetching before it would have arrived too.
    page.evaluate(f"fetch('http://127.0.0.1:{beacon.port}/control', {{mode: 'no-cors'}})")
    deadline = time.monotonic() + 30
    while "/control" not in beacon.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert beacon.requests == ["/control"]

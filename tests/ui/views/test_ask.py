"""Ask view, in Chromium: a question gets a cited answer, a citation opens its clause, and sessions keep
their own conversations. Without a model the answer is the retrieved clauses with a notice; with the
packaged tiny model (where llama-cpp-python is installed) it is generated and streamed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from copilot.assistant import NO_ANSWER, Answer
from copilot.citation import Citation
from copilot.conversation import Conversation
from rapporteur.processes import free_port
from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from tests.ui.conftest import PageFactory
from ui.server import RunningServer, start
from ui.views.ask import SEARCHING, answer_message, ask_stream, filters_for, searching_line
from ui.views.sources import clause_html, source_choices, unique_citations

QUESTION = "What is a physical machine?"


def ask(page: Page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_a_question_gets_a_cited_answer_and_a_citation_opens_its_clause(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(ui_server.url)
    ask(page, QUESTION)
    chat = page.locator("#chat")
    expect(chat).to_contain_text("[ITU-T Y.3507] clause 3.2.1")
    expect(chat).to_contain_text("No language model")
    sources = page.locator("#ask-sources")
    sources.get_by_text("[ITU-T Y.3507] clause 3.2.1", exact=False).first.click()
    panel = page.locator("#clause-panel")
    expect(panel).to_contain_text("A type of computing machine providing physical resources")
    expect(panel).to_contain_text("ITU-T Y.3507 (2018-12) Cloud computing")
    expect(panel.locator("dd").nth(2)).to_have_text("7")


def test_the_panel_shows_a_whole_clause_with_its_sub_clauses_and_page_span(ui_server: RunningServer) -> None:
    ws = ui_server.workspace
    doc = ws.library.resolve("Y.3507")
    assert doc is not None
    panel = clause_html(ws, Citation(doc_id=doc.doc_id, rec_id=doc.rec_id, clause="6", heading="Overview"))
    assert "<dd>6 Overview of the physical machine</dd>" in panel
    assert "6.2 Introduction to the physical machine" in panel
    assert "<dt>Pages</dt><dd>8–14</dd>" in panel
    definition = Citation(
        doc_id=doc.doc_id, rec_id=doc.rec_id, clause="3.2.1", heading="Terms", text="x", page=7
    )
    assert "<dd>3.2.1 (in “Terms”)</dd><dt>Pages</dt><dd>7</dd>" in clause_html(ws, definition)


def messages(page: Page, role: str) -> list[str]:
    return page.locator(f"#chat [data-testid={role}]").all_inner_texts()


def test_each_session_keeps_its_own_conversation(ui_server: RunningServer, new_page: PageFactory) -> None:
    first, second = new_page(ui_server.url), new_page(ui_server.url)
    ask(first, QUESTION)
    ask(second, "How does M.3372 manage resources in cloud-aware networks?")
    expect(first.locator("#chat [data-testid=bot]")).to_contain_text("[ITU-T Y.3507] clause 3.2.1")
    expect(second.locator("#chat [data-testid=bot]")).to_contain_text("[ITU-T M.3372]")
    ask(first, "Which requirements apply to the enclosure of a physical machine?")
    expect(first.locator("#chat [data-testid=bot]").nth(1)).to_contain_text("clause 7.1.4")
    assert messages(first, "user") == [
        QUESTION,
        "Which requirements apply to the enclosure of a physical machine?",
    ]
    assert messages(second, "user") == ["How does M.3372 manage resources in cloud-aware networks?"]


@pytest.fixture(scope="module")
def model_server(ui_settings: Settings, tiny_model_settings: Settings) -> Iterator[RunningServer]:
    """The workspace with generation on: the packaged SmolLM2-135M behind the embedded llama.cpp server."""
    running = start(
        ui_settings.updated(llm=tiny_model_settings.llm.model_copy(update={"enabled": True})),
        port=free_port(),
    )
    yield running
    running.close()


def test_with_a_model_the_answer_streams_and_its_sources_open(
    model_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(model_server.url)
    ask(page, QUESTION)
    first = page.locator("#ask-sources label").first
    expect(first).to_be_visible(timeout=300_000)
    assert "No language model" not in page.locator("#chat").inner_text()
    first.click()
    expect(page.locator("#clause-panel .clause-text")).not_to_be_empty()


def test_answer_text_carries_its_notice_and_sources_are_listed_once() -> None:
    cited = Citation(
        doc_id="y.3507-201812.docx", rec_id="ITU-T Y.3507", clause="3.2.1", heading="Terms", page=7
    )
    other = Citation(doc_id="y.3507-201812.docx", rec_id="ITU-T Y.3507", clause="7.5", heading="Security")
    answer = Answer(question="q", answer="A machine [ITU-T Y.3507] clause 3.2.1.", notice="Uncited.")
    assert answer_message(answer) == "A machine [ITU-T Y.3507] clause 3.2.1.\n\n<em>Uncited.</em>"
    told = Answer(question="q", answer="No model. The most relevant clauses: ...", notice="No model.")
    assert answer_message(told) == told.answer
    merged = unique_citations([cited], [cited, other])
    assert source_choices(merged) == [
        ("[ITU-T Y.3507] clause 3.2.1, p. 7 · Terms", "0"),
        ("[ITU-T Y.3507] clause 7.5 · Security", "1"),
    ]
    assert filters_for("any", False) is None
    assert searching_line("q", "q") == ""
    assert searching_line("and it?", "<img src=x> in [ITU-T Y.3507]") == (
        "<em>Searching for: &lt;img src=x&gt; in [ITU-T Y.3507]</em>\n\n"
    )
    assert filters_for("ITU-R", True) == {"sector": "ITU-R", "in_force": "true"}


def test_simultaneous_askers_are_queued_not_mixed(ui_server: RunningServer) -> None:
    """Through the API, as the load test does: each client (its own session) gets its own answer."""
    from gradio_client import Client

    questions = {i: q for i, q in enumerate([QUESTION, "What is a physical machine's enclosure?"] * 2)}
    answers: dict[int, str] = {}

    def run(i: int) -> None:
        chat = Client(ui_server.url, verbose=False).predict(questions[i], [], "any", False, api_name="/ask")[
            0
        ]
        answers[i] = chat[0]["content"][0]["text"] if chat and chat[0]["role"] == "user" else ""

    threads = [threading.Thread(target=run, args=(i,)) for i in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == questions


def final_turn(
    ws: Workspace, question: str, history: list[dict[str, object]], thread: Conversation
) -> tuple[list[dict[str, object]], Answer]:
    """The chat and the answer once ``question`` has been answered, as the view's event gets them."""
    *_, (chat, answer) = ask_stream(ws, question, history, None, thread)
    assert answer is not None
    return chat, answer


def test_a_follow_up_is_searched_in_the_light_of_the_session_and_says_so(synthetic_library: Settings) -> None:
    ws = Workspace(synthetic_library)
    try:
        thread = Conversation()
        chat, first = final_turn(ws, "What is a widget hub?", [], thread)
        assert ("ITU-T Y.9901", "3.2.2") in {(c.rec_id, c.clause) for c in first.citations}
        assert SEARCHING not in str(chat[-1]["content"])  # asked as written
        chat, second = final_turn(ws, "What about its abbreviations?", chat, thread)
        assert (second.citations[0].rec_id, second.citations[0].clause) == ("ITU-T Y.9901", "4")
        shown = str(chat[-1]["content"])
        assert shown.startswith("<em>Searching for: abbreviations in [ITU-T Y.9901]</em>\n\n")
        assert [t.query for t in thread.turns] == ["What is a widget hub?", "abbreviations in [ITU-T Y.9901]"]
        assert [m["role"] for m in chat] == ["user", "assistant"] * 2
        # Without the session's turns the same follow-up names nothing the library can place.
        _, alone = final_turn(ws, "What about its abbreviations?", [], Conversation())
        assert alone.answer == NO_ANSWER
    finally:
        ws.close()


@pytest.fixture(scope="module")
def synthetic_server(synthetic_library: Settings) -> Iterator[RunningServer]:
    """The workspace over the synthetic library (ITU-style Recommendations written for the tests)."""
    running = start(synthetic_library, port=free_port())
    yield running
    running.close()


def test_a_three_turn_conversation_lands_the_follow_ups_on_their_clause(
    synthetic_server: RunningServer, new_page: PageFactory
) -> None:
    """In Chromium, one session: the follow-ups are searched in the thread's light, say what they
    searched for, and the last one's answer cites and quotes the clause the thread is about; asked
    alone in a new session, the same question names nothing the library can place."""
    page = new_page(synthetic_server.url)
    bot = page.locator("#chat [data-testid=bot]")
    ask(page, "What is a widget hub?")
    expect(bot.nth(0)).to_contain_text("[ITU-T Y.9901] clause 3.2.2")
    ask(page, "What about its abbreviations?")
    expect(bot.nth(1)).to_contain_text("Searching for: abbreviations in [ITU-T Y.9901]")
    expect(bot.nth(1)).to_contain_text("[ITU-T Y.9901] clause 4")
    ask(page, "Which clause says that?")
    third = bot.nth(2)
    expect(third).to_contain_text("Searching for: abbreviations in [ITU-T Y.9901] clause 4")
    expect(third).to_contain_text("[ITU-T Y.9901] clause 4")
    expect(third).to_contain_text("WID")
    assert messages(page, "user") == [
        "What is a widget hub?",
        "What about its abbreviations?",
        "Which clause says that?",
    ]
    alone = new_page(synthetic_server.url)
    ask(alone, "Which clause says that?")
    expect(alone.locator("#chat [data-testid=bot]")).to_contain_text(NO_ANSWER)

"""Ask: a chat over the library with streamed, cited answers (``rapporteur ask``); each cited clause opens
in the panel beside it. The conversation lives in the browser session, never shared: each follow-up
("and for customer hosts?") is rewritten from the session's earlier turns into a self-contained query,
which the answer shows above itself ("Searching for: ...").

Messages are HTML without Markdown: questions, answers and the library text in them are escaped, so
they show as typed and fetch nothing, and the copy button copies them nearly as shown (only ``<``,
``>`` and ``&`` come out as entities); only our own ``<em>`` around notices is markup."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import gradio as gr

from copilot.assistant import Answer
from copilot.citation import Citation
from copilot.conversation import Conversation
from copilot.retrieval import FilterError
from rapporteur.workspace import Workspace
from ui.markup import error
from ui.views.draft import build_conversation_draft
from ui.views.sources import EMPTY_PANEL, open_source, reset_sources, sources_radio, unique_citations

SECTORS = ["any", "ITU-T", "ITU-R"]
THINKING = "<em>Searching the library…</em>"
SEARCHING = "Searching for: "


def as_text(text: str) -> str:
    """Untrusted text as chat HTML that shows exactly as written."""
    return html.escape(text, quote=False)


def answer_message(answer: Answer) -> str:
    """The final chat message: the answer as text, then any notice it does not already give (an uncited
    answer, a model failure) in italics."""
    shown = as_text(answer.answer)
    if answer.notice and answer.notice not in answer.answer:
        return f"{shown}\n\n<em>{as_text(answer.notice)}</em>"
    return shown


def searching_line(question: str, query: str) -> str:
    """The rewritten query, as text in our own italics, to lead the answer; nothing when the question
    was searched as asked."""
    return "" if query == question else f"<em>{SEARCHING}{as_text(query)}</em>\n\n"


def filters_for(sector: str | None, in_force: bool) -> dict[str, str] | None:
    filters = {}
    if sector and sector != "any":
        filters["sector"] = sector
    if in_force:
        filters["in_force"] = "true"
    return filters or None


def ask_stream(
    ws: Workspace,
    question: str,
    history: list[dict[str, Any]],
    filters: dict[str, str] | None,
    conversation: Conversation,
) -> Iterator[tuple[list[dict[str, Any]], Answer | None]]:
    """The chat after each streamed piece, and at the end the :class:`Answer` it came from, which
    ``conversation`` records: ``question`` is searched as ``conversation`` rewrites it."""
    query = conversation.rewrite(question)
    searching = searching_line(question, query)
    asked = {"role": "user", "content": as_text(question)}
    history = [*history, asked, {"role": "assistant", "content": searching + THINKING}]
    yield history, None
    text = ""
    try:
        for event in ws.assistant().ask_stream(question, filters, query):
            if isinstance(event, Answer):
                conversation.record(event)
                history[-1] = {"role": "assistant", "content": searching + answer_message(event)}
                yield history, event
                return
            text += event
            history[-1] = {"role": "assistant", "content": searching + as_text(text)}
            yield history, None
    except FilterError as exc:
        raise error(str(exc)) from exc


def build(ws: Workspace, panel: gr.HTML) -> None:
    """The Ask sub-tab's components and events; cited clauses open in ``panel``."""
    citations = gr.State([])
    conversation = gr.State(Conversation)  # a factory: each session gets its own
    chat = gr.Chatbot(
        label="Conversation",
        height=420,
        elem_id="chat",
        buttons=["copy"],
        render_markdown=False,
        latex_delimiters=[],
    )
    with gr.Row():
        question = gr.Textbox(
            placeholder="Ask the library, e.g. “What is a physical machine?”",
            show_label=False,
            scale=5,
            elem_id="question",
        )
        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
    with gr.Row():
        sector = gr.Dropdown(SECTORS, value="any", label="Sector", scale=1, elem_id="ask-sector")
        in_force = gr.Checkbox(label="In force only", scale=1, elem_id="ask-in-force")
        clear = gr.Button("New conversation", scale=1, elem_id="ask-clear")
    sources = sources_radio("Sources (click one to read the clause)", "ask-sources")
    build_conversation_draft(ws, conversation, clear)

    def on_ask(
        text: str,
        history: list[dict[str, Any]] | None,
        sector_: str | None,
        in_force_: bool,
        thread: Conversation | None,
    ) -> Iterator[tuple[Any, ...]]:
        asked = (text or "").strip()
        if not asked:
            raise gr.Error("Type a question first.")
        thread = thread or Conversation()
        stream = ask_stream(ws, asked, history or [], filters_for(sector_, in_force_), thread)
        convo, _ = next(stream)
        yield convo, "", reset_sources([]), [], thread  # the previous answer's sources are not this one's
        for convo, answer in stream:
            if answer is None:
                yield convo, "", gr.skip(), gr.skip(), gr.skip()
            else:
                cited = unique_citations(answer.citations, answer.sources)
                yield convo, "", reset_sources(cited), cited, thread

    ask_args: dict[str, Any] = {
        "fn": on_ask,
        "inputs": [question, chat, sector, in_force, conversation],
        "outputs": [chat, question, sources, citations, conversation],
        "concurrency_id": "model",
        "concurrency_limit": ws.settings.ui.model_concurrency,
    }
    send.click(api_name="ask", **ask_args)
    question.submit(api_visibility="private", **ask_args)
    sources.change(
        lambda cs, choice: open_source(ws, cs, choice),
        inputs=[citations, sources],
        outputs=[panel],
        api_visibility="private",
    )

    def on_clear() -> tuple[list[Any], Any, list[Citation], str, Conversation]:
        return [], reset_sources([]), [], EMPTY_PANEL, Conversation()

    clear.click(on_clear, outputs=[chat, sources, citations, panel, conversation], api_visibility="private")

"""Draft: a clause of a given kind on a topic (``rapporteur draft``), streamed into an editable box, then
regenerated or exported to .docx; its sources open in the clause panel like an answer's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from copilot.drafting.docx_export import export_docx
from copilot.drafting.models import ClauseDraft, DraftKind
from rapporteur.uploads import safe_name
from rapporteur.workspace import Workspace
from ui.markup import literal
from ui.views.sources import open_source, reset_sources, sources_radio


def draft_stream(
    ws: Workspace, kind: str, topic: str, rec_id: str | None, title: str | None
) -> Iterator[tuple[str, ClauseDraft | None]]:
    """The draft text after each streamed piece, and at the end the :class:`ClauseDraft` it came from."""
    text = ""
    for event in ws.drafter().draft_stream(DraftKind(kind), topic, rec_id=rec_id, title=title):
        if isinstance(event, ClauseDraft):
            yield event.text, event
            return
        text += event
        yield text, None


def export_draft(ws: Workspace, text: str, kind: str, rec_id: str | None) -> str:
    """Write the (possibly edited) draft as a .docx in ITU styles, in this request's own folder."""
    if not text.strip():
        raise gr.Error("There is no draft to export yet.")
    path = ws.request_dir() / safe_name(f"{rec_id or 'draft'}-{kind}.docx")
    return str(export_docx(text, path))


def draft_notes(draft: ClauseDraft) -> str:
    """What is left for the rapporteur (placeholders, unknown expansions, no model), or who wrote it."""
    if draft.notices:
        return "\n".join(f"- {literal(n)}" for n in draft.notices)
    return f"_Drafted with {literal(draft.model)}._" if draft.model else ""


def build(ws: Workspace, panel: gr.HTML) -> None:
    """The Draft sub-tab's components and events; the draft's sources open in ``panel``."""
    citations = gr.State([])
    with gr.Row():
        kind = gr.Dropdown(
            [k.value for k in DraftKind], value=next(iter(DraftKind)).value, label="Clause kind",
            elem_id="draft-kind",
        )  # fmt: skip
        rec_id = gr.Textbox(label="Recommendation (optional)", placeholder="e.g. Y.ML-QA", elem_id="draft-id")
        title = gr.Textbox(label="Its title (optional)", elem_id="draft-title")
    topic = gr.Textbox(
        label="Topic", placeholder="e.g. quality assurance of machine learning models", elem_id="draft-topic"
    )
    with gr.Row():
        go = gr.Button("Draft", variant="primary", elem_id="draft-go")
        again = gr.Button("Regenerate", elem_id="draft-again")
        export = gr.Button("Export .docx", elem_id="draft-export")
    text = gr.Textbox(
        label="Draft (edit freely before exporting)", lines=14, max_lines=40, interactive=True,
        elem_id="draft-text",
    )  # fmt: skip
    notice = gr.Markdown(elem_id="draft-notice")
    sources = sources_radio("Sources of the draft (click one to read the clause)", "draft-sources")
    docx_file = gr.File(label="Draft as .docx", interactive=False, visible=False, elem_id="draft-docx")

    def on_draft(kind_: str, topic_: str, rec_: str | None, title_: str | None) -> Iterator[tuple[Any, ...]]:
        if not (topic_ or "").strip():
            raise gr.Error("Say what the clause is about (the topic).")
        yield "", "_Drafting…_", reset_sources([]), []
        rec, heading = (rec_ or "").strip() or None, (title_ or "").strip() or None
        for current, result in draft_stream(ws, kind_, topic_.strip(), rec, heading):
            if result is None:
                yield current, gr.skip(), gr.skip(), gr.skip()
            else:
                yield current, draft_notes(result), reset_sources(result.citations), result.citations

    draft_args: dict[str, Any] = {
        "fn": on_draft,
        "inputs": [kind, topic, rec_id, title],
        "outputs": [text, notice, sources, citations],
        "concurrency_id": "model",
        "concurrency_limit": ws.settings.ui.model_concurrency,
    }
    go.click(api_name="draft", **draft_args)
    again.click(api_visibility="private", **draft_args)

    def on_export(text_: str | None, kind_: str, rec_: str | None) -> Any:
        path = export_draft(ws, text_ or "", kind_, (rec_ or "").strip() or None)
        return gr.update(value=path, visible=True)

    export.click(
        on_export,
        inputs=[text, kind, rec_id],
        outputs=[docx_file],
        api_name="export_draft",
    )
    sources.change(
        lambda cs, choice: open_source(ws, cs, choice),
        inputs=[citations, sources],
        outputs=[panel],
        api_visibility="private",
    )

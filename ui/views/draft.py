"""Draft: a clause of a given kind on a topic (``rapporteur draft``), streamed into an editable box, then
regenerated or exported to .docx; its sources open in the clause panel like an answer's.

Beside the Ask history, the conversation's own draft (``rapporteur draft KIND --conversation``): clauses
added from the conversation, each edited in place or regenerated, the whole draft checked in one click
(each finding names, and opens, the clause it is in) and exported to .docx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from copilot.checker.models import CheckReport
from copilot.conversation import Conversation
from copilot.drafting.document import DraftDocument, check_whole_draft, clause_key, draft_into, refresh_lists
from copilot.drafting.docx_export import export_docx
from copilot.drafting.models import ClauseDraft, DraftKind
from rapporteur.errors import UsageError
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


# -- the conversation's draft ----------------------------------------------------------------------------

WHOLE_DRAFT = "(whole draft)"


def conversation_topic(conversation: Conversation) -> str:
    """What a clause added from the conversation is about: the draft's topic, else the last query (a
    follow-up as it was rewritten, so self-contained)."""
    if conversation.draft and conversation.draft.topic:
        return conversation.draft.topic
    return conversation.turns[-1].query if conversation.turns else ""


def clause_choices(document: DraftDocument | None) -> list[tuple[str, str]]:
    """(heading, key) of each clause, for the clause picker."""
    return [(s.heading.replace("\t", " "), s.key) for s in document.sections] if document else []


def add_clause_stream(
    ws: Workspace, conversation: Conversation, kind: str, topic: str, rec_id: str | None
) -> Iterator[tuple[str, ClauseDraft | None]]:
    """The clause text as it is drafted into the conversation's draft (made on first use), then the
    :class:`ClauseDraft`."""
    document = conversation.draft or DraftDocument(rec_id=rec_id)
    document.rec_id = document.rec_id or rec_id
    conversation.draft = document
    text = ""
    try:
        for event in draft_into(document, ws.drafter(), kind, topic or conversation_topic(conversation)):
            if isinstance(event, ClauseDraft):
                yield event.text, event
                return
            text += event
            yield text, None
    except UsageError as exc:
        raise gr.Error(str(exc)) from exc


def finding_choices(report: CheckReport) -> list[tuple[str, str]]:
    """Each finding as a line that names its clause (the value is its clause key, to open it)."""
    out = []
    for f in report.findings:
        key = clause_key(f.location.clause)
        where = f"clause {key}" if key and key[0].isdigit() else (key or "whole draft")
        label = f"{where} · {f.severity.value} · {f.category.value} · {f.message}"
        out.append((label, key or WHOLE_DRAFT))
    return out


def build_conversation_draft(ws: Workspace, conversation: gr.State, new_conversation: gr.Button) -> None:
    """The conversation's draft under the Ask history; ``conversation`` is the Ask view's session state,
    which ``new_conversation`` replaces (the draft shown goes with it)."""
    with gr.Accordion("Draft of this conversation", open=True, elem_id="cd"):
        with gr.Row():
            kind = gr.Dropdown(
                [k.value for k in DraftKind if k != DraftKind.SKELETON], value=DraftKind.SCOPE.value,
                label="Clause kind", elem_id="cd-kind", scale=1,
            )  # fmt: skip
            topic = gr.Textbox(
                label="Topic (empty: the conversation's)", elem_id="cd-topic", scale=3,
            )  # fmt: skip
            rec_id = gr.Textbox(label="Recommendation (optional)", elem_id="cd-id", scale=1)
        with gr.Row():
            add = gr.Button("Add clause", variant="primary", elem_id="cd-add")
            check = gr.Button("Check whole draft", elem_id="cd-check")
            export = gr.Button("Export .docx", elem_id="cd-export")
        clause = gr.Dropdown([], label="Clause", elem_id="cd-clause", allow_custom_value=False)
        clause_text = gr.Textbox(
            label="The clause (edit it, then save)", lines=8, max_lines=30, interactive=True,
            elem_id="cd-clause-text",
        )  # fmt: skip
        with gr.Row():
            save = gr.Button("Save edit", elem_id="cd-save")
            regenerate = gr.Button("Regenerate clause", elem_id="cd-regenerate")
            remove = gr.Button("Remove clause", elem_id="cd-remove")
        notice = gr.Markdown(elem_id="cd-notice")
        findings = gr.Radio([], label="Findings (click one to open its clause)", elem_id="cd-findings")
        whole = gr.Textbox(label="Whole draft (as exported)", lines=12, max_lines=60, interactive=False,
                           elem_id="cd-text")  # fmt: skip
        docx_file = gr.File(label="Draft as .docx", interactive=False, visible=False, elem_id="cd-docx")

    def shown(thread: Conversation, key: str | None) -> tuple[Any, str]:
        document = thread.draft
        return (
            gr.update(choices=clause_choices(document), value=key),
            document.framed().text() if document else "",
        )

    def drafted(thread: Conversation, kind_: str, topic_: str, rec_: str | None) -> Iterator[tuple[Any, ...]]:
        key = (thread.draft or DraftDocument()).key_for(DraftKind(kind_))
        yield gr.skip(), "", "_Drafting…_", gr.skip(), thread
        for current, result in add_clause_stream(ws, thread, kind_, topic_.strip(), rec_):
            if result is None:
                yield gr.skip(), current, gr.skip(), gr.skip(), gr.skip()
            else:
                picker, text = shown(thread, key)
                section = thread.draft.section(key) if thread.draft else None
                yield picker, section.text if section else current, draft_notes(result), text, thread

    def on_add(thread: Conversation, kind_: str, topic_: str | None, rec_: str | None) -> Iterator[Any]:
        yield from drafted(thread, kind_, topic_ or "", (rec_ or "").strip() or None)

    def on_regenerate(thread: Conversation, key: str | None) -> Iterator[Any]:
        document = thread.draft
        section = document.section(key) if document and key else None
        kind_ = document.kind_of(key) if document and key else None
        if section is None or kind_ is None:
            raise gr.Error("Pick a clause Rapporteur drafts (an annex or a clause of your own is yours).")
        yield from drafted(thread, kind_.value, section.topic, None)

    def on_pick(thread: Conversation, key: str | None) -> str:
        section = thread.draft.section(key) if thread.draft and key else None
        return section.text if section else ""

    def on_save(thread: Conversation, key: str | None, text_: str) -> tuple[Any, ...]:
        if not (thread.draft and key):
            raise gr.Error("Pick the clause to save first.")
        section = thread.draft.edit(key, text_)
        remade = refresh_lists(thread.draft, ws.drafter())
        note = f"_Saved; made again from the whole draft: {', '.join(remade)}._" if remade else "_Saved._"
        return *shown(thread, key), section.text, note, thread

    def on_remove(thread: Conversation, key: str | None) -> tuple[Any, ...]:
        if not (thread.draft and key):
            raise gr.Error("Pick the clause to remove first.")
        thread.draft.remove(key)
        refresh_lists(thread.draft, ws.drafter())
        return *shown(thread, None), "", f"_Removed clause {literal(key)}._", thread

    def on_check(thread: Conversation) -> tuple[Any, str]:
        if not (thread.draft and thread.draft.sections):
            raise gr.Error("Add a clause to the draft first.")
        library = ws.library if ws.library.documents() else None
        report = check_whole_draft(thread.draft, ws.request_dir() / "draft.docx", ws.settings, library)
        choices = finding_choices(report)
        summary = f"_{len(choices)} finding(s) in the whole draft._" if choices else "_No finding._"
        return gr.update(choices=choices, value=None), summary

    def on_finding(thread: Conversation, key: str | None) -> tuple[Any, str]:
        if not key or key == WHOLE_DRAFT or not (thread.draft and thread.draft.section(key)):
            return gr.skip(), gr.skip()
        return gr.update(value=key), on_pick(thread, key)

    def on_export(thread: Conversation) -> Any:
        if not (thread.draft and thread.draft.sections):
            raise gr.Error("There is no draft to export yet.")
        name = safe_name(f"{thread.draft.rec_id or 'draft'}.docx")
        path = thread.draft.to_docx(ws.request_dir() / name, ws.settings.docx_template)
        return gr.update(value=str(path), visible=True)

    model_queue: dict[str, Any] = {
        "concurrency_id": "model",
        "concurrency_limit": ws.settings.ui.model_concurrency,
        "api_visibility": "private",
    }
    streamed = [clause, clause_text, notice, whole, conversation]
    add.click(on_add, inputs=[conversation, kind, topic, rec_id], outputs=streamed, **model_queue)
    regenerate.click(on_regenerate, inputs=[conversation, clause], outputs=streamed, **model_queue)
    clause.input(on_pick, inputs=[conversation, clause], outputs=[clause_text], api_visibility="private")
    save.click(
        on_save, inputs=[conversation, clause, clause_text], outputs=[clause, whole, clause_text, notice,
        conversation], api_visibility="private",
    )  # fmt: skip
    remove.click(
        on_remove, inputs=[conversation, clause], outputs=[clause, whole, clause_text, notice, conversation],
        api_visibility="private",
    )  # fmt: skip
    check.click(on_check, inputs=[conversation], outputs=[findings, notice], api_visibility="private")
    findings.input(
        on_finding, inputs=[conversation, findings], outputs=[clause, clause_text], api_visibility="private"
    )
    export.click(on_export, inputs=[conversation], outputs=[docx_file], api_visibility="private")
    new_conversation.click(
        lambda: (gr.update(choices=[], value=None), "", "", "", gr.update(choices=[], value=None),
                 gr.update(value=None, visible=False)),
        outputs=[clause, clause_text, notice, whole, findings, docx_file], api_visibility="private",
    )  # fmt: skip

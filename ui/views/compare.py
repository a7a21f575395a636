"""Compare: two editions uploaded (or a draft against its edition in the library), the changes listed
clause by clause, one opened for its paragraph and word changes, and the redline .docx, the changes
report and the amendment for download (what ``rapporteur diff`` and ``draft amendment`` write)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from copilot.checker.draft import Draft, load_draft
from copilot.drafting.docx_export import export_docx
from copilot.editions.amendment import amendment_text
from copilot.editions.compare import EditionNotFound, compare, indexed_edition
from copilot.editions.models import EditionDiff
from copilot.editions.redline_docx import RedlineError, write_redline
from copilot.editions.report import change_html, headline, side, to_html, to_markdown
from ingest.parsers import ParseError
from rapporteur.uploads import LIBRARY_SUFFIXES, UploadError, stage
from rapporteur.workspace import Workspace
from ui.markup import error, literal

log = logging.getLogger(__name__)

COLUMNS = ["#", "clause", "was", "kind", "heading", "records", "paragraphs"]
NO_REDLINE = "No redline: the new edition is not a Word file (.docx)."


def _staged(ws: Workspace, upload: str, folder: Path) -> Path:
    try:
        return stage(Path(upload), folder, LIBRARY_SUFFIXES, ws.settings.ui.max_upload_bytes)
    except UploadError as exc:
        raise error(str(exc)) from exc


def _load(path: Path) -> Draft:
    try:
        return load_draft(path)
    except ParseError as exc:
        raise error(f"{path.name}: {exc}") from exc


def compare_uploads(
    ws: Workspace, old_upload: str | None, new_upload: str | None, against_index: bool
) -> tuple[EditionDiff, list[str], list[str]]:
    """Compare two uploaded editions, or the new one with the indexed edition of its Recommendation;
    the diff, the files to download and notes for the reader."""
    if not new_upload:
        raise error("Choose the new edition (or your draft) to compare.")
    if not against_index and not old_upload:
        raise error("Choose the old edition, or compare with the edition in the library.")
    folder = ws.request_dir()
    new = _staged(ws, new_upload, folder / "new")  # two uploads may share a name
    new_draft = _load(new)
    if against_index:
        try:
            old = indexed_edition(new, ws.library)
        except EditionNotFound as exc:  # its message names the scratch copy: name the upload
            raise error(f"{new.name}: {str(exc).removeprefix(f'{new}: ')}") from exc
        log.info("comparing %s with the indexed edition %s", new.name, old)
    else:
        old = _staged(ws, old_upload or "", folder / "old")
    diff = compare(_load(old), new_draft)
    stem = new.stem
    report_md, report_html = folder / f"{stem}.changes.md", folder / f"{stem}.changes.html"
    report_md.write_text(to_markdown(diff), encoding="utf-8")
    report_html.write_text(to_html(diff), encoding="utf-8")
    amendment = amendment_text(diff, [c.number for c in new_draft.tree.clauses])
    amendment_txt = folder / f"{stem}.amendment.txt"
    amendment_txt.write_text(amendment, encoding="utf-8")
    files = [report_md, report_html, amendment_txt]
    files.append(export_docx(amendment, folder / f"{stem}.amendment.docx", ws.settings.docx_template))
    notes = []
    try:
        redline = folder / f"{stem}.redline.docx"
        write_redline(old, new, redline)
        files.insert(0, redline)
    except RedlineError:
        log.info("no redline for %s: not a .docx", new.name)
        notes.append(NO_REDLINE)
    return diff, [str(f) for f in files], notes


def change_rows(diff: EditionDiff | None) -> list[list[Any]]:
    """One row per clause that differs, in the new edition's order; ``#`` opens its detail."""
    if diff is None:
        return []
    rows: list[list[Any]] = []
    for number, c in enumerate(diff.changes, start=1):
        was = c.old_clause if c.old_clause not in (None, c.clause) else ""
        rows.append([number, c.clause, was, c.kind.value, c.heading, len(c.records), len(c.paragraphs)])
    return rows


def change_detail(diff: EditionDiff | None, number: int) -> str:
    """One clause's records, paragraphs and words that changed, as escaped HTML with <del>/<ins>."""
    if diff is None or not 1 <= number <= len(diff.changes):
        return ""
    return f'<div class="change-detail">{change_html(diff.changes[number - 1])}</div>'


def summary_markdown(diff: EditionDiff, notes: list[str]) -> str:
    lines = [f"**{literal(side(diff.old))}** → **{literal(side(diff.new))}**: {literal(headline(diff))}."]
    return "\n".join(lines + [f"- {literal(note)}" for note in notes])


def build(ws: Workspace) -> None:
    """The Compare tab's components and events (call inside a ``gr.Tab``)."""
    diff_state = gr.State(None)
    with gr.Row():
        with gr.Column(scale=2):
            old_upload = gr.File(
                label="Old edition", file_types=list(LIBRARY_SUFFIXES), type="filepath", elem_id="old-upload"
            )
            new_upload = gr.File(
                label="New edition or draft", file_types=list(LIBRARY_SUFFIXES), type="filepath",
                elem_id="new-upload",
            )  # fmt: skip
            against = gr.Checkbox(
                label="Compare with its edition in the library instead", elem_id="against-index"
            )
            run = gr.Button("Compare", variant="primary", elem_id="compare-run")
            summary = gr.Markdown(elem_id="compare-summary")
            downloads = gr.File(
                label="Redline .docx, changes (.md, .html) and amendment (.txt, .docx)",
                file_count="multiple",
                interactive=False,
                elem_id="compare-downloads",
            )
        with gr.Column(scale=5):
            table = gr.Dataframe(
                headers=COLUMNS,
                datatype=["number", "str", "str", "str", "str", "number", "number"],
                interactive=False,
                wrap=True,
                max_height=520,
                column_widths=["5%", "9%", "9%", "12%", "45%", "10%", "10%"],
                label="Clauses that differ (a row for its changes)",
                elem_id="changes",
            )
            detail = gr.HTML(elem_id="change-detail")

    def on_compare(
        old_path: str | None, new_path: str | None, use_index: bool
    ) -> tuple[EditionDiff, str, list[list[Any]], list[str], str]:
        diff, files, notes = compare_uploads(ws, old_path, new_path, use_index)
        return diff, summary_markdown(diff, notes), change_rows(diff), files, ""

    def on_select(current: EditionDiff | None, event: gr.SelectData) -> str:
        row = event.row_value or []
        return change_detail(current, int(row[0])) if row else ""

    run.click(
        on_compare,
        inputs=[old_upload, new_upload, against],
        outputs=[diff_state, summary, table, downloads, detail],
        api_name="compare",
    )
    table.select(on_select, inputs=[diff_state], outputs=[detail], api_visibility="private")

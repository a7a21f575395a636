"""Check: upload a draft, read the findings as a sortable, filterable table, open one for its evidence,
download the report, the commented .docx and the tracked-changes copy (what ``rapporteur check``
prints and writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from copilot.checker import run_check
from copilot.checker.docx_comments import write_commented_copy
from copilot.checker.fixes import write_fixed_copy
from copilot.checker.models import Category, CheckReport, Finding, Severity
from copilot.checker.report import cite, headline, to_html, to_markdown, where
from ingest.parsers import ParseError
from rapporteur.uploads import DRAFT_SUFFIXES, UploadError, stage
from rapporteur.workspace import Workspace
from ui.markup import error, literal

COLUMNS = ["#", "severity", "category", "clause", "para.", "page", "rule", "finding"]


def check_draft(ws: Workspace, upload: str | None) -> tuple[CheckReport, list[str]]:
    """Check an uploaded draft against the library; the report and the files to download."""
    if not upload:
        raise gr.Error("Choose a draft to check (.docx, .pdf, .md or .txt).")
    folder = ws.request_dir()
    try:
        draft_path = stage(Path(upload), folder, DRAFT_SUFFIXES, ws.settings.ui.max_upload_bytes)
    except UploadError as exc:
        raise error(str(exc)) from exc
    library = ws.library if ws.library.documents() else None
    try:
        draft, report = run_check(draft_path, ws.settings, library)
    except ParseError as exc:
        raise error(f"{draft_path.name}: {exc}") from exc
    stem = draft_path.stem
    files = [folder / f"{stem}.check.md", folder / f"{stem}.check.html"]
    files[0].write_text(to_markdown(report), encoding="utf-8")
    files[1].write_text(to_html(report), encoding="utf-8")
    if draft.meta.format == "docx":
        commented = folder / f"{stem}.commented.docx"
        write_commented_copy(draft_path, draft, report, commented)
        fixed = folder / f"{stem}.fixed.docx"  # the mechanical fixes as tracked changes
        write_fixed_copy(draft_path, draft, report, fixed)
        files += [commented, fixed]
    return report, [str(f) for f in files]


def _in_clause(finding: Finding, clause: str) -> bool:
    """Whether a finding lies in ``clause`` or under it ("6" takes 6, 6.1 and 6.1.2)."""
    here = (finding.location.clause or "").lower()
    wanted = clause.strip().lower()
    return here == wanted or here.startswith(wanted + ".")


def finding_rows(
    report: CheckReport | None, categories: list[str], severities: list[str], clause: str
) -> list[list[Any]]:
    """The table's rows for the findings that pass the filters; ``#`` numbers findings in reading order."""
    if report is None:
        return []
    rows = []
    for number, f in enumerate(report.findings, start=1):
        if categories and f.category.value not in categories:
            continue
        if severities and f.severity.value not in severities:
            continue
        if clause.strip() and not _in_clause(f, clause):
            continue
        loc = f.location
        rows.append(
            [number, f.severity.value, f.category.value, loc.clause or "", loc.paragraph, loc.page, f.rule,
             f.message]
        )  # fmt: skip
    return rows


def evidence_markdown(report: CheckReport | None, number: int) -> str:
    """One finding in full: where, what, the fix, and each piece of evidence quoted. Messages and
    evidence quote the draft and the library, so they are shown as text (:func:`ui.markup.literal`)."""
    if report is None or not 1 <= number <= len(report.findings):
        return ""
    f = report.findings[number - 1]
    lines = [
        f"### Finding {number}: {f.severity.value}, {f.category.value}",
        f"**Where:** {literal(where(f.location))}  ",
        f"**Rule:** `{f.rule}`",  # a rule name of ours
        "",
        literal(f.message),
    ]
    if f.suggestion:
        lines += ["", f"**Fix:** {literal(f.suggestion)}"]
    if f.evidence:
        lines += ["", "**Evidence**", ""]
        lines += [f"> {literal(cite(c))}\n" for c in f.evidence]
    else:
        lines += ["", "_No evidence beyond the draft itself._"]
    return "\n".join(lines)


def summary_markdown(report: CheckReport) -> str:
    lines = [f"**{literal(Path(report.file).name)}**: {literal(headline(report))}."]
    lines += [f"- {literal(note)}" for note in report.summary.notes]
    return "\n".join(lines)


def build(ws: Workspace) -> None:
    """The Check tab's components and events (call inside a ``gr.Tab``)."""
    report = gr.State(None)
    with gr.Row():
        with gr.Column(scale=2):
            upload = gr.File(
                label="Draft (.docx, .pdf, .md, .txt)",
                file_types=list(DRAFT_SUFFIXES),
                type="filepath",
                elem_id="draft-upload",
            )
            run = gr.Button("Check the draft", variant="primary", elem_id="check-run")
            summary = gr.Markdown(elem_id="check-summary")
            downloads = gr.File(
                label="Report (.md, .html) and commented .docx",
                file_count="multiple",
                interactive=False,
                elem_id="check-downloads",
            )
        with gr.Column(scale=5):
            with gr.Row():
                categories = gr.Dropdown(
                    [c.value for c in Category], multiselect=True, label="Category", elem_id="filter-category"
                )
                severities = gr.Dropdown(
                    [s.value for s in Severity], multiselect=True, label="Severity", elem_id="filter-severity"
                )
                clause = gr.Textbox(
                    label="Clause (and its sub-clauses)", placeholder="e.g. 6", elem_id="filter-clause"
                )
            table = gr.Dataframe(
                headers=COLUMNS,
                datatype=["number", "str", "str", "str", "number", "number", "str", "str"],
                interactive=False,
                wrap=True,
                max_height=520,
                column_widths=["4%", "9%", "12%", "7%", "6%", "6%", "17%", "39%"],
                label="Findings (click a column to sort, a row for its evidence)",
                elem_id="findings",
            )
            evidence = gr.Markdown(elem_id="evidence")

    def on_check(
        upload_path: str | None,
    ) -> tuple[CheckReport, str, list[list[Any]], list[str], list[str], list[str], str, str]:
        checked, files = check_draft(ws, upload_path)
        rows = finding_rows(checked, [], [], "")
        return checked, summary_markdown(checked), rows, files, [], [], "", ""

    def on_filter(
        current: CheckReport | None, cats: list[str], sevs: list[str], where_: str
    ) -> list[list[Any]]:
        return finding_rows(current, cats or [], sevs or [], where_ or "")

    def on_select(current: CheckReport | None, event: gr.SelectData) -> str:
        row = event.row_value or []
        return evidence_markdown(current, int(row[0])) if row else ""

    run.click(
        on_check,
        inputs=[upload],
        outputs=[report, summary, table, downloads, categories, severities, clause, evidence],
        api_name="check",
    )
    filters = [report, categories, severities, clause]
    for component in (categories, severities):
        component.change(on_filter, inputs=filters, outputs=[table], api_visibility="private")
    clause.submit(on_filter, inputs=filters, outputs=[table], api_visibility="private")
    clause.blur(on_filter, inputs=filters, outputs=[table], api_visibility="private")
    table.select(on_select, inputs=[report], outputs=[evidence], api_visibility="private")

"""Readable reports of a check: Markdown (for review threads) and a self-contained HTML page.

Both render the same rows, in reading order: where, severity, rule, message, fix, evidence.
"""

from __future__ import annotations

import html
from pathlib import Path

from copilot.checker.models import Category, CheckReport, Citation, Finding, Location, Severity

_ICON = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def where(location: Location) -> str:
    """'clause 3.2, paragraph 4, page 7', 'Summary', or 'whole document'."""
    parts = []
    if location.clause:
        number = location.clause
        parts.append(f"clause {number}" if number[:1].isdigit() or number[1:2] == "." else number)
    if location.paragraph:
        parts.append(f"paragraph {location.paragraph}")
    if location.page:
        parts.append(f"page {location.page}")
    return ", ".join(parts) or "whole document"


def cite(citation: Citation) -> str:
    """'[ITU-T Y.3500] clause 3.2.1: text' as the evidence line."""
    source = f"[{citation.rec_id}]" if citation.rec_id else citation.doc_id or "draft"
    clause = f" clause {citation.clause}" if citation.clause else ""
    text = citation.text if len(citation.text) <= 300 else citation.text[:297] + "..."
    return f"{source}{clause}: {text}"


def headline(report: CheckReport) -> str:
    """'5 findings (1 error, 2 warning, 2 info) in 0.40 s; 25 rules run'."""
    s = report.summary
    counts = ", ".join(f"{s.by_severity.get(v.value, 0)} {v.value}" for v in Severity)
    return f"{s.findings} findings ({counts}) in {s.seconds:.2f} s; {s.rules_run} rules run"


def to_markdown(report: CheckReport) -> str:
    name = Path(report.file).name
    lines = [f"# Draft check: {name}", "", headline(report) + ".", ""]
    if report.summary.by_category:
        lines += ["| category | findings |", "| --- | --- |"]
        lines += [f"| {c} | {n} |" for c, n in report.summary.by_category.items()]
        lines.append("")
    lines += [f"> {note}" for note in report.summary.notes]
    for category in Category:
        group = [f for f in report.findings if f.category is category]
        if not group:
            continue
        lines += ["", f"## {category.value.capitalize()}", ""]
        for f in group:
            lines.append(f"- **{_ICON[f.severity]}** `{f.rule}` ({where(f.location)}): {f.message}")
            if f.suggestion:
                lines.append(f"  - fix: {f.suggestion}")
            lines += [f"  - evidence: {cite(c)}" for c in f.evidence]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}
.error{color:#b00020;font-weight:bold}.warning{color:#a05a00;font-weight:bold}.info{color:#555}
.ev{color:#444;font-size:.9em;margin:.2rem 0 0 0}code{font-size:.85em}"""


def _html_row(f: Finding) -> str:
    e = html.escape
    evidence = "".join(f'<div class="ev">{e(cite(c))}</div>' for c in f.evidence)
    fix = f'<div class="ev">fix: {e(f.suggestion)}</div>' if f.suggestion else ""
    return (
        f'<tr><td>{e(where(f.location))}</td><td class="{f.severity.value}">{f.severity.value}</td>'
        f"<td><code>{e(f.rule)}</code></td><td>{e(f.message)}{fix}{evidence}</td></tr>"
    )


def to_html(report: CheckReport) -> str:
    e = html.escape
    name = Path(report.file).name
    notes = "".join(f"<p><em>{e(n)}</em></p>" for n in report.summary.notes)
    rows = "\n".join(_html_row(f) for f in report.findings)
    return (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Draft check: {e(name)}</title>'
        f"<style>{_CSS}</style><body><h1>Draft check: {e(name)}</h1><p>{e(headline(report))}.</p>{notes}"
        f"<table><tr><th>where</th><th>severity</th><th>rule</th><th>finding</th></tr>\n{rows}\n</table></body></html>\n"
    )

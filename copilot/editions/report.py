"""Readable forms of a diff: Markdown (review threads) and a self-contained HTML page. Text from
the documents is escaped, never rendered: deletions and insertions are shown as [-old-]{+new+} in
Markdown code spans and as escaped <del>/<ins> in HTML."""

from __future__ import annotations

import html

from copilot.editions.models import ClauseChange, EditionDiff, ParagraphChange
from copilot.editions.textdiff import token_opcodes

_MAX_PARAGRAPH = 600


def _where(change: ClauseChange) -> str:
    if change.old_clause and change.new_clause and change.old_clause != change.new_clause:
        return f"{change.old_clause} → {change.new_clause}"
    return change.clause


def side(identity: object) -> str:
    rec = getattr(identity, "rec_id", None) or getattr(identity, "path", "")
    edition = getattr(identity, "edition", None)
    return f"{rec} ({edition})" if edition else str(rec)


def headline(diff: EditionDiff) -> str:
    """'12 clauses differ (3 changed, 1 moved, ...); 4 record changes; 30 unchanged'."""
    kinds = ", ".join(f"{n} {k}" for k, n in diff.summary.by_kind.items())
    records = sum(diff.summary.records.values())
    counts = f"{len(diff.changes)} clauses differ ({kinds or 'none'}); {records} record changes"
    return f"{counts}; {diff.summary.unchanged} unchanged"


def _inline(paragraph: ParagraphChange, mark: tuple[str, str, str, str], escape: bool) -> str:
    """One paragraph with its deletions and insertions marked (``mark``: del open/close, ins open/close)."""
    e = html.escape if escape else (lambda s: s)
    old, new = paragraph.old or "", paragraph.new or ""
    if len(old) + len(new) > 2 * _MAX_PARAGRAPH or not old or not new:
        parts = []
        if old:
            parts.append(f"{mark[0]}{e(old[:_MAX_PARAGRAPH])}{mark[1]}")
        if new:
            parts.append(f"{mark[2]}{e(new[:_MAX_PARAGRAPH])}{mark[3]}")
        return " ".join(parts)
    a, b, ops = token_opcodes(old, new)
    out = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            out.append(e("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"{mark[0]}{e(''.join(a[i1:i2]))}{mark[1]}")
        if j2 > j1:
            out.append(f"{mark[2]}{e(''.join(b[j1:j2]))}{mark[3]}")
    return "".join(out)


def to_markdown(diff: EditionDiff) -> str:
    lines = [f"# Changes from {side(diff.old)} to {side(diff.new)}", "", headline(diff) + ".", ""]
    for change in diff.changes:
        lines += [f"## {_where(change)} {change.heading} — {change.kind.value}", ""]
        if change.old_heading:
            lines.append(f"- heading was: `{change.old_heading}`")
        for record in change.records:
            detail = f" {record.field}: `{record.old}` → `{record.new}`" if record.field else ""
            lines.append(f"- {record.record.value} **{record.key}** {record.kind.value}{detail}")
        for paragraph in change.paragraphs:
            text = _inline(paragraph, ("[-", "-]", "{+", "+}"), escape=False).replace("`", "'")
            lines.append(f"- {paragraph.kind.value}: `{text}`")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}
del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}
.kind{font-size:.8em;color:#555;margin-left:.5rem}li{margin:.3rem 0;white-space:pre-wrap}"""


def change_html(change: ClauseChange) -> str:
    """One clause's change as an HTML fragment (a heading and a list), every document text escaped;
    the workspace's Compare view shows the same fragment."""
    e = html.escape
    kind = f'<span class="kind">{change.kind.value}</span>'
    body = [f"<h2>{e(_where(change))} {e(change.heading)}{kind}</h2><ul>"]
    if change.old_heading:
        body.append(f"<li>heading was: {e(change.old_heading)}</li>")
    for record in change.records:
        detail = f" {e(record.field)}: {e(str(record.old))} → {e(str(record.new))}" if record.field else ""
        body.append(f"<li>{record.record.value} <b>{e(record.key)}</b> {record.kind.value}{detail}</li>")
    for paragraph in change.paragraphs:
        marked = _inline(paragraph, ("<del>", "</del>", "<ins>", "</ins>"), escape=True)
        body.append(f"<li>{paragraph.kind.value}: {marked}</li>")
    return "".join(body) + "</ul>"


def to_html(diff: EditionDiff) -> str:
    e = html.escape
    title = f"Changes from {side(diff.old)} to {side(diff.new)}"
    body = [f"<h1>{e(title)}</h1>", f"<p>{e(headline(diff))}</p>"]
    body += [change_html(change) for change in diff.changes]
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>"
    )

"""Citations as a clickable list, and the panel that opens one: the cited clause's text with its document,
clause and pages. Shared by answers and drafts."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from copilot.citation import Citation
from rapporteur.workspace import Workspace


def source_choices(citations: list[Citation]) -> list[tuple[str, str]]:
    """Radio choices: the rendered citation and heading as the label, the list position as the value."""
    out = []
    for i, c in enumerate(citations):
        heading = f" · {c.heading}" if c.heading and c.heading != c.clause else ""
        out.append((f"{c.render()}{heading}", str(i)))
    return out


def unique_citations(*groups: list[Citation]) -> list[Citation]:
    """Citations in order of first appearance, each (document, clause) once."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for citation in (c for group in groups for c in group):
        key = (citation.doc_id, citation.clause)
        if key not in seen:
            seen.add(key)
            out.append(citation)
    return out


def _pages(start: int | None, end: int | None) -> str:
    if start is None:
        return "not known"
    return f"{start}" if end in (None, start) else f"{start}–{end}"


def clause_html(ws: Workspace, citation: Citation) -> str:
    """The panel for one citation: document (id, edition, title), clause, pages, then the clause text."""
    e = html.escape
    clause = ws.cited_clause(citation)
    doc = ws.library.resolve(citation.doc_id) if citation.doc_id else None
    document = e(citation.rec_id or citation.doc_id)
    if doc is not None:
        edition = f" ({e(doc.edition)})" if doc.edition else ""
        title = f" <em>{e(doc.title)}</em>" if doc.title else ""
        document = f"{e(doc.rec_id or doc.doc_id)}{edition}{title}"
    number = clause.clause or "(whole document)"
    if clause.heading and clause.heading != clause.clause:
        heading = f" {e(clause.heading)}"
    else:  # a numbered paragraph (a definition) inside the clause the citation's heading names
        heading = f" (in “{e(citation.heading)}”)" if citation.heading else ""
    return (
        f'<div class="clause-panel"><h3>{e(citation.render())}</h3>'
        f"<dl><dt>Document</dt><dd>{document}</dd>"
        f"<dt>Clause</dt><dd>{e(number)}{heading}</dd>"
        f"<dt>Pages</dt><dd>{_pages(clause.page_start, clause.page_end)}</dd></dl>"
        f'<div class="clause-text">{e(clause.text)}</div></div>'
    )


EMPTY_PANEL = '<div class="clause-panel empty">Click a source to read the clause it cites.</div>'


def open_source(ws: Workspace, citations: list[Citation], choice: str | None) -> str:
    """The panel for the chosen entry of ``citations`` (the radio's value is its position)."""
    if choice is None or not choice.isdigit() or int(choice) >= len(citations):
        return EMPTY_PANEL
    return clause_html(ws, citations[int(choice)])


def sources_radio(label: str, elem_id: str) -> gr.Radio:
    return gr.Radio(choices=[], label=label, elem_id=elem_id, elem_classes=["sources"])


def reset_sources(citations: list[Citation]) -> Any:
    """The radio update that lists ``citations`` with none chosen."""
    return gr.update(choices=source_choices(citations), value=None)

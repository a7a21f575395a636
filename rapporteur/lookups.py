"""Lookups whose answers the CLI and the MCP server give alike (one shape, one place)."""

from __future__ import annotations

from typing import Any

from copilot.query import abbreviating
from ingest.models import Abbreviation, Definition, DocumentSummary
from ingest.store import RecordStore


def clause_tree(store: RecordStore, doc: DocumentSummary) -> dict[str, Any]:
    """``show REC_ID --json``: a document's identity and its clause tree (numbers, headings, pages)."""
    return {
        "doc_id": doc.doc_id,
        "rec_id": doc.rec_id,
        "title": doc.title,
        "edition": doc.edition,
        "clauses": [
            {
                "number": c.number,
                "heading": c.heading,
                "level": c.level,
                "parent": c.parent,
                "page_start": c.page_start,
                "page_end": c.page_end,
            }
            for c in store.clauses(doc.doc_id)
        ],
    }


def unique_definitions(store: RecordStore, query: str, limit: int) -> list[Definition]:
    """``terms QUERY``: definitions of matching terms, each once although copies of one Recommendation
    (a .docx and its AsciiDoc re-typeset) define it twice."""
    unique = {(d.rec_id or d.doc_id, d.clause, d.term, d.definition): d for d in store.definitions(query)}
    return list(unique.values())[:limit]


def abbreviations_either_way(store: RecordStore, text: str) -> list[Abbreviation]:
    """``abbrev TEXT``: the entries expanding the abbreviation TEXT, or, when none does and TEXT is
    written out ("registration authority"), the entries whose expansion it is: an editor asks which
    abbreviation the library already uses as often as what one means."""
    return store.abbreviations(text) or [e for entries in abbreviating(store, text).values() for e in entries]

"""'What changed in Y.9904 between 2022 and 2024?': when both editions are indexed, ``ask`` answers
from the clause-by-clause comparison of their files, not from retrieved text (no clause says what
changed; the diff does, and each change is cited to the clause it is in)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from copilot.citation import Citation
from copilot.editions.compare import compare_files
from copilot.editions.models import ChangeKind
from copilot.editions.report import headline, side
from ingest.metadata import normalize_rec_id
from ingest.models import DocumentSummary

log = logging.getLogger(__name__)

_EDITION = r"(\d{4}(?:-\d{2})?)"
_ASKED = re.compile(
    rf"\bwhat\s+(?:has\s+|have\s+)?changed\s+in\s+(?:recommendation\s+)?(?P<rec>\S+(?:\s+[A-Z]\.\S+)?)\s+"
    rf"(?:between|from)\s+(?:the\s+)?{_EDITION}(?:\s+edition)?\s+(?:and|to)\s+(?:the\s+)?{_EDITION}",
    re.IGNORECASE,
)
MAX_LISTED = 25
"""Changes listed one by one; the rest are counted (the full list is ``rapporteur diff``)."""


def editions_asked(
    question: str, documents: dict[str, DocumentSummary]
) -> tuple[DocumentSummary, DocumentSummary] | None:
    """The (older, newer) indexed editions the question asks to compare; None when it asks something
    else or either edition is not in the index (then ``ask`` answers as usual)."""
    found = _ASKED.search(question)
    if found is None:
        return None
    rec = normalize_rec_id(found.group("rec").rstrip("?.,")) or found.group("rec")
    editions = sorted((found.group(2), found.group(3)))
    picked = []
    for wanted in editions:
        same = [
            d
            for d in documents.values()
            if d.rec_id == rec and (d.edition or "").startswith(wanted) and Path(d.path).is_file()
        ]
        if not same:
            log.info("%s: no indexed edition %s, answering from retrieval", rec, wanted)
            return None
        picked.append(max(same, key=lambda d: (d.language == "en", d.edition or "")))
    return (picked[0], picked[1]) if picked[0].doc_id != picked[1].doc_id else None


def _cite(doc: DocumentSummary, clause: str, heading: str) -> Citation:
    return Citation(doc_id=doc.doc_id, rec_id=doc.rec_id, clause=clause, heading=heading, path=doc.path)


def changes_answer(old: DocumentSummary, new: DocumentSummary) -> tuple[str, list[Citation]]:
    """The answer (a headline, then one line per changed clause) and the clauses it cites: the new
    edition's clause, or the old one's for a removed clause. ParseError when a file cannot be read."""
    diff = compare_files(Path(old.path), Path(new.path))
    lines = [f"From {side(diff.old)} to {side(diff.new)}: {headline(diff)}.", ""]
    citations: list[Citation] = []
    for change in diff.changes[:MAX_LISTED]:
        if change.new_clause:
            cited = _cite(new, change.new_clause, change.heading)
        else:
            cited = _cite(old, change.old_clause or change.clause, change.heading)
        citations.append(cited)
        was = (
            f" (was {change.old_clause})" if change.kind in (ChangeKind.MOVED, ChangeKind.RENUMBERED) else ""
        )
        records = "; ".join(f"{r.record.value} '{r.key}' {r.kind.value}" for r in change.records)
        lines.append(
            f"- {cited.render()}{was} {change.heading}: {change.kind.value}"
            + (f" ({records})" if records else "")
        )
    if len(diff.changes) > MAX_LISTED:
        lines.append(f"- … and {len(diff.changes) - MAX_LISTED} more (rapporteur diff lists them all).")
    return "\n".join(lines), citations

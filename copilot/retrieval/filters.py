"""Filters on documents (sector, series, Recommendation, kind, language, in force) and id matching."""

from __future__ import annotations

import logging
import re

from copilot.query import ParsedQuery
from copilot.retrieval.index import Snapshot
from ingest.catalog import RecStatus, ReferenceCatalog
from ingest.metadata import normalize_rec_id
from ingest.models import DocumentSummary

FILTER_KEYS = ("sector", "series", "rec_id", "exclude_rec_id", "kind", "language", "in_force", "doc_id")
_SERIES = re.compile(r"^(?:ITU-[TR]|CCITT|CCIR)\s+(?P<series>[A-Z]{1,3})(?:\.|\s)")
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}

log = logging.getLogger(__name__)


class FilterError(ValueError):
    """A filter key or value retrieval cannot apply."""


def designation(rec_id: str) -> str:
    """What a bare id in a question matches: "ITU-R P.452-18" -> "P.452", "ITU-T Y.3507" -> "Y.3507"."""
    body = re.sub(r"^(?:ITU-[TR]|CCITT|CCIR)\s+", "", rec_id)
    body = re.sub(r"\s+(?:Amd|Cor|Err|Add)\.\d+$|\s+Annex\s+\w+$", "", body)
    return re.sub(r"-\d{1,2}$", "", body)


def names(doc: DocumentSummary, rec_id: str) -> bool:
    """Whether a question's id means this document: exact canonical id, or the same designation
    when the question gives no revision ("P.452" means "ITU-R P.452-18")."""
    if not doc.rec_id:
        return False
    canonical = normalize_rec_id(rec_id) or rec_id
    if doc.rec_id.lower() == canonical.lower():
        return True
    asked = designation(canonical)
    return asked == canonical.split(" ", 1)[-1] and designation(doc.rec_id) == asked


def named_documents(
    parsed: ParsedQuery, snap: Snapshot, allowed: set[str] | None
) -> tuple[set[str], ParsedQuery]:
    """The allowed documents the question names, and the question without the clause references that
    turned out to name one of them: "In ITU-T Z.100 Annex F2, what is ..." names the annex published
    as a document of its own, not the clause "Annex F2" of Z.100 (which :func:`designation` also
    matches)."""
    named = {
        d.doc_id
        for rec_id in parsed.rec_ids
        for d in snap.documents.values()
        if (allowed is None or d.doc_id in allowed) and names(d, rec_id)
    }
    published = {(d, c) for d in named for c in parsed.clauses if _ends_with_annex(snap.documents[d], c)}
    if not published:
        return named, parsed
    annexes = {c for _, c in published}
    log.debug("%s names the document(s) %s, not a clause", parsed.text, sorted(d for d, _ in published))
    kept = [c for c in parsed.clauses if c not in annexes]
    return {d for d, _ in published}, parsed.model_copy(update={"clauses": kept})


def _ends_with_annex(doc: DocumentSummary, clause: str) -> bool:
    annex = clause.startswith(("Annex", "Appendix"))
    return annex and (doc.rec_id or "").lower().endswith(f" {clause}".lower())


def allowed_documents(
    filters: dict[str, str] | None, snap: Snapshot, catalog: ReferenceCatalog | None
) -> set[str] | None:
    """Doc ids passing every filter; None when there is no filter (everything passes)."""
    if not filters:
        return None
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise FilterError(f"unknown filter {sorted(unknown)}; use {', '.join(FILTER_KEYS)}")
    docs = list(snap.documents.values())
    for key, raw in filters.items():
        value = raw.strip()
        if key == "sector":
            wanted = value.upper() if value.upper().startswith("ITU-") else f"ITU-{value.upper()}"
            docs = [d for d in docs if snap.sectors.get(d.doc_id) == wanted]
        elif key == "series":
            docs = [d for d in docs if (m := _SERIES.match(d.rec_id or "")) and m["series"] == value.upper()]
        elif key == "rec_id":
            docs = [d for d in docs if names(d, value)]
        elif key == "exclude_rec_id":
            docs = [d for d in docs if not names(d, value)]
        elif key == "kind":
            docs = [d for d in docs if d.kind.lower() == value.lower()]
        elif key == "language":
            docs = [d for d in docs if d.language.lower() == value.lower()]
        elif key == "doc_id":
            docs = [d for d in docs if d.doc_id == value]
        elif key == "in_force":
            if value.lower() not in _TRUE | _FALSE:
                raise FilterError(f"in_force must be true or false, got {raw!r}")
            in_force = value.lower() in _TRUE
            docs = [d for d in docs if _in_force(d, catalog) == in_force]
    return {d.doc_id for d in docs}


def _in_force(doc: DocumentSummary, catalog: ReferenceCatalog | None) -> bool:
    if catalog is None:
        raise FilterError("the in_force filter needs a catalog (set RAPPORTEUR_CATALOG)")
    if not doc.rec_id:
        return False
    return catalog.status_of(doc.rec_id, doc.edition) == RecStatus.IN_FORCE

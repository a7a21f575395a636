"""Compare two editions of a Recommendation clause by clause (``rapporteur diff``).

Both files are read the way the checker reads a draft (any format the library parses), so the
comparison sees the same clause tree and records as ``show`` and ``check``. Text before clause 1
(title, cover) is compared as the clause "Preamble".
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.checker.draft import PREAMBLE, Draft, load_draft
from copilot.editions.align import ClausePair, align_clauses
from copilot.editions.models import (
    ChangeKind,
    ClauseChange,
    DiffSummary,
    DocIdentity,
    EditionDiff,
    ParagraphChange,
)
from copilot.editions.records import compare_records
from copilot.editions.textdiff import align_paragraphs, normalize, word_changes
from ingest.metadata import normalize_rec_id
from ingest.models import Clause

if TYPE_CHECKING:
    from ingest.library import Library
    from ingest.models import DocumentSummary


class EditionNotFound(LookupError):
    """An edition named by Recommendation identifier that is neither a file nor in the index."""


def locate(key: str, library: Library | None) -> Path:
    """A file to compare: ``key`` itself when it is a file, else the indexed document it names
    ("Y.3507", "ITU-T P.Imp863@2019" for the edition whose date starts with 2019)."""
    if Path(key).is_file():
        return Path(key)
    if library is None:
        raise EditionNotFound(f"{key}: no such file, and no index to look the Recommendation up in")
    rec, _, edition = key.partition("@")
    wanted = {(normalize_rec_id(rec) or rec).lower(), rec.lower()}
    found = [
        d
        for d in library.documents()
        if ((d.rec_id or "").lower() in wanted or d.doc_id == rec)
        and (not edition or (d.edition or "").startswith(edition))
        and Path(d.path).is_file()
    ]
    if not found:
        raise EditionNotFound(f"{key}: no such file, nor an indexed edition of that Recommendation")
    return _newest(found)


def _newest(docs: list[DocumentSummary]) -> Path:
    """The English copy of the latest edition (editions are dates, "2019-12")."""
    return Path(max(docs, key=lambda d: (d.language == "en", d.edition or "")).path)


def indexed_edition(draft: Path, library: Library) -> Path:
    """The indexed edition of the Recommendation ``draft`` revises (``--against-index``)."""
    rec_id = load_draft(draft).meta.rec_id
    if not rec_id:
        raise EditionNotFound(f"{draft}: no Recommendation identifier found in it to look its edition up")
    same = [
        d
        for d in library.documents()
        if d.rec_id == rec_id and Path(d.path).is_file() and Path(d.path).resolve() != draft.resolve()
    ]
    if not same:
        raise EditionNotFound(f"{draft}: no indexed edition of {rec_id}")
    return _newest(same)


def identity(draft: Draft) -> DocIdentity:
    meta = draft.meta
    return DocIdentity(
        path=draft.path,
        rec_id=meta.rec_id,
        title=meta.title,
        edition=meta.edition,
        kind=meta.kind.value,
        format=meta.format,
    )


def compare_files(old: Path, new: Path) -> EditionDiff:
    """ParseError when either file cannot be read."""
    return compare(load_draft(old), load_draft(new))


def _clauses(draft: Draft) -> list[Clause]:
    preamble = [
        Clause(number=PREAMBLE, heading=PREAMBLE, level=1, paragraphs=draft.tree.preamble, ordinal=-1)
    ]
    return (preamble if draft.tree.preamble else []) + draft.tree.clauses


def paragraph_changes(old: list[str], new: list[str]) -> list[ParagraphChange]:
    """The paragraphs of a clause that differ, and within an edited one the words."""
    out: list[ParagraphChange] = []
    for i, j in align_paragraphs(old, new):
        a = old[i] if i is not None else None
        b = new[j] if j is not None else None
        if a is not None and b is not None:
            if normalize(a) != normalize(b):
                out.append(ParagraphChange(kind=ChangeKind.CHANGED, old=a, new=b, words=word_changes(a, b)))
        elif a is not None:
            out.append(ParagraphChange(kind=ChangeKind.REMOVED, old=a))
        elif b is not None:
            out.append(ParagraphChange(kind=ChangeKind.ADDED, new=b))
    return out


def _change(pair: ClausePair, kind: ChangeKind) -> ClauseChange:
    old, new = pair.old, pair.new
    shown = new or old
    assert shown is not None
    heading_changed = old is not None and new is not None and normalize(old.heading) != normalize(new.heading)
    return ClauseChange(
        clause=shown.number,
        old_clause=old.number if old else None,
        new_clause=new.number if new else None,
        kind=kind,
        heading=shown.heading,
        old_text=old.text if old else None,
        new_text=new.text if new else None,
        paragraphs=paragraph_changes(old.paragraphs if old else [], new.paragraphs if new else []),
        old_heading=old.heading if heading_changed and old else None,
    )


def compare(old: Draft, new: Draft) -> EditionDiff:
    """The clause-by-clause difference from ``old`` to ``new``; unchanged clauses get no entry."""
    pairs = align_clauses(_clauses(old), _clauses(new))
    changes: list[ClauseChange] = []
    by_old: dict[str, ClauseChange] = {}
    by_new: dict[str, ClauseChange] = {}
    unchanged: dict[str, ClausePair] = {}
    for pair in pairs:
        if pair.kind is None:
            assert pair.new is not None
            unchanged[pair.new.number] = pair
            continue
        change = _change(pair, pair.kind)
        changes.append(change)
        if change.old_clause:
            by_old.setdefault(change.old_clause, change)
        if change.new_clause:
            by_new.setdefault(change.new_clause, change)
    for filed in compare_records(old.records, new.records, old.tree, new.tree):
        home = (by_new.get(filed.new_clause) if filed.new_clause else None) or (
            by_old.get(filed.old_clause) if filed.old_clause else None
        )
        if home is None and filed.new_clause in unchanged:
            # Same text, different record (the extractor read it differently): still worth saying.
            home = _change(unchanged.pop(filed.new_clause), ChangeKind.CHANGED)
            changes.append(home)
            by_new[home.clause] = home
        if home is not None:
            home.records.append(filed.change)
    records = Counter(f"{r.record.value} {r.kind.value}" for c in changes for r in c.records)
    summary = DiffSummary(
        old_clauses=len(old.tree.clauses),
        new_clauses=len(new.tree.clauses),
        unchanged=len(unchanged),
        by_kind=dict(Counter(c.kind.value for c in changes)),
        records=dict(records),
    )
    return EditionDiff(old=identity(old), new=identity(new), changes=changes, summary=summary)

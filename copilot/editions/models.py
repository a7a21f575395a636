"""The comparison of two editions: the stable JSON contract of ``rapporteur diff --json``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from copilot.editions.textdiff import WordChange


class ChangeKind(StrEnum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    """Its place in the reading order or its parent clause changed (text may have changed too)."""
    RENUMBERED = "renumbered"
    """Same place, new number (a clause inserted or removed before it); text may have changed too."""


class RecordKind(StrEnum):
    DEFINITION = "definition"
    ABBREVIATION = "abbreviation"
    REFERENCE = "reference"


class DocIdentity(BaseModel):
    """Which document a side of the comparison is."""

    path: str
    rec_id: str | None = None
    title: str | None = None
    edition: str | None = None
    kind: str = ""
    format: str = ""


class RecordChange(BaseModel):
    """A definition, abbreviation or reference that was added, removed or changed."""

    record: RecordKind
    key: str
    """The term, the abbreviation, or the cited document's identifier."""
    kind: ChangeKind
    field: str | None = None
    """What changed in a changed record: definition, source_tag, expansion, edition_year, title."""
    old: str | None = None
    new: str | None = None


class ParagraphChange(BaseModel):
    """A paragraph of the clause that was added, removed or edited (with the words that differ)."""

    kind: ChangeKind
    old: str | None = None
    new: str | None = None
    words: list[WordChange] = Field(default_factory=list)


class ClauseChange(BaseModel):
    """One clause that differs between the editions; unchanged clauses get no entry."""

    clause: str
    """The clause's number in the new edition (the old one when it was removed)."""
    old_clause: str | None
    new_clause: str | None
    kind: ChangeKind
    heading: str
    old_text: str | None
    new_text: str | None
    records: list[RecordChange] = Field(default_factory=list)
    paragraphs: list[ParagraphChange] = Field(default_factory=list)
    """Within the clause: the paragraphs, then the words, that differ."""
    old_heading: str | None = None
    """Set when the heading itself changed."""


class DiffSummary(BaseModel):
    old_clauses: int
    new_clauses: int
    unchanged: int
    by_kind: dict[str, int] = Field(default_factory=dict)
    records: dict[str, int] = Field(default_factory=dict)
    """Record changes per record type and kind, e.g. ``"definition added": 1``."""


class EditionDiff(BaseModel):
    old: DocIdentity
    new: DocIdentity
    changes: list[ClauseChange] = Field(default_factory=list)
    summary: DiffSummary

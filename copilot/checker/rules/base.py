"""The rule seam: what a rule is, and what it may consult besides the draft.

A rule has a stable id ("references.unlisted"), a category, a severity and a one-line rationale taken
from the ITU-T Author's guide; ``run`` returns its findings. Rules that need the catalog, the
indexed corpus or a language model say so in ``needs``; the runner skips them, with an info note,
where that resource is absent.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from pydantic import BaseModel

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Citation, Finding, Location, Severity
from ingest.catalog import ReferenceCatalog
from ingest.models import Abbreviation, Definition, DocumentSummary
from ingest.store import RecordStore, file_hash

if TYPE_CHECKING:
    from copilot.checker.restatements import CandidateChooser


class Need(StrEnum):
    CATALOG = "catalog"
    CORPUS = "corpus"
    MODEL = "model"


NEED_HINTS = {
    Need.CATALOG: "no Recommendation catalog (set RAPPORTEUR_CATALOG or RAPPORTEUR_CORPUS)",
    Need.CORPUS: "no indexed corpus (pass --index DIR of an ingested library)",
    Need.MODEL: "no model configured",
}


class Contradiction(BaseModel):
    """A statement of the draft that a clause of an in-force Recommendation contradicts."""

    paragraph: Paragraph
    explanation: str
    evidence: list[Citation]
    suggestion: str | None = None


class ConsistencyJudge(Protocol):
    """Retrieves in-force clauses for each statement and returns the contradictions it finds, each with
    the clauses that show it (``copilot.checker.restatements.EvidenceJudge`` without a model)."""

    def contradictions(self, statements: list[Paragraph]) -> list[Contradiction]: ...


def normalized(text: str) -> str:
    """Lower-case, single-spaced, dashes and quotes folded: for comparing wordings, not for display."""
    text = text.replace("\u00a0", " ").translate(str.maketrans("–—‑‐’‘“”", "----''\"\""))
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass
class CheckContext:
    """Resources beyond the draft; any may be None. Corpus look-ups leave out the draft's own records
    (a published Recommendation checked against an index that holds it must not match itself): same
    Rec identifier, same file, or the same bytes under another name (an uploaded copy)."""

    catalog: ReferenceCatalog | None = None
    store: RecordStore | None = None
    judge: ConsistencyJudge | None = None
    chooser: CandidateChooser | None = None
    """A model naming which sentence of a cited Recommendation a draft sentence restates, where the
    words alone do not tie them (the code still compares the values)."""
    own_rec_id: str | None = None
    own_path: str | None = None
    own_content_hash: str | None = None
    notes: list[str] = field(default_factory=list)
    """What rules say about how they checked (the consistency judge's counts), for the report's notes."""
    _definitions: dict[str, list[Definition]] = field(default_factory=dict)
    _abbreviations: dict[str, list[Abbreviation]] = field(default_factory=dict)
    _documents: dict[str, DocumentSummary] | None = None

    @classmethod
    def for_file(
        cls,
        path: Path,
        draft: Draft,
        catalog: ReferenceCatalog | None = None,
        store: RecordStore | None = None,
        judge: ConsistencyJudge | None = None,
        chooser: CandidateChooser | None = None,
    ) -> CheckContext:
        """The context for checking the draft read from ``path``, knowing which records are its own."""
        return cls(
            catalog=catalog,
            store=store,
            judge=judge,
            chooser=chooser,
            own_rec_id=draft.meta.rec_id,
            own_path=str(path.resolve()),
            own_content_hash=file_hash(path),
        )

    def has(self, need: Need) -> bool:
        resource = {Need.CATALOG: self.catalog, Need.CORPUS: self.store, Need.MODEL: self.judge}[need]
        return resource is not None

    def is_own(self, doc_id: str, rec_id: str | None) -> bool:
        doc = self.document(doc_id)
        if self.own_rec_id is not None and rec_id == self.own_rec_id:
            return True
        return doc is not None and (
            (self.own_path is not None and doc.path == self.own_path)
            or (self.own_content_hash is not None and doc.content_hash == self.own_content_hash)
        )

    def document(self, doc_id: str) -> DocumentSummary | None:
        if self.store is None:
            return None
        if self._documents is None:
            self._documents = {d.doc_id: d for d in self.store.documents()}
        return self._documents.get(doc_id)

    def definitions(self, term: str) -> list[Definition]:
        """Definitions of exactly ``term`` (case-insensitive) that other indexed documents give themselves."""
        key = normalized(term)
        if key not in self._definitions:
            rows = self.store.definitions(term) if self.store else []
            self._definitions[key] = [
                d
                for d in rows
                if normalized(d.term) == key and d.defined_here and not self.is_own(d.doc_id, d.rec_id)
            ]
        return self._definitions[key]

    def abbreviations(self, abbreviation: str) -> list[Abbreviation]:
        """Expansions of ``abbreviation`` (exact case) in other indexed documents."""
        if abbreviation not in self._abbreviations:
            rows = self.store.abbreviations(abbreviation) if self.store else []
            self._abbreviations[abbreviation] = [
                a for a in rows if a.abbreviation == abbreviation and not self.is_own(a.doc_id, a.rec_id)
            ]
        return self._abbreviations[abbreviation]

    def cite(self, doc_id: str, rec_id: str | None, clause: str | None, text: str) -> Citation:
        doc = self.document(doc_id)
        path = doc.path if doc else None
        return Citation(doc_id=doc_id, rec_id=rec_id, clause=clause, text=text, path=path)


class Rule(ABC):
    """One check. Subclasses set the class attributes and implement ``run``."""

    id: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    rationale: ClassVar[str]
    needs: ClassVar[frozenset[Need]] = frozenset()
    skeleton_only: ClassVar[bool] = False
    """Applies only where the Recommendation skeleton does (see ``Draft.skeleton_exemption``)."""

    @abstractmethod
    def run(self, draft: Draft, context: CheckContext) -> list[Finding]: ...

    def finding(
        self,
        message: str,
        location: Location | None = None,
        evidence: Iterable[Citation] = (),
        suggestion: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            category=self.category,
            severity=self.severity,
            location=location or Location(),
            message=message,
            evidence=list(evidence),
            suggestion=suggestion,
        )


def draft_citation(draft: Draft, location: Location, text: str) -> Citation:
    """Evidence quoted from the draft itself (the definition, the list entry that conflicts)."""
    return Citation(
        doc_id=draft.meta.doc_id,
        rec_id=draft.meta.rec_id,
        clause=location.clause,
        page=location.page,
        text=text,
        path=draft.path,
    )

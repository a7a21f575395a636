"""The Recommendation skeleton (ITUT-Recs-Skelet.docx, Author's guide clauses 7-8): the clauses every
Recommendation carries, their numbers, and the sentences that open them. Shared by several rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.checker.draft import Draft
from ingest.models import Clause


@dataclass(frozen=True)
class Element:
    number: str
    heading: str
    pattern: re.Pattern[str]
    opening: str | None = None
    """The sentence the clause must start with, where the guide prescribes one."""


REFERENCES_OPENING = (
    "The following ITU-T Recommendations and other references contain provisions which, through reference "
    "in this text, constitute provisions of this Recommendation. At the time of publication, the editions "
    "indicated were valid. All Recommendations and other references are subject to revision; users of this "
    "Recommendation are therefore encouraged to investigate the possibility of applying the most recent "
    "edition of the Recommendations and other references listed below. A list of the currently valid ITU-T "
    "Recommendations is regularly published. The reference to a document within this Recommendation does "
    "not give it, as a stand-alone document, the status of a Recommendation."
)

SCOPE = Element("1", "Scope", re.compile(r"^scope\b", re.I))
REFERENCES = Element(
    "2", "References", re.compile(r"^(?:normative\s+)?references\b", re.I), REFERENCES_OPENING
)
DEFINITIONS = Element("3", "Definitions", re.compile(r"^(?:terms\s+and\s+)?definitions\b", re.I))
ELSEWHERE = Element(
    "3.1",
    "Terms defined elsewhere",
    re.compile(r"defined\s+elsewhere", re.I),
    "This Recommendation uses the following terms defined elsewhere:",
)
HERE = Element(
    "3.2",
    "Terms defined in this Recommendation",
    re.compile(r"defined\s+(?:in\s+this|here)", re.I),
    "This Recommendation defines the following terms:",
)
ABBREVIATIONS = Element(
    "4",
    "Abbreviations and acronyms",
    re.compile(r"^(?:abbreviations|acronyms)", re.I),
    "This Recommendation uses the following abbreviations and acronyms:",
)
CONVENTIONS = Element("5", "Conventions", re.compile(r"^conventions\b", re.I))

TOP = (SCOPE, REFERENCES, DEFINITIONS, ABBREVIATIONS, CONVENTIONS)
SUB = (ELSEWHERE, HERE)
ALL = (SCOPE, REFERENCES, DEFINITIONS, ELSEWHERE, HERE, ABBREVIATIONS, CONVENTIONS)

NONE_TEXT = re.compile(r"^none\.?$", re.I)


def find(draft: Draft, element: Element) -> Clause | None:
    """The draft's clause for ``element``, found by heading (numbers may be wrong), else None."""
    level = element.number.count(".") + 1
    parents = {None} if level == 1 else {c.number for c in draft.tree.clauses if _is(c, DEFINITIONS)}
    return next((c for c in draft.tree.clauses if _is(c, element) and c.parent in parents), None)


def _is(clause: Clause, element: Element) -> bool:
    """Same depth, a numbered clause (an annex titled "Definitions" is not clause 3), matching heading."""
    level = element.number.count(".") + 1
    numbered = clause.number[:1].isdigit()
    return numbered and clause.level == level and element.pattern.search(clause.heading.strip()) is not None


def region(draft: Draft, *elements: Element) -> set[str]:
    """Clause numbers under the given skeleton elements (for leaving lists out of text searches)."""
    out: set[str] = set()
    for element in elements:
        out |= draft.subtree_numbers(find(draft, element))
    return out


def bibliography(draft: Draft) -> set[str]:
    return {c.number for c in draft.tree.clauses if c.number == "Bibliography" or c.heading == "Bibliography"}

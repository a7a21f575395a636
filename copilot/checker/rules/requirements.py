"""Requirements: the keywords clause 5 defines are the ones used, and mandatory wording stays out of
notes and informative appendices (Author's guide 8.5, 9.6.1 and 8.8)."""

from __future__ import annotations

import re

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Finding, Severity
from copilot.checker.rules import skeleton
from copilot.checker.rules.base import CheckContext, Rule, draft_citation

KEYWORD_FAMILY = (
    "is required to",
    "is prohibited from",
    "is recommended",
    "is not recommended",
    "can optionally",
)
"""The requirement keywords ITU-T Recommendations define in clause 5 (Y-series convention)."""
_MANDATORY = re.compile(r"\b(shall|must)\b(?:\s+not\b)?", re.I)
_QUOTED = re.compile(r"[\"“”']([^\"“”']{2,40})[\"“”']")


def defined_keywords(draft: Draft) -> set[str]:
    """Keywords clause 5 defines: 'The keywords "is required to" indicate ...'."""
    clause = skeleton.find(draft, skeleton.CONVENTIONS)
    if clause is None:
        return set()
    found: set[str] = set()
    for p in draft.paragraphs:
        if p.clause in draft.subtree_numbers(clause) and re.search(r"\bkey\s?words?\b", p.text, re.I):
            found |= {m.group(1).strip().lower() for m in _QUOTED.finditer(p.text)}
    return found


def normative_text(draft: Draft) -> list[Paragraph]:
    """Clause 6 onwards and annexes, plus appendices: where requirements are stated (not 1-5)."""
    front = skeleton.region(draft, *skeleton.TOP) | skeleton.bibliography(draft)
    return draft.body(front)


def _keyword_uses(text: str, keyword: str) -> bool:
    return re.search(rf"\b{re.escape(keyword)}\b", text, re.I) is not None


def excerpt(text: str, word: str, width: int = 40) -> str:
    """'... machine shall not expose network ports ...': the words around ``word`` in ``text``."""
    at = max(text.lower().find(word.lower()), 0)
    start, end = max(at - width, 0), min(at + len(word) + width, len(text))
    return ("..." if start else "") + " ".join(text[start:end].split()) + ("..." if end < len(text) else "")


class UndefinedKeyword(Rule):
    id = "requirements.undefined-keyword"
    category = Category.REQUIREMENTS
    severity = Severity.WARNING
    rationale = "Requirement keywords used in the text are the ones clause 5 (Conventions) defines."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        keywords = defined_keywords(draft)
        if not keywords & set(KEYWORD_FAMILY):
            return []
        out: list[Finding] = []
        for keyword in KEYWORD_FAMILY:
            if keyword in keywords:
                continue
            first = next((p for p in normative_text(draft) if _keyword_uses(p.text, keyword)), None)
            if first is None or (keyword == "is recommended" and "is not recommended" in first.text.lower()):
                continue
            out.append(
                self.finding(
                    f'"{keyword}" is used but clause 5 does not define it: "{excerpt(first.text, keyword)}".',
                    first.location,
                    [draft_citation(draft, first.location, first.text)],
                    suggestion=f'Define "{keyword}" in clause 5 with the other keywords, or reword.',
                )
            )
        return out


class ShallInKeywordSeries(Rule):
    id = "requirements.shall"
    category = Category.REQUIREMENTS
    severity = Severity.WARNING
    rationale = 'Where clause 5 defines "is required to", requirements use it, not "shall" or "must".'

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        keywords = defined_keywords(draft)
        if "is required to" not in keywords or keywords & {"shall", "must"}:
            return []
        out: list[Finding] = []
        for p in normative_text(draft):
            m = _MANDATORY.search(p.text)
            if m is None or p.is_note or draft.is_informative(p.clause):
                continue  # notes and appendices have their own rules
            out.append(
                self.finding(
                    f'"{m.group(0)}" where clause 5 defines "is required to": '
                    f'"{excerpt(p.text, m.group(0))}".',
                    p.location,
                    [draft_citation(draft, p.location, p.text)],
                    suggestion='Rephrase with "is required to"'
                    + (' / "is prohibited from"' if "not" in m.group(0).lower() else "")
                    + ".",
                )
            )
        return out


def _mandatory(text: str, keywords: set[str]) -> str | None:
    m = _MANDATORY.search(text)
    if m:
        return m.group(0)
    defined = [k for k in ("is required to", "is prohibited from") if k in keywords]
    return next((k for k in defined if _keyword_uses(text, k)), None)


class RequirementInNote(Rule):
    id = "requirements.in-note"
    category = Category.REQUIREMENTS
    severity = Severity.WARNING
    rationale = "Notes and footnotes should not contain normative specifications (Author's guide 9.6.1)."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        keywords = defined_keywords(draft)
        out: list[Finding] = []
        for p in draft.body(skeleton.region(draft, skeleton.CONVENTIONS)):
            word = _mandatory(p.text, keywords) if p.is_note else None
            if word:
                out.append(
                    self.finding(
                        f'A note states a requirement: "{excerpt(p.text, word)}".',
                        p.location,
                        [draft_citation(draft, p.location, p.text)],
                        suggestion="Move the requirement into the clause text, or reword the note.",
                    )
                )
        return out


class RequirementInAppendix(Rule):
    id = "requirements.in-appendix"
    category = Category.REQUIREMENTS
    severity = Severity.WARNING
    rationale = "Appendices are not an integral part of the Recommendation, so they state no requirements."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        keywords = defined_keywords(draft)
        out: list[Finding] = []
        for p in draft.body(set()):
            word = _mandatory(p.text, keywords) if draft.is_informative(p.clause) and not p.is_note else None
            if word:
                out.append(
                    self.finding(
                        f'An informative appendix states a requirement: "{excerpt(p.text, word)}".',
                        p.location,
                        [draft_citation(draft, p.location, p.text)],
                        suggestion="Move the requirement to the body or an annex, or reword it.",
                    )
                )
        return out


RULES = (UndefinedKeyword(), ShallInKeywordSeries(), RequirementInNote(), RequirementInAppendix())

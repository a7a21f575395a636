"""Structure: the skeleton's clauses present, numbered and ordered, opened by their standard
sentences, and never left empty (Author's guide clauses 7 and 8, ITU-T Recommendation skeleton)."""

from __future__ import annotations

import difflib

from copilot.checker.draft import Draft
from copilot.checker.models import Category, Finding, Location, Severity
from copilot.checker.rules import skeleton
from copilot.checker.rules.base import CheckContext, Rule, normalized
from ingest.models import Clause


class RequiredClauses(Rule):
    id = "structure.required-clauses"
    category = Category.STRUCTURE
    severity = Severity.ERROR
    rationale = "Scope, References, Definitions (3.1, 3.2), Abbreviations and Conventions are mandatory."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        definitions = skeleton.find(draft, skeleton.DEFINITIONS)
        for element in skeleton.ALL:
            if element in skeleton.SUB and (definitions is None or self._defines_none(draft, definitions)):
                continue
            if skeleton.find(draft, element) is None:
                finding = self.finding(
                    f"No clause {element.number} '{element.heading}'.",
                    suggestion=f"Add clause {element.number} '{element.heading}'"
                    + (f' opening with "{element.opening}"' if element.opening else "")
                    + '; write "None." if it has no content.',
                )
                if element in skeleton.SUB:  # clause 3 present, subdivided otherwise: not certainly wrong
                    finding.severity = Severity.WARNING
                out.append(finding)
        return out

    @staticmethod
    def _defines_none(draft: Draft, definitions: Clause) -> bool:
        """Clause 3 that says "None." needs no 3.1 and 3.2."""
        texts = [p.text.strip() for p in draft.paragraphs_of(definitions)]
        return len(draft.tree.subtree(definitions)) == 1 and any(skeleton.NONE_TEXT.match(t) for t in texts)


class ClauseOrder(Rule):
    id = "structure.clause-order"
    category = Category.STRUCTURE
    severity = Severity.ERROR
    rationale = "Scope, References, Definitions, Abbreviations, Conventions are clauses 1 to 5, in order."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        found = [(e, c) for e in skeleton.ALL if (c := skeleton.find(draft, e)) is not None]
        for element, clause in found:
            if clause.number != element.number:
                out.append(
                    self.finding(
                        f"'{clause.heading}' is numbered {clause.number}; "
                        f"the skeleton makes it clause {element.number}.",
                        draft.location_of(clause),
                        suggestion=f"Renumber it {element.number} {element.heading}.",
                    )
                )
        for (before, first), (after, second) in zip(found, found[1:], strict=False):
            if second.ordinal < first.ordinal:
                out.append(
                    self.finding(
                        f"'{second.heading}' comes before '{first.heading}'; the skeleton puts "
                        f"{before.heading} ({before.number}) before {after.heading} ({after.number}).",
                        draft.location_of(second),
                        suggestion=f"Move '{second.heading}' after '{first.heading}'.",
                    )
                )
        return out


class FrontMatter(Rule):
    id = "structure.summary-keywords"
    category = Category.STRUCTURE
    severity = Severity.ERROR
    rationale = "Summary and Keywords are mandatory introductory elements (Author's guide 7.1, 7.2)."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for name in ("Summary", "Keywords"):
            paragraph = draft.front.get(name)
            if paragraph is not None and paragraph.text.strip():
                continue
            headed = draft.clause(name)
            what = "is empty" if headed is not None or paragraph is not None else "is missing"
            content = (
                "an overview of purpose and contents"
                if name == "Summary"
                else "alphabetical, comma-separated"
            )
            out.append(
                self.finding(
                    f"The {name} {what}.",
                    draft.location_of(headed) if headed else Location(clause=name),
                    suggestion=f"Add a {name} before clause 1 ({content}).",
                )
            )
        return out


class OpeningSentence(Rule):
    id = "structure.opening-sentence"
    category = Category.STRUCTURE
    severity = Severity.WARNING
    rationale = "Clauses 2, 3.1, 3.2 and 4 open with standard sentences that TSB expects verbatim."

    skeleton_only = True
    SIMILAR = 0.85

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for element in skeleton.ALL:
            clause = skeleton.find(draft, element)
            if element.opening is None or clause is None or clause.number != element.number:
                continue  # a misnumbered clause is structure.clause-order's finding
            paragraphs = draft.paragraphs_of(clause)
            if not paragraphs or skeleton.NONE_TEXT.match(paragraphs[0].text.strip()):
                continue
            first = paragraphs[0]
            if self._matches(first.text, element.opening):
                continue
            out.append(
                self.finding(
                    f"Clause {clause.number} does not open with the standard sentence.",
                    first.location,
                    suggestion=f'Start clause {clause.number} with: "{element.opening}"',
                )
            )
        return out

    def _matches(self, text: str, opening: str) -> bool:
        got, want = normalized(text), normalized(opening)
        if got.startswith(want) or got.replace("following term:", "following terms:") == want:
            return True
        return difflib.SequenceMatcher(None, got[: len(want) + 20], want).ratio() >= self.SIMILAR


class EmptyClause(Rule):
    id = "structure.empty-clause"
    category = Category.STRUCTURE
    severity = Severity.WARNING
    rationale = 'A skeleton clause with no content says so: "If none, write None." (skeleton, clause 5).'
    skeleton_only = True
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for element in skeleton.ALL:
            clause = skeleton.find(draft, element)
            if clause is None or element is skeleton.DEFINITIONS:
                continue
            texts = [p.text.strip() for p in draft.paragraphs_of(clause)]
            has_children = len(draft.tree.subtree(clause)) > 1
            if has_children or (texts and any(skeleton.NONE_TEXT.match(t) for t in texts)):
                continue
            opening = normalized(element.opening or "\0")[:40]
            if any(not normalized(t).startswith(opening) for t in texts):
                continue
            what = "has only its opening sentence" if texts else "is empty"
            out.append(
                self.finding(
                    f"Clause {clause.number} '{clause.heading}' {what}.",
                    draft.location_of(clause),
                    suggestion='Write "None." as its only text.',
                )
            )
        return out


RULES = (RequiredClauses(), ClauseOrder(), FrontMatter(), OpeningSentence(), EmptyClause())

"""Style: the presentation conventions of the Author's guide that TSB editors correct by hand."""

from __future__ import annotations

import re
from collections import defaultdict

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Finding, Severity
from copilot.checker.rules.base import CheckContext, Rule, normalized

_ENTRY = re.compile(r"^(?:\d{1,2}|[A-Z]|[IVX]{1,4})(?:\.\d{1,3}){1,5}[a-z]?(?=[\s\u00a0])")
_NOTE = re.compile(r"^NOTE(?:\s+(?P<n>\d+))?\s*[–—-]")


class AnnexStatus(Rule):
    id = "style.annex-status"
    category = Category.STYLE
    severity = Severity.WARNING
    rationale = "An annex or appendix says under its title whether it is an integral part (guide 8.7, 8.8)."

    STATEMENTS = {
        "Annex": "(This annex forms an integral part of this Recommendation.)",
        "Appendix": "(This appendix does not form an integral part of this Recommendation.)",
    }

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for clause in draft.tree.clauses:
            kind = clause.number.split(" ")[0]
            if kind not in self.STATEMENTS or " " not in clause.number:
                continue
            statement = self.STATEMENTS[kind]
            texts = [normalized(p.text) for p in draft.paragraphs_of(clause)[:3]]
            if any(normalized(statement)[:-2] in t for t in [*texts, normalized(clause.heading)]):
                continue
            out.append(
                self.finding(
                    f"{clause.number} does not state its status under its title.",
                    draft.location_of(clause),
                    suggestion=f"Add {statement} immediately after the title.",
                )
            )
        return out


class NoteNumbering(Rule):
    id = "style.note-numbering"
    category = Category.STYLE
    severity = Severity.INFO
    rationale = 'A single note reads "NOTE –"; several in a clause read "NOTE 1 –", "NOTE 2 –" (guide 9.6.1).'

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        notes: dict[tuple[str, str], list[tuple[Paragraph, str | None]]] = defaultdict(list)
        entry = ""
        for p in draft.paragraphs:
            if m := _ENTRY.match(p.text):  # "3.2.4 term: ..." numbers its own notes, like a clause
                entry = m.group(0)
            if m := _NOTE.match(p.text):
                notes[(p.clause, entry)].append((p, m.group("n")))
        out: list[Finding] = []
        for group in notes.values():
            for position, (p, number) in enumerate(group, 1):
                want = None if len(group) == 1 else str(position)
                if number != want:
                    label = "NOTE –" if want is None else f"NOTE {want} –"
                    out.append(
                        self.finding(
                            f'Note {position} of {len(group)} here should read "{label}".',
                            p.location,
                            suggestion=f'Start it "{label}".',
                        )
                    )
        return out


RULES = (AnnexStatus(), NoteNumbering())

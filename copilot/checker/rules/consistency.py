"""Consistency: statements of the draft that contradict clauses of in-force Recommendations.

Judging contradiction needs a language model; the checker only selects the statements and turns the
judge's answers into findings. Without a judge the rule is skipped with an info note.
"""

from __future__ import annotations

from copilot.checker.draft import Draft
from copilot.checker.models import Category, Finding, Severity
from copilot.checker.rules.base import CheckContext, Need, Rule
from copilot.checker.rules.requirements import normative_text


class Contradicts(Rule):
    id = "consistency.contradiction"
    category = Category.CONSISTENCY
    severity = Severity.WARNING
    rationale = "A draft's content does not conflict with an already approved Recommendation (guide Annex D)."
    needs = frozenset({Need.MODEL})

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        assert context.judge is not None
        statements = [p for p in normative_text(draft) if not draft.is_informative(p.clause)]
        return [
            self.finding(c.explanation, c.paragraph.location, c.evidence, c.suggestion)
            for c in context.judge.contradictions(statements)
        ]


RULES = (Contradicts(),)

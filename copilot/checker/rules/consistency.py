"""Consistency: statements of the draft that contradict clauses of in-force Recommendations.

The rule selects the statements (clause 6 onwards, annexes and appendices) and turns a judge's answers
into findings. The judge is the deterministic :class:`EvidenceJudge` over the indexed corpus, unless
the caller passes another (an EvidenceJudge whose chooser is a model, see
:mod:`copilot.checker.model_choice`); the report's notes say how much was compared.
"""

from __future__ import annotations

from copilot.checker.draft import Draft
from copilot.checker.models import Category, Finding, Severity
from copilot.checker.restatements import EvidenceJudge, recommendation_key
from copilot.checker.rules.base import CheckContext, Need, Rule
from copilot.checker.rules.requirements import normative_text


class Contradicts(Rule):
    id = "consistency.contradiction"
    category = Category.CONSISTENCY
    severity = Severity.WARNING
    rationale = "A draft's content does not conflict with an already approved Recommendation (guide Annex D)."
    needs = frozenset({Need.CORPUS})

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        judge = context.judge or EvidenceJudge(
            context, own_key=recommendation_key(draft.meta.rec_id), chooser=context.chooser
        )
        found = judge.contradictions(normative_text(draft))
        if isinstance(judge, EvidenceJudge):  # with or without a model choosing sources
            context.notes.append(judge.last.note)
        return [self.finding(c.explanation, c.paragraph.location, c.evidence, c.suggestion) for c in found]


RULES = (Contradicts(),)

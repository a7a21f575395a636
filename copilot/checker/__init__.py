"""The draft checker: every problem a careful TSB editor would flag, with where, why, evidence and a fix.

``check_document`` parses the draft once, runs each registered rule (``copilot/checker/rules``) and
returns a :class:`CheckReport`. Rules needing what is absent (catalog, indexed corpus, a model) are
skipped with an info finding that says so; a rule that crashes is reported, not fatal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.checker.draft import Draft, load_draft
from copilot.checker.models import Category, CheckReport, CheckSummary, Finding, Location, Severity
from copilot.checker.restatements import CandidateChooser
from copilot.checker.rules import all_rules
from copilot.checker.rules.base import NEED_HINTS, CheckContext, ConsistencyJudge, Rule
from ingest.catalog import ReferenceCatalog
from rapporteur.settings import Settings

if TYPE_CHECKING:
    from copilot.retrieval import IndexView

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check_document(
    path: Path, settings: Settings, library: IndexView | None = None, judge: ConsistencyJudge | None = None
) -> CheckReport:
    """Check one draft (.docx, .pdf, .md, .txt ...); raises ParseError when it cannot be read."""
    return run_check(path, settings, library, judge)[1]


def run_check(
    path: Path,
    settings: Settings,
    library: IndexView | None = None,
    judge: ConsistencyJudge | None = None,
    chooser: CandidateChooser | None = None,
) -> tuple[Draft, CheckReport]:
    """:func:`check_document` that also returns the parsed draft (for anchoring Word comments);
    ``chooser``: a model helping the consistency check tie restatements to their sources."""
    started = time.perf_counter()
    draft = load_draft(path)
    context = CheckContext.for_file(
        Path(path),
        draft,
        catalog=ReferenceCatalog.from_settings(settings),
        store=library.store if library is not None else None,
        judge=judge,
        chooser=chooser,
    )
    return draft, check_draft(draft, context, started)


def check_draft(draft: Draft, context: CheckContext, started: float | None = None) -> CheckReport:
    """Run every rule over an already loaded draft."""
    started = time.perf_counter() if started is None else started
    findings: list[Finding] = []
    notes: list[str] = []
    ran = 0
    exemption = draft.skeleton_exemption
    rules = all_rules() if draft.meta.language == "en" else ()
    if exemption:
        notes.append(exemption)
    if not rules:
        notes.append(
            f"language '{draft.meta.language}': the rules are written for English texts; nothing checked"
        )
    for rule in rules:
        if rule.skeleton_only and exemption:
            continue
        missing = [n for n in sorted(rule.needs) if not context.has(n)]
        if missing:
            findings.append(_skipped(rule, "; ".join(NEED_HINTS[n] for n in missing)))
            continue
        ran += 1
        try:
            findings.extend(rule.run(draft, context))
        except Exception as exc:  # one broken rule must not hide the others' findings
            notes.append(f"{rule.id} failed: {type(exc).__name__}: {exc}")
    findings.sort(key=_reading_order(draft))
    notes.extend(context.notes)
    summary = CheckSummary(
        rules_run=ran,
        rec_id=draft.meta.rec_id,
        pages=draft.meta.pages,
        seconds=round(time.perf_counter() - started, 3),
        notes=notes,
    )
    return CheckReport.build(draft.path, findings, summary)


def _skipped(rule: Rule, why: str) -> Finding:
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=Severity.INFO,
        location=Location(),
        message=f"Not checked: {why}.",
    )


def _reading_order(draft: Draft) -> Callable[[Finding], tuple[int, int, int, str]]:
    ordinal = {c.number: c.ordinal for c in draft.tree.clauses}

    def key(f: Finding) -> tuple[int, int, int, str]:
        place = ordinal.get(f.location.clause or "", -1)
        return (place, f.location.paragraph or 0, _ORDER[f.severity], f.rule)

    return key


__all__ = ["Category", "CheckReport", "Finding", "Severity", "check_document", "check_draft", "run_check"]

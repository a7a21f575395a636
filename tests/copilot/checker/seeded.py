"""Seeded defects as test cases: each defect of ``eval/checking/defects.json`` is a failing case for its
rule (injected into a copy of a real Recommendation, it must be reported) and the untouched document
is the passing case (it must not have that finding)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from copilot.checker.models import Finding
from eval.checking.inject import Defect, inject, load_defects

DEFECTS = load_defects()
CheckFn = Callable[[Path], list[Finding]]


def defects_of(category: str) -> list[Defect]:
    return [d for d in DEFECTS if d.category.value == category]


def assert_defect_found(defect: Defect, corpus_dir: Path, tmp_path: Path, check: CheckFn) -> None:
    """The seeded copy has a finding of the defect's rule that the real document does not have."""
    source = corpus_dir / defect.doc
    seeded = check(inject(defect, source, tmp_path / source.name))
    original = {(f.rule, f.location.clause, f.message) for f in check(source)}
    found = [f for f in seeded if f.rule == defect.rule]
    new = [f for f in found if (f.rule, f.location.clause, f.message) not in original]
    assert new, (
        f"{defect.id} ({defect.what}): {defect.rule} did not report it; got {[f.message for f in seeded]}"
    )
    assert all(f.category == defect.category for f in new)

"""Seeded defects of this rule family (eval/checking/defects.json) in real Recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.checker.rules.definitions import DefinitionFormat
from eval.checking.inject import Defect
from tests.copilot.checker.seeded import CheckFn, assert_defect_found, defects_of


@pytest.mark.parametrize("defect", defects_of("definitions"), ids=lambda d: f"{d.id}-{d.rule}")
def test_seeded_defect_is_reported_and_original_is_clean(
    defect: Defect, corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    assert_defect_found(defect, corpus_dir, tmp_path, check)


@pytest.mark.parametrize(
    ("term", "capitalized"),
    [
        ("Release Path", True),
        ("SCREEN LAYOUT", True),
        ("screen layout", False),
        ("Overlay network", False),  # a sentence-style capital, not a term in capitals
        ("Goal-oriented Requirement Language (GRL)", False),  # a name with its abbreviation
        ("optical tributary signal class DP-DQPSK 100G", False),
    ],
)
def test_a_term_in_capitals_is_a_format_problem(term: str, capitalized: bool) -> None:
    problems = DefinitionFormat._problems(f"3.2.1\t{term}: A thing that exists.", elsewhere=False)
    assert any("capitalized" in p for p in problems) is capitalized

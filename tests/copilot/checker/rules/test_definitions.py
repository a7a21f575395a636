"""Seeded defects of this rule family (eval/checking/defects.json) in real Recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.checking.inject import Defect
from tests.copilot.checker.seeded import CheckFn, assert_defect_found, defects_of


@pytest.mark.parametrize("defect", defects_of("definitions"), ids=lambda d: f"{d.id}-{d.rule}")
def test_seeded_defect_is_reported_and_original_is_clean(
    defect: Defect, corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    assert_defect_found(defect, corpus_dir, tmp_path, check)

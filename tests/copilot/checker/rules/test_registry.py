"""The registry: unique ids, every category valid, and every deterministic rule has seeded cases."""

from __future__ import annotations

from copilot.checker.models import Category
from copilot.checker.rules import all_rules
from tests.copilot.checker.seeded import DEFECTS


def test_every_deterministic_rule_has_a_seeded_defect() -> None:
    seeded = {d.rule for d in DEFECTS}
    untested = [r.id for r in all_rules() if r.category is not Category.CONSISTENCY and r.id not in seeded]
    assert not untested


def test_rule_ids_are_unique_and_name_their_category() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert all(r.id.split(".")[0] == r.category.value and r.rationale for r in rules)

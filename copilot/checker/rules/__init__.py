"""The rule registry: every module in this package that defines ``RULES`` contributes its rules.

Adding a rule is one new file here with a ``RULES = (MyRule(),)`` line; ids must be unique.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from copilot.checker.rules.base import CheckContext, Need, Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, in module then declaration order."""
    found: list[Rule] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found.extend(getattr(module, "RULES", ()))
    ids = [r.id for r in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuntimeError(f"duplicate rule ids: {duplicates}")
    return tuple(found)


__all__ = ["CheckContext", "Need", "Rule", "all_rules"]

"""The library apart from the app: which package may import which, read from the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "ingest": ("copilot", "ui", "eval", "rapporteur.cli", "rapporteur.mcp_server", "rapporteur.workspace"),
    "copilot": ("ui", "eval", "rapporteur.cli", "rapporteur.mcp_server", "rapporteur.workspace"),
    "prompts": ("ui", "eval", "rapporteur"),
    "rapporteur/mcp_server.py": ("ui", "eval", "rapporteur.cli"),
    "rapporteur/workspace.py": ("ui", "eval", "rapporteur.cli"),
}
"""Packages (or modules) and the imports they must never make: the shells (CLI, UI, MCP) sit over the
library, never under it, and no shell leans on another."""


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_import_reader_sees_lazy_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import os\n\ndef f():\n    from ui.app import build\n    import eval.runner\n")
    assert imported_modules(source) == {"os", "ui.app", "eval.runner"}


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_layer_imports_what_sits_above_it(part: str) -> None:
    target = REPO / part
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, f"{part}: nothing to read"
    wrong = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path))
        if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[part])
    ]
    assert not wrong, "\n".join(wrong)

"""Seed one defect into a temporary copy of a real .docx Recommendation.

A defect is a list of edits on paragraphs found by a fragment of their text (Word's automatic
numbering is not part of a paragraph's text, so fragments leave clause numbers out). Editing a copy
keeps ITU text out of the repository: only the edits are committed (``defects.json``).
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import docx
from docx.text.paragraph import Paragraph
from pydantic import BaseModel, Field

from copilot.checker.models import Category

SPEC: Traversable = files("eval.checking") / "defects.json"  # package data
"""The dev split: written while the rules were built, and tuned on."""
TEST_SPEC: Traversable = files("eval.checking") / "defects_test.json"
"""The test split: written before the second edition's rule changes, on ten other Recommendations;
never tuned on."""
SPLITS = {"dev": SPEC, "test": TEST_SPEC}


class Edit(BaseModel):
    op: Literal["replace", "delete", "insert_after", "swap_next", "move_before"]
    find: str
    """A fragment of the paragraph's text; the first paragraph containing it (after ``nth - 1`` others)."""
    nth: int = 1
    exact: bool = False
    """``find`` is the paragraph's whole text (a heading), not a fragment."""
    old: str | None = None
    new: str | None = None
    text: str | None = None
    count: int = 1
    """``move_before``: how many paragraphs, from the one found, move."""
    target: str | None = None
    """``move_before``: the whole text of the paragraph they move in front of."""
    every: bool = False
    """``replace`` in every paragraph containing ``find`` (a tag renamed throughout)."""


class Defect(BaseModel):
    id: str
    doc: str
    """Path under the corpus folder."""
    category: Category
    rule: str
    """The rule that must report it."""
    what: str
    edits: list[Edit] = Field(default_factory=list)


class InjectionError(Exception):
    """An edit whose paragraph is not in the document: the spec, not the checker, is wrong."""


def load_defects(path: Traversable = SPEC) -> list[Defect]:
    return [Defect(**d) for d in json.loads(path.read_text(encoding="utf-8"))]


def _paragraphs(document: docx.document.Document) -> list[Paragraph]:
    out = list(document.paragraphs)
    for table in document.tables:
        out += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return out


def _set_text(paragraph: Paragraph, text: str) -> None:
    """Replace a paragraph's text, keeping the first run's formatting."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def _replace(paragraph: Paragraph, old: str, new: str) -> None:
    for run in paragraph.runs:
        if old in run.text:
            run.text = run.text.replace(old, new, 1)
            return
    if old not in paragraph.text:
        raise InjectionError(f"{old!r} not in paragraph {paragraph.text[:60]!r}")
    _set_text(paragraph, paragraph.text.replace(old, new, 1))


def apply(edit: Edit, document: docx.document.Document) -> None:
    matches = [
        p
        for p in _paragraphs(document)
        if (p.text.strip() == edit.find if edit.exact else edit.find in p.text)
    ]
    if len(matches) < edit.nth:
        raise InjectionError(f"no paragraph #{edit.nth} contains {edit.find!r}")
    targets = matches if edit.every else [matches[edit.nth - 1]]
    for paragraph in targets:
        element = paragraph._p
        if edit.op == "replace":
            assert edit.old is not None and edit.new is not None
            _replace(paragraph, edit.old, edit.new)
        elif edit.op == "delete":
            element.getparent().remove(element)
        elif edit.op == "insert_after":
            clone = copy.deepcopy(element)
            element.addnext(clone)
            _set_text(Paragraph(clone, paragraph._parent), edit.text or "")
        elif edit.op == "swap_next":
            following = element.getnext()
            if following is None:
                raise InjectionError(f"nothing after {edit.find!r}")
            following.addnext(element)
        else:  # move_before: a clause moved without being renumbered
            anchor = next((p._p for p in _paragraphs(document) if p.text.strip() == edit.target), None)
            if anchor is None:
                raise InjectionError(f"no paragraph {edit.target!r}")
            moving = [element]
            while len(moving) < edit.count and moving[-1].getnext() is not None:
                moving.append(moving[-1].getnext())
            for item in moving:
                anchor.addprevious(item)


def inject(defect: Defect, source: Path, dest: Path) -> Path:
    """Write ``dest``: ``source`` with the defect's edits applied."""
    document = docx.Document(str(source))
    for edit in defect.edits:
        apply(edit, document)
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return dest

"""The amendment skeleton (``rapporteur draft amendment``): the ITU-T amendment layout, clause by
clause, from the same diff ("Replace clause X with:", "Add the following new clause after clause Y:",
"Delete clause Z.", a move or renumbering said as such). One line per paragraph, so that the drafting
exporter can turn it into a Word file in the skeleton's styles.
"""

from __future__ import annotations

import re

from copilot.checker.draft import PREAMBLE
from copilot.editions.models import ChangeKind, ClauseChange, EditionDiff

_CLAUSE_NUMBER = re.compile(r"\d|[A-Z]{1,4}\.\d")
"""A numbered clause, of the body ("6.2") or of an annex or appendix ("A.1", "II.3")."""


def _label(number: str) -> str:
    """'clause 6.2', 'clause A.1'; titled parts ('Annex A', 'Summary') are named by their title."""
    return f"clause {number}" if _CLAUSE_NUMBER.match(number) else number


def _heading_line(number: str, heading: str) -> str:
    return number if heading == number else f"{number}\t{heading}"


def _body(change: ClauseChange) -> list[str]:
    lines = [_heading_line(change.new_clause or change.clause, change.heading)]
    return lines + [line for line in (change.new_text or "").splitlines() if line.strip()]


def _instruction(change: ClauseChange, previous: str | None) -> list[str]:
    old, new = change.old_clause, change.new_clause
    if change.kind is ChangeKind.REMOVED:
        return [f"Delete {_label(old or change.clause)}."]
    if change.kind is ChangeKind.ADDED:
        where = f"after {_label(previous)}" if previous else "at the beginning of the Recommendation"
        return [
            f"Add the following new {_label(change.clause).split(' ')[0].lower()} {where}:",
            *_body(change),
        ]
    edited = bool(change.paragraphs) or change.old_heading is not None
    if change.kind in (ChangeKind.MOVED, ChangeKind.RENUMBERED):
        verb = "Move" if change.kind is ChangeKind.MOVED else "Renumber"
        place = f" to follow {_label(previous)}" if change.kind is ChangeKind.MOVED and previous else ""
        first = f"{verb} {_label(old or '')}{place} as {_label(new or '')}"
        return [f"{first} and replace it with:", *_body(change)] if edited else [f"{first}."]
    return [f"Replace {_label(old or change.clause)} with:", *_body(change)]


def amendment_text(diff: EditionDiff, new_order: list[str]) -> str:
    """The amendment's text; ``new_order`` is the new edition's clause numbers in reading order, to
    say after which clause an added one goes."""
    rec = diff.old.rec_id or diff.new.rec_id or "<Recommendation>"
    edition = f" ({diff.old.edition})" if diff.old.edition else ""
    lines = [
        f"Recommendation {rec} – Amendment <n>",
        diff.new.title or diff.old.title or "<title>",
        "Summary",
        f"This amendment contains the changes to Recommendation {rec}{edition}, clause by clause.",
    ]
    position = {number: k for k, number in enumerate(new_order)}
    count = 0
    for change in diff.changes:
        if change.clause == PREAMBLE:
            continue
        k = position.get(change.new_clause or "", -1)
        previous = new_order[k - 1] if k > 0 and new_order[k - 1] != PREAMBLE else None
        count += 1
        lines.append(f"{count})\t{_label(change.clause).capitalize()}")
        lines += _instruction(change, previous)
    if count == 0:
        lines.append("No clause changed.")
    return "\n".join(lines) + "\n"

"""Clause alignment: which clause of the old edition became which clause of the new one.

Clauses are matched by number first (same number, same heading and text: unchanged), then by
content: a clause whose text is found unchanged under another number, then the most similar
remaining pair (heading and words; the same number only breaks ties). A matched pair under another
number is *renumbered* when it kept its place in the reading order and its parent, *moved* when it
did not. What is left over was added or removed.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from dataclasses import dataclass

from copilot.editions.models import ChangeKind
from copilot.editions.textdiff import normalize
from ingest.models import Clause

log = logging.getLogger(__name__)

MATCH = 0.5
"""Least score for two clauses to be one clause edited (see ``_score``)."""
_SAME_NUMBER_BONUS = 0.15
_WORD = re.compile(r"\w+")


@dataclass
class ClausePair:
    """An aligned pair; ``kind`` is None when the clause is unchanged."""

    old: Clause | None
    new: Clause | None
    kind: ChangeKind | None


@dataclass
class _Side:
    clause: Clause
    heading: str
    text: str
    heading_words: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, clause: Clause) -> _Side:
        heading, text = normalize(clause.heading), normalize("\n".join(clause.paragraphs))
        return cls(
            clause,
            heading,
            text,
            frozenset(_WORD.findall(heading.lower())),
            frozenset(_WORD.findall(text.lower())),
        )

    @property
    def content(self) -> tuple[str, str]:
        return self.heading, self.text


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def _score(old: _Side, new: _Side) -> float:
    """Heading and text similarity; a clause with no text of its own is judged by its heading."""
    heading = _dice(old.heading_words, new.heading_words)
    if not old.text and not new.text:
        score = heading
    elif not old.text or not new.text:
        score = 0.35 * heading
    else:
        score = 0.35 * heading + 0.65 * _dice(old.words, new.words)
    return score + (_SAME_NUMBER_BONUS if old.clause.number == new.clause.number else 0.0)


def align_clauses(old: list[Clause], new: list[Clause]) -> list[ClausePair]:
    """Every clause of both editions in one pair, in the new edition's order (removed ones where
    they were)."""
    olds, news = [_Side.of(c) for c in old], [_Side.of(c) for c in new]
    match: dict[int, int] = {}  # old position -> new position
    taken: set[int] = set()

    def pair(i: int, j: int) -> None:
        match[i] = j
        taken.add(j)

    by_number: dict[str, list[int]] = {}
    for j, side in enumerate(news):
        by_number.setdefault(side.clause.number, []).append(j)
    for i, side in enumerate(olds):
        same = next(
            (
                j
                for j in by_number.get(side.clause.number, [])
                if j not in taken and news[j].content == side.content
            ),
            None,
        )
        if same is not None:
            pair(i, same)

    # Text found unchanged under another number (only where it is unambiguous).
    left_old = [i for i in range(len(olds)) if i not in match]
    left_new = [j for j in range(len(news)) if j not in taken]
    old_by_content: dict[tuple[str, str], list[int]] = {}
    new_by_content: dict[tuple[str, str], list[int]] = {}
    for i in left_old:
        old_by_content.setdefault(olds[i].content, []).append(i)
    for j in left_new:
        new_by_content.setdefault(news[j].content, []).append(j)
    for content, found in old_by_content.items():
        there = new_by_content.get(content, [])
        if len(found) == 1 and len(there) == 1 and (content[1] or len(content[0]) > 12):
            pair(found[0], there[0])

    # The most similar remaining pairs, best first.
    left_old = [i for i in range(len(olds)) if i not in match]
    left_new = [j for j in range(len(news)) if j not in taken]
    scored = sorted(
        ((s, i, j) for i in left_old for j in left_new if (s := _score(olds[i], news[j])) >= MATCH),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for _, i, j in scored:
        if i not in match and j not in taken:
            pair(i, j)
    return _classify(old, new, match, olds, news)


def _classify(
    old: list[Clause], new: list[Clause], match: dict[int, int], olds: list[_Side], news: list[_Side]
) -> list[ClausePair]:
    in_order = _in_order(match)
    old_numbers = {c.number for c in old}
    new_number_of_old = {old[i].number: new[j].number for i, j in match.items()}
    kinds: dict[int, ChangeKind | None] = {}
    for i, j in match.items():
        o, n = old[i], new[j]
        if o.number == n.number and i in in_order:
            kinds[i] = None if olds[i].content == news[j].content else ChangeKind.CHANGED
            continue
        parent_now = new_number_of_old.get(o.parent) if o.parent in old_numbers else o.parent
        parent_moved = parent_now != n.parent
        kinds[i] = ChangeKind.RENUMBERED if i in in_order and not parent_moved else ChangeKind.MOVED
        log.debug("clause %s -> %s: %s", o.number, n.number, kinds[i])
    new_to_old = {j: i for i, j in match.items()}
    out: list[ClausePair] = []
    removed = [i for i in range(len(old)) if i not in match]
    cursor = 0
    for j, clause in enumerate(new):
        was = new_to_old.get(j)
        if was is not None:
            # Removed clauses that came before this one in the old edition go here, where they were.
            while cursor < len(removed) and removed[cursor] < was:
                out.append(ClausePair(old[removed[cursor]], None, ChangeKind.REMOVED))
                cursor += 1
            out.append(ClausePair(old[was], clause, kinds[was]))
        else:
            out.append(ClausePair(None, clause, ChangeKind.ADDED))
    out += [ClausePair(old[i], None, ChangeKind.REMOVED) for i in removed[cursor:]]
    return out


def _in_order(match: dict[int, int]) -> set[int]:
    """Old positions of the matched clauses that keep their relative order (a longest increasing run
    of new positions); the others were moved."""
    items = sorted(match.items())
    if not items:
        return set()
    tails: list[int] = []  # index into items of the smallest tail of each length
    back: list[int] = [-1] * len(items)
    values: list[int] = []
    for k, (_, j) in enumerate(items):
        pos = bisect_left(values, j)
        if pos == len(values):
            values.append(j)
            tails.append(k)
        else:
            values[pos] = j
            tails[pos] = k
        back[k] = tails[pos - 1] if pos else -1
    keep: set[int] = set()
    k = tails[-1]
    while k != -1:
        keep.add(items[k][0])
        k = back[k]
    return keep

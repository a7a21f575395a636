"""Text differences at two grains: which paragraphs of a passage changed, then which words in each.

Paragraphs are aligned in order (a paragraph never jumps over another), so that replaying the
alignment on one side rebuilds the other; that is what a tracked-changes file needs. Words are
tokens that keep every character (spaces and punctuation included), so the spans of a word diff
concatenate back to the exact old and new text.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")

SIMILAR = 0.5
"""Two paragraphs sharing at least this share of their words are one paragraph edited, not two."""
_DP_LIMIT = 4000
"""Largest block (old x new paragraphs) aligned by dynamic programming; larger ones pair by position."""

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def normalize(text: str) -> str:
    """Whitespace folded, so that re-flowed text is not a change."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def similarity(old: str, new: str) -> float:
    """Share of words in common (Dice coefficient of word sets), 0..1; cheap enough for every pair."""
    a, b = set(_WORD.findall(old.lower())), set(_WORD.findall(new.lower()))
    if not a and not b:
        return 1.0 if normalize(old) == normalize(new) else 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def token_opcodes(old: str, new: str) -> tuple[list[str], list[str], list[Opcode]]:
    """Tokens of both texts and the difflib opcodes between them."""
    a, b = tokens(old), tokens(new)
    return a, b, SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


class WordChange(BaseModel):
    """One run of words that differs: ``old`` replaced by ``new`` (either may be empty)."""

    old: str
    new: str


def word_changes(old: str, new: str) -> list[WordChange]:
    """The word runs that differ between two versions of a paragraph, in order."""
    a, b, ops = token_opcodes(old, new)
    out = [
        WordChange(old="".join(a[i1:i2]), new="".join(b[j1:j2]))
        for op, i1, i2, j1, j2 in ops
        if op != "equal"
    ]
    return [c for c in out if c.old.strip() or c.new.strip()]


def align_paragraphs(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) in reading order: both set when the paragraph is kept or edited,
    one None when it was added or removed. Order-preserving, so each side is rebuilt by its indexes."""
    keys_old, keys_new = [normalize(t) for t in old], [normalize(t) for t in new]
    matcher = SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    pairs: list[tuple[int | None, int | None]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            pairs += _pair_edited(keys_old, keys_new, range(i1, i2), range(j1, j2))
    return pairs


def _pair_edited(
    old: list[str], new: list[str], rows: range, cols: range
) -> list[tuple[int | None, int | None]]:
    """Within a block that differs, pair similar paragraphs in order (the best monotone matching)."""
    n, m = len(rows), len(cols)
    if n == 0 or m == 0 or n * m > _DP_LIMIT:
        paired = min(n, m) if n * m > _DP_LIMIT else 0
        pairs: list[tuple[int | None, int | None]] = [(rows[k], cols[k]) for k in range(paired)]
        pairs += [(i, None) for i in rows[paired:]]
        pairs += [(None, j) for j in cols[paired:]]
        return pairs
    score = [[similarity(old[i], new[j]) for j in cols] for i in rows]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = best[i + 1][j + 1] + score[i][j] if score[i][j] >= SIMILAR else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if score[i][j] >= SIMILAR and best[i][j] == best[i + 1][j + 1] + score[i][j]:
            out.append((rows[i], cols[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((rows[i], None))
            i += 1
        else:
            out.append((None, cols[j]))
            j += 1
    out += [(rows[k], None) for k in range(i, n)]
    out += [(None, cols[k]) for k in range(j, m)]
    return out

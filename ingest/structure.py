"""Turn a parser's blocks into the clause tree: numbered clauses, annexes, appendices, kept sections.

Front matter (cover pages, Foreword, table of contents, IPR notice, history) is dropped; text before
the first real clause is kept apart as the preamble, where titles and identifiers are found.
Odd numbering in published texts (two clauses 7, a skipped II.5) is kept as printed.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ingest.headings import KEPT_SECTIONS, clause_level, is_front_matter, parent_number
from ingest.models import Block, BlockKind, Clause

_BACK_COVER = re.compile(r"^SERIES OF ITU-[TR] RECOMMENDATIONS$", re.IGNORECASE)

_RULE_LINE = re.compile(r"^[_\-–—=*\s]+$")

WHOLE_TEXT = "Text"
"""The clause that holds a document with no clause structure of its own."""


class ClauseTree(BaseModel):
    """The clauses of one document in reading order, plus the preamble text before them."""

    clauses: list[Clause] = Field(default_factory=list)
    preamble: list[str] = Field(default_factory=list)

    def find(self, number: str) -> list[Clause]:
        """Clauses numbered ``number`` (case-insensitive; 'A' finds Annex A, 'I' Appendix I)."""
        wanted = number.strip().lower().removeprefix("clause ").removeprefix("§").strip()
        found = [c for c in self.clauses if c.number.lower() == wanted]
        if not found:
            found = [c for c in self.clauses if c.number.lower().split(" ")[-1] == wanted and " " in c.number]
        return found

    def subtree(self, clause: Clause) -> list[Clause]:
        """``clause`` and every clause nested under it, in order."""
        start = self.clauses.index(clause)
        out = [clause]
        for other in self.clauses[start + 1 :]:
            if other.level <= clause.level:
                break
            out.append(other)
        return out


_RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
"""Hebrew and Arabic letters (with their presentation forms)."""
_DOTTED_NUMBER = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})+)(?=\s)")


def numbered_right_to_left(blocks: list[Block]) -> bool:
    """Whether sub-clause numbers are stored least significant part first ("1.3" for clause 3.1, "1.2.3"
    for 3.2.1), as ITU's Arabic texts store them: headings are in a right-to-left script, and more
    sub-clause headings (two at least) end with the number of the clause above them than start with it
    (a left-to-right text that skips clause 2 has one "2.1" after "1")."""
    parent, backwards, forwards = None, 0, 0
    for block in blocks:
        parts = block.number.split(".") if block.kind is BlockKind.HEADING and block.number else []
        if not parts or not all(p.isdigit() for p in parts) or not _RIGHT_TO_LEFT.search(block.text):
            continue
        if len(parts) == 1:
            parent = parts[0]
        elif parent is not None and parts[0] != parts[-1]:
            backwards += parts[-1] == parent
            forwards += parts[0] == parent
    return backwards >= 2 and backwards > forwards


def _reversed_number(number: str) -> str:
    return ".".join(reversed(number.split(".")))


def _in_reading_order(block: Block) -> Block:
    """A block of a right-to-left numbered text with its clause number (or numbered paragraph's) the
    way the reader reads it and the other language versions print it."""
    if block.kind is BlockKind.HEADING and block.number and _DOTTED_NUMBER.match(block.number + " "):
        return block.model_copy(update={"number": _reversed_number(block.number)})
    match = _DOTTED_NUMBER.match(block.text)
    if block.kind is BlockKind.PARAGRAPH and match:
        return block.model_copy(update={"text": _reversed_number(match["num"]) + block.text[match.end() :]})
    return block


class ClauseTreeBuilder:
    """Builds a ClauseTree from blocks; one instance per document."""

    def build(self, blocks: list[Block]) -> ClauseTree:
        if numbered_right_to_left(blocks):
            blocks = [_in_reading_order(b) for b in blocks]
        tree = ClauseTree()
        appendices = {
            b.number.split(" ", 1)[1]
            for b in blocks
            if b.kind is BlockKind.HEADING and b.number and b.number.startswith("Appendix ")
        }
        current: Clause | None = None
        skipping = False
        for block in blocks:
            if block.kind is not BlockKind.HEADING and _BACK_COVER.match(
                block.text.strip().split("\n", 1)[0]
            ):
                skipping, current = True, None
                continue
            if block.kind is BlockKind.HEADING or self._is_kept_section_title(block):
                number = self._number_of(block)
                if number is None:
                    if is_front_matter(block.text):
                        skipping = True
                        current = None
                        continue
                    if current is not None and not skipping:
                        # An unnumbered sub-heading inside a clause: keep it as text.
                        current.paragraphs.append(block.text)
                        self._extend_pages(current, block.page)
                    continue
                skipping = False
                level = (block.level or 1) if number in KEPT_SECTIONS.values() else clause_level(number)
                current = Clause(
                    number=number,
                    heading=block.text.strip(),
                    level=level or 1,
                    page_start=block.page,
                    page_end=block.page,
                    ordinal=len(tree.clauses),
                )
                current.parent = parent_number(number, appendices or None)
                tree.clauses.append(current)
                continue
            text = block.text.strip()
            if not text or _RULE_LINE.match(text):
                continue
            if current is None or skipping:
                if not skipping:
                    tree.preamble.append(text)
                continue
            current.paragraphs.append(text)
            self._extend_pages(current, block.page)
        self._drop_repeated_sections(tree)
        if tree.preamble and not any(c.paragraphs for c in tree.clauses):
            # Corrigenda, errata and unstructured texts: the whole text is one clause, not nothing.
            pages = [b.page for b in blocks if b.page is not None]
            whole = Clause(
                number=WHOLE_TEXT,
                heading=WHOLE_TEXT,
                level=1,
                paragraphs=tree.preamble,
                page_start=min(pages, default=None),
                page_end=max(pages, default=None),
            )
            tree.clauses.insert(0, whole)
            for ordinal, clause in enumerate(tree.clauses):
                clause.ordinal = ordinal
            tree.preamble = []
        return tree

    @staticmethod
    def _is_kept_section_title(block: Block) -> bool:
        """'Summary', 'Keywords', 'Bibliography' typed as plain paragraphs are headings all the same."""
        return block.kind is BlockKind.PARAGRAPH and block.text.strip().rstrip(".:").lower() in KEPT_SECTIONS

    @staticmethod
    def _drop_repeated_sections(tree: ClauseTree) -> None:
        """Cover pages often repeat Summary and Keywords word for word after the contents: keep one."""
        seen: set[tuple[str, str]] = set()
        kept: list[Clause] = []
        for clause in tree.clauses:
            key = (clause.number, clause.text)
            if clause.number in KEPT_SECTIONS.values() and key in seen:
                continue
            seen.add(key)
            kept.append(clause)
        for ordinal, clause in enumerate(kept):
            clause.ordinal = ordinal
        tree.clauses = kept

    @staticmethod
    def _number_of(block: Block) -> str | None:
        if block.number:
            return block.number.strip().rstrip(".")
        key = block.text.strip().rstrip(".:").lower()
        return KEPT_SECTIONS.get(key)

    @staticmethod
    def _extend_pages(clause: Clause, page: int | None) -> None:
        if page is None:
            return
        if clause.page_start is None:
            clause.page_start = page
        clause.page_end = max(page, clause.page_end or page)

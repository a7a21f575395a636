"""Line-based text to blocks, shared by the plain-text, Markdown and legacy .doc parsers.

Plain text has no styles, so headings are recognised from the line itself (``match_heading``), with
extra care for what Word text dumps contain: numbered body paragraphs ("6.1<TAB>The data stream ...")
are clauses without a heading, numbered definitions ("3.2<TAB>signal CNG: The call tone ...") are
clauses headed by their term, table-of-contents lines and sentences are not headings, and front-matter
titles (FOREWORD, CONTENTS) become unnumbered headings so the tree builder can leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.headings import FRONT_MATTER, KEPT_SECTIONS, HeadingMatch, clause_level, match_heading
from ingest.models import Block, BlockKind

# A multi-level clause number typed before a tab (or 2+ spaces), as Word documents do.
_NUMBERED_PARA = re.compile(
    r"^(\d{1,2}(?:\.\d{1,3}){1,6}|[A-Z]\.\d{1,3}(?:\.\d{1,3}){0,5}|[IVX]{1,5}\.\d{1,3}(?:\.\d{1,3}){0,5})"
    r"\.?(?:\t|[ \u00a0]{2,})[ \t\u00a0]*(\S.*)$"
)
_TOC_TAIL = re.compile(r"(\t|\.{3,}|\s{2,})\s*\d{1,4}\s*$")
_DEFINITION = re.compile(r"^([^:.;]{1,80}?)\s*:\s+\S")
_BULLET = re.compile(r"^(?:[-*•–—]|\(?[a-z0-9]{1,3}\))\s+")
_SENTENCE_END = (".", ";", ",")
_DANGLING = {"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "by", "from", "that"}


def _sentence_like(title: str) -> bool:
    """A heading candidate whose title reads as body text rather than a heading."""
    words = title.split()
    if title.endswith(_SENTENCE_END) and len(words) >= 6:
        return True
    if len(words) >= 5 and words[-1] in _DANGLING:  # a sentence cut by a line break
        return True
    return title.endswith(":") and len(words) > 8


def classify_heading(line: str) -> HeadingMatch | None:
    """``match_heading`` made stricter for unstyled text: sentences and TOC lines are not headings."""
    text = line.strip()
    if not text or len(text) > 200:
        return None
    found = match_heading(text)
    if found is None:
        return None
    if found.number in KEPT_SECTIONS.values():
        return found
    if found.number.split(" ")[0] in ("Annex", "Appendix", "Attachment"):
        title = found.title
        if title and (title[0].islower() or _sentence_like(title) or _TOC_TAIL.search(title)):
            return None
        return found
    if _sentence_like(found.title):
        return None
    return found


def _annex_title(line: str) -> bool:
    """The line after a bare "Annex A" that is its title, not its "(This annex forms ...)" note."""
    return (
        len(line) <= 150
        and not line.startswith(("(", "|", "NOTE"))
        and not line.endswith((".", ";", ":"))
        and classify_heading(line) is None
    )


def is_front_matter_line(line: str) -> bool:
    """A line that is only a front-matter title (FOREWORD, CONTENTS, Table of Contents ...)."""
    text = line.strip().rstrip(".:").lower()
    return text in FRONT_MATTER


def numbered_paragraph(line: str) -> tuple[str, str, str] | None:
    """(number, heading, body) for "3.2<TAB>term: definition" or "6.1<TAB>Body sentence."; else None.

    The heading is the term of a numbered definition, empty for a numbered body paragraph.
    """
    text = line.strip().replace("\u00a0", " ") if "\t" not in line else line.strip()
    m = _NUMBERED_PARA.match(text)
    if m is None or _TOC_TAIL.search(text):
        return None
    number, body = m.group(1), m.group(2).strip()
    d = _DEFINITION.match(body)
    heading = ""
    if d and len(d.group(1).split()) <= 8 and not d.group(1)[:1].isdigit():
        heading = d.group(1).strip()
    return number, heading, body


def split_table_row(line: str) -> list[str]:
    """Cells of a pipe-separated row: "|a |b |" or "a | b" -> ["a", "b"]."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip() for cell in text.split("|")]


def table_block(rows: Iterable[list[str]]) -> Block | None:
    """One TABLE block, a row per line as "cell | cell"; None when every cell is empty."""
    lines = []
    for cells in rows:
        cleaned = [c for c in (" ".join(cell.split()) for cell in cells)]
        cleaned = ["" if c == "[pic]" else c for c in cleaned]
        if any(cleaned):
            while cleaned and not cleaned[-1]:
                cleaned.pop()
            lines.append(" | ".join(cleaned))
    if not lines:
        return None
    return Block(kind=BlockKind.TABLE, text="\n".join(lines))


def is_pipe_row(line: str) -> bool:
    text = line.strip()
    return len(text) >= 2 and text.startswith("|") and text.endswith("|")


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def text_to_blocks(text: str, *, one_line_paragraphs: bool = False, pipe_tables: bool = False) -> list[Block]:
    """Blocks from plain text.

    ``one_line_paragraphs``: every non-empty line is a paragraph (Word text dumps); otherwise lines are
    joined into paragraphs separated by blank lines. ``pipe_tables``: runs of "|a|b|" lines are tables.
    """
    blocks: list[Block] = []
    para: list[str] = []
    table: list[list[str]] = []
    untitled_annex: Block | None = None  # "Annex 1" alone on its line: its title is the next line

    def flush_para() -> None:
        if para:
            joined = _clean(" ".join(para))
            if joined:
                blocks.append(Block(kind=BlockKind.PARAGRAPH, text=joined))
            para.clear()

    def flush_table() -> None:
        if table:
            block = table_block(table)
            if block is not None:
                blocks.append(block)
            table.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"):
        line = raw.rstrip()
        if pipe_tables and is_pipe_row(line):
            flush_para()
            table.append(split_table_row(line))
            continue
        flush_table()
        stripped = line.strip()
        if not stripped or stripped == "[pic]":
            flush_para()
            continue
        if untitled_annex is not None:
            annex, untitled_annex = untitled_annex, None
            if not para and _annex_title(stripped) and blocks and blocks[-1] is annex:
                annex.text = _clean(stripped)
                continue
        if is_front_matter_line(stripped) and len(stripped) < 40:
            flush_para()
            blocks.append(Block(kind=BlockKind.HEADING, text=_clean(stripped)))
            continue
        heading = classify_heading(stripped)
        if heading is not None:
            flush_para()
            block = Block(
                kind=BlockKind.HEADING, text=_clean(heading.title), number=heading.number, level=heading.level
            )
            blocks.append(block)
            if not heading.title and heading.number.startswith(("Annex ", "Appendix ")):
                untitled_annex = block
            continue
        numbered = numbered_paragraph(stripped)
        if numbered is not None:
            flush_para()
            number, title, body = numbered
            blocks.append(
                Block(kind=BlockKind.HEADING, text=_clean(title), number=number, level=clause_level(number))
            )
            blocks.append(Block(kind=BlockKind.PARAGRAPH, text=_clean(body)))
            continue
        if one_line_paragraphs:
            para.append(stripped)
            flush_para()
            continue
        if para and _BULLET.match(stripped):
            flush_para()
        para.append(stripped)
    flush_para()
    flush_table()
    return blocks

"""Markdown: ATX/setext headings (clause number split off), paragraphs, lists, pipe tables, code."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.headings import KEPT_SECTIONS, clause_level, split_number
from ingest.models import Block, BlockKind, DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.text import decode_utf8, looks_like_text
from ingest.parsers.textblocks import split_table_row, table_block

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s{0,8}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1")
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.IGNORECASE)


def inline_text(text: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis and code marks go."""
    text = _LINK.sub(lambda m: m.group(1), text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.replace("\\", "").split())


def _looks_like_markdown(text: str) -> bool:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^ {0,3}#{1,6}[ \t]+\S", line):
            return True
        if _FENCE.match(line):
            return True
        if _TABLE_SEP.match(line) and "|" in line and i > 0 and "|" in lines[i - 1]:
            return True
    return False


class MarkdownParser:
    name = "markdown"

    def sniff(self, head: bytes) -> bool:
        if not looks_like_text(head):
            return False
        return _looks_like_markdown(head.decode("utf-8", errors="replace"))

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        text = decode_utf8(data)
        title, blocks = markdown_to_blocks(text)
        if not blocks:
            raise ParseError("Markdown file has no text")
        return ParsedDocument(meta=DocumentMeta(path=str(path), format=self.name, title=title), blocks=blocks)


def _heading(raw: str, depth: int) -> Block:
    text = inline_text(raw)
    number, title = split_number(text)
    if number is not None and number not in KEPT_SECTIONS.values():
        return Block(
            kind=BlockKind.HEADING, text=title, number=number, level=clause_level(number), style=f"h{depth}"
        )
    if number is not None:
        return Block(kind=BlockKind.HEADING, text=title, number=number, level=1, style=f"h{depth}")
    return Block(kind=BlockKind.HEADING, text=text, level=depth, style=f"h{depth}")


def markdown_to_blocks(text: str) -> tuple[str | None, list[Block]]:
    """(title, blocks): the title from YAML front matter or a leading unnumbered level-1 heading."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    title: str | None = None
    para: list[str] = []
    i = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        end = next((j for j in range(1, len(lines)) if lines[j].strip() in ("---", "...")), None)
        if end is not None:
            for meta_line in lines[1:end]:
                m = _FRONT_MATTER_TITLE.match(meta_line)
                if m:
                    title = m.group(1) or None
            i = end + 1

    def flush() -> None:
        if para:
            joined = inline_text(" ".join(para))
            if joined:
                blocks.append(Block(kind=BlockKind.PARAGRAPH, text=joined))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)[0] * 3
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            if any(b.strip() for b in body):
                blocks.append(Block(kind=BlockKind.PARAGRAPH, text="\n".join(body).strip("\n"), style="code"))
            i += 1
            continue
        atx = _ATX.match(line)
        if atx and stripped.startswith("#"):
            flush()
            blocks.append(_heading(atx.group(2), len(atx.group(1))))
            i += 1
            continue
        if (
            stripped
            and not para
            and i + 1 < len(lines)
            and _SETEXT.match(lines[i + 1])
            and not _LIST_ITEM.match(line)
            and "|" not in line
        ):
            blocks.append(_heading(stripped, 1 if lines[i + 1].strip()[0] == "=" else 2))
            i += 2
            continue
        if "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]) and "|" in lines[i + 1]:
            flush()
            rows = [split_table_row(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(split_table_row(lines[i]))
                i += 1
            block = table_block([[inline_text(c) for c in row] for row in rows])
            if block is not None:
                blocks.append(block)
            continue
        if not stripped:
            flush()
        elif item := _LIST_ITEM.match(line):
            flush()
            para.append(item.group(1))
        elif stripped.startswith(">"):
            para.append(stripped.lstrip("> "))
        else:
            para.append(stripped)
        i += 1
    flush()
    if title is None:
        first = next((b for b in blocks if b.kind is BlockKind.HEADING), None)
        if first is not None and first.number is None and first.style == "h1":
            title = first.text
    return title, blocks

"""The "changes marked" Word file: NEW with every difference from OLD as a tracked revision.

The paragraphs of both files are aligned in reading order (``align_paragraphs``); an edited paragraph
keeps NEW's runs and formatting with the words that differ marked, a paragraph only NEW has is a
tracked insertion, and one only OLD has is put back as a tracked deletion in OLD's style where NEW
has that style. Accepting every revision gives NEW, rejecting every revision gives OLD.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

from copilot.editions.textdiff import align_paragraphs
from copilot.redline import AUTHOR, RevisionWriter, body_paragraphs, visible_text
from ingest.models import BlockKind
from ingest.parsers import parse_file

log = logging.getLogger(__name__)


class RedlineError(ValueError):
    """The redline cannot be written from these files (NEW is not a Word file)."""


@dataclass
class RedlineCounts:
    edited: int = 0
    inserted: int = 0
    deleted: int = 0


@dataclass
class _OldParagraph:
    text: str
    style_name: str | None = None


def _old_paragraphs(path: Path) -> list[_OldParagraph]:
    """OLD's paragraphs: from Word itself when OLD is a .docx, else from the parser's blocks
    (a heading as "number<TAB>heading", as it is typed in Word)."""
    if path.suffix.lower() == ".docx":
        document = docx.Document(str(path))
        return [
            _OldParagraph(visible_text(p._p), p.style.name if p.style else None)
            for p in body_paragraphs(document)
        ]
    blocks = parse_file(path).blocks
    return [
        _OldParagraph(f"{b.number}\t{b.text}" if b.kind is BlockKind.HEADING and b.number else b.text)
        for b in blocks
    ]


def _style_id(document: DocxDocument, name: str | None) -> str | None:
    if not name:
        return None
    try:
        return str(document.styles[name].style_id)
    except KeyError:
        return None


def write_redline(
    old: Path, new: Path, dest: Path, author: str = AUTHOR, date: datetime | None = None
) -> RedlineCounts:
    """Write ``dest``: ``new`` (a .docx) with tracked changes against ``old`` (any readable format)."""
    if new.suffix.lower() != ".docx":
        raise RedlineError(f"{new}: the redline is written into NEW's own Word file, and this is not a .docx")
    document = docx.Document(str(new))
    writer = RevisionWriter(document, author=author, date=date)
    olds = _old_paragraphs(old)
    news = body_paragraphs(document)
    counts = RedlineCounts()
    pending: list[_OldParagraph] = []

    def put_back(anchor: Paragraph, before: bool) -> None:
        items = pending if before else list(reversed(pending))
        for item in items:
            writer.insert_paragraph(
                anchor, item.text, before=before, style=_style_id(document, item.style_name), deleted=True
            )
            counts.deleted += 1
        pending.clear()

    for i, j in align_paragraphs([o.text for o in olds], [visible_text(p._p) for p in news]):
        if j is None:
            if i is not None and olds[i].text.strip():
                pending.append(olds[i])
            continue
        paragraph = news[j]
        put_back(paragraph, before=True)
        if i is None:
            if visible_text(paragraph._p).strip():
                writer.mark_inserted(paragraph)
                counts.inserted += 1
        elif writer.show_old(paragraph, olds[i].text):
            counts.edited += 1
    if pending and news:
        put_back(news[-1], before=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    log.info("redline %s: %s", dest, counts)
    return counts

"""Format registry: the first parser whose ``sniff`` accepts the file's first bytes wins.

Adding a format is one new module here and one line in ``PARSERS``.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ingest.models import ParsedDocument
from ingest.parsers.asciidoc import AsciiDocParser
from ingest.parsers.base import Limits, ParseError, Parser
from ingest.parsers.docx import DocxParser
from ingest.parsers.html import HtmlParser
from ingest.parsers.legacy_doc import LegacyDocParser
from ingest.parsers.markdown import MarkdownParser
from ingest.parsers.mhtml import MimeHtmlParser
from ingest.parsers.pdf import PdfParser
from ingest.parsers.text import PlainTextParser
from ingest.parsers.wordml import WordXmlParser

SNIFF_BYTES = 8192
BINARY_SUFFIXES = {".pdf": "pdf", ".docx": "docx"}
"""Extensions that promise one binary format: content that reads as another is a broken file."""

PARSERS: tuple[Parser, ...] = (
    PdfParser(),
    DocxParser(),
    LegacyDocParser(),
    WordXmlParser(),
    MimeHtmlParser(),
    HtmlParser(),
    AsciiDocParser(),
    MarkdownParser(),
    PlainTextParser(),
)


def choose_parser(head: bytes) -> Parser:
    """The parser for content starting with ``head``; ParseError when no format matches."""
    for parser in PARSERS:
        if parser.sniff(head):
            return parser
    raise ParseError("unknown format: not PDF, Word, HTML, AsciiDoc, Markdown or UTF-8 text")


def parse_file(path: Path, limits: Limits | None = None) -> ParsedDocument:
    """Read and parse one file; every failure is a ParseError with a reason a user can act on."""
    limits = limits or Limits()
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            raise ParseError("not a regular file (a FIFO, device or socket)")
        size = status.st_size
        if size == 0:
            raise ParseError("empty file (0 bytes)")
        if size > limits.max_file_bytes:
            raise ParseError(f"file too large ({size} bytes > limit {limits.max_file_bytes})")
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
        if len(data) > limits.max_file_bytes:
            raise ParseError(f"file too large (grew past the limit of {limits.max_file_bytes} bytes)")
    except PermissionError as exc:
        raise ParseError(f"cannot read file: permission denied ({exc.strerror})") from exc
    except IsADirectoryError as exc:
        raise ParseError("is a directory, not a file") from exc
    except FileNotFoundError as exc:
        raise ParseError("no such file") from exc
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from exc
    promised = BINARY_SUFFIXES.get(path.suffix.lower())
    try:
        parser = choose_parser(data[:SNIFF_BYTES])
    except ParseError as exc:
        if not promised:
            raise
        raise ParseError(
            f"unknown format: named {path.suffix} but the content is not {promised.upper()} nor any format "
            "read here (a damaged or truncated file?)"
        ) from exc
    if promised and parser.name != promised:
        raise ParseError(
            f"named {path.suffix} but the content is not {promised.upper()} (it reads as {parser.name})"
        )
    parsed = parser.parse(path, data, limits)
    parsed.meta.format = parser.name
    return parsed


__all__ = ["PARSERS", "Limits", "ParseError", "Parser", "choose_parser", "parse_file"]

"""Plain UTF-8 text: headings recognised per line, paragraphs split on blank lines."""

from __future__ import annotations

from pathlib import Path

from ingest.models import DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.textblocks import text_to_blocks

UTF8_BOM = b"\xef\xbb\xbf"
_ALLOWED_CONTROLS = frozenset(b"\t\n\r\f\x1b")


def looks_like_text(head: bytes) -> bool:
    """No NUL byte and almost no control characters: text in some 8-bit or UTF-8 encoding."""
    if not head or b"\x00" in head:
        return False
    controls = sum(1 for b in head if (b < 0x20 and b not in _ALLOWED_CONTROLS) or b == 0x7F)
    return controls <= len(head) // 100


def decode_utf8(data: bytes) -> str:
    """The text of UTF-8 ``data`` (BOM allowed); ParseError naming the first invalid byte otherwise."""
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(data) - len(body))
        raise ParseError(
            f"not UTF-8 text: invalid byte 0x{data[offset]:02x} at offset {offset}; convert the file to UTF-8"
        ) from exc


class PlainTextParser:
    name = "text"

    def sniff(self, head: bytes) -> bool:
        return looks_like_text(head)

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        text = decode_utf8(data)
        blocks = text_to_blocks(text)
        if not blocks:
            raise ParseError("text file has no text (only whitespace)")
        return ParsedDocument(meta=DocumentMeta(path=str(path), format=self.name), blocks=blocks)

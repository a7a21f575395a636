"""MIME-HTML (Word's single-file web page, .mht/.doc): the text/html part, read as HTML."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path

from ingest.models import ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.html import decode_html, html_document

_MIME_VERSION = re.compile(rb"^mime-version:", re.IGNORECASE | re.MULTILINE)
_MULTIPART = re.compile(rb"multipart/related", re.IGNORECASE)


class MimeHtmlParser:
    name = "mhtml"

    def sniff(self, head: bytes) -> bool:
        start = head.lstrip()[:4096]
        return bool(_MIME_VERSION.search(start) and _MULTIPART.search(start))

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        message = email.message_from_bytes(data)
        part = _html_part(message)
        if part is None:
            raise ParseError("MIME-HTML file without a text/html part")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            raise ParseError("MIME-HTML file with an empty text/html part")
        if len(payload) > limits.max_unzipped_bytes:
            raise ParseError(f"MIME-HTML part too large ({len(payload)} bytes)")
        return html_document(path, decode_html(payload, part.get_content_charset()), self.name)


def _html_part(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part
    return None

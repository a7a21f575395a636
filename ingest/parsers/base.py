"""The parser seam: one class per format, chosen by sniffing the content, never by extension."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ingest.models import ParsedDocument


class ParseError(Exception):
    """A file that cannot be parsed; the message says why in words a user can act on."""


@dataclass(frozen=True)
class Limits:
    """Resource limits a parser must respect (zip bombs, huge files)."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_unzipped_bytes: int = 500 * 1024 * 1024


class Parser(Protocol):
    """A format parser. ``sniff`` looks at the first bytes; ``parse`` reads the whole file."""

    name: str

    def sniff(self, head: bytes) -> bool: ...

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument: ...

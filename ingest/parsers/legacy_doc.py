"""Legacy binary Word (.doc): OLE2 compound files, and Word for Windows 2.0 files.

Text comes from an external converter: antiword (tables printed with "|" separators, one paragraph per
line), else catdoc, else LibreOffice (converted to .docx and read by the docx parser). Files named .doc
that are MIME-HTML or Word 2003 XML are left to their own parsers: only the binary signatures are
claimed here. Password-protected files (an OLE "EncryptedPackage" stream, or the Word encryption flag)
are refused with a clear reason before any converter runs.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from ingest.models import DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.textblocks import text_to_blocks

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
# Word for Windows 2.0 (not an OLE file): wIdent 0xA5DB, nFib 44/45.
WORD2_MAGICS = (bytes.fromhex("dba52c00"), bytes.fromhex("dba52d00"))
TOOL_TIMEOUT_S = 120
SOFFICE_TIMEOUT_S = 240
MISSING_TOOLS = "legacy .doc needs antiword, catdoc or LibreOffice: apt-get install antiword"

_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_WORD_IDENT = 0xA5EC
_F_ENCRYPTED = 0x0100
_F_OBFUSCATED = 0x8000


class _OleError(Exception):
    pass


def ole_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """Names of the entries of an OLE2 compound file -> (start sector, size). Raises _OleError."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise _OleError("not an OLE2 file")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if not 7 <= sector_shift <= 16:
        raise _OleError("bad sector size")
    ssize = 1 << sector_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
    max_sectors = len(data) // ssize + 1

    def sector(index: int) -> bytes:
        start = (index + 1) * ssize
        if start >= len(data):
            raise _OleError("sector out of range")
        return data[start : start + ssize]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END_OF_CHAIN]
    next_difat = first_difat
    for _ in range(min(n_difat, max_sectors)):
        if next_difat >= _END_OF_CHAIN:
            break
        difat = struct.unpack(f"<{ssize // 4}I", sector(next_difat))
        fat_sectors.extend(s for s in difat[:-1] if s < _END_OF_CHAIN)
        next_difat = difat[-1]
    fat: list[int] = []
    for s in fat_sectors[: max(n_fat, 1)]:
        fat.extend(struct.unpack(f"<{ssize // 4}I", sector(s)))

    entries: list[tuple[str, int, int, int, int, int]] = []  # name, left, right, child, start, size
    current, seen = first_dir, 0
    while current < _END_OF_CHAIN and seen <= max_sectors:
        block = sector(current)
        for offset in range(0, ssize - 127, 128):
            entry = block[offset : offset + 128]
            name_len = struct.unpack_from("<H", entry, 0x40)[0]
            name = entry[: max(name_len - 2, 0)].decode("utf-16-le", errors="replace") if entry[0x42] else ""
            left, right, child = struct.unpack_from("<III", entry, 0x44)
            start, size = struct.unpack_from("<II", entry, 0x74)
            entries.append((name, left, right, child, start, size))
        seen += 1
        current = fat[current] if current < len(fat) else _END_OF_CHAIN
    if not entries or not entries[0][0]:
        raise _OleError("empty directory")
    # Top-level streams only: the siblings tree under the root entry's child (embedded objects excluded).
    names: dict[str, tuple[int, int]] = {}
    stack, visited = [entries[0][3]], set()
    while stack:
        index = stack.pop()
        if index >= len(entries) or index in visited:
            continue
        visited.add(index)
        name, left, right, _child, start, size = entries[index]
        if name:
            names[name] = (start, size)
        stack.extend((left, right))
    return names


def _word_flags_encrypted(fib: bytes) -> bool:
    if len(fib) < 12:
        return False
    flags = struct.unpack_from("<H", fib, 0x0A)[0]
    return bool(flags & (_F_ENCRYPTED | _F_OBFUSCATED))


def check_word_file(data: bytes) -> None:
    """Refuse password-protected and non-Word OLE files with a reason; silent for a readable Word file."""
    if data[:4] in WORD2_MAGICS:
        if _word_flags_encrypted(data[:32]):
            raise ParseError("password-protected document (Word encryption flag set)")
        return
    try:
        streams = ole_streams(data)
    except (_OleError, struct.error, IndexError):
        return  # let the converter judge a damaged container
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise ParseError("password-protected document (encrypted Office package)")
    word = streams.get("WordDocument")
    if word is None:
        raise ParseError(
            "OLE compound file without a WordDocument stream: not a Word document (Excel, PowerPoint?)"
        )
    start, size = word
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    if size >= 4096:  # in regular sectors; the FIB opens the stream's first sector
        fib = data[(start + 1) * sector_size : (start + 1) * sector_size + 32]
        if (
            len(fib) >= 12
            and struct.unpack_from("<H", fib, 0)[0] == _WORD_IDENT
            and _word_flags_encrypted(fib)
        ):
            raise ParseError("password-protected document (Word encryption flag set)")


def _summary(stderr: bytes) -> str:
    text = " ".join(stderr.decode("utf-8", errors="replace").split())
    return text[:200] or "no message"


def _run(cmd: list[str], timeout: int) -> tuple[int, bytes, bytes]:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return -1, b"", f"timed out after {timeout} s".encode()
    except OSError as exc:
        return -1, b"", str(exc).encode()
    return proc.returncode, proc.stdout, proc.stderr


class LegacyDocParser:
    name = "doc"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(OLE_MAGIC) or head[:4] in WORD2_MAGICS

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        check_word_file(data)
        antiword, catdoc = shutil.which("antiword"), shutil.which("catdoc")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not (antiword or catdoc or soffice):
            raise ParseError(MISSING_TOOLS)
        failures: list[str] = []
        with tempfile.TemporaryDirectory(prefix="rapporteur-doc-") as tmp:
            source = Path(tmp) / "input.doc"
            source.write_bytes(data)
            if antiword:
                rc, out, err = _run([antiword, "-w", "0", "-m", "UTF-8.txt", str(source)], TOOL_TIMEOUT_S)
                if b"File is encrypted" in err or b"File is encrypted" in out:
                    raise ParseError("password-protected document")
                if rc == 0 and out.strip():
                    text = out.decode("utf-8", errors="replace")
                    return self._document(path, text, pipe_tables=True)
                failures.append(f"antiword: {_summary(err)}")
            if catdoc:
                rc, out, err = _run([catdoc, "-w", "-d", "utf-8", str(source)], TOOL_TIMEOUT_S)
                if rc == 0 and out.strip():
                    text = out.decode("utf-8", errors="replace")
                    return self._document(path, text, pipe_tables=False)
                failures.append(f"catdoc: {_summary(err)}")
            if soffice:
                parsed = self._via_libreoffice(soffice, path, source, Path(tmp), limits, failures)
                if parsed is not None:
                    return parsed
        raise ParseError("cannot read legacy .doc: " + "; ".join(failures))

    def _document(self, path: Path, text: str, *, pipe_tables: bool) -> ParsedDocument:
        blocks = text_to_blocks(text, one_line_paragraphs=True, pipe_tables=pipe_tables)
        if not blocks:
            raise ParseError("legacy .doc has no text")
        return ParsedDocument(meta=DocumentMeta(path=str(path), format=self.name), blocks=blocks)

    def _via_libreoffice(
        self, soffice: str, path: Path, source: Path, tmp: Path, limits: Limits, failures: list[str]
    ) -> ParsedDocument | None:
        outdir = tmp / "out"
        profile = (tmp / "profile").as_uri()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(outdir),
            str(source),
        ]
        rc, _out, err = _run(cmd, SOFFICE_TIMEOUT_S)
        converted = outdir / "input.docx"
        if rc != 0 or not converted.is_file():
            failures.append(f"LibreOffice: {_summary(err)}")
            return None
        from ingest.parsers.docx import DocxParser  # the docx parser reads the converted file

        parsed = DocxParser().parse(path, converted.read_bytes(), limits)
        parsed.meta.path = str(path)
        return parsed

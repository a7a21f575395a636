"""Uploads from the browser: only known kinds and sizes are accepted, and only sanitised names are written.

A browser controls an upload's name, so the name is rebuilt from a small safe alphabet before it is
used for anything on disk; ITU file names (``T-REC-Y.1543-201806-I!!MSW-E.docx``) pass unchanged,
because the library reads a Recommendation's identity from them.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Collection
from pathlib import Path, PurePosixPath, PureWindowsPath

from ingest.store import file_hash

DRAFT_SUFFIXES = (".docx", ".pdf", ".md", ".txt")
"""What the checker reads as a draft."""

LIBRARY_SUFFIXES = (
    ".pdf", ".docx", ".doc", ".xml", ".htm", ".html", ".mht", ".mhtml", ".adoc", ".asciidoc", ".md",
    ".markdown", ".txt",
)  # fmt: skip
"""What the library ingests (the parser still decides by content)."""

MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._!()+,=@-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{i}" for port in ("COM", "LPT") for i in range(1, 10))}


class UploadError(ValueError):
    """An upload that is refused; the message names the file and the reason."""


def safe_name(name: str) -> str:
    """``name`` reduced to a plain file name that is safe on any file system.

    The last path component only (either separator), accents folded to ASCII, every run of other
    characters one ``_``, no leading dots (no hidden files, no ``..``), no Windows device names, at most
    :data:`MAX_NAME_CHARS` characters with the extension kept; never empty.
    """
    base = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", folded))
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, suffix = cleaned, ""
    stem = stem.strip("._-") or "upload"
    suffix = f".{suffix}" if suffix else ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem[: MAX_NAME_CHARS - len(suffix)] + suffix


def check_upload(path: Path, suffixes: Collection[str], max_bytes: int) -> str:
    """The safe name for an uploaded file, after checking its kind and size; UploadError otherwise."""
    name = safe_name(path.name)
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        raise UploadError(f"{name}: files of type {suffix or '(none)'} are not accepted here (use {allowed})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UploadError(f"{name}: the upload cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise UploadError(f"{name}: the file is empty")
    if size > max_bytes:
        raise UploadError(f"{name}: {size:,} bytes is over the upload limit of {max_bytes:,} bytes")
    return name


def stage(path: Path, dest_dir: Path, suffixes: Collection[str], max_bytes: int) -> Path:
    """Copy an accepted upload into ``dest_dir`` under its sanitised name (replacing an older copy)."""
    name = check_upload(path, suffixes, max_bytes)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / name
    shutil.copyfile(path, dest)
    return dest


def keep(path: Path, uploads: Path, suffixes: Collection[str], max_bytes: int) -> Path:
    """Copy an accepted upload for the library into a folder named by its content, so two different
    files with one name stay two documents (neither replaces the other) and the same file uploaded
    twice stays one."""
    check_upload(path, suffixes, max_bytes)  # refused before it is read whole
    return stage(path, uploads / file_hash(path)[:16], suffixes, max_bytes)

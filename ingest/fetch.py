"""Download published Recommendations from ITU by identifier, from ITU's own download URLs.

ITU-T: the catalog's URL names the document (``https://www.itu.int/rec/T-REC-Y.3507-201812-I``); the
file comes from ``{base}/rec/dologin_pub.asp?lang=e&id=T-REC-Y.3507-201812-I!!MSW-E&type=items``
(Word), else the same with ``!!PDF-E`` (PDF). ITU-R: the catalog's PDF URL
(``/dms_pubrec/itu-r/rec/p/R-REC-P.452-18-202310-I!!PDF-E.pdf``), rebased on the configured base URL.
Files are saved under ITU's own names (``T-REC-Y.3507-201812-I!!MSW-E.docx``) so the metadata parser
recognises them; the content is sniffed (an HTML error page served with 200 is never saved as a
document) and written atomically (a hidden temporary file, then a rename).

Only the standard library does HTTP here (``urllib``): no direct HTTP dependency.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import re
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import BaseModel, Field
from tqdm import tqdm

from ingest.catalog import CatalogEntry, ReferenceCatalog
from rapporteur.settings import Settings

USER_AGENT = "rapporteur/0.1 (+ITU Recommendation fetcher)"
CHUNK = 1 << 16


class FetchedFile(BaseModel):
    id: str
    """The identifier as asked for."""
    path: str
    url: str
    bytes: int
    rec_id: str | None = None
    edition: str | None = None


class FetchFailure(BaseModel):
    id: str
    error: str


class FetchReport(BaseModel):
    """The stable JSON contract of ``rapporteur fetch --json``."""

    fetched: list[FetchedFile] = Field(default_factory=list)
    failed: list[FetchFailure] = Field(default_factory=list)


class FetchError(Exception):
    """One download that failed; the message says why in words a user can act on."""


class Unreachable(FetchError):
    """The server cannot be reached at all: no point trying the document's other URLs on it."""


class SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the configured origin (scheme, host and port): a download is
    never sent to, nor blamed on, a host the operator did not configure."""

    def __init__(self, origin: tuple[str, str]) -> None:
        self.origin = origin

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (target.scheme, target.netloc) != self.origin:
            raise FetchError(f"{req.full_url} redirects off {self.origin[1]} to {newurl}; not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _usual_mode() -> int:
    """The mode a new file gets from this process's umask (``mkstemp`` makes them owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@dataclass(frozen=True)
class Candidate:
    """One URL to try, what it should hold, and the file name to save it under (without extension)."""

    url: str
    kind: str  # "word" or "pdf"
    stem: str


_ITU_T_CODE = re.compile(r"/rec/(?P<code>T-REC-[^/?#\s]+)$")
_ITU_R_FILE = re.compile(r"/(?P<name>R-REC-[^/?#\s]+?)(?:\.pdf)?$", re.I)
_RAW_CODE = re.compile(r"^(?P<code>[TR]-REC-[A-Za-z0-9.]+(?:-\d+)?-\d{6}-[A-Z](?:![A-Za-z0-9]+)?)$")
_PART_CODE = re.compile(r"\b(Amd|Cor|Err|Add)\.\s?(\d+)$")


_MAGIC = {b"%PDF-": ".pdf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": ".doc", b"PK\x03\x04": ".docx"}


def _sniff(head: bytes, kind: str, url: str) -> str:
    """The file extension the content deserves, or a FetchError saying what came instead."""
    extension = next((ext for magic, ext in _MAGIC.items() if head.startswith(magic)), None)
    if extension == ".pdf" or (extension is not None and kind == "word"):
        return extension
    start = head.lstrip()[:1024].lower()
    if start.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")) or b"<html" in start:
        raise FetchError(f"got an HTML page instead of a document at {url}")
    wanted = "a PDF" if kind == "pdf" else "a Word document"
    raise FetchError(f"the content at {url} is not {wanted}")


def _is_word_package(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


class RecommendationFetcher:
    """Downloads Recommendations by identifier into a folder; see :meth:`fetch`."""

    def __init__(self, settings: Settings, catalog: ReferenceCatalog | None) -> None:
        self.settings = settings
        self.catalog = catalog
        self.base_url = settings.fetch.base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"itu_base_url must be an http(s) URL, not {settings.fetch.base_url!r}")
        self.timeout = settings.fetch.timeout
        self.deadline = settings.fetch.deadline
        self.max_bytes = settings.ingest.max_file_bytes
        self._opener = urllib.request.build_opener(SameHostRedirects((parts.scheme, parts.netloc)))
        self._opener.addheaders = [("User-Agent", USER_AGENT), ("Accept", "*/*")]

    # ----------------------------------------------------------------- public

    def fetch(self, ids: list[str], dest: Path, progress: bool = False) -> FetchReport:
        """Download each Recommendation into ``dest``; one failure never stops the others (an
        unreachable server is tried again for each, since it may come back within the batch).

        An id may name an edition ("Y.3507 (12/2018)", "P.452-18") or not ("Y.3507": the edition in
        force), or be an ITU document code ("T-REC-Y.3507-201812-I"). Progress bars are shown only when
        ``progress`` is true and stderr is a terminal.
        """
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        report = FetchReport()
        show = progress and sys.stderr.isatty()
        bar = tqdm(ids, desc="fetch", unit="doc", disable=not show)
        for raw_id in bar:
            bar.set_postfix_str(raw_id)
            try:
                report.fetched.append(self._fetch_one(raw_id, dest, show))
            except FetchError as exc:
                report.failed.append(FetchFailure(id=raw_id, error=str(exc)))
        bar.close()
        return report

    def candidates(self, raw_id: str) -> tuple[CatalogEntry | None, list[Candidate]]:
        """The catalog edition an id means, and the URLs to try for it, best first."""
        text = " ".join(raw_id.split())
        code_match = _RAW_CODE.match(text)
        if code_match:
            return None, self._code_candidates(code_match["code"])
        if self.catalog is None:
            raise FetchError(f"no Recommendation catalog to resolve {raw_id!r} (set RAPPORTEUR_CATALOG)")
        entry = self.catalog.entry(text)
        if entry is None:
            known = self.catalog.editions(text)
            if known:
                listed = ", ".join(e.label for e in known[:6])
                raise FetchError(f"no such edition of {known[0].base_id} in the catalog (it has {listed})")
            raise FetchError(f"unknown Recommendation {raw_id!r}: not in the catalog")
        return entry, self._entry_candidates(entry)

    # ----------------------------------------------------------------- URLs

    def _rebase(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")

    def _t_item(self, code: str, fmt: str) -> tuple[str, str]:
        item = f"{code}!{fmt}" if "!" in code else f"{code}!!{fmt}"
        return f"{self.base_url}/rec/dologin_pub.asp?lang=e&id={item}&type=items", item

    def _code_candidates(self, code: str) -> list[Candidate]:
        if code.startswith("T-REC-"):
            word_url, word_stem = self._t_item(code, "MSW-E")
            pdf_url, pdf_stem = self._t_item(code, "PDF-E")
            return [Candidate(word_url, "word", word_stem), Candidate(pdf_url, "pdf", pdf_stem)]
        series = code[len("R-REC-") :].split(".", 1)[0].lower()
        name = f"{code}!!PDF-E"
        return [Candidate(f"{self.base_url}/dms_pubrec/itu-r/rec/{series}/{name}.pdf", "pdf", name)]

    def _entry_candidates(self, entry: CatalogEntry) -> list[Candidate]:
        url = entry.url or ""
        if entry.sector == "ITU-T":
            match = _ITU_T_CODE.search(urllib.parse.urlsplit(url).path) if url else None
            code = match["code"] if match else self._guess_t_code(entry)
            if code is None:
                raise FetchError(f"no download address known for {entry.catalog_id}")
            return self._code_candidates(code)
        if url:
            path = urllib.parse.urlsplit(url).path
            file_match = _ITU_R_FILE.search(path)
            if file_match and "/dms_pubrec/" in path:
                name = file_match["name"]
                return [Candidate(self._rebase(url), "pdf", name)]
        code = self._guess_r_code(entry)
        if code is None:
            raise FetchError(f"no download address known for {entry.catalog_id}")
        return self._code_candidates(code)

    @staticmethod
    def _guess_t_code(entry: CatalogEntry) -> str | None:
        """T-REC-<number>-<yyyymm>-<I|S>[!Amd1] for catalog records without a URL."""
        if not entry.edition:
            return None
        core = entry.rec_id.removeprefix("ITU-T ").strip()
        part = ""
        if match := _PART_CODE.search(core):
            part = f"!{match.group(1)}{match.group(2)}"
            core = core[: match.start()].strip()
        if sup := re.fullmatch(r"([A-Z]) Suppl\. (\d+)", core):
            core = f"{sup.group(1)}.Sup{sup.group(2)}"
        if not re.fullmatch(r"[A-Z]{1,3}\.[A-Za-z0-9.]+", core):
            return None
        letter = "I" if entry.status == "in force" else "S"
        return f"T-REC-{core}-{entry.edition.replace('-', '')}-{letter}{part}"

    @staticmethod
    def _guess_r_code(entry: CatalogEntry) -> str | None:
        if entry.revision is None or not entry.edition:
            return None
        base = entry.base_id.removeprefix("ITU-R ").strip()
        letter = "I" if entry.status == "in force" else "S"
        return f"R-REC-{base}-{entry.revision}-{entry.edition.replace('-', '')}-{letter}"

    # ----------------------------------------------------------------- download

    def _fetch_one(self, raw_id: str, dest: Path, show: bool) -> FetchedFile:
        entry, candidates = self.candidates(raw_id)
        errors: list[str] = []
        deadline = time.monotonic() + self.deadline
        for candidate in candidates:
            try:
                path, size = self._download(candidate, dest, show, deadline)
            except Unreachable:
                raise
            except FetchError as exc:
                errors.append(f"{candidate.kind}: {exc}" if len(candidates) > 1 else str(exc))
                continue
            return FetchedFile(
                id=raw_id,
                path=str(path),
                url=candidate.url,
                bytes=size,
                rec_id=entry.rec_id if entry else None,
                edition=entry.edition if entry else None,
            )
        raise FetchError("; ".join(errors))

    def _download(self, candidate: Candidate, dest: Path, show: bool, deadline: float) -> tuple[Path, int]:
        url = candidate.url
        request = urllib.request.Request(url)
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 410):
                raise FetchError(f"not found at {url}") from None
            raise FetchError(f"HTTP {exc.code} {exc.reason} from {url}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise FetchError(f"timed out after {self.timeout:g} s waiting for {url}") from None
            raise Unreachable(f"cannot reach {self.base_url} ({reason})") from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s waiting for {url}") from None
        except (ConnectionError, OSError) as exc:
            raise Unreachable(f"cannot reach {self.base_url} ({exc})") from None
        with contextlib.closing(response):
            return self._save(response, candidate, dest, show, deadline)

    def _save(
        self,
        response: http.client.HTTPResponse,
        candidate: Candidate,
        dest: Path,
        show: bool,
        deadline: float,
    ) -> tuple[Path, int]:
        url = candidate.url
        length_header = response.headers.get("Content-Length")
        total = int(length_header) if length_header and length_header.isdigit() else None
        if total is not None and total > self.max_bytes:
            raise FetchError(f"{url} is {total} bytes, over the {self.max_bytes}-byte limit")
        handle, temp_name = tempfile.mkstemp(prefix=".fetch-", suffix=".part", dir=dest)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                extension, size = self._copy(response, out, candidate, total, show, deadline)
                out.flush()
                os.fchmod(out.fileno(), _usual_mode())
                os.fsync(out.fileno())
            if total is not None and size != total:
                raise FetchError(f"download of {url} ended after {size} of {total} bytes")
            if extension == ".docx" and not _is_word_package(temp):
                raise FetchError(f"the content at {url} is a zip archive, not a Word document")
            stem = candidate.stem
            if extension == ".pdf":
                stem = stem.replace("!MSW-E", "!PDF-E")
            target = dest / f"{stem}{extension}"
            os.replace(temp, target)
            return target, size
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def _copy(
        self,
        response: http.client.HTTPResponse,
        out: io.BufferedWriter,
        candidate: Candidate,
        total: int | None,
        show: bool,
        deadline: float,
    ) -> tuple[str, int]:
        """Stream the body into ``out``, sniffing its first bytes before writing any; (extension, size).
        Reads take what has arrived (``read1``), so a server dripping bytes meets ``deadline`` (the
        document's total time, RAPPORTEUR_FETCH_DEADLINE) within one read timeout."""
        url = candidate.url
        head = b""
        extension: str | None = None
        size = 0
        bar = tqdm(
            total=total, unit="B", unit_scale=True, leave=False, desc=candidate.stem[:40], disable=not show
        )
        with bar:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"gave up on {url} after {self.deadline:g} s (RAPPORTEUR_FETCH_DEADLINE)"
                    )
                try:
                    block = response.read1(CHUNK)
                except TimeoutError:
                    raise FetchError(f"timed out after {self.timeout:g} s reading {url}") from None
                except OSError as exc:
                    raise FetchError(f"download of {url} broke off: {exc}") from None
                if not block:
                    break
                if extension is None:
                    head += block
                    if len(head) < 1024 and not any(head.startswith(m) for m in _MAGIC):
                        continue
                    extension = _sniff(head, candidate.kind, url)
                    block, head = head, b""
                size += len(block)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is over the {self.max_bytes}-byte limit")
                out.write(block)
                bar.update(len(block))
        if extension is None:
            if not head:
                raise FetchError(f"empty response from {url}")
            extension = _sniff(head, candidate.kind, url)
            out.write(head)
            size += len(head)
        return extension, size

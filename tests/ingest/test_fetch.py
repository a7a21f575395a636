"""Fetching Recommendations over real HTTP from a loopback mirror of ITU's download URLs."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ingest.catalog import ReferenceCatalog
from ingest.fetch import RecommendationFetcher
from rapporteur.settings import Settings

if TYPE_CHECKING:
    from tests.conftest import ItuMirror


def _fetcher(base_url: str, catalog: ReferenceCatalog | None, timeout: float = 10.0) -> RecommendationFetcher:
    return RecommendationFetcher(Settings(fetch={"base_url": base_url, "timeout": timeout}), catalog)


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.name.startswith("."))


def test_fetch_itu_t_word_and_itu_r_pdf(
    itu_mirror: ItuMirror, reference_catalog: ReferenceCatalog, corpus_dir: Path, tmp_path: Path
) -> None:
    report = _fetcher(itu_mirror.base_url, reference_catalog).fetch(["Y.1543", "P.452-18"], tmp_path)
    assert report.failed == []
    by_id = {f.id: f for f in report.fetched}
    y1543, p452 = by_id["Y.1543"], by_id["P.452-18"]
    # The edition in force, saved under ITU's own file name, byte for byte.
    assert Path(y1543.path).name == "T-REC-Y.1543-201806-I!!MSW-E.docx"
    original = (corpus_dir / "itu-t" / "T-REC-Y.1543-201806-I!!MSW-E.docx").read_bytes()
    assert Path(y1543.path).read_bytes() == original and y1543.bytes == len(original)
    assert (y1543.rec_id, y1543.edition) == ("ITU-T Y.1543", "2018-06")
    assert (
        y1543.url
        == f"{itu_mirror.base_url}/rec/dologin_pub.asp?lang=e&id=T-REC-Y.1543-201806-I!!MSW-E&type=items"
    )
    assert Path(p452.path).name == "R-REC-P.452-18-202310-I!!PDF-E.pdf"
    original_pdf = (corpus_dir / "itu-r" / "R-REC-P.452-18-202310-I!!PDF-E.pdf").read_bytes()
    assert Path(p452.path).read_bytes() == original_pdf and p452.bytes == len(original_pdf)
    assert p452.url == f"{itu_mirror.base_url}/dms_pubrec/itu-r/rec/p/R-REC-P.452-18-202310-I!!PDF-E.pdf"
    # Word is asked for first; found, so PDF is never asked for.
    assert [r for r in itu_mirror.requests if "Y.1543" in r] == [y1543.url.removeprefix(itu_mirror.base_url)]
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(y1543.path).name, Path(p452.path).name])


def test_word_missing_falls_back_to_pdf_and_doc_keeps_its_extension(
    itu_mirror: ItuMirror, reference_catalog: ReferenceCatalog, corpus_dir: Path, tmp_path: Path
) -> None:
    fetcher = _fetcher(itu_mirror.base_url, reference_catalog)
    itu_mirror.overrides["T-REC-U.1-199303-I!!MSW-E"] = (404, "text/html", b"<html>gone</html>")
    report = fetcher.fetch(["ITU-T U.1 (03/1993)", "T-REC-A.8-200810-I", "O.174 (2009) Cor. 2"], tmp_path)
    assert report.failed == []
    names = [Path(f.path).name for f in report.fetched]
    assert names == [
        "T-REC-U.1-199303-I!!PDF-E.pdf",
        "T-REC-A.8-200810-I!!MSW-E.doc",
        "T-REC-O.174-201202-I!Cor2!MSW-E.docx",
    ]
    for fetched in report.fetched:
        sub = "itu-t"
        assert Path(fetched.path).read_bytes() == (corpus_dir / sub / Path(fetched.path).name).read_bytes()
    # Word was asked for first, then PDF.
    u1 = [r for r in itu_mirror.requests if "U.1-" in r]
    assert [("MSW-E" in r, "PDF-E" in r) for r in u1] == [(True, False), (False, True)]


def test_html_page_served_with_200_is_not_saved(
    itu_mirror: ItuMirror, reference_catalog: ReferenceCatalog, tmp_path: Path
) -> None:
    html = b"<!DOCTYPE html><html><head><title>ITU</title></head><body>Please log in</body></html>"
    itu_mirror.overrides["T-REC-Y.1543-201806-I!!MSW-E"] = (200, "application/msword", html)
    itu_mirror.overrides["T-REC-Y.1543-201806-I!!PDF-E"] = (200, "application/pdf", html)
    report = _fetcher(itu_mirror.base_url, reference_catalog).fetch(["Y.1543"], tmp_path)
    assert report.fetched == []
    assert len(report.failed) == 1 and "HTML page instead of a document" in report.failed[0].error
    assert list(tmp_path.iterdir()) == []  # nothing saved, no temporary file left behind


def test_unknown_id_fails_cleanly(
    itu_mirror: ItuMirror, reference_catalog: ReferenceCatalog, tmp_path: Path
) -> None:
    report = _fetcher(itu_mirror.base_url, reference_catalog).fetch(["Z.99999", "Y.3507 (01/2000)"], tmp_path)
    assert report.fetched == []
    errors = {f.id: f.error for f in report.failed}
    assert "not in the catalog" in errors["Z.99999"]
    assert (
        "no such edition of ITU-T Y.3507" in errors["Y.3507 (01/2000)"]
        and "12/2018" in errors["Y.3507 (01/2000)"]
    )
    assert itu_mirror.requests == []  # nothing was asked of the server
    assert list(tmp_path.iterdir()) == []


def test_not_found_fails_cleanly_and_others_still_fetch(
    itu_mirror: ItuMirror, reference_catalog: ReferenceCatalog, tmp_path: Path
) -> None:
    # The catalog knows Y.3507 (12/2018), but the mirror has no T-REC-Y.3507-201812-I file.
    report = _fetcher(itu_mirror.base_url, reference_catalog).fetch(["Y.3507", "Y.1543"], tmp_path)
    assert [f.id for f in report.fetched] == ["Y.1543"]
    assert [f.id for f in report.failed] == ["Y.3507"]
    error = report.failed[0].error
    word = f"{itu_mirror.base_url}/rec/dologin_pub.asp?lang=e&id=T-REC-Y.3507-201812-I!!MSW-E&type=items"
    assert f"not found at {word}" in error and "PDF-E" in error
    assert _leftovers(tmp_path) == []


def test_dead_port_fails_with_cannot_reach(reference_catalog: ReferenceCatalog, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    report = _fetcher(base, reference_catalog, timeout=5).fetch(["Y.1543", "P.452-18"], tmp_path)
    assert report.fetched == []
    assert [f.id for f in report.failed] == ["Y.1543", "P.452-18"]
    assert all(f.error.startswith(f"cannot reach {base}") for f in report.failed)
    assert list(tmp_path.iterdir()) == []


def test_no_catalog_needs_a_document_code(itu_mirror: ItuMirror, tmp_path: Path) -> None:
    fetcher = _fetcher(itu_mirror.base_url, None)
    report = fetcher.fetch(["Y.1543", "R-REC-P.452-18-202310-I"], tmp_path)
    assert [f.id for f in report.failed] == ["Y.1543"] and "catalog" in report.failed[0].error
    assert [Path(f.path).name for f in report.fetched] == ["R-REC-P.452-18-202310-I!!PDF-E.pdf"]


def test_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        RecommendationFetcher(Settings(fetch={"base_url": "ftp://example.org"}), None)


# -- hardening (issue 18): a loopback server of our own, no corpus needed -------------------------------

PDF = b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF\n"


@dataclass
class Answer:
    """What the loopback server sends for one path: a status, headers and a body, optionally dripped."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drip_s: float = 0.0


@pytest.fixture
def loopback() -> Iterator[tuple[str, dict[str, Answer], list[str]]]:
    """A loopback HTTP server answering from a path -> Answer table; (base URL, table, requests)."""
    routes: dict[str, Answer] = {}
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            answer = routes.get(self.path, Answer(404, body=b"<html>Not found</html>"))
            self.send_response(answer.status)
            for name, value in {"Content-Length": str(len(answer.body)), **answer.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may give up on a dripping body
                for start in range(0, len(answer.body), 1 if answer.drip_s else len(answer.body) or 1):
                    self.wfile.write(answer.body[start : start + (1 if answer.drip_s else len(answer.body))])
                    self.wfile.flush()
                    time.sleep(answer.drip_s)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes, requests
    finally:
        server.shutdown()
        server.server_close()


def _item(code: str, fmt: str) -> str:
    return f"/rec/dologin_pub.asp?lang=e&id={code}!!{fmt}&type=items"


def test_redirects_stay_on_the_configured_host_and_the_batch_goes_on(
    loopback: tuple[str, dict[str, Answer], list[str]], tmp_path: Path
) -> None:
    base, routes, requests = loopback
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    away, dead_host, home = "T-REC-Y.1001-202001-I", "T-REC-Y.1002-202001-I", "T-REC-Y.1003-202001-I"
    port = base.rsplit(":", 1)[1]
    routes[_item(away, "MSW-E")] = Answer(302, {"Location": f"http://localhost:{port}/stolen"})
    routes[_item(dead_host, "MSW-E")] = Answer(302, {"Location": f"http://127.0.0.1:{dead}/file.pdf"})
    routes[_item(home, "MSW-E")] = Answer(302, {"Location": "/files/y1003.pdf"})
    routes["/files/y1003.pdf"] = Answer(body=PDF)
    report = _fetcher(base, None).fetch([away, dead_host, home], tmp_path)
    assert [f.id for f in report.fetched] == [home]
    errors = {f.id: f.error for f in report.failed}
    assert f"redirects off 127.0.0.1:{port} to http://localhost:{port}/stolen; not followed" in errors[away]
    assert f"redirects off 127.0.0.1:{port} to http://127.0.0.1:{dead}/file.pdf" in errors[dead_host]
    assert "cannot reach" not in errors[dead_host]
    assert "/stolen" not in requests


def test_a_dripping_server_meets_the_deadline(
    loopback: tuple[str, dict[str, Answer], list[str]], tmp_path: Path
) -> None:
    base, routes, _ = loopback
    code = "T-REC-Y.1004-202001-I"
    routes[_item(code, "MSW-E")] = Answer(body=PDF, drip_s=0.05)
    settings = Settings(fetch={"base_url": base, "timeout": 5, "deadline": 1})
    report = RecommendationFetcher(settings, None).fetch([code], tmp_path)
    assert not report.fetched
    assert f"gave up on {base}{_item(code, 'MSW-E')} after 1 s" in report.failed[0].error
    assert _leftovers(tmp_path) == []


def test_fetched_files_get_the_usual_mode(
    loopback: tuple[str, dict[str, Answer], list[str]], tmp_path: Path
) -> None:
    base, routes, _ = loopback
    code = "T-REC-Y.1005-202001-I"
    routes[_item(code, "MSW-E")] = Answer(body=PDF)
    previous = os.umask(0o022)
    try:
        report = _fetcher(base, None).fetch([code], tmp_path)
    finally:
        os.umask(previous)
    saved = Path(report.fetched[0].path)
    assert saved.read_bytes() == PDF and stat.S_IMODE(saved.stat().st_mode) == 0o644

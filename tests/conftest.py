"""Shared fixtures: the real ITU corpus beside the checkout (skipped with a reason where absent), the
real catalog, and a loopback mirror of ITU's download URLs.

The mirror is a real ``http.server.ThreadingHTTPServer`` on 127.0.0.1 serving files from the shared
corpus under ITU's URL layout, so fetch code runs its real HTTP path without ever leaving the machine:

* ``/rec/dologin_pub.asp?lang=e&id=T-REC-Y.1543-201806-I!!MSW-E&type=items`` ->
  ``itu-t/T-REC-Y.1543-201806-I!!MSW-E.docx`` (or ``.doc``; ``!!PDF-E`` -> ``.pdf``)
* ``/dms_pubrec/itu-r/rec/p/R-REC-P.452-18-202310-I!!PDF-E.pdf`` ->
  ``itu-r/R-REC-P.452-18-202310-I!!PDF-E.pdf``
* anything else: 404. ``mirror.overrides[key] = (status, content_type, body)`` replaces the answer for
  one document id (dologin) or path (dms_pubrec), e.g. to serve an HTML error page with status 200.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest

from copilot.llm import ModelHost, OpenAIChat
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.settings import Settings
from tests.synthetic import build_synthetic_corpus

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("RAPPORTEUR_TEST_CORPUS", REPO.parent / "shared" / "corpus"))

FIXTURE_NEEDS: dict[str, tuple[str, ...]] = {
    "corpus_dir": ("corpus",),
    "tiny_model_settings": ("model", "server"),
    "browser": ("browser",),
    "ui_server": ("server",),
    "guarded_server": ("server",),
    "empty_server": ("server",),
    "model_server": ("server",),
    "synthetic_server": ("server",),
    "chroma_port": ("server",),
}
"""Markers (pyproject's ``markers``) a test gets for using a fixture, directly or through another
fixture: what a test needs is then visible to ``-m`` without anyone remembering to mark it."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        needs = {m for name in getattr(item, "fixturenames", ()) for m in FIXTURE_NEEDS.get(name, ())}
        for marker in sorted(needs):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus: real ITU documents (read-only, never copied into the repo)."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"real ITU corpus not found at {CORPUS} (set RAPPORTEUR_TEST_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictional ITU-style library of tests/data/synthetic, with its .docx and .pdf generated: what a
    clone without ../shared tests every layer on."""
    return build_synthetic_corpus(tmp_path_factory.mktemp("synthetic") / "corpus")


@pytest.fixture(scope="session")
def synthetic_library(synthetic_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the synthetic corpus ingested once into a real index (its catalog included); no
    model. Read-only for tests: one that changes the library ingests into its own index."""
    settings = Settings(
        index=tmp_path_factory.mktemp("synthetic-index") / "index",
        corpus=synthetic_corpus,
        llm={"enabled": False},
    )
    library = Library(settings)
    try:
        report = library.ingest([synthetic_corpus])
    finally:
        library.close()
    assert not report.failed, report.failed
    return settings


_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".doc": "application/msword", ".pdf": "application/pdf"}  # fmt: skip


@dataclass
class ItuMirror:
    """A running loopback server; ``base_url`` goes into ``Settings.itu_base_url``."""

    base_url: str
    corpus: Path
    requests: list[str] = field(default_factory=list)
    overrides: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)


def _resolve(mirror: ItuMirror, path: str, query: dict[str, list[str]]) -> tuple[str, Path | None]:
    """(override key, corpus file or None) for one request."""
    if path == "/rec/dologin_pub.asp":
        doc = (query.get("id") or [""])[0]
        if query.get("type") != ["items"] or "/" in doc or ".." in doc:
            return doc, None
        suffixes = (
            (".docx", ".doc") if doc.endswith("!MSW-E") else (".pdf",) if doc.endswith("!PDF-E") else ()
        )
        for suffix in suffixes:
            candidate = mirror.corpus / "itu-t" / f"{doc}{suffix}"
            if candidate.is_file():
                return doc, candidate
        return doc, None
    prefix = "/dms_pubrec/itu-r/rec/"
    if path.startswith(prefix):
        series, _, name = path[len(prefix) :].partition("/")
        if "/" in name or ".." in name or not name.startswith(f"R-REC-{series.upper()}."):
            return path, None
        candidate = mirror.corpus / "itu-r" / name
        return path, candidate if candidate.is_file() else None
    return path, None


def _handler(mirror: ItuMirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            mirror.requests.append(self.path)
            parts = urllib.parse.urlsplit(self.path)
            key, found = _resolve(
                mirror, urllib.parse.unquote(parts.path), urllib.parse.parse_qs(parts.query)
            )
            if key in mirror.overrides:
                status, content_type, body = mirror.overrides[key]
            elif found is not None:
                status, content_type, body = (
                    200,
                    _TYPES.get(found.suffix, "application/octet-stream"),
                    found.read_bytes(),
                )
            else:
                status, content_type, body = 404, "text/html", b"<html><body>Not found</body></html>"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


@pytest.fixture
def itu_mirror(corpus_dir: Path) -> Iterator[ItuMirror]:
    """A loopback ITU download server over the shared corpus, stopped after the test."""
    mirror = ItuMirror(base_url="", corpus=corpus_dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(mirror))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    mirror.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="itu-mirror", daemon=True)
    thread.start()
    try:
        yield mirror
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def reference_catalog(corpus_dir: Path) -> ReferenceCatalog:
    """The real ITU catalog from the shared corpus (loaded once per session)."""
    path = corpus_dir / "catalog" / "itu-recommendations.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"ITU catalog not found at {path}")
    return ReferenceCatalog.shared(path)


@pytest.fixture(scope="session")
def tiny_model_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the smallest packaged model (SmolLM2-135M): fast enough to test the plumbing
    (streaming, citations, the no-answer path, injection) with a real llama.cpp server; its prose is
    not meant to be good."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (scripts/install.sh installs it)")
    return Settings(
        index=tmp_path_factory.mktemp("unused-index"),
        llm={
            "model": "smollm2-135m",
            "context": 2048,
            "max_tokens": 96,
            "temperature": 0.0,
            "model_cache": tmp_path_factory.mktemp("models"),
        },
    )


@pytest.fixture(scope="session")
def tiny_model(tiny_model_settings: Settings) -> Iterator[OpenAIChat]:
    """A real llama.cpp server on loopback with SmolLM2-135M, shared by the whole session."""
    with ModelHost(tiny_model_settings) as host:
        yield host.model()


def tiny_model_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a ``rapporteur`` subprocess use the tiny model of ``settings``."""
    return {
        **os.environ,
        "RAPPORTEUR_LLM_MODEL": settings.llm.model,
        "RAPPORTEUR_LLM_MODEL_CACHE": str(settings.llm.model_cache),
        "RAPPORTEUR_LLM_ENABLED": "true",
    }


def model_server_ports(parent: int | None = None) -> set[int]:
    """Ports of the llama.cpp servers running now (from their command lines), only ``parent``'s children
    when given."""
    ports = set()
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            args = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if "llama_cpp.server" in args and (parent is None or ppid == parent):
                ports.add(int(args[args.index("--port") + 1]))
    return ports


T = TypeVar("T")


def in_own_loop(run: Callable[..., Awaitable[T]], *args: Any) -> T:
    """``run(*args)`` in an event loop of its own thread: Playwright's may be running in this one when
    the browser tests ran first."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, run, *args).result()

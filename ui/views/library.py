"""Library: add documents (uploads or a folder on the server) with a progress bar, list what is indexed,
remove a document, and see which files failed and why (``rapporteur ingest``, ``docs``, ``remove``)."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.library import expand_paths
from ingest.lock import IndexBusy
from ingest.models import IngestFailure, IngestReport
from rapporteur.provenance import NO_LOGIN
from rapporteur.uploads import LIBRARY_SUFFIXES, UploadError, keep
from rapporteur.workspace import Workspace
from ui.markup import error, literal

logger = logging.getLogger(__name__)

DOC_COLUMNS = ["doc_id", "Recommendation", "title", "edition", "kind", "language", "chunks", "added by"]
FAILURE_COLUMNS = ["file", "why it failed"]
FOLDER_REFUSED = "not a folder this server offers (its operator lists them in RAPPORTEUR_UI_FOLDERS)"
"""One answer for a path outside the allowed folders, a missing one and a file, so that a caller learns
nothing about the server's other files."""


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def server_files(allowed: list[Path], requested: str, index: Path | None = None) -> list[Path] | None:
    """The files to ingest from the folder ``requested`` names (a relative name is taken under the first
    allowed folder), or None when it is not a folder inside one of ``allowed``. Links and ``..`` are
    resolved before the check, and files linked from outside the allowed folders are left out, as are
    the files of ``index`` when it lies inside."""
    roots = [root.expanduser().resolve() for root in allowed]
    try:
        named = Path(requested).expanduser()
        where = (named if named.is_absolute() or not roots else roots[0] / named).resolve()
    except (OSError, RuntimeError):  # a loop of links, an unknown ~user
        return None
    if not _inside(where, roots) or not where.is_dir():
        return None
    files = expand_paths([where], index)
    kept = [f for f in files if _inside(f.resolve(), roots)]
    if len(kept) < len(files):
        logger.warning(
            "left out %d files under %s linked from outside the allowed folders",
            len(files) - len(kept),
            where,
        )
    return kept


def ingest_into_library(
    ws: Workspace,
    uploads: list[str] | None,
    folder: str,
    user: str = NO_LOGIN,
    progress: gr.Progress | None = None,
) -> IngestReport:
    """Keep the uploads (refused ones become failures), then ingest them and the folder's files;
    what went in is recorded as added by ``user``."""
    refused: list[IngestFailure] = []
    paths: list[Path] = []
    if folder.strip():
        files = server_files(ws.settings.ui.folders, folder.strip(), ws.settings.index)
        if files is None:
            refused.append(IngestFailure(path=folder.strip(), error=FOLDER_REFUSED))
        else:
            paths += files

    def report_progress(done: int, total: int, current: str) -> None:
        if progress is not None and total:
            progress((done, total), desc=Path(current).name if current else "done", unit="files")

    limit = ws.settings.ui.max_upload_bytes
    with ws.write_lock:
        for upload in uploads or []:
            try:
                paths.append(keep(Path(upload), ws.uploads, LIBRARY_SUFFIXES, limit))
            except UploadError as exc:
                refused.append(IngestFailure(path=Path(upload).name, error=str(exc)))
        report = ws.library.ingest(paths, on_progress=report_progress) if paths else IngestReport()
        ws.added_by.record(report.added, user)
    report.failed = refused + report.failed
    if not paths:
        report.chunks = ws.library.store.chunk_count()
    return report


def remove_document(ws: Workspace, doc_id: str) -> list[str]:
    """Remove one document; an uploaded copy goes too, so a later ingest of the uploads cannot revive it."""
    with ws.write_lock:
        doc = ws.library.resolve(doc_id)
        removed = ws.library.remove(doc_id)
        if doc is not None:
            ws.added_by.forget(doc.path)
            kept = Path(doc.path)
            if kept.is_relative_to(ws.uploads.resolve()):
                kept.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # another file shares the folder
                    kept.parent.rmdir()
    return removed


def document_rows(ws: Workspace) -> list[list[Any]]:
    users = ws.added_by.users()
    return [
        [d.doc_id, d.rec_id or "", d.title or "", d.edition or "", d.kind, d.language, d.chunks,
         users.get(d.path, "")]
        for d in ws.library.documents()
    ]  # fmt: skip


def failure_rows(ws: Workspace, report: IngestReport) -> list[list[str]]:
    """Failed files by name for uploads (their server copy means nothing to the uploader), else by path."""
    uploads = str(ws.uploads.resolve())
    return [[Path(f.path).name if f.path.startswith(uploads) else f.path, f.error] for f in report.failed]


def build(ws: Workspace, demo: gr.Blocks) -> None:
    """The Library tab's components and events (call inside a ``gr.Tab`` of ``demo``)."""
    with gr.Row():
        with gr.Column(scale=2):
            uploads = gr.File(
                label="Upload documents",
                file_count="multiple",
                file_types=list(LIBRARY_SUFFIXES),
                type="filepath",
                elem_id="library-upload",
            )
            offered = ws.settings.ui.folders
            folder = gr.Textbox(
                label=f"…or a folder on the server, under {', '.join(map(str, offered))}",
                placeholder=str(offered[0]) if offered else "",
                visible=bool(offered),
                elem_id="library-folder",
            )
            ingest = gr.Button("Add to the library", variant="primary", elem_id="library-ingest")
            result = gr.Markdown(elem_id="library-result")
            failures = gr.Dataframe(
                headers=FAILURE_COLUMNS, interactive=False, wrap=True, label="What failed and why",
                elem_id="library-failures",
            )  # fmt: skip
        with gr.Column(scale=5):
            docs = gr.Dataframe(
                headers=DOC_COLUMNS,
                datatype=["str", "str", "str", "str", "str", "str", "number", "str"],
                interactive=False,
                wrap=True,
                max_height=520,
                column_widths=["20%", "12%", "31%", "8%", "8%", "6%", "6%", "9%"],
                label="Documents in the library",
                elem_id="library-docs",
            )
            with gr.Row():
                choice = gr.Dropdown(label="Document to remove", choices=[], scale=4, elem_id="doc-choice")
                remove = gr.Button("Remove", variant="stop", scale=1, elem_id="library-remove")

    def choices() -> Any:
        return gr.update(choices=[d.doc_id for d in ws.library.documents()], value=None)

    def on_ingest(
        files: list[str] | None,
        where: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (how Gradio hands a function its progress bar)
    ) -> tuple[str, list[list[str]], list[list[Any]], Any]:
        user = request.username or NO_LOGIN
        try:
            report = ingest_into_library(ws, files, where or "", user, progress)
        except IndexBusy as exc:
            raise error(str(exc)) from None
        return report.summary() + ".", failure_rows(ws, report), document_rows(ws), choices()

    def on_remove(doc_id: str | None) -> tuple[str, list[list[Any]], Any]:
        if not doc_id:
            raise gr.Error("Choose a document to remove.")
        try:
            removed = remove_document(ws, doc_id)
        except IndexBusy as exc:
            raise error(str(exc)) from None
        message = (
            f"Removed {', '.join(removed)}." if removed else f"{literal(doc_id)} was not in the library."
        )
        return message, document_rows(ws), choices()

    ingest.click(
        on_ingest, inputs=[uploads, folder], outputs=[result, failures, docs, choice], api_name="ingest",
        concurrency_id="library-write", concurrency_limit=1,
    )  # fmt: skip
    remove.click(
        on_remove, inputs=[choice], outputs=[result, docs, choice], api_name="remove",
        concurrency_id="library-write", concurrency_limit=1,
    )  # fmt: skip
    demo.load(lambda: (document_rows(ws), choices()), outputs=[docs, choice], api_visibility="private")

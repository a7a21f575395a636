"""Settings and status: which index, embedding model and model endpoint are in use, and whether each works."""

from __future__ import annotations

import gradio as gr

from ingest.embedding import EmbeddingError
from rapporteur.workspace import Workspace
from ui.markup import literal


def _cell(text: object) -> str:
    """A table cell shown as text: paths, endpoints and their error messages are not ours to render."""
    return literal(str(text)).replace("\n", " ")


def status_markdown(ws: Workspace) -> str:
    """A table a person reads to know what the server runs on; nothing in it is hidden in a log."""
    s = ws.settings
    try:
        embedder = ws.library.embedder
        embedding = (f"{embedder.name} ({embedder.dimension} dimensions)", "yes", "packaged, offline")
    except EmbeddingError as exc:
        embedding = ("all-MiniLM-L6-v2", "**no**", str(exc))
    model = ws.model_status()
    docs = ws.library.documents()
    catalog = s.catalog_path()
    rows = [
        ("index", str(s.index), "yes", f"{len(docs)} documents, {ws.library.store.chunk_count()} chunks"),
        ("vector store", f"Chroma at {s.chroma.host}:{s.chroma.port}" if s.chroma.host else "embedded Chroma",
         "yes", s.chroma.collection),
        ("embedding model", embedding[0], embedding[1], embedding[2]),
        ("model endpoint", model.endpoint, "yes" if model.reachable else "**no**", model.detail),
        ("generation model", model.model, "", "embedded llama.cpp" if model.embedded else "remote endpoint"),
        ("catalog", str(catalog) if catalog else "none", "yes" if catalog else "**no**",
         "" if catalog else "set RAPPORTEUR_CATALOG to check references and filter by in-force status"),
        ("login", f"{len(s.ui.users)} users" if s.ui.users else "none (loopback use)", "", ""),
        ("uploads", f"up to {s.ui.max_upload_bytes:,} bytes", "", ""),
        ("server folders", ", ".join(map(str, s.ui.folders)) or "none (uploads only)", "",
         "RAPPORTEUR_UI_FOLDERS"),
        ("host names", ", ".join(s.ui.hosts) or "loopback and the bound address", "", "RAPPORTEUR_UI_HOSTS"),
        ("queue", f"{s.ui.concurrency} requests at once, {s.ui.model_concurrency} generating", "",
         f"up to {s.ui.queue_size} waiting"),
    ]  # fmt: skip
    table = ["| what | in use | reachable | detail |", "| --- | --- | --- | --- |"]
    # the third column ("yes", "**no**") is the table's own Markdown
    table += [f"| {_cell(w)} | {_cell(u)} | {r} | {_cell(d)} |" for w, u, r, d in rows]
    return "\n".join(table)


def build(ws: Workspace, tab: gr.Tab) -> None:
    """The Settings tab's components and events (call inside ``tab``); the status is read on opening it."""
    table = gr.Markdown(elem_id="status-table")
    gr.Markdown(
        "Settings come from the environment (`RAPPORTEUR_*`, see the README); restart `rapporteur serve` "
        "to change them. *Check again* also retries a model that failed to start."
    )
    again = gr.Button("Check again", elem_id="status-refresh")
    again.click(lambda: status_markdown(ws), outputs=[table], api_name="status")
    tab.select(lambda: status_markdown(ws), outputs=[table], api_visibility="private")

"""The workspace page: one ``gr.Blocks`` with a tab per view, each a thin shell over the library."""

from __future__ import annotations

from typing import Any

import gradio as gr

from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from ui.views import ask, check, compare, draft, library, status
from ui.views.sources import EMPTY_PANEL

CSS = """
.clause-panel { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.8rem 1rem;
  max-height: 680px; overflow-y: auto; }
.clause-panel.empty { color: var(--body-text-color-subdued); }
.clause-panel h3 { margin: 0 0 0.5rem 0; }
.clause-panel dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem;
  margin: 0 0 0.8rem 0; }
.clause-panel dt { font-weight: 600; }
.clause-panel dd { margin: 0; }
.clause-text { white-space: pre-wrap; line-height: 1.45; }
.change-detail li { white-space: pre-wrap; margin: 0.3rem 0; }
.change-detail del { background: #fdd; color: #900; }
.change-detail ins { background: #dfd; color: #060; text-decoration: none; }
.sources label { font-size: 0.9em; }
"""


def theme() -> gr.themes.Base:
    """The default look with system fonts: the page must not fetch web fonts (it runs offline)."""
    return gr.themes.Default(
        primary_hue="blue",
        font=["ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    )


def launch_options(settings: Settings) -> dict[str, Any]:
    """``launch()`` arguments that keep the server private and offline: no telemetry endpoints, no
    server-side rendering (it needs Node), upload limit enforced before a file reaches a view."""
    return {
        "max_file_size": settings.ui.max_upload_bytes,
        "show_error": True,
        "quiet": True,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "run_history": False,
        "footer_links": ["api"],
        "theme": theme(),
        "css": CSS,
    }


def build_app(ws: Workspace) -> gr.Blocks:
    """The page for one server; every session shares ``ws`` and keeps its own conversation."""
    with gr.Blocks(title="Rapporteur", analytics_enabled=False) as demo:
        gr.Markdown("## Rapporteur: an ITU standards-drafting copilot")
        with gr.Tabs():
            with gr.Tab("Ask & Draft", id="ask"):
                panel = gr.HTML(EMPTY_PANEL, elem_id="clause-panel", render=False)
                with gr.Row():
                    with gr.Column(scale=3), gr.Tabs():
                        with gr.Tab("Ask", id="ask-chat"):
                            ask.build(ws, panel)
                        with gr.Tab("Draft", id="ask-draft"):
                            draft.build(ws, panel)
                    with gr.Column(scale=2):
                        panel.render()
            with gr.Tab("Check", id="check"):
                check.build(ws)
            with gr.Tab("Compare", id="compare"):
                compare.build(ws)
            with gr.Tab("Library", id="library"):
                library.build(ws, demo)
            with gr.Tab("Settings", id="settings") as settings_tab:
                status.build(ws, settings_tab)
    return demo

"""``rapporteur serve``: the workspace on loopback by default, behind a login when users are set, with a
queue so that several users are served in turn (each in their own session) rather than all at once."""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass

import gradio as gr

from rapporteur.processes import LOOPBACK, is_loopback
from rapporteur.settings import Settings
from ui.app import build_app, launch_options
from ui.workspace import Workspace


class ServeError(ValueError):
    """A setting or flag that ``serve`` cannot start with; the message says which and why."""


def auth_pairs(settings: Settings) -> list[tuple[str, str]]:
    """The login pairs from ``ui_users`` ("user:password"); a malformed entry is an error, never ignored."""
    pairs = []
    for entry in settings.ui_users:
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise ServeError(
                f"RAPPORTEUR_UI_USERS entry {user.strip() or '(empty)'!r} is not 'user:password' "
                "(a JSON list of such strings)"
            )
        pairs.append((user.strip(), password))
    return pairs


@dataclass
class RunningServer:
    """A started workspace server; ``close`` stops it and frees the model and the scratch files."""

    demo: gr.Blocks
    workspace: Workspace
    url: str
    share_url: str | None

    def close(self) -> None:
        self.demo.close(verbose=False)
        self.workspace.close()


def start(
    settings: Settings, host: str = LOOPBACK, port: int = 7860, share: bool | None = None
) -> RunningServer:
    """Build the page and start serving it without blocking (tests, screenshots and ``serve`` use this)."""
    auth = auth_pairs(settings)
    workspace = Workspace(settings)
    demo = build_app(workspace)
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_queue_size)
    try:
        _, url, share_url = demo.launch(
            server_name=host,
            server_port=port,
            share=settings.ui_share if share is None else share,
            auth=auth or None,
            auth_message="Rapporteur: sign in with the user name and password your administrator set.",
            prevent_thread_lock=True,
            **launch_options(settings),
        )
    except BaseException:
        workspace.close()
        raise
    return RunningServer(demo, workspace, url, share_url)


def serve(settings: Settings, host: str = LOOPBACK, port: int = 7860, share: bool | None = None) -> int:
    """Run the workspace until interrupted (Ctrl-C or SIGTERM); either way the embedded model server
    and the scratch files go with it."""
    if not is_loopback(host) and not settings.ui_users:
        print(
            f"rapporteur: warning: serving on {host} without a login; anyone who can reach it can use and "
            "change the library (set RAPPORTEUR_UI_USERS)",
            file=sys.stderr,
        )
    running = start(settings, host, port, share)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Rapporteur workspace: {running.url}", file=sys.stderr)
    if running.share_url:
        print(f"public share link: {running.share_url}", file=sys.stderr)
    try:
        running.demo.block_thread()
    finally:
        running.close()
    return 0

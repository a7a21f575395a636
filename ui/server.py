"""``rapporteur serve``: the workspace on loopback by default, behind a login when users are set, with a
queue so that several users are served in turn (each in their own session) rather than all at once."""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass

import gradio as gr
from starlette.middleware import Middleware

from rapporteur.processes import LOOPBACK, is_loopback
from rapporteur.settings import Settings
from rapporteur.workspace import Workspace
from ui.app import build_app, launch_options
from ui.guard import WILDCARD_BINDS, HostAllowList, LoginThrottle, WorkspaceGuard


class ServeError(ValueError):
    """A setting or flag that ``serve`` cannot start with; the message says which and why."""


def auth_pairs(settings: Settings) -> list[tuple[str, str]]:
    """The login pairs from ``ui_users`` ("user:password"); a malformed entry is an error, never ignored."""
    pairs = []
    for entry in settings.ui.users:
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
    sharing = settings.ui.share if share is None else share
    guard = Middleware(
        WorkspaceGuard,
        hosts=HostAllowList.served(host, settings.ui.hosts, sharing),
        throttle=LoginThrottle(settings.ui.login_attempts, settings.ui.login_window),
    )
    workspace = Workspace(settings)
    workspace.prepare_search()
    demo = build_app(workspace)
    demo.queue(default_concurrency_limit=settings.ui.concurrency, max_size=settings.ui.queue_size)
    try:
        _, url, share_url = demo.launch(
            server_name=host,
            server_port=port,
            share=sharing,
            auth=auth or None,
            auth_message="Rapporteur: sign in with the user name and password your administrator set.",
            prevent_thread_lock=True,
            app_kwargs={"middleware": [guard]},
            **launch_options(settings),
        )
    except BaseException:
        workspace.close()
        raise
    return RunningServer(demo, workspace, url, share_url)


def check_exposure(settings: Settings, host: str, share: bool, insecure: bool) -> None:
    """A workspace others can reach must have a login: refused without one, unless the operator passes
    ``--insecure`` (then warned)."""
    if not (share or not is_loopback(host)) or settings.ui.users:
        return
    where = "a public share link" if share else host
    if not insecure:
        raise ServeError(
            f"refusing to serve on {where} without a login: anyone who can reach it could read and change "
            "the library; set RAPPORTEUR_UI_USERS, bind to 127.0.0.1, or pass --insecure"
        )
    print(
        f"rapporteur: warning: serving on {where} without a login (--insecure); anyone who can reach it "
        "can use and change the library",
        file=sys.stderr,
    )


def serve(
    settings: Settings,
    host: str = LOOPBACK,
    port: int = 7860,
    share: bool | None = None,
    insecure: bool = False,
) -> int:
    """Run the workspace until interrupted (Ctrl-C or SIGTERM); either way the embedded model server
    and the scratch files go with it."""
    check_exposure(settings, host, settings.ui.share if share is None else share, insecure)
    if host in WILDCARD_BINDS and not settings.ui.hosts:
        print(
            f"rapporteur: note: on {host} the workspace answers to loopback names only; set "
            "RAPPORTEUR_UI_HOSTS to the names its users type (this machine's name or address)",
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

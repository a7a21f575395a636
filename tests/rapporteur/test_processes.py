"""Child processes: a tethered child ends with the process that started it, however that one ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rapporteur.processes import start_tethered, stop_process

REPO = Path(__file__).resolve().parents[2]

PARENT = """\
import sys, time
from rapporteur.processes import start_tethered
with open(sys.argv[1], "wb") as log:
    child = start_tethered(sys.executable, "http.server", ["--bind", "127.0.0.1", "0"], log)
print(child.pid, flush=True)
time.sleep(600)
"""
"""A process that starts a tethered HTTP server, says its pid, and waits to be killed."""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody has reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in {"Z", "X"}


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_tethered_child_ends_when_its_parent_is_killed(tmp_path: Path, stop: signal.Signals) -> None:
    """SIGKILL runs no handler and no ``finally``: only the child itself can notice that its parent is
    gone. SIGTERM of a process without a handler ends it the same way."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "child.log")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert _alive(child)
        parent.send_signal(stop)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the child outlived its parent"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()


def test_a_tethered_child_runs_its_module_with_its_arguments(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    with log.open("wb") as out:
        child = start_tethered(sys.executable, "platform", ["--terse"], out)
    assert child.wait(timeout=30) == 0
    stop_process(child)
    assert log.read_text().strip(), "python -m platform --terse prints the platform"
    assert child.stdin is not None and child.stdin.closed

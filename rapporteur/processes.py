"""Child processes on loopback — the embedded model server; in tests and benchmarks also the workspace
and a Chroma server: a free port to hand one, a start that ties the child to us, a wait until it
listens, and a stop that escalates when it does not listen."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from typing import IO

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only (servers warn or refuse otherwise)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_TETHER = """\
import os, runpy, sys, threading
def _watch():
    while os.read(0, 512):
        pass
    os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""
"""Run the module named by the first argument, and exit when standard input reaches its end."""


def start_tethered(python: str, module: str, args: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """``python -m module args`` as a child that exits when this process ends, however it ends.

    The child reads a pipe whose only writer is this process; the kernel closes it when this process
    exits, also on SIGKILL or a crash, which no signal handler sees, and the child exits at its end
    (a small bootstrap, so any interpreter with ``module`` will do). Output goes to ``log``."""
    command = [python, "-c", _TETHER, module, *args]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds; reaped either way."""
    if process.stdin is not None:
        process.stdin.close()
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_listening(process: subprocess.Popen[bytes], port: int, timeout: float = 120.0) -> None:
    """Return once something accepts connections on ``port`` of loopback; RuntimeError when ``process``
    exits first or nothing listens within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}) before listening on {port}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {timeout:.0f} s")

"""One writer per index: an advisory lock file, so that two processes (two ``rapporteur ingest`` runs, or
the CLI beside ``rapporteur serve``) never plan and write the same documents at once. Readers never wait."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from rapporteur.errors import RapporteurError

LOCK_NAME = "writer.lock"


class IndexBusy(RapporteurError):
    """Another process is writing to the index; the message names it and what to do."""


@contextlib.contextmanager
def writer_lock(index: Path) -> Iterator[None]:
    """Hold the index's writer lock for the block, or raise :class:`IndexBusy` at once. The kernel drops
    the lock when its holder exits, even after ``kill -9``, so a crash never leaves the index locked."""
    index.mkdir(parents=True, exist_ok=True)
    path = index / LOCK_NAME
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise IndexBusy(
                f"{index}: another process (pid {holder}) is adding or removing documents; "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def staging_path(path: Path, suffix: str = "") -> Path:
    """A sibling of ``path`` named for this process and thread, where one writer stages what it then
    swaps in: readers of the index (a server preparing while it answers) may write derived files too,
    and two writers at once must never share a staging file or folder. ``suffix`` replaces the
    name's own (``np.savez`` adds ``.npz`` to a name without it)."""
    tag = f"tmp-{os.getpid()}-{threading.get_ident()}"
    return path.with_name(f"{path.stem}.{tag}{suffix}" if suffix else f"{path.name}.{tag}")

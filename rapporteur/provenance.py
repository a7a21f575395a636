"""Who added each document through the workspace: the signed-in user, or ``local`` when the server has
no login. Kept in a small JSON file beside the index (keyed by the document's path, as the library
keys files), so that it outlives the server; documents added from the command line have no entry."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

NO_LOGIN = "local"


class AddedBy:
    """The path -> user map; callers hold the workspace's write lock around changes."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("%s: unreadable (%s); who added what is shown as unknown", self.file, exc)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        """Replace the file in one step, so a crash never leaves half of it."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.file.with_suffix(".tmp")
        scratch.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(scratch, self.file)

    def users(self) -> dict[str, str]:
        return self._read()

    def record(self, paths: Iterable[str], user: str) -> None:
        """``user`` added ``paths``; a document keeps the user who first added it."""
        data = self._read()
        fresh = {p: user for p in paths if p not in data}
        if fresh:
            self._write({**data, **fresh})

    def forget(self, path: str) -> None:
        data = self._read()
        if data.pop(path, None) is not None:
            self._write(data)

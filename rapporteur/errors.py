"""The one root of the errors a user can act on. Each says, in one line, what went wrong and how to fix
it, and carries the exit status ``rapporteur`` gives it; ``cli.main`` turns them into that line and
status in one place. :func:`explain` does the same for the errors of the libraries underneath (a
settings value that does not parse, a damaged SQLite file, a path that cannot be written)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import get_origin

from pydantic import ValidationError
from pydantic_settings import NoDecode, SettingsError

EXIT_ERROR = 1
EXIT_USAGE = 2
"""As argparse exits for a malformed command line."""


class RapporteurError(Exception):
    """An error with a message for the user and an exit status."""

    exit_status = EXIT_ERROR


class UsageError(RapporteurError):
    """An option value the command cannot use (``-k 0``, ``--filter in_force=maybe``)."""

    exit_status = EXIT_USAGE


class SettingsInvalid(RapporteurError):
    """A ``RAPPORTEUR_*`` setting that does not parse or is out of range."""


class NoIndex(RapporteurError):
    """A command that reads the index was pointed at a folder that holds none; nothing is created."""

    def __init__(self, index: Path) -> None:
        super().__init__(
            f"no index at {index}; run 'rapporteur ingest FOLDER' first, or point --index at an existing one"
        )


class IndexDamaged(RapporteurError):
    """The record store or the vector store no longer matches what was indexed."""

    def __init__(self, index: Path, what: str) -> None:
        super().__init__(
            f"the index at {index} is damaged: {what}; run 'rapporteur index --repair --index {index}'"
        )
        self.index = index


class PortInUse(RapporteurError):
    """A server cannot listen where it was asked to."""


class PathProblem(RapporteurError):
    """A file or folder named on the command line cannot be used as asked (a folder given for a report)."""


_FIELD = re.compile(r'field "(?P<field>\w+)"')


def _variable(field: object) -> str:
    """The environment variable of a settings field (``llm.model`` -> ``RAPPORTEUR_LLM_MODEL``)."""
    return f"RAPPORTEUR_{str(field).replace('.', '_').upper()}"


def _unreadable_variable(part: str) -> str:
    """The variable of settings part ``part`` whose value is not the JSON its setting needs (lists read
    as plain text, such as ``RAPPORTEUR_UI_HOSTS``, are not JSON and are not suspects)."""
    from rapporteur.settings import Settings

    fields = (
        getattr(Settings.model_fields[part].annotation, "model_fields", {})
        if part in Settings.model_fields
        else {}
    )
    prefix = _variable(part) + "_"
    for name, value in os.environ.items():
        field = (
            fields.get(name.upper().removeprefix(prefix).lower()) if name.upper().startswith(prefix) else None
        )
        if field is None or get_origin(field.annotation) not in (list, dict) or NoDecode in field.metadata:
            continue
        try:
            json.loads(value)
        except ValueError:
            return name.upper()
    return _variable(part)


def explain(exc: BaseException) -> RapporteurError | None:
    """The user-facing error for a library exception, or None when it is a bug (let it show)."""
    if isinstance(exc, RapporteurError):
        return exc
    if isinstance(exc, SettingsError):
        match = _FIELD.search(str(exc))
        name = _unreadable_variable(match["field"]) if match else "a RAPPORTEUR_ setting"
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        return SettingsInvalid(
            f"{name} cannot be read{cause}; list settings are JSON, e.g. {name}='[\"bob:secret\"]'"
        )
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{_variable('.'.join(map(str, e['loc'])))}: "
            + ("no such setting" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        )
        return SettingsInvalid(f"invalid setting: {problems}; fix the environment variable or flag")
    if isinstance(exc, sqlite3.DatabaseError):
        return RapporteurError(
            f"the index database cannot be read ({exc}); run 'rapporteur index --repair' or ingest again"
        )
    if isinstance(exc, IsADirectoryError):
        return PathProblem(f"{exc.filename} is a folder; give a file path")
    if isinstance(exc, PermissionError):
        return PathProblem(f"{exc.filename}: permission denied; choose a path you may read and write")
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return PathProblem(f"{exc.filename}: no such file or folder; check the path")
    return None

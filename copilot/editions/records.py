"""Definitions, abbreviations and references compared as records, not as text: a definition whose
wording changed, a reference whose edition changed, an abbreviation dropped.

Each change is filed under the clause that holds the record (the new edition's clause, the old one's
for a removed record), so it lands in that clause's entry of the diff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from copilot.editions.models import ChangeKind, RecordChange, RecordKind
from copilot.editions.textdiff import normalize
from ingest.models import Abbreviation, Definition, Records, Reference
from ingest.structure import ClauseTree

T = TypeVar("T", Definition, Abbreviation, Reference)
Record = Definition | Abbreviation | Reference


@dataclass
class FiledChange:
    """A record change and the clause numbers holding it in each edition (None where absent)."""

    change: RecordChange
    old_clause: str | None
    new_clause: str | None


def _keyed(items: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    """First record per key: a term defined twice is compared by its first definition."""
    out: dict[str, T] = {}
    for item in items:
        out.setdefault(key(item), item)
    return out


def _compare(
    record: RecordKind,
    old: dict[str, T],
    new: dict[str, T],
    fields: dict[str, Callable[[T], str | None]],
    label: Callable[[T], str],
) -> list[tuple[RecordChange, Record | None, Record | None]]:
    out: list[tuple[RecordChange, Record | None, Record | None]] = []
    for key, item in old.items():
        if key not in new:
            out.append((RecordChange(record=record, key=label(item), kind=ChangeKind.REMOVED), item, None))
    for key, item in new.items():
        before = old.get(key)
        if before is None:
            out.append((RecordChange(record=record, key=label(item), kind=ChangeKind.ADDED), None, item))
            continue
        for name, read in fields.items():
            a, b = read(before), read(item)
            if (normalize(a) if a else None) != (normalize(b) if b else None):
                change = RecordChange(
                    record=record, key=label(item), kind=ChangeKind.CHANGED, field=name, old=a, new=b
                )
                out.append((change, before, item))
    return out


def _definition_home(tree: ClauseTree, definition: Definition) -> str | None:
    """The deepest clause of the tree that holds the entry (its own number, else its parent's)."""
    number = definition.clause
    while number:
        if tree.find(number):
            return number
        number = number.rpartition(".")[0]
    return _holder(tree, definition.term)


def _holder(tree: ClauseTree, needle: str) -> str | None:
    """The first clause with a line starting with ``needle`` (an abbreviation, a reference tag)."""
    for clause in tree.clauses:
        for paragraph in clause.paragraphs:
            if any(line.strip().startswith(needle) for line in paragraph.split("\n")):
                return clause.number
    return None


def _home(tree: ClauseTree, record: Record | None) -> str | None:
    if record is None:
        return None
    if isinstance(record, Definition):
        return _definition_home(tree, record)
    if isinstance(record, Abbreviation):
        return _holder(tree, record.abbreviation)
    return (record.tag and _holder(tree, record.tag)) or _holder(tree, record.cited_id)


def compare_records(
    old: Records, new: Records, old_tree: ClauseTree, new_tree: ClauseTree
) -> list[FiledChange]:
    """Every record change, filed under its clauses."""
    changes = [
        *_compare(
            RecordKind.DEFINITION,
            _keyed(old.definitions, lambda d: d.term.lower()),
            _keyed(new.definitions, lambda d: d.term.lower()),
            {"definition": lambda d: d.definition, "source_tag": lambda d: d.source_tag},
            lambda d: d.term,
        ),
        *_compare(
            RecordKind.ABBREVIATION,
            _keyed(old.abbreviations, lambda a: a.abbreviation),
            _keyed(new.abbreviations, lambda a: a.abbreviation),
            {"expansion": lambda a: a.expansion},
            lambda a: a.abbreviation,
        ),
        *_compare(
            RecordKind.REFERENCE,
            _keyed(old.references, lambda r: r.cited_id.lower()),
            _keyed(new.references, lambda r: r.cited_id.lower()),
            {
                "edition_year": lambda r: r.edition_year,
                "title": lambda r: r.title,
                "normative": lambda r: "normative" if r.normative else "bibliography",
            },
            lambda r: r.cited_id,
        ),
    ]
    return [FiledChange(change, _home(old_tree, a), _home(new_tree, b)) for change, a, b in changes]

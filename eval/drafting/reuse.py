"""Reuse eval: do Scope, Definitions and References drafts hold what a TSB editor would expect?

Each brief (``reuse_briefs.jsonl``) is a topic in a rapporteur's words and the items the real
Recommendation's clause holds: for Definitions, the terms of 3.1 with the tag of the Recommendation that
defines each ("cloud service customer [ITU-T Y.3500]"); for Scope and References, the Recommendation
tags it cites. Rapporteur drafts the clause without a model (the reused parts are exact, so the score is
deterministic) with that Recommendation held out of everything it reads. Recall and precision are
pooled per kind; "known" recall counts only the items the library could supply at all (a definition
record of the term with the same defining document, outside the held-out Recommendation; a
Recommendation the catalog or the library holds), since an item nothing indexed mentions cannot be
reused.

    python -m eval.drafting.reuse --index DIR [--out FILE]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import product
from typing import Any

from pydantic import BaseModel

from copilot.checker.rules.base import normalized
from copilot.drafting.drafter import Drafter
from copilot.drafting.models import DraftKind
from copilot.retrieval import HybridRetriever
from eval.drafting.run import _DEFINITION_LINE, _REFERENCE_ID, library_parser, library_settings
from eval.report import progress
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from ingest.metadata import normalize_rec_id
from rapporteur.settings import Settings

REUSE_BRIEFS: Traversable = files("eval.drafting") / "reuse_briefs.jsonl"  # package data
KINDS = (DraftKind.SCOPE, DraftKind.DEFINITIONS, DraftKind.REFERENCES)
_TAG = re.compile(r"\[(?P<tag>[^\]\n]{2,60})\]")
_ITEM = re.compile(r"^(?P<term>.+?)\s*\[(?P<tag>[^\]]+)\]$")
_ACRONYM_AFTER = re.compile(r"\s*\([^)]*\)")
_R_EDITION = re.compile(r"^(ITU-R [A-Z]+\.\d+(?:\.\d+)*)-\d+$")


class ReuseBrief(BaseModel):
    id: str
    kind: DraftKind
    rec_id: str
    topic: str
    expected: list[str]
    split: str = "dev"
    """"dev": looked at while the reuse code was changed; "test": written after, scored only."""


def load_reuse_briefs(path: Traversable = REUSE_BRIEFS) -> list[ReuseBrief]:
    return [ReuseBrief.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def tag_key(tag: str) -> str:
    """One spelling per cited document: "b-" dropped, a joint number by its first part ("ITU-T
    L.300/L.25" = "ITU-T L.300"), an ITU-R number without its revision; other documents folded."""
    tag = re.sub(r"^b-", "", tag.strip())
    canonical = normalize_rec_id(tag)
    if canonical:
        return _R_EDITION.sub(r"\1", canonical)
    return normalized(tag)


def term_key(term: str) -> str:
    """A term without its acronym in parentheses or its "(timing)"-style qualifier."""
    return normalized(_ACRONYM_AFTER.sub("", term)).strip(" .")


def item_key(kind: DraftKind, item: str) -> str:
    if kind != DraftKind.DEFINITIONS:
        return tag_key(item)
    match = _ITEM.match(item.strip())
    if match is None:
        raise ValueError(f"reuse_briefs.jsonl: {item!r} is not 'term [tag]'")
    return f"{term_key(match['term'])} [{tag_key(match['tag'])}]"


def drafted_items(kind: DraftKind, text: str) -> list[str]:
    """What a draft offers for its kind: the "term [tag]" entries of 3.1, the tags a Scope cites, the
    labels of clause 2's entries."""
    if kind == DraftKind.DEFINITIONS:
        elsewhere = text.partition("3.2\t")[0]
        return [f"{m['term'].strip()} [{m['source']}]" for m in _DEFINITION_LINE.finditer(elsewhere)]
    if kind == DraftKind.REFERENCES:
        return [m["rec"] for m in _REFERENCE_ID.finditer(text)]
    return [m["tag"] for m in _TAG.finditer(text) if not m["tag"].startswith("<")]


def match(kind: DraftKind, expected: Iterable[str], drafted: Iterable[str]) -> dict[str, int]:
    """Counts for recall and precision: distinct expected items, distinct drafted items, and hits."""
    want = {item_key(kind, e) for e in expected}
    got = {item_key(kind, d) for d in drafted}
    return {"expected": len(want), "drafted": len(got), "hits": len(want & got)}


def _first_tag(source_tag: str | None) -> str:
    """The first document a definition record's source tag names ("[b-ITU-T Y.3500], [...]")."""
    return (source_tag or "").strip("[ ").split("]")[0]


class _Library:
    """What the library could supply, with the brief's Recommendation held out: a term with the same
    defining document (its own record, or a quotation tagged with it); a Recommendation it holds or the
    catalog lists."""

    def __init__(self, library: Library, catalog: ReferenceCatalog | None) -> None:
        self.library = library
        self.catalog = catalog
        self.rec_ids = {tag_key(d.rec_id) for d in library.store.documents() if d.rec_id}

    def knows(self, kind: DraftKind, item: str, held_out: str) -> bool:
        if kind == DraftKind.DEFINITIONS:
            term, _, tag = item_key(kind, item).removesuffix("]").rpartition(" [")
            return any(
                term_key(d.term) == term
                and tag_key(d.rec_id or "") != tag_key(held_out)
                and tag_key(d.rec_id or "" if d.defined_here else _first_tag(d.source_tag)) == tag
                for d in self.library.store.definitions(term)
            )
        key = tag_key(item)
        return key != tag_key(held_out) and (
            key in self.rec_ids or bool(self.catalog and self.catalog.latest(key))
        )


def evaluate(settings: Settings, briefs: list[ReuseBrief]) -> list[dict[str, Any]]:
    """One row per brief: the draft's items, the counts, and the counts over items the library knows."""
    library = Library(settings)
    catalog = ReferenceCatalog.from_settings(settings)
    drafter = Drafter(HybridRetriever(library), catalog, None, settings)
    holdings = _Library(library, catalog)
    rows = []
    try:
        for brief in progress(briefs, "reuse briefs"):
            draft = drafter.draft(brief.kind, brief.topic, exclude_rec_id=brief.rec_id)
            drafted = drafted_items(brief.kind, draft.text)
            known = [e for e in brief.expected if holdings.knows(brief.kind, e, brief.rec_id)]
            rows.append(
                {
                    "id": brief.id,
                    "kind": brief.kind.value,
                    "split": brief.split,
                    "rec_id": brief.rec_id,
                    "items": drafted,
                    "missed": sorted(
                        {item_key(brief.kind, e) for e in brief.expected}
                        - {item_key(brief.kind, d) for d in drafted}
                    ),
                    **match(brief.kind, brief.expected, drafted),
                    "known_expected": len({item_key(brief.kind, e) for e in known}),
                    "known_hits": match(brief.kind, known, drafted)["hits"],
                }
            )
    finally:
        library.close()
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Pooled per split and kind ("test scope"): recall, recall over the items the library knows,
    precision, and the counts."""
    out = {}
    for split, kind in product(sorted({r["split"] for r in rows}), KINDS):
        mine = [r for r in rows if r["kind"] == kind.value and r["split"] == split]
        if not mine:
            continue
        counts = ("expected", "drafted", "hits", "known_expected", "known_hits")
        total = {k: sum(r[k] for r in mine) for k in counts}
        out[f"{split} {kind.value}"] = {
            "briefs": len(mine),
            "recall": total["hits"] / total["expected"] if total["expected"] else 0.0,
            "known recall": total["known_hits"] / total["known_expected"] if total["known_expected"] else 0.0,
            "precision": total["hits"] / total["drafted"] if total["drafted"] else 0.0,
            **total,
        }
    return out


def main() -> None:
    args = library_parser(__doc__, "eval/results/reuse.json").parse_args()
    rows = evaluate(library_settings(args), load_reuse_briefs())
    totals = summary(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": totals, "rows": rows}, indent=2))
    print(f"{'split kind':17} briefs  recall  known recall  precision  (hits/expected, known, drafted)")
    for kind, s in totals.items():
        print(
            f"{kind:17} {s['briefs']:6} {s['recall']:7.3f} {s['known recall']:13.3f} {s['precision']:10.3f}"
            f"  ({s['hits']}/{s['expected']}, {s['known_hits']}/{s['known_expected']}, {s['drafted']})"
        )
    for row in rows:
        missed = ", ".join(row["missed"])
        print(f"{row['id']} {row['kind']:12} {row['hits']}/{row['expected']} missed: {missed}")


if __name__ == "__main__":
    main()

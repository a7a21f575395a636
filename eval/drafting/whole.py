"""Whole-draft eval: three clauses drafted into one Recommendation, scored for consistency between them.

Each brief (``whole_briefs.jsonl``) is a real Recommendation's topic and three clause kinds, drafted in
the order given with that Recommendation held out of everything drafting reads. Two systems draft the
same clauses: ``one draft`` grows one :class:`DraftDocument` (each clause drafted from the others, the
lists made from the whole draft), ``separately`` drafts each clause alone (the Draft tab before issue
16) and puts them side by side. Scores, pooled over the briefs (a share of all items, not a mean of
shares):

- terms used as defined: of the terms clause 3 defines, those the prose clauses (Summary, Scope,
  requirements; a clause left with a placeholder is not written) use; only drafts with both count;
- abbreviations listed (recall / precision): the acronyms the rest of the draft uses that clause 4
  lists, and the clause 4 entries the rest uses;
- references cited (recall / precision): the Recommendations the rest of the draft cites (3.1 source
  tags included) that clause 2 lists, and the clause 2 entries the rest cites.

    python -m eval.drafting.whole --index DIR [--corpus DIR] [--model] [--out FILE]
"""

from __future__ import annotations

import json
import re
import time
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from copilot.drafting.document import KIND_KEYS, DraftDocument, draft_into
from copilot.drafting.drafter import Drafter
from copilot.drafting.exact import ExactPieces
from copilot.drafting.models import DraftKind
from copilot.llm import ChatModel, LLMUnavailable, ModelHost
from copilot.query import find_rec_ids
from copilot.retrieval import HybridRetriever
from eval.drafting.reuse import _TAG, tag_key
from eval.drafting.run import _REFERENCE_ID, library_parser, library_settings
from eval.report import progress
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.settings import Settings

WHOLE_BRIEFS: Traversable = files("eval.drafting") / "whole_briefs.jsonl"  # package data
SYSTEMS = ("one draft", "separately")
_PLACEHOLDER = re.compile(r"<[^<>\n]{1,80}>")
_STANDARD = re.compile(r"^(?:ITU-[TR]|CCITT|CCIR|ISO|IEC|IETF|ETSI|IEEE|3GPP)\b")
_LISTED_ABBREVIATION = re.compile(r"^(?P<abbr>[^\s<]{2,12})\t", re.M)
_LISTS = {KIND_KEYS[DraftKind.REFERENCES], KIND_KEYS[DraftKind.ABBREVIATIONS], "Bibliography"}


class WholeBrief(BaseModel):
    id: str
    rec_id: str
    topic: str
    kinds: list[DraftKind]


def load_whole_briefs(path: Traversable = WHOLE_BRIEFS) -> list[WholeBrief]:
    return [WholeBrief.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def _is_prose(key: str) -> bool:
    return key in ("Summary", "1") or (key.isdigit() and int(key) >= 6)


def cited_documents(text: str) -> set[str]:
    """The documents ``text`` cites as references: tags of a standard ("[ITU-T Y.3500]", "[ISO/IEC TR
    20002]") and ITU identifiers in running text; a bibliography tag ("[b-ITU-T H.760]") is not one."""
    normative = _TAG.sub(lambda m: " " if m["tag"].startswith("b-") else m[0], text)
    tags = {tag_key(m["tag"]) for m in _TAG.finditer(normative) if _STANDARD.match(m["tag"])}
    return tags | {tag_key(rec) for rec, _, _ in find_rec_ids(normative)}


def consistency(document: DraftDocument, exact: ExactPieces) -> dict[str, tuple[int, int]]:
    """(hits, out of) for each consistency count of one draft; a count with nothing to count is left out."""
    rest = "\n".join(s.text for s in document.sections if s.key not in _LISTS)
    written = _PLACEHOLDER.sub(" ", rest)
    out: dict[str, tuple[int, int]] = {}

    prose = " ".join(  # the prose clauses written, not left as placeholders
        s.text.partition("\n")[2]
        for s in document.sections
        if _is_prose(s.key) and not _PLACEHOLDER.search(s.text)
    )
    terms = list(dict.fromkeys(t for t in document.defined_terms() if not t.startswith("<")))
    if terms and prose.strip():
        used = [t for t in terms if re.search(rf"\b{re.escape(t)}", prose, re.I)]
        out["terms used as defined"] = (len(used), len(terms))

    acronyms = set(exact.used_acronyms(written))
    abbreviations = document.section(KIND_KEYS[DraftKind.ABBREVIATIONS])
    listed = (
        {m["abbr"] for m in _LISTED_ABBREVIATION.finditer(abbreviations.text)} if abbreviations else set()
    )
    if acronyms:
        out["abbreviations listed (recall)"] = (len(acronyms & listed), len(acronyms))
    if listed:
        out["abbreviations listed (precision)"] = (len(listed & acronyms), len(listed))

    cited = cited_documents(written) - {tag_key(document.rec_id or "")}
    references = document.section(KIND_KEYS[DraftKind.REFERENCES])
    entries = {tag_key(m["rec"]) for m in _REFERENCE_ID.finditer(references.text)} if references else set()
    if cited:
        out["references cited (recall)"] = (len(cited & entries), len(cited))
    if entries:
        out["references cited (precision)"] = (len(entries & cited), len(entries))
    return out


def draft_brief(drafter: Drafter, brief: WholeBrief, system: str) -> tuple[DraftDocument, float]:
    """The brief's three clauses, drafted by ``system``; the document and the seconds it took."""
    started = time.perf_counter()
    document = DraftDocument(rec_id=brief.rec_id, topic=brief.topic)
    for kind in brief.kinds:
        if system == "one draft":
            for _ in draft_into(document, drafter, kind, brief.topic, exclude_rec_id=brief.rec_id):
                pass
        else:
            clause = drafter.draft(kind, brief.topic, rec_id=brief.rec_id, exclude_rec_id=brief.rec_id)
            document.put_draft(clause)
    return document, time.perf_counter() - started


def pooled(rows: list[dict[str, Any]], system: str) -> dict[str, float]:
    totals: dict[str, list[int]] = {}
    for row in rows:
        for name, (hits, of) in row[system]["counts"].items():
            total = totals.setdefault(name, [0, 0])
            total[0] += hits
            total[1] += of
    return {name: hits / of for name, (hits, of) in sorted(totals.items()) if of}


def evaluate(
    settings: Settings, briefs: list[WholeBrief], model: ChatModel | None, why: str | None
) -> list[dict[str, Any]]:
    library = Library(settings)
    catalog = ReferenceCatalog.from_settings(settings)
    drafter = Drafter(HybridRetriever(library), catalog, model, settings, why)
    rows = []
    try:
        for brief in progress(briefs, "whole drafts"):
            if library.resolve(brief.rec_id, language="en") is None:
                rows.append({"id": brief.id, "skipped": f"{brief.rec_id} not in the index"})
                continue
            exact = ExactPieces(library.store, catalog, brief.rec_id)
            row: dict[str, Any] = {"id": brief.id, "kinds": [k.value for k in brief.kinds]}
            for system in SYSTEMS:
                document, seconds = draft_brief(drafter, brief, system)
                row[system] = {
                    "counts": consistency(document, exact),
                    "seconds": round(seconds, 2),
                    "draft": document.text(),
                }
            rows.append(row)
    finally:
        library.close()
    return rows


def rescore(settings: Settings, rows: list[dict[str, Any]], briefs: list[WholeBrief]) -> None:
    """Count again, in place, on the drafts a run kept (a change of scoring needs no drafting)."""
    held_out = {b.id: b.rec_id for b in briefs}
    library = Library(settings)
    catalog = ReferenceCatalog.from_settings(settings)
    try:
        for row in rows:
            exact = ExactPieces(library.store, catalog, held_out[row["id"]])
            for system in SYSTEMS:
                if system in row:
                    document = DraftDocument.from_text(row[system]["draft"])
                    row[system]["counts"] = consistency(document, exact)
    finally:
        library.close()


def report(model: str | None, briefs: list[WholeBrief], rows: list[dict[str, Any]], out: Path) -> None:
    """Pool the rows, write them to ``out`` and print the table."""
    scored = [r for r in rows if "skipped" not in r]
    metrics = {system: pooled(scored, system) for system in SYSTEMS}
    result: dict[str, Any] = {
        "model": model,
        "briefs": len(briefs),
        "scored": len(scored),
        "metrics": metrics,
        "seconds": {system: round(sum(r[system]["seconds"] for r in scored), 1) for system in SYSTEMS},
        "rows": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"{len(scored)} of {len(briefs)} briefs scored; model: {result['model']}")
    names = sorted({n for s in SYSTEMS for n in metrics[s]})
    print(f"{'':34}" + "".join(f"{s:>12}" for s in SYSTEMS))
    for name in names:
        values = [metrics[s].get(name) for s in SYSTEMS]
        print(f"{name:34}" + "".join("           -" if v is None else f"{v:12.3f}" for v in values))
    for row in scored:
        print(row["id"], {s: row[s]["counts"] for s in SYSTEMS})


def main() -> None:
    parser = library_parser(__doc__, "eval/results/drafting-whole.json")
    parser.add_argument("--model", action="store_true", help="draft the prose with the configured model")
    parser.add_argument("--rescore", type=Path, metavar="RUN.json", help="count again on a run's drafts")
    args = parser.parse_args()
    settings = library_settings(args) if args.model else library_settings(args, llm={"enabled": False})
    briefs = load_whole_briefs()
    if args.rescore:
        kept = json.loads(args.rescore.read_text())
        rescore(settings, [r for r in kept["rows"] if "skipped" not in r], briefs)
        report(kept["model"], briefs, kept["rows"], args.out)
        return
    with ModelHost(settings) as host:
        try:
            model: ChatModel | None = host.model() if args.model else None
            why = None if args.model else "no model asked for (--model)"
        except LLMUnavailable as exc:
            model, why = None, str(exc)
        rows = evaluate(settings, briefs, model, why)
    report(settings.llm.model if model else None, briefs, rows, args.out)


if __name__ == "__main__":
    main()

"""Drafting eval: briefs whose gold text is a real clause of an indexed Recommendation.

Each brief names a Recommendation and a clause (Scope, Summary, a requirements clause, 3.1, 4, 2) and
gives its topic. Rapporteur drafts that clause with the Recommendation held out of everything it reads
(``exclude_rec_id``); the naive baseline asks the same model plainly, with the three nearest chunks.
Scores: similarity to the gold clause (ROUGE-L, embedding cosine), template conformance, citation
validity, reuse of existing definitions, abbreviation and reference accuracy, time to first token and
tokens/s. Gold texts are read from the index at run time; no ITU text is stored here.

    python -m eval.drafting.run --index DIR [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from copilot.checker.rules.base import normalized
from copilot.citation import Citation
from copilot.drafting.drafter import Drafter
from copilot.drafting.exact import ExactPieces
from copilot.drafting.models import ClauseDraft, DraftKind
from copilot.llm import ChatModel, GenerationStats, LLMError, LLMUnavailable, ModelHost
from copilot.prompts import PromptTemplate
from copilot.retrieval import HybridRetriever
from eval.report import Metric, SuiteResult, SuiteUnavailable, progress
from eval.textmetrics import cosine, rouge_l, written_citations
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.settings import Settings

BRIEFS: Traversable = files("eval.drafting") / "briefs.jsonl"  # package data
_PLACEHOLDER = re.compile(r"<[^<>\n]{2,80}>")
_REQUIREMENT_LINE = re.compile(r"^REQ-\d{2}: .+")
_DEFINITION_LINE = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?P<term>[^:\[\n]{2,80}?)\s*\[(?P<source>[^\]]+)\]\s*:", re.M
)
_ABBREVIATION_LINE = re.compile(r"^(?P<abbr>\S{2,12})\t(?P<expansion>.+)$", re.M)
_REFERENCE_ID = re.compile(r"^\[(?P<rec>[^\]]+)\]\t", re.M)


class Brief(BaseModel):
    id: str
    kind: DraftKind
    rec_id: str
    clause: str
    topic: str
    draft_from_gold: bool = False


def load_briefs(path: Traversable = BRIEFS) -> list[Brief]:
    return [Brief.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


class Gold(BaseModel):
    text: str
    body: str
    """The rest of the Recommendation: the rapporteur's "draft so far" for abbreviations and references."""


def gold_for(library: Library, brief: Brief) -> Gold | None:
    doc = library.resolve(brief.rec_id, language="en")
    if doc is None:
        return None
    clauses = library.store.clauses(doc.doc_id)
    wanted = [c for c in clauses if c.number == brief.clause or (c.heading == brief.clause and not c.number)]
    if not wanted:
        return None
    inside = [
        c for c in clauses if c.number == brief.clause or (c.number or "").startswith(brief.clause + ".")
    ]
    body = "\n".join(c.text for c in clauses if c not in inside)
    return Gold(text="\n".join(c.text for c in inside) or wanted[0].text, body=body)


def _body(text: str) -> str:
    """A draft without its heading lines, for comparison with the gold clause's text."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(ln for ln in lines if not re.match(r"^(?:\d+(?:\.\d+)*\t[^:]+|Summary)$", ln))


def conformance(kind: DraftKind, text: str, keywords: list[str]) -> float:
    """Share of the ITU template checks for ``kind`` that the text passes."""
    body = _body(text)
    checks = [not _PLACEHOLDER.search(body), bool(body.strip())]
    if kind == DraftKind.SCOPE:
        checks += [
            text.startswith("1\tScope\n"),
            body.startswith("This Recommendation"),
            " shall " not in body,
        ]
    elif kind == DraftKind.SUMMARY:
        checks += [
            text.startswith("Summary\n"),
            body.count("\n") == 0,
            body.startswith(("Recommendation", "This")),
        ]
    elif kind == DraftKind.REQUIREMENTS:
        lines = [ln for ln in body.splitlines() if ln.strip()]
        checks += [
            bool(lines) and all(_REQUIREMENT_LINE.match(ln) for ln in lines),
            bool(lines) and all(any(k in ln for k in keywords) for ln in lines),
        ]
    elif kind == DraftKind.DEFINITIONS:
        checks += [
            "3.1\tTerms defined elsewhere" in text,
            "3.2\tTerms defined in this Recommendation" in text,
        ]
    elif kind == DraftKind.ABBREVIATIONS:
        checks += [text.startswith("4\tAbbreviations and acronyms\n"), bool(_ABBREVIATION_LINE.search(body))]
    elif kind == DraftKind.REFERENCES:
        checks += [text.startswith("2\tReferences\n"), bool(_REFERENCE_ID.search(body))]
    return sum(checks) / len(checks)


def model_written(kind: DraftKind, text: str) -> str:
    """The part of a draft the model wrote: the prose kinds whole, the 3.2 terms of a definitions
    draft, nothing of the exact kinds — whose bracketed tags are the defining Recommendation of a
    quoted term (3.1) or a reference label, not citations of the clauses handed to the model."""
    if kind in (DraftKind.SCOPE, DraftKind.SUMMARY, DraftKind.REQUIREMENTS):
        return text
    if kind == DraftKind.DEFINITIONS:
        return text.partition("3.2\tTerms defined in this Recommendation")[2]
    return ""


def citation_counts(text: str, sources: list[Citation]) -> tuple[int, int]:
    """(valid, written): citations in the text that name a clause the drafter was given."""
    given = {(normalized(c.rec_id or ""), c.clause) for c in sources} | {
        (normalized(c.rec_id or ""), None) for c in sources
    }
    written = written_citations(text)
    return sum((normalized(rec), clause) in given for rec, clause in written), len(written)


def _pairs(pattern: re.Pattern[str], text: str, a: str, b: str) -> set[tuple[str, str]]:
    return {(normalized(m[a]), normalized(m[b])) for m in pattern.finditer(text) if "<" not in m[b]}


def exact_scores(brief: Brief, text: str, gold: Gold, exact: ExactPieces) -> dict[str, float]:
    """Definition reuse, abbreviation precision/recall and reference recall, per kind."""
    if brief.kind == DraftKind.DEFINITIONS:
        gold_terms = [m["term"].strip() for m in _DEFINITION_LINE.finditer(gold.text)]
        reusable = [t for t in gold_terms if exact.definition_of(t) is not None]
        drafted = {normalized(m["term"]) for m in _DEFINITION_LINE.finditer(text)}
        if not reusable:
            return {}
        return {"definition reuse": sum(normalized(t) in drafted for t in reusable) / len(reusable)}
    if brief.kind == DraftKind.ABBREVIATIONS:
        want = _pairs(_ABBREVIATION_LINE, gold.text, "abbr", "expansion")
        got = _pairs(_ABBREVIATION_LINE, _body(text), "abbr", "expansion")
        hit = len(want & got)
        return {
            "abbreviation recall": hit / len(want) if want else 0.0,
            "abbreviation precision": hit / len(got) if got else 0.0,
        }
    if brief.kind == DraftKind.REFERENCES:
        want_ids = {normalized(m["rec"]) for m in _REFERENCE_ID.finditer(gold.text)}
        got_ids = {normalized(m["rec"]) for m in _REFERENCE_ID.finditer(text)}
        return {"reference recall": len(want_ids & got_ids) / len(want_ids) if want_ids else 0.0}
    return {}


def naive_draft(
    brief: Brief, retriever: HybridRetriever, model: ChatModel, settings: Settings, gold: Gold
) -> tuple[str, list[Citation], GenerationStats]:
    """The baseline: the model asked plainly, with the three nearest chunks by embedding alone."""
    filters = {"exclude_rec_id": brief.rec_id}
    sources = retriever.search(brief.topic, k=3, filters=filters, mode="dense", understand=False)
    context = "\n\n".join(s.text[: settings.answer.source_chars] for s in sources)
    if brief.draft_from_gold:
        context += "\n\nDraft so far:\n" + gold.body[: settings.answer.source_chars]
    messages = PromptTemplate.load("draft_naive").render(
        sources=context, kind=brief.kind.value, topic=brief.topic
    )
    generation = model.generate(
        messages, max_tokens=settings.llm.max_tokens, temperature=settings.llm.temperature
    )
    return generation.text(), sources, generation.stats


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _rates(rows: list[dict[str, Any]], system: str) -> dict[str, float]:
    """Aggregate one system's per-brief rows into the suite's metrics."""
    mine = [r[system] for r in rows if system in r]
    prose = [m for r, m in zip(rows, mine, strict=False) if r["kind"] in ("scope", "summary", "requirements")]
    valid = sum(m["citations_valid"] for m in mine)
    written = sum(m["citations_written"] for m in mine)
    out = {
        "template conformance": _mean([m["conformance"] for m in mine]),
        "ROUGE-L vs gold": _mean([m["rouge_l"] for m in prose]),
        "cosine vs gold": _mean([m["cosine"] for m in prose]),
    }
    if written:  # a share of nothing is not a score: the notes give the counts
        out["citation validity"] = valid / written
    for key in ("definition reuse", "abbreviation recall", "abbreviation precision", "reference recall"):
        values = [m[key] for m in mine if key in m]
        if values:
            out[key] = _mean(values)
    timed = [m for m in mine if m.get("first_token_s") is not None]
    if timed:
        out["time to first token"] = _mean([m["first_token_s"] for m in timed])
        out["generation speed"] = _mean([m["tokens_per_s"] for m in timed if m["tokens_per_s"]])
    return out


_LOWER_IS_BETTER = {"time to first token"}
_UNITS = {"time to first token": "s", "generation speed": "tokens/s"}


def score_draft(
    brief: Brief,
    text: str,
    sources: list[Citation],
    stats: list[GenerationStats],
    gold: Gold,
    exact: ExactPieces,
    embedder: Any,
    keywords: list[str],
) -> dict[str, Any]:
    valid, written = citation_counts(model_written(brief.kind, text), sources)
    first = [s.first_token_s for s in stats if s.first_token_s is not None]
    return {
        "conformance": conformance(brief.kind, text, keywords),
        "rouge_l": rouge_l(_body(text), gold.text),
        "cosine": cosine(embedder, _body(text), gold.text),
        "citations_valid": valid,
        "citations_written": written,
        "first_token_s": max(first) if first else None,
        "tokens_per_s": _mean([s.tokens_per_s for s in stats if s.tokens_per_s]),
        "seconds": sum(s.total_s for s in stats),
        **exact_scores(brief, text, gold, exact),
    }


def evaluate(
    settings: Settings,
    briefs: list[Brief],
    model: ChatModel | None,
    unavailable: str | None,
    on_progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    library = Library(settings)
    retriever = HybridRetriever(library)
    catalog = ReferenceCatalog.from_settings(settings)
    drafter = Drafter(retriever, catalog, model, settings, unavailable)
    rows: list[dict[str, Any]] = []
    try:
        for brief in progress(briefs, "drafting briefs"):
            gold = gold_for(library, brief)
            if gold is None:
                rows.append(
                    {
                        "id": brief.id,
                        "kind": brief.kind.value,
                        "skipped": f"{brief.rec_id} {brief.clause} not in the index",
                    }
                )
                continue
            if brief.kind.needs_model and model is None:
                rows.append({"id": brief.id, "kind": brief.kind.value, "skipped": "needs a model"})
                continue
            exact = ExactPieces(library.store, catalog, brief.rec_id)
            keywords = exact.keywords(brief.rec_id) or ["is required to"]
            started = time.perf_counter()
            draft: ClauseDraft = drafter.draft(
                brief.kind,
                brief.topic,
                rec_id=brief.rec_id,
                draft_text=gold.body if brief.draft_from_gold else "",
                exclude_rec_id=brief.rec_id,
            )
            row: dict[str, Any] = {
                "id": brief.id,
                "kind": brief.kind.value,
                "rec_id": brief.rec_id,
                "draft": draft.text,
            }
            row["rapporteur"] = score_draft(
                brief, draft.text, draft.citations, draft.stats, gold, exact, library.embedder, keywords
            )
            row["rapporteur"]["unsupported"] = len(draft.unsupported)
            row["rapporteur"]["citations_written"] += len(draft.unsupported)
            row["rapporteur"]["wall_s"] = time.perf_counter() - started
            if model is not None:
                text, sources, stats = naive_draft(brief, retriever, model, settings, gold)
                row["naive"] = score_draft(
                    brief, text, sources, [stats], gold, exact, library.embedder, keywords
                )
                row["naive_draft"] = text
            rows.append(row)
            if on_progress:
                on_progress(brief.id)
    finally:
        library.close()
    return rows


def run_suite(settings: Settings, fast: bool) -> SuiteResult:
    """The whole brief set on the configured model; in fast mode (CI) it needs the full index, so it
    reports itself unavailable rather than pretend."""
    if fast:
        raise SuiteUnavailable("drafting needs the whole-corpus index and a model; run it without --fast")
    if not (settings.index / "records.sqlite3").is_file():
        raise SuiteUnavailable(f"no index at {settings.index}; ingest the corpus first (make run)")
    briefs = load_briefs()
    with ModelHost(settings) as host:
        try:
            model: ChatModel | None = host.model()
            unavailable = None
        except LLMUnavailable as exc:
            model, unavailable = None, str(exc)
        try:
            rows = evaluate(settings, briefs, model, unavailable)
        except LLMError as exc:
            raise SuiteUnavailable(f"the model failed during the run: {exc}") from exc
    ours, naive = _rates(rows, "rapporteur"), _rates(rows, "naive")
    metrics = [
        Metric(
            name=name,
            value=value,
            baseline=naive.get(name),
            higher_is_better=name not in _LOWER_IS_BETTER,
            unit=_UNITS.get(name, ""),
        )
        for name, value in ours.items()
    ]
    scored = [r for r in rows if "rapporteur" in r]
    notes = [f"{len(scored)} of {len(briefs)} briefs scored"] + [
        f"{r['id']}: skipped ({r['skipped']})" for r in rows if "skipped" in r
    ]
    notes += [
        f"{system}: the model wrote {sum(m['citations_written'] for m in mine)} citations in prose, "
        f"{sum(m['citations_valid'] for m in mine)} naming a clause it was given"
        for system in ("rapporteur", "naive")
        if (mine := [r[system] for r in rows if system in r])
    ]
    if unavailable:
        notes.append(f"no model: {unavailable}")
    return SuiteResult(
        suite="drafting",
        metrics=metrics,
        rows=rows,
        notes=notes,
        config={
            "model": settings.llm.model if model else None,
            "briefs": len(briefs),
            "source_chars": settings.answer.source_chars,
        },
    )


def library_parser(doc: str | None, out: str) -> argparse.ArgumentParser:
    """The command line every drafting eval takes: the library (``--index``, ``--corpus``) and ``--out``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path(out))
    return parser


def library_settings(args: argparse.Namespace, **changes: Any) -> Settings:
    """The settings with the library the command line named (the environment's where it named none)."""
    given = {k: v for k, v in (("index", args.index), ("corpus", args.corpus)) if v}
    return Settings(**given, **changes)


def main() -> None:
    args = library_parser(__doc__, "eval/results/drafting.json").parse_args()
    result = run_suite(library_settings(args), fast=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(result.model_dump_json(indent=2))
    for metric in result.metrics:
        baseline = "-" if metric.baseline is None else f"{metric.baseline:.3f}"
        print(f"{metric.name:28} {metric.value:8.3f}   naive {baseline}")
    print("\n".join(result.notes))
    print(json.dumps(result.config))


if __name__ == "__main__":
    main()

"""Do all phrasings of a record question behave alike? Definitions and abbreviation entries sampled
from an index, each asked in every phrasing below; per phrasing, the share of records whose clause
search puts first and within the first five. The questions are templates, so this checks the query
parser and the pinning on many records, not users' words (the retrieval set does that).

    python -m eval.retrieval.phrasings --index DIR [--sample 80] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

from copilot.query import expansion_text
from copilot.retrieval import HybridRetriever
from copilot.retrieval.clauses import ClauseLocator
from eval.report import progress
from rapporteur.settings import Settings

DEFINITION_PHRASINGS = (
    "What is {term}?",
    "{term}?",
    "meaning of {term}",
    "define {term}",
    "{term} definition",
    "what does {term} mean?",
    "what is meant by {term}?",
    "How is {term} defined?",
    "explain the term {term}",
    "Which Recommendation defines {term}?",
    "In {rec_id}, what is {term}?",
)
ABBREVIATION_PHRASINGS = (
    "What is {acronym}?",
    "{acronym}?",
    "what does {acronym} stand for?",
    "{acronym} stands for",
    "meaning of {acronym}",
    "expand {acronym}",
    "What is {acronym}'s abbreviation?",
    "What is the full form of {acronym}?",
    "In {rec_id}, what does {acronym} stand for?",
    "What is the acronym for {expansion}?",
    "abbreviation of {expansion}",
)


@dataclass(frozen=True)
class RecordQuestion:
    """One record to ask about: the words to fill a phrasing with, and the clause that answers."""

    fill: dict[str, str]
    rec_id: str
    clause: str


@dataclass(frozen=True)
class PhrasingResult:
    phrasing: str
    asked: int
    first: int
    top5: int


def sample_records(retriever: HybridRetriever, sample: int, seed: int) -> tuple[list[RecordQuestion], ...]:
    """Up to ``sample`` definitions (terms of one to five words, defined where they are) and as many
    abbreviation entries (their list located, an expansion of two words or more), one per term."""
    store, snap = retriever.store, retriever.refresh()
    rng = random.Random(seed)
    terms = {d.term.lower(): d for d in store.definitions("") if d.defined_here and d.rec_id}
    definitions = [
        RecordQuestion({"term": d.term, "rec_id": d.rec_id or ""}, d.rec_id or "", d.clause)
        for d in terms.values()
        if 1 <= len(d.term.split()) <= 5
    ]
    locate = ClauseLocator(store, snap)
    entries = {e.abbreviation: e for e in store.abbreviations_mentioning("") if e.rec_id}
    abbreviations: list[RecordQuestion] = []
    for entry in rng.sample(sorted(entries.values(), key=lambda e: e.abbreviation), len(entries)):
        expansion = expansion_text(entry.expansion)
        wanted = len(expansion.split()) >= 2 and 2 <= len(entry.abbreviation) <= 8
        if len(abbreviations) >= sample or not wanted:
            continue
        listed = locate.abbreviation(entry.doc_id, entry.abbreviation)
        if listed is not None and listed.clause:
            fill = {"acronym": entry.abbreviation, "expansion": expansion, "rec_id": entry.rec_id or ""}
            abbreviations.append(RecordQuestion(fill, entry.rec_id or "", listed.clause))
    return rng.sample(definitions, min(sample, len(definitions))), abbreviations


def rank_of(retriever: HybridRetriever, question: str, record: RecordQuestion, k: int = 5) -> int | None:
    """Where the record's clause comes (a citation of its parent or of one of its paragraphs counts)."""
    for rank, hit in enumerate(retriever.search(question, k=k), start=1):
        cited = hit.clause or ""
        same = cited == record.clause or cited.startswith(record.clause + ".")
        if hit.rec_id == record.rec_id and (same or record.clause.startswith(cited + ".")):
            return rank
    return None


def measure(
    retriever: HybridRetriever, records: list[RecordQuestion], phrasings: tuple[str, ...], label: str
) -> list[PhrasingResult]:
    ranks: dict[str, list[int | None]] = {p: [] for p in phrasings}
    for record in progress(records, label):
        for phrasing in phrasings:
            ranks[phrasing].append(rank_of(retriever, phrasing.format(**record.fill), record))
    return [PhrasingResult(p, len(r), r.count(1), sum(x is not None for x in r)) for p, r in ranks.items()]


def table(results: list[PhrasingResult]) -> str:
    rows = ["| phrasing | asked | R@1 | R@5 |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{r.phrasing}` | {r.asked} | {r.first / r.asked:.2f} | {r.top5 / r.asked:.2f} |"
        for r in results
        if r.asked
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=80, help="records of each kind (default 80)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    settings = Settings(index=args.index).updated(llm={"enabled": False})
    retriever = HybridRetriever.from_settings(settings)
    definitions, abbreviations = sample_records(retriever, args.sample, args.seed)
    print(f"\n{len(definitions)} definitions\n")
    print(table(measure(retriever, definitions, DEFINITION_PHRASINGS, "definitions")))
    print(f"\n{len(abbreviations)} abbreviation entries\n")
    print(table(measure(retriever, abbreviations, ABBREVIATION_PHRASINGS, "abbreviations")))


if __name__ == "__main__":
    main()

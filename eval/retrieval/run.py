"""Retrieval quality at clause level: lexical, dense, hybrid and a naive LangChain-style baseline.

    python -m eval.retrieval.run [--corpus ../shared/corpus] [--index eval/results/index]
                                 [--out eval/results/retrieval]

Ingests the corpus into ``--index`` (incremental: a second run re-embeds nothing), builds the naive
baseline beside it, asks every question of ``questions.jsonl`` to each system and writes
``retrieval.md`` (table + failures), ``retrieval.json`` (per-question ranks) and ``retrieval.png``.

``run_suite`` is the same measurement for ``rapporteur eval --suite retrieval``: full, the questions
about documents already in ``Settings.index`` (nothing is ingested; the naive baseline is built beside
the index only when missing or stale); fast, the questions about ``FAST_FILES``, ingested from
``Settings.corpus`` into a temporary index.

Scoring. A question's labels are alternatives: a Recommendation and the clause(s) any of which answers
it ("*" = the Recommendation itself is the answer, any of its clauses counts). A hit matches a label
when it is the same Recommendation and the same clause, a clause nested in it (6.3.1 for 6.3; A.1 for
Annex A), or, where the label is a numbered paragraph the clause tree does not split out ("3.2.1"
inside clause "3.2"), the clause that holds it. Recall@k is the share of questions answered in the
top k; MRR and nDCG@10 use the first matching hit (one relevant item per question).

The naive baseline follows most LangChain tutorials: each document's full text (its clauses joined in
order) cut by ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, embedded with the
same model, dense search only. A naive chunk carries no clause, so it is mapped back to every clause
whose text it overlaps (by character offsets); it matches when any of those clauses does. That is
generous to the baseline: one 1,000-character window can cover several short clauses at once.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from copilot.llm import ModelHost
from copilot.retrieval import Citation, HybridRetriever, Mode
from copilot.retrieval.translation import QueryTranslator, TranslationCache
from eval.report import Metric, SuiteResult, SuiteUnavailable, progress
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from ingest.metadata import normalize_rec_id
from ingest.models import Chunk
from ingest.store import text_hash
from ingest.vectors import ChromaIndex
from rapporteur.settings import Settings

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
QUESTIONS: Traversable = files("eval.retrieval") / "questions.jsonl"  # package data
NAIVE_COLLECTION = "naive_recursive_1000_200"
KS = (1, 5, 10)
DEPTH = 10
OURS = "hybrid + query understanding"
TRANSLATED = f"{OURS} + query translation"
NAIVE = "naive (LangChain 1000/200, dense)"
ABLATION = ("R@5", "MRR")
DROP_CALLOUT = 0.05
FAST_FILES = (
    "itu-t/T-REC-F.921-201808-I!!MSW-E.docx",
    "itu-t/T-REC-L.314-201811-P!!MSW-E.docx",
    "itu-t/T-REC-Q.850-201810-I!!MSW-E.docx",
    "itu-t/T-REC-E.840-201806-I!!MSW-E.docx",
)
"""The fast (CI) subset: small Word Recommendations (15-22 pages) that 23 questions ask about."""


class Question(BaseModel):
    id: str
    question: str
    rec_id: str
    clauses: list[str]
    type: str
    names_rec: bool
    split: Literal["dev", "test"] = "dev"
    """Tuning looks at ``dev`` only; ``test`` was written before the change it measures."""
    language: str = "en"


class Hit(BaseModel):
    """A ranked result reduced to what scoring needs: its Recommendation and the clause(s) it covers."""

    rec_id: str | None
    clauses: list[str]
    label: str


class Outcome(BaseModel):
    question: str
    rank: int | None
    top: list[str]


def load_questions(path: Traversable) -> list[Question]:
    return [Question.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def _same_rec(a: str | None, b: str) -> bool:
    if not a:
        return False
    return (normalize_rec_id(a) or a).lower() == (normalize_rec_id(b) or b).lower()


def _nested(clause: str, gold: str) -> bool:
    """6.3.1 in 6.3; A.1 in Annex A; "Annex 2 § 2.2.2" in "Annex 2 § 2.2" (ITU-R labels)."""
    if clause == gold or clause.startswith(gold + "."):
        return True
    prefix = gold.split(None, 1)[1] if gold.startswith(("Annex ", "Appendix ")) else gold
    return clause.startswith(prefix + ".")


class Judge:
    """Decides whether a hit answers a question, knowing which clauses each Recommendation indexes."""

    def __init__(self, indexed: dict[str, set[str]]) -> None:
        self.indexed = indexed

    def holder(self, rec_id: str, gold: str) -> str | None:
        """The indexed clause holding a numbered paragraph the tree does not split out."""
        clauses = self.indexed.get((normalize_rec_id(rec_id) or rec_id).lower(), set())
        if gold in clauses:
            return None
        parents = [c for c in clauses if gold.startswith(c + ".")]
        return max(parents, key=len) if parents else None

    def matches(self, hit: Hit, question: Question) -> bool:
        if not _same_rec(hit.rec_id, question.rec_id):
            return False
        for gold in question.clauses:
            if gold == "*":
                return True
            holder = self.holder(question.rec_id, gold)
            if any(_nested(c, gold) or c == holder for c in hit.clauses):
                return True
        return False

    def rank(self, hits: list[Hit], question: Question) -> int | None:
        return next((i for i, h in enumerate(hits, start=1) if self.matches(h, question)), None)


# -- the naive baseline -------------------------------------------------------------------------------


class NaiveBaseline:
    """Fixed 1,000-character chunks with 200 overlap over each document's text; dense search only."""

    def __init__(self, library: Library) -> None:
        self.library = library
        s = library.settings
        self.vectors = ChromaIndex(s.index / "chroma", NAIVE_COLLECTION, s.chroma.host, s.chroma.port)
        self.map_path = s.index / "naive_chunks.json"
        self.chunks: dict[str, tuple[str | None, list[str]]] = {}

    def build(self) -> None:
        """Split, embed (through the store's embedding cache) and index; skipped when already current."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        docs = self.library.documents()
        expected = {d.doc_id: d.chunks for d in docs}
        if self.map_path.is_file():
            saved = json.loads(self.map_path.read_text())
            if saved["documents"] == expected and self.vectors.count() == len(saved["chunks"]):
                self.chunks = {k: (v[0], v[1]) for k, v in saved["chunks"].items()}
                return
        store = self.library.store
        chunks: list[Chunk] = []
        mapping: dict[str, tuple[str | None, list[str]]] = {}
        for doc in docs:
            spans: list[tuple[int, int, str]] = []
            parts: list[str] = []
            offset = 0
            for clause in store.clauses(doc.doc_id):
                block = "\n".join([f"{clause.number} {clause.heading}".strip(), *clause.paragraphs]) + "\n\n"
                spans.append((offset, offset + len(block), clause.number))
                parts.append(block)
                offset += len(block)
            for i, piece in enumerate(splitter.create_documents(["".join(parts)])):
                start = int(piece.metadata["start_index"])
                end = start + len(piece.page_content)
                overlap = [
                    (min(end, e) - max(start, s), n) for s, e, n in spans if min(end, e) - max(start, s) > 0
                ]
                covered = [n for _, n in sorted(overlap, key=lambda x: -x[0])]
                chunk_id = f"{doc.doc_id}:naive{i:05d}"
                mapping[chunk_id] = (doc.rec_id, covered)
                chunks.append(
                    Chunk(chunk_id=chunk_id, doc_id=doc.doc_id, rec_id=doc.rec_id, edition=doc.edition,
                          clause=covered[0] if covered else "", heading="", heading_path="",
                          text=piece.page_content, language=doc.language, kind=doc.kind)
                )  # fmt: skip
        vectors = self._embed([c.text for c in chunks])
        for doc in docs:
            self.vectors.delete_document(doc.doc_id)
        self.vectors.upsert(chunks, vectors)
        self.chunks = mapping
        self.map_path.write_text(json.dumps({"documents": expected, "chunks": mapping}))

    def _embed(self, texts: list[str]) -> np.ndarray:
        store, embedder = self.library.store, self.library.embedder
        hashes = [text_hash(t) for t in texts]
        cached = store.cached_embeddings(hashes, embedder.name)
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        print(f"naive baseline: {len(texts)} chunks, {len(missing)} to embed", file=sys.stderr)
        for start in range(0, len(missing), 64):
            idx = missing[start : start + 64]
            fresh = dict(zip([hashes[i] for i in idx], embedder.embed([texts[i] for i in idx]), strict=True))
            store.cache_embeddings(fresh, embedder.name)
            cached.update(fresh)
        return np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, embedder.dimension))

    def search(self, query: str, k: int) -> list[Hit]:
        vector = self.library.embedder.embed([query])[0]
        hits = []
        for chunk_id, _ in self.vectors.query(vector, k):
            rec_id, clauses = self.chunks.get(chunk_id, (None, []))
            hits.append(Hit(rec_id=rec_id, clauses=clauses, label=f"[{rec_id}] {'/'.join(clauses[:3])}"))
        return hits


# -- running ------------------------------------------------------------------------------------------


def _as_hits(citations: list[Citation]) -> list[Hit]:
    return [Hit(rec_id=c.rec_id, clauses=[c.clause] if c.clause else [], label=c.render()) for c in citations]


SYSTEM_KEYS = {"naive": NAIVE, "dense": "dense (clause chunks)", "lexical": "lexical (BM25)",
               "rrf": "hybrid (RRF)", "ours": OURS, "translated": TRANSLATED}  # fmt: skip
"""Short names for ``--systems``."""


def systems(
    retriever: HybridRetriever, naive: NaiveBaseline | None, translated: HybridRetriever | None = None
) -> dict[str, Callable[[str], list[Hit]]]:
    """Every system to measure; the naive baseline when built, translation when a model is given."""

    def ours(mode: Mode, understand: bool, by: HybridRetriever = retriever) -> Callable[[str], list[Hit]]:
        return lambda q: _as_hits(by.search(q, k=DEPTH, mode=mode, understand=understand))

    found = {
        NAIVE: (lambda q: naive.search(q, DEPTH)) if naive is not None else None,
        "dense (clause chunks)": ours("dense", False),
        "lexical (BM25)": ours("lexical", False),
        "hybrid (RRF)": ours("hybrid", False),
        OURS: ours("hybrid", True),
        TRANSLATED: ours("hybrid", True, translated) if translated is not None else None,
    }
    return {name: ask for name, ask in found.items() if ask is not None}


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    out = {f"R@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in KS}
    out["MRR"] = sum(1.0 / r for r in ranks if r is not None) / n
    out["nDCG@10"] = sum(1.0 / math.log2(r + 1) for r in ranks if r is not None and r <= 10) / n
    return out


@dataclass
class RetrievalRun:
    """Every system's scores, median latency and per-question outcomes on one index."""

    questions: list[Question]
    chunks: int
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    translation_s: dict[str, float] = field(default_factory=dict)
    """Seconds the model took to translate each question (by question id; 0 for English ones)."""
    translations: dict[str, str] = field(default_factory=dict)
    """What each non-English question was searched as in English ("" when untranslated)."""


def evaluate(
    library: Library,
    catalog: ReferenceCatalog | None,
    questions: list[Question],
    translator: QueryTranslator | None = None,
    names: set[str] | None = None,
) -> RetrievalRun:
    """Ask every question of every system (of ``names``, default all); the naive baseline is built
    beside the index when stale. With a ``translator``, the translated system's search time excludes
    the translation, which is timed apart (``translation_s``)."""
    retriever = HybridRetriever(library, catalog)
    started = time.perf_counter()
    retriever.refresh()
    print(f"lexical index ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    naive = None
    if names is None or NAIVE in names:
        naive = NaiveBaseline(library)
        naive.build()
    translated = HybridRetriever(library, catalog, translator=translator) if translator else None
    if translated is not None:
        translated.refresh()
    indexed: dict[str, set[str]] = {}
    for chunk in library.store.chunks():
        if chunk.rec_id:
            indexed.setdefault((normalize_rec_id(chunk.rec_id) or chunk.rec_id).lower(), set()).add(
                chunk.clause
            )
    judge = Judge(indexed)
    run = RetrievalRun(questions=questions, chunks=library.store.chunk_count())
    for name, ask in systems(retriever, naive, translated).items():
        if names is not None and name not in names:
            continue
        ask(questions[0].question)  # warm-up: model and index loading are not query time
        ranks, times, rows = [], [], []
        for q in progress(questions, name, len(questions)):
            if name == TRANSLATED and translated is not None and (found := translated.translate(q.question)):
                run.translation_s[q.id] = found.seconds
                if found.language != "en":
                    run.translations[q.id] = found.english or ""
            t0 = time.perf_counter()
            hits = ask(q.question)
            times.append(time.perf_counter() - t0)
            rank = judge.rank(hits, q)
            ranks.append(rank)
            rows.append(Outcome(question=q.id, rank=rank, top=[h.label for h in hits[:3]]))
        run.results[name] = metrics(ranks)
        run.latency[name] = statistics.median(times) * 1000
        run.outcomes[name] = rows
    return run


def _ranks(run: RetrievalRun, system: str, keep: Callable[[Question], bool]) -> list[int | None]:
    return [o.rank for q, o in zip(run.questions, run.outcomes[system], strict=True) if keep(q)]


def _split_table(run: RetrievalRun) -> list[str]:
    """Every system on the test split with its dev figures beside."""
    keys = ("R@1", "R@5", "R@10", "MRR")
    head = " | ".join(f"test {k}" for k in keys) + " | " + " | ".join(f"dev {k}" for k in keys)
    rows = [f"| system | {head} | p50 ms |", "|" + " --- |" * (2 * len(keys) + 2)]
    for name in run.results:
        test = metrics(_ranks(run, name, lambda q: q.split == "test"))
        dev = metrics(_ranks(run, name, lambda q: q.split == "dev"))
        cells = " | ".join(f"{m[k]:.3f}" for m in (test, dev) for k in keys)
        rows.append(f"| {name} | {cells} | {run.latency[name]:.0f} |")
    return rows


def _member(field_name: str, group: object, split: str) -> Callable[[Question], bool]:
    return lambda q: getattr(q, field_name) == group and q.split == split


def _breakdown(run: RetrievalRun, field_name: str, drops: list[str]) -> list[str]:
    """Ours by question kind or language: test figures, dev beside; large dev-to-test drops noted."""
    groups = sorted({getattr(q, field_name) for q in run.questions})
    rows = [
        f"| {field_name} | n test | test R@1 | test R@5 | n dev | dev R@1 | dev R@5 |",
        "|" + " --- |" * 7,
    ]
    for group in groups:
        test, dev = (_ranks(run, OURS, _member(field_name, group, split)) for split in ("test", "dev"))
        t, d = metrics(test), metrics(dev)
        rows.append(
            f"| {group} | {len(test)} | {t['R@1']:.2f} | {t['R@5']:.2f} | "
            f"{len(dev)} | {d['R@1']:.2f} | {d['R@5']:.2f} |"
        )
        if test and dev and d["R@5"] - t["R@5"] > DROP_CALLOUT:
            drops.append(f"- {field_name} {group}: R@5 dev {d['R@5']:.2f} -> test {t['R@5']:.2f}")
    return rows


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def languages_table(run: RetrievalRun) -> list[str]:
    """Ours without and with query translation, side by side per language (test, dev beside), and
    what translation costs per translated question, apart from search time."""
    if TRANSLATED not in run.results:
        return []
    rows = [
        "| language | n test | test R@1 ours -> translated | test R@5 ours -> translated | n dev "
        "| dev R@5 ours -> translated |",
        "|" + " --- |" * 6,
    ]
    for group in sorted({q.language for q in run.questions}):
        cells = {
            split: [
                metrics(_ranks(run, name, _member("language", group, split))) for name in (OURS, TRANSLATED)
            ]
            for split in ("test", "dev")
        }
        n = {
            split: sum(1 for q in run.questions if q.language == group and q.split == split)
            for split in cells
        }
        (t0, t1), (d0, d1) = cells["test"], cells["dev"]
        rows.append(
            f"| {group} | {n['test']} | {t0['R@1']:.2f} -> {t1['R@1']:.2f} "
            f"| {t0['R@5']:.2f} -> {t1['R@5']:.2f} | {n['dev']} | {d0['R@5']:.2f} -> {d1['R@5']:.2f} |"
        )
    spent = [s for s in run.translation_s.values() if s > 0]
    if spent:
        rows += [
            "",
            f"Translation by the model: {len(spent)} questions, p50 {_percentile(spent, 0.5):.2f} s, "
            f"p95 {_percentile(spent, 0.95):.2f} s (search p50 {run.latency[TRANSLATED]:.0f} ms, apart).",
        ]
    return rows


def details(run: RetrievalRun) -> str:
    """Markdown: every system per split, ours by kind and by language, and the test questions missed."""
    failures = [
        f"- {q.id} ({q.type}, {q.language}) {q.question!r} -> want [{q.rec_id}] {', '.join(q.clauses)}; "
        f"rank {o.rank or '>10'}; got {'; '.join(o.top) or 'nothing'}"
        for q, o in zip(run.questions, run.outcomes[OURS], strict=True)
        if q.split == "test" and (o.rank is None or o.rank > 5)
    ]
    drops: list[str] = []
    overall_test = metrics(_ranks(run, OURS, lambda q: q.split == "test"))
    overall_dev = metrics(_ranks(run, OURS, lambda q: q.split == "dev"))
    if overall_dev["R@5"] - overall_test["R@5"] > DROP_CALLOUT:
        drops.append(f"- overall: R@5 dev {overall_dev['R@5']:.3f} -> test {overall_test['R@5']:.3f}")
    by_kind = _breakdown(run, "type", drops)
    by_language = _breakdown(run, "language", drops)
    return "\n".join(
        [
            *_split_table(run),
            "",
            f"### {OURS}: by question kind",
            "",
            *by_kind,
            "",
            f"### {OURS}: by language",
            "",
            *by_language,
            "",
            *(
                ["### Query translation: by language", "", *languages_table(run), ""]
                if TRANSLATED in run.results
                else []
            ),
            f"### Drops from dev to test larger than {DROP_CALLOUT}",
            "",
            *(drops or ["none"]),
            "",
            f"### {OURS}: test questions not answered in the top 5",
            "",
            *(failures or ["none"]),
            "",
        ]
    )


def suite_result(run: RetrievalRun, config: dict[str, object]) -> SuiteResult:
    """Ours (hybrid + query understanding) against the naive baseline; the other systems as ablations."""
    ours, naive = run.results[OURS], run.results[NAIVE]
    found = [Metric(name=k, value=ours[k], baseline=naive[k]) for k in ours]
    for name in run.results:
        if name not in (OURS, NAIVE):
            found += [
                Metric(name=f"{k} {name}", value=run.results[name][k], baseline=naive[k]) for k in ABLATION
            ]
    english = [i for i, q in enumerate(run.questions) if q.language == "en"]
    if english and len(english) < len(run.questions):
        # without a model the other languages go unsearched in English: the English figure is the
        # one a regression in the retriever itself moves
        found += [
            Metric(
                name=f"{k} English",
                value=metrics([run.outcomes[OURS][i].rank for i in english])[k],
                baseline=metrics([run.outcomes[NAIVE][i].rank for i in english])[k],
            )
            for k in ABLATION
        ]
    latency = Metric(name="p50 latency", value=run.latency[OURS], baseline=run.latency[NAIVE], unit="ms")
    found.append(latency.model_copy(update={"higher_is_better": False}))
    rows = [
        {"id": q.id, "type": q.type, "question": q.question, "rec_id": q.rec_id, "clauses": q.clauses,
         "rank": {name: outcomes[i].rank for name, outcomes in run.outcomes.items()},
         "top": run.outcomes[OURS][i].top}
        for i, q in enumerate(run.questions)
    ]  # fmt: skip
    return SuiteResult(
        suite="retrieval",
        metrics=found,
        rows=rows,
        notes=[
            f"{len(run.questions)} questions over {run.chunks} clause chunks; Rapporteur = {OURS}, "
            f"baseline = {NAIVE}; metric names with a system are ablations of ours.",
        ],
        config=config,
        details=details(run),
    )


@contextmanager
def fast_library(settings: Settings) -> Iterator[Library]:
    """A temporary index of ``FAST_FILES`` (the CI subset), shared by the retrieval and QA suites."""
    files = [settings.corpus / f for f in FAST_FILES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SuiteUnavailable(f"the fast subset needs {', '.join(missing)} (pass --corpus)")
    with tempfile.TemporaryDirectory(prefix="rapporteur-eval-") as tmp:
        library = Library(settings.updated(index=Path(tmp), chroma={"host": None}))
        try:
            report = library.ingest(files)
            if report.failed:
                raise RuntimeError(f"fast subset did not ingest: {[f.model_dump() for f in report.failed]}")
            yield library
        finally:
            library.close()


def run_suite(settings: Settings, fast: bool) -> SuiteResult:
    """Full: the questions about documents in ``settings.index`` (read as it is). Fast: the questions
    about ``FAST_FILES``, ingested from ``settings.corpus`` into a temporary index."""
    questions = load_questions(QUESTIONS)
    catalog = ReferenceCatalog.from_settings(settings)
    if not fast:
        library = Library(settings)
        try:
            asked = _answerable(questions, library)
            if not asked:
                raise SuiteUnavailable(
                    f"the index {settings.index} holds none of the Recommendations the questions ask "
                    "about: ingest the corpus (rapporteur ingest) or pass --index"
                )
            run = evaluate(library, catalog, asked)
        finally:
            library.close()
        return suite_result(run, {"index": str(settings.index), "questions": len(asked)})
    with fast_library(settings) as library:
        asked = _answerable(questions, library)
        run = evaluate(library, catalog, asked)
    return suite_result(run, {"files": len(FAST_FILES), "questions": len(asked)})


def _answerable(questions: list[Question], library: Library) -> list[Question]:
    """The questions whose gold Recommendation is in the index."""
    held = {(normalize_rec_id(d.rec_id) or d.rec_id).lower() for d in library.documents() if d.rec_id}
    return [q for q in questions if (normalize_rec_id(q.rec_id) or q.rec_id).lower() in held]


def plot(results: dict[str, dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    keys = ["R@1", "R@5", "R@10", "MRR", "nDCG@10"]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        ax.bar([x + i * width for x in range(len(keys))], [results[name][k] for k in keys], width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(keys))], keys)
    ax.set_ylim(0, 1)
    ax.set_ylabel("score (clause level)")
    ax.set_title("Retrieval over the ITU corpus")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=REPO / "eval" / "results" / "index")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "results" / "retrieval")
    parser.add_argument("--no-ingest", action="store_true", help="use the index as it is")
    parser.add_argument(
        "--systems",
        nargs="+",
        choices=sorted(SYSTEM_KEYS),
        help="measure only these, and ours (default: all but translated)",
    )
    parser.add_argument(
        "--translate",
        metavar="MODEL",
        help="add the translated system: non-English questions translated by MODEL",
    )
    parser.add_argument(
        "--languages", nargs="+", metavar="LANG", help="ask only the questions in these languages"
    )
    parser.add_argument(
        "--translation-cache",
        type=Path,
        help="keep translations in this file (a rerun then costs no model time; only misses are timed)",
    )
    args = parser.parse_args(argv)

    catalog = args.corpus / "catalog" / "itu-recommendations.jsonl.gz"
    settings = Settings(index=args.index, corpus=args.corpus, catalog=catalog if catalog.is_file() else None)
    library = Library(settings)
    if not args.no_ingest:
        report = library.ingest([args.corpus])
        print(
            f"ingest: {len(report.added)} added, {len(report.failed)} failed, {report.chunks} chunks",
            file=sys.stderr,
        )
    questions = [
        q for q in load_questions(args.questions) if not args.languages or q.language in args.languages
    ]
    # the report is about ours (its kinds, languages and misses), so ours is always measured
    names = {SYSTEM_KEYS[key] for key in args.systems} | {OURS} if args.systems else None
    with ModelHost(settings.updated(llm={"model": args.translate or settings.llm.model})) as host:
        cache = TranslationCache(args.translation_cache) if args.translation_cache else None
        translator = QueryTranslator(host.model, args.translate, cache) if args.translate else None
        if translator is not None and names is not None:
            names.add(TRANSLATED)
        run = evaluate(library, ReferenceCatalog.from_settings(settings), questions, translator, names)
    args.out.mkdir(parents=True, exist_ok=True)
    report_md = (
        f"# Retrieval at clause level ({len(questions)} questions, {run.chunks} chunks)\n\n"
        + details(run).replace("### ", "## ")
    )
    (args.out / "retrieval.md").write_text(report_md)
    (args.out / "retrieval.json").write_text(
        json.dumps(
            {"metrics": run.results, "p50_ms": run.latency,
             "outcomes": {k: [o.model_dump() for o in v] for k, v in run.outcomes.items()},
             "translations": run.translations, "translation_s": run.translation_s},
            indent=2,
        )
    )  # fmt: skip
    plot(run.results, args.out / "retrieval.png")
    print(report_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())

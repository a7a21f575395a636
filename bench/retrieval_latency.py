"""Search latency over the whole-corpus index, and how it grows with the index (1x, 4x, 16x copies).

    python -m bench.retrieval_latency [--index eval/results/index] [--scales 1 4 16] [--out bench/results]

Each scale is a fresh index in a temporary folder holding N copies of every document of ``--index``
(chunks, clauses and definitions copied under new doc ids; chunk and window vectors copied from the
embedding cache, never recomputed: windows the source index lacks are left out). Per scale it reports
the BM25 (re)build time, the cold open of the saved BM25 index, and p50/p95 query time for hybrid
search with query understanding, lexical only and dense only, over the evaluation questions, with the
load average at the end (the machine may be shared). Model loading and the first query are excluded
(warm-up).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from copilot.lexical import LexicalIndex
from copilot.retrieval import HybridRetriever, Mode
from eval.retrieval.run import load_questions
from ingest.embedding import passage
from ingest.library import PIPELINE_VERSION, Library
from ingest.models import DocKind, DocumentMeta, Records
from ingest.store import RecordStore, text_hash
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def duplicate(source: Library, target: Library, copies: int) -> int:
    """Fill ``target`` with ``copies`` copies of every document of ``source``; returns the chunk count."""
    store: RecordStore = source.store
    model = source.embedder.name
    all_definitions = store.definitions("")
    for doc in store.documents():
        chunks = store.chunks(doc.doc_id)
        clauses = store.clauses(doc.doc_id)
        state = store.file_state(doc.path)
        hashes = [text_hash(passage(doc.title, c.text)) for c in chunks]
        cached = store.cached_embeddings(hashes, model)
        vectors = np.stack([cached[h] for h in hashes])
        windows = source.windows_of(chunks)
        window_hashes = [text_hash(passage(doc.title, w.text)) for w in windows]
        window_cache = store.cached_embeddings(window_hashes, model)
        cached_windows = [
            (w, window_cache[h]) for w, h in zip(windows, window_hashes, strict=True) if h in window_cache
        ]
        definitions = [d for d in all_definitions if d.doc_id == doc.doc_id]
        for n in range(copies):
            doc_id = doc.doc_id if n == 0 else f"{doc.doc_id}~{n}"
            path = doc.path if n == 0 else f"{doc.path}#copy{n}"
            meta = DocumentMeta(
                doc_id=doc_id, rec_id=doc.rec_id, title=doc.title, edition=doc.edition,
                kind=DocKind(doc.kind), language=doc.language, path=path,
                content_hash=state.content_hash if state else "",
            )  # fmt: skip
            copied = [
                c.model_copy(update={"doc_id": doc_id, "chunk_id": f"{doc_id}:{c.ordinal:05d}"})
                for c in chunks
            ]
            records = Records(definitions=[d.model_copy(update={"doc_id": doc_id}) for d in definitions])
            target.store.mark_pending(path, doc_id, meta.content_hash, PIPELINE_VERSION)
            target.vectors.upsert(copied, vectors)
            if cached_windows:
                renamed = [
                    w.model_copy(
                        update={"doc_id": doc_id, "chunk_id": doc_id + w.chunk_id[len(doc.doc_id) :]}
                    )
                    for w, _ in cached_windows
                ]
                target.windows.upsert(renamed, np.stack([vector for _, vector in cached_windows]))
            target.store.replace_document(meta, clauses, copied, records)
    return target.store.chunk_count()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def measure(retriever: HybridRetriever, questions: list[str], mode: Mode, understand: bool) -> list[float]:
    retriever.search(questions[0], mode=mode, understand=understand)
    times = []
    for q in questions:
        t0 = time.perf_counter()
        retriever.search(q, k=10, mode=mode, understand=understand)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=REPO / "eval" / "results" / "index")
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "retrieval" / "questions.jsonl")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)

    source = Library(Settings(index=args.index))
    if source.store.chunk_count() == 0:
        print(f"no chunks in {args.index}: run `python -m eval.retrieval.run` first", file=sys.stderr)
        return 1
    questions = [q.question for q in load_questions(args.questions)]
    rows = []
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix=f"rx-bench-{scale}x-") as tmp:
            target = Library(Settings(index=Path(tmp) / "index"), embedder=source.embedder)
            t0 = time.perf_counter()
            chunks = duplicate(source, target, scale)
            copy_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            LexicalIndex.build(target.store).save(target.settings.index / "bm25")
            build_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            retriever = HybridRetriever(target)
            snap = retriever.refresh()
            open_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            retriever.term_vectors.prepare(snap)
            terms_s = time.perf_counter() - t0
            row: dict[str, float] = {
                "scale": scale, "chunks": chunks, "copy_s": copy_s, "bm25_build_s": build_s, "open_s": open_s,
                "term_vectors_s": terms_s,
            }  # fmt: skip
            for label, mode, understand in (
                ("hybrid", "hybrid", True),
                ("lexical", "lexical", False),
                ("dense", "dense", False),
            ):
                times = measure(retriever, questions, mode, understand)  # type: ignore[arg-type]
                row[f"{label}_p50_ms"] = percentile(times, 50)
                row[f"{label}_p95_ms"] = percentile(times, 95)
            row["windows"] = target.windows.count()
            row["load_1min"] = os.getloadavg()[0]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
            target.close()

    head = (
        "| copies | chunks | windows | BM25 build s | open s | term vectors s | hybrid p50 / p95 ms "
        "| lexical p50 / p95 ms | dense p50 / p95 ms | load (1 min) |"
    )
    lines = [head, "|" + " --- |" * 10]
    for r in rows:
        lines.append(
            f"| {r['scale']:.0f}x | {r['chunks']:.0f} | {r['windows']:.0f} | {r['bm25_build_s']:.1f} | "
            f"{r['open_s']:.2f} | {r['term_vectors_s']:.1f} | "
            + " | ".join(
                f"{r[f'{m}_p50_ms']:.0f} / {r[f'{m}_p95_ms']:.0f}" for m in ("hybrid", "lexical", "dense")
            )
            + f" | {r['load_1min']:.1f} |"
        )
    md = "\n".join([f"# Search latency ({len(questions)} queries per mode, warm process, CPU)", "", *lines])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "retrieval_latency.md").write_text(md + "\n")
    (args.out / "retrieval_latency.json").write_text(json.dumps(rows, indent=2))
    _plot(rows, args.out / "retrieval_latency.png")
    print(md)
    return 0


def _plot(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    chunks = [r["chunks"] for r in rows]
    for mode in ("hybrid", "lexical", "dense"):
        ax.plot(chunks, [r[f"{mode}_p50_ms"] for r in rows], marker="o", label=f"{mode} p50")
        ax.plot(chunks, [r[f"{mode}_p95_ms"] for r in rows], marker="x", linestyle="--", label=f"{mode} p95")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("query time (ms)")
    ax.set_title("Search latency vs index size")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())

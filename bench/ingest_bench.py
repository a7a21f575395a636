"""Ingest benchmark: throughput, share of time spent embedding, peak memory; then an unchanged re-run.

    python bench/ingest_bench.py ../shared/corpus [--out bench/results]

Not a test: it prints a Markdown table and writes ingest.json. Numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.embedding import MiniLMEmbedder  # noqa: E402
from ingest.library import Library, expand_paths  # noqa: E402
from rapporteur.settings import Settings  # noqa: E402


class TimedEmbedder:
    """Wraps the real embedder and adds up the time spent in it."""

    def __init__(self) -> None:
        self.inner = MiniLMEmbedder()
        self.name = self.inner.name
        self.dimension = self.inner.dimension
        self.seconds = 0.0
        self.passages = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - start
            self.passages += len(texts)


def run(corpus: Path, index: Path) -> dict[str, float | int]:
    embedder = TimedEmbedder()
    library = Library(Settings(index=index), embedder=embedder)
    files = len(expand_paths([corpus]))
    start = time.perf_counter()
    report = library.ingest([corpus])
    seconds = time.perf_counter() - start
    library.close()
    return {
        "files": files,
        "ingested": len(report.added) + len(report.updated),
        "unchanged": len(report.unchanged),
        "failed": len(report.failed),
        "chunks": report.chunks,
        "seconds": round(seconds, 2),
        "files_per_s": round(files / seconds, 2),
        "chunks_per_s": round(report.chunks / seconds, 2) if report.chunks else 0.0,
        "embedded_passages": embedder.passages,
        "embedding_share": round(embedder.seconds / seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        # Each run in a fresh process, so peak memory is that run's own.
        with context.Pool(1, maxtasksperchild=1) as pool:
            first = pool.apply(run, (args.corpus, Path(tmp) / "index"))
        with context.Pool(1, maxtasksperchild=1) as pool:
            second = pool.apply(run, (args.corpus, Path(tmp) / "index"))
    rows = {"first run": first, "unchanged re-run": second}
    keys = list(first)
    print("| run | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(str(row[k]) for k in keys) + " |")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

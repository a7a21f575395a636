"""Ingest benchmark: throughput, share of time spent embedding, memory and disk, per parse-worker count;
the measured per-document costs that ``bench/capacity.py`` turns into a whole-corpus estimate.

    python bench/ingest_bench.py PATH... [--workers 1 2] [--repeat 3] [--out bench/results] [--name ingest]

For each worker count, each run in a fresh process (so peak memory is that run's own), on an index
of its own:

* ``cold``: a new index, every passage embedded;
* ``warm``: the same files read again as after a ``PIPELINE_VERSION`` bump: every file parsed,
  chunked and written again, embeddings from the cache, so parsing dominates;
* ``unchanged``: a re-run with nothing to do (hashing only).

``--repeat N`` runs ``warm`` N times per worker count, interleaved so that a change in the machine's
load hits every count alike; the tables show each count's median run (``main_cpu_s`` is the writer
process's CPU time, with the programs it waits for such as antiword: parsing too with one worker,
embedding and writes only with more). CPU times do not change much with the machine's load; wall
times do.

Then one serial parse-only pass (``prepare_document`` per file) gives parse seconds (wall and CPU),
chunks and characters per document. Not a test: it prints Markdown tables and writes ``NAME.json``.
Numbers depend on the machine and on what else runs on it (each run records the load average).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.chunker import ClauseChunker  # noqa: E402
from ingest.embedding import MiniLMEmbedder  # noqa: E402
from ingest.library import Library, ParseJob, expand_paths, prepare_or_fail  # noqa: E402
from ingest.metadata import doc_id_for  # noqa: E402
from ingest.models import IngestFailure  # noqa: E402
from ingest.parsers import Limits  # noqa: E402
from ingest.store import file_hash  # noqa: E402
from rapporteur.settings import Settings  # noqa: E402


class TimedEmbedder:
    """Wraps the real embedder and adds up the time spent in it (wall, and CPU over all its threads)."""

    def __init__(self) -> None:
        self.inner = MiniLMEmbedder()
        self.name = self.inner.name
        self.dimension = self.inner.dimension
        self.windows = self.inner.windows
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.passages = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu_seconds += time.process_time() - cpu
            self.passages += len(texts)


class WorkerMemory:
    """Peak resident memory of the parse workers, read from /proc at each progress call while they
    live (Linux; 0 elsewhere or with one worker, which parses in the main process)."""

    def __init__(self) -> None:
        self.peak_kb = 0

    def sample(self, done: int, total: int, current: str) -> None:
        for child in multiprocessing.active_children():
            try:
                status = Path(f"/proc/{child.pid}/status").read_text()
            except OSError:
                continue
            if found := re.search(r"VmHWM:\s+(\d+) kB", status):
                self.peak_kb = max(self.peak_kb, int(found[1]))


def _bytes_under(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def _disk(index: Path) -> dict[str, int]:
    """Bytes on disk: the SQLite store (its embedding cache apart) and the Chroma folder."""
    sqlite_bytes = sum(f.stat().st_size for f in index.glob("records.sqlite3*"))
    with closing(sqlite3.connect(f"file:{index / 'records.sqlite3'}?mode=ro", uri=True)) as db:
        cache = db.execute(
            "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat"
            " WHERE name IN ('embeddings', 'sqlite_autoindex_embeddings_1')"
        ).fetchone()[0]
    return {
        "sqlite_bytes": sqlite_bytes,
        "embedding_cache_bytes": int(cache),
        "chroma_bytes": _bytes_under(index / "chroma"),
    }


def run(paths: list[Path], index: Path, workers: int, mode: str) -> dict[str, Any]:
    """One ingest in this (fresh) process; ``warm`` first marks every file as read by an older pipeline."""
    if mode == "warm":
        with closing(sqlite3.connect(index / "records.sqlite3")) as db, db:
            db.execute("UPDATE files SET pipeline = 'bench'")
    embedder = TimedEmbedder()
    library = Library(Settings(index=index, ingest={"parse_workers": workers}), embedder=embedder)
    files = len(expand_paths(paths))
    memory = WorkerMemory()
    load = os.getloadavg()[0]
    cpu, start = os.times(), time.perf_counter()
    report = library.ingest(paths, on_progress=memory.sample)
    seconds = time.perf_counter() - start
    main_cpu = sum(os.times()[:4]) - sum(cpu[:4])
    library.close()
    return {
        "workers": workers,
        "mode": mode,
        "files": files,
        "ingested": len(report.added) + len(report.updated),
        "failed": len(report.failed),
        "chunks": report.chunks,
        "seconds": round(seconds, 3),
        "files_per_s": round(files / seconds, 2),
        "chunks_per_s": round(report.chunks / seconds, 2) if report.chunks else 0.0,
        "embedded_passages": embedder.passages,
        "embed_seconds": round(embedder.seconds, 2),
        "embed_cpu_s": round(embedder.cpu_seconds, 1),
        "embedding_share": round(embedder.seconds / seconds, 3),
        "main_cpu_s": round(main_cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_rss_mb": round(memory.peak_kb / 1024, 1),
        "load_avg_1min": round(load, 2),
        **_disk(index),
    }


def parse_pass(paths: list[Path]) -> list[dict[str, Any]]:
    """Parse, structure, chunk and extract each file serially: the per-document parse cost."""
    settings = Settings()
    limits = Limits(settings.ingest.max_file_bytes, settings.ingest.max_unzipped_bytes)
    chunker = ClauseChunker(settings.ingest.chunk_chars)
    rows = []
    for path in expand_paths(paths):
        job = ParseJob(path, str(path), doc_id_for(path), file_hash(path), known=False)
        start, cpu = time.perf_counter(), sum(os.times()[:4])
        doc = prepare_or_fail(job, limits, chunker)
        seconds, cpu_seconds = time.perf_counter() - start, sum(os.times()[:4]) - cpu
        row: dict[str, Any] = {
            "path": str(path),
            "group": path.resolve().parent.name,
            "bytes": path.stat().st_size,
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
        }
        if isinstance(doc, IngestFailure):
            row |= {"failed": True, "format": path.suffix.lower().lstrip("."), "chunks": 0, "chars": 0}
        else:
            chars = sum(len(c.text) for c in doc.chunks)
            row |= {"failed": False, "format": doc.meta.format, "chunks": len(doc.chunks), "chars": chars}
        rows.append(row)
    rows.append({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
    return rows


def _fresh(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` in a new process (not daemonic, so it may start parse workers of its own)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        return pool.submit(fn, *args).result()


def _table(rows: list[dict[str, Any]], keys: list[str]) -> str:
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", type=Path, nargs="+", help="files or folders to ingest")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="parse-worker counts to compare")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--name", default="ingest", help="results file name (NAME.json)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="warm runs per worker count, interleaved; the median counts"
    )
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        plan = [(w, "cold") for w in args.workers]
        plan += [(w, "warm") for _ in range(args.repeat) for w in args.workers]
        plan += [(w, "unchanged") for w in args.workers]
        for workers, mode in plan:
            runs.append(_fresh(run, args.paths, Path(tmp) / f"index-{workers}", workers, mode))
            print(f"workers={workers} {mode}: {runs[-1]['seconds']} s", file=sys.stderr)
    *documents, parse_memory = _fresh(parse_pass, args.paths)
    summary = []
    for workers, mode in dict.fromkeys(plan):
        same = sorted(
            (r for r in runs if (r["workers"], r["mode"]) == (workers, mode)), key=lambda r: r["seconds"]
        )
        summary.append(dict(same[(len(same) - 1) // 2], runs=len(same)))
    for row in summary:
        base = next(r for r in summary if (r["workers"], r["mode"]) == (min(args.workers), row["mode"]))
        row["speedup"] = round(base["seconds"] / row["seconds"], 2) if row["mode"] != "unchanged" else None
    keys = ["workers", "mode", "runs", "files", "failed", "chunks", "seconds", "speedup", "chunks_per_s"]
    keys += ["embedding_share", "main_cpu_s", "peak_rss_mb", "worker_peak_rss_mb", "load_avg_1min"]
    print(_table(summary, keys))
    parsed = [d for d in documents if not d["failed"]]
    parse_seconds = sum(d["seconds"] for d in parsed)
    print(
        f"\nparse-only pass: {len(parsed)} documents ({len(documents) - len(parsed)} failed), "
        f"{parse_seconds / max(len(parsed), 1):.2f} s/doc, "
        f"{sum(d['chunks'] for d in parsed) / max(len(parsed), 1):.1f} chunks/doc, "
        f"peak {parse_memory['peak_rss_mb']} MB"
    )
    result = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "paths": [str(p) for p in args.paths],
        "runs": runs,
        "summary": summary,
        "parse_pass": {"peak_rss_mb": parse_memory["peak_rss_mb"], "documents": documents},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

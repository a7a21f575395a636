"""Capacity estimate for a whole corpus from measured per-document costs (``bench/ingest_bench.py`` runs).

    python bench/capacity.py bench/results/ingest-workers.json [MORE.json ...]
        [--recommendations 4000] [--contributions 20000]

Per-document costs come from the benches' parse-only passes: documents under a ``contributions``
folder are contributions, every other parsed document is a Recommendation (with no contribution
measured, Recommendations stand in for both). Per-chunk costs (embedding and write CPU seconds,
bytes on disk) come from the serial (one-worker) ``cold`` and ``warm`` runs. The defaults
are the ITU-T corpus as the project sizes it: about 4,000 in-force Recommendations, and an assumed
20,000 contributions and temporary documents (one study period's worth; change ``--contributions``).

Prints Markdown: the measured unit costs, then the estimate. CPU times are measured; the rows marked
"model" are arithmetic on them for an otherwise idle machine (perfect overlap: a lower bound), and
"embedding off the CPU" means a GPU execution provider or an embedding server taking that share.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.embedding import MiniLMEmbedder  # noqa: E402

CONTRIBUTIONS = "contributions"
GB = 1e9
HNSW_NEIGHBOURS = 16
"""Chroma's default ``max_neighbors``: level 0 of its HNSW graph keeps twice that many links per vector."""


@dataclass(frozen=True)
class UnitCosts:
    """What one document and one chunk cost, as measured (CPU seconds, so the machine's load matters
    little), plus the wall-clock embedding rate the bench saw."""

    rec_parse_cpu: float
    rec_chunks: float
    contrib_parse_cpu: float
    contrib_chunks: float
    contrib_measured: bool
    embed_cpu_per_chunk: float
    embed_wall_per_chunk: float
    write_cpu_per_chunk: float
    sqlite_bytes_per_chunk: float
    cache_bytes_per_chunk: float
    chroma_bytes_per_chunk: float
    main_rss_mb: float
    worker_rss_mb: float

    @property
    def hnsw_bytes_per_chunk(self) -> int:
        """Level 0 of an HNSW graph in memory: the float32 vector, its links, a label and a header."""
        return MiniLMEmbedder.dimension * 4 + 2 * HNSW_NEIGHBOURS * 4 + 16


def load(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in paths]


def _write_cpu(data: dict[str, Any]) -> float:
    """CPU seconds the writer spent hashing, unpickling and writing: its own CPU in a warm run with
    parse workers (it parses nothing then); with one worker only, a warm run less the parse pass."""
    warm = {r["workers"]: r["main_cpu_s"] for r in data["summary"] if r["mode"] == "warm"}
    if len(warm) > 1:
        return float(warm[max(warm)])
    return float(warm[1] - sum(d["cpu_seconds"] for d in data["parse_pass"]["documents"]))


def unit_costs(results: list[dict[str, Any]]) -> UnitCosts:
    runs = [r for data in results for r in data["summary"] if r["workers"] == 1]
    documents = [d for data in results for d in data["parse_pass"]["documents"]]
    parsed = [d for d in documents if not d["failed"]]
    recs = [d for d in parsed if d["group"] != CONTRIBUTIONS] or parsed
    contribs = [d for d in parsed if d["group"] == CONTRIBUTIONS]
    cold = [r for r in runs if r["mode"] == "cold"]
    chunks = sum(r["chunks"] for r in cold)
    writes = sum(_write_cpu(data) for data in results)
    return UnitCosts(
        rec_parse_cpu=mean(d["cpu_seconds"] for d in recs),
        rec_chunks=mean(d["chunks"] for d in recs),
        contrib_parse_cpu=mean(d["cpu_seconds"] for d in contribs or recs),
        contrib_chunks=mean(d["chunks"] for d in contribs or recs),
        contrib_measured=bool(contribs),
        embed_cpu_per_chunk=sum(r["embed_cpu_s"] for r in cold) / sum(r["embedded_passages"] for r in cold),
        embed_wall_per_chunk=sum(r["embed_seconds"] for r in cold)
        / sum(r["embedded_passages"] for r in cold),
        write_cpu_per_chunk=max(writes, 0.0) / chunks,
        sqlite_bytes_per_chunk=sum(r["sqlite_bytes"] - r["embedding_cache_bytes"] for r in cold) / chunks,
        cache_bytes_per_chunk=sum(r["embedding_cache_bytes"] for r in cold) / chunks,
        chroma_bytes_per_chunk=sum(r["chroma_bytes"] for r in cold) / chunks,
        main_rss_mb=max(r["peak_rss_mb"] for data in results for r in data["summary"]),
        worker_rss_mb=max(r["worker_peak_rss_mb"] for data in results for r in data["summary"]),
    )


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} h"


def estimate(costs: UnitCosts, recommendations: int, contributions: int) -> list[tuple[str, str]]:
    """(quantity, value) rows for a corpus of the given size."""
    c = costs
    chunks = recommendations * c.rec_chunks + contributions * c.contrib_chunks
    parse = recommendations * c.rec_parse_cpu + contributions * c.contrib_parse_cpu
    embed = chunks * c.embed_cpu_per_chunk
    write = chunks * c.write_cpu_per_chunk
    rows = [
        ("documents", f"{recommendations + contributions:,}"),
        ("chunks", f"{chunks:,.0f}"),
        ("CPU: parse, structure, chunk, extract", _hours(parse)),
        ("CPU: embedding (MiniLM int8, ONNX Runtime)", _hours(embed)),
        ("CPU: hashing, SQLite and Chroma writes", _hours(write)),
        ("embedding alone at the wall rate the bench saw", _hours(chunks * c.embed_wall_per_chunk)),
    ]
    # The writer process embeds and writes one document after another; parse workers run beside it.
    for cores in (2, 8, 32):
        cpu_bound = max((parse + embed + write) / cores, embed / cores + write)
        rows.append((f"model: first ingest, idle {cores} cores, CPU embedding", _hours(cpu_bound)))
        off_cpu = max(parse / max(cores - 1, 1), write)
        rows.append((f"model: first ingest, idle {cores} cores, embedding off the CPU", _hours(off_cpu)))
    for cores in (2, 8):
        reread = max((parse + write) / cores, write)
        rows.append((f"model: re-read after a pipeline bump, idle {cores} cores", _hours(reread)))
    sqlite = chunks * c.sqlite_bytes_per_chunk
    cache = chunks * c.cache_bytes_per_chunk
    chroma = chunks * c.chroma_bytes_per_chunk
    rows += [
        ("disk: SQLite records (clauses, chunks, records)", f"{sqlite / GB:.1f} GB"),
        ("disk: SQLite embedding cache", f"{cache / GB:.1f} GB"),
        ("disk: Chroma", f"{chroma / GB:.1f} GB"),
        ("disk: total", f"{(sqlite + cache + chroma) / GB:.1f} GB"),
        ("RAM: ingest process (peak, measured)", f"{c.main_rss_mb:,.0f} MB"),
        ("RAM: each parse worker (peak, measured)", f"{c.worker_rss_mb:,.0f} MB"),
        (
            "RAM: Chroma's HNSW graph for search (arithmetic)",
            f"{chunks * c.hnsw_bytes_per_chunk / GB:.1f} GB",
        ),
    ]
    return rows


def _costs_table(c: UnitCosts) -> str:
    contrib = "" if c.contrib_measured else " (none measured: Recommendations' figure)"
    rows = [
        ("Recommendation: parse CPU s/doc", f"{c.rec_parse_cpu:.2f}"),
        ("Recommendation: chunks/doc", f"{c.rec_chunks:.0f}"),
        ("contribution: parse CPU s/doc" + contrib, f"{c.contrib_parse_cpu:.2f}"),
        ("contribution: chunks/doc" + contrib, f"{c.contrib_chunks:.0f}"),
        ("embedding CPU s/chunk", f"{c.embed_cpu_per_chunk:.3f}"),
        (
            "embedding wall s/chunk as the bench saw it",
            f"{c.embed_wall_per_chunk:.3f} ({1 / c.embed_wall_per_chunk:.1f}/s)",
        ),
        ("hashing + writes CPU s/chunk", f"{c.write_cpu_per_chunk:.4f}"),
        ("SQLite records bytes/chunk", f"{c.sqlite_bytes_per_chunk:,.0f}"),
        ("SQLite embedding cache bytes/chunk", f"{c.cache_bytes_per_chunk:,.0f}"),
        ("Chroma bytes/chunk", f"{c.chroma_bytes_per_chunk:,.0f}"),
    ]
    return _markdown(["unit cost (measured)", "value"], rows)


def _markdown(header: list[str], rows: list[tuple[str, str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} |" for a, b in rows])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", type=Path, nargs="+", help="JSON written by bench/ingest_bench.py")
    parser.add_argument("--recommendations", type=int, default=4000)
    parser.add_argument("--contributions", type=int, default=20000)
    args = parser.parse_args()
    costs = unit_costs(load(args.results))
    print(_costs_table(costs))
    print()
    header = [f"{args.recommendations:,} Recommendations + {args.contributions:,} contributions", "estimate"]
    print(_markdown(header, estimate(costs, args.recommendations, args.contributions)))


if __name__ == "__main__":
    main()

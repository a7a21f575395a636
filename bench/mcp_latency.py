"""Latency of each MCP tool as an assistant sees it: ``rapporteur mcp`` over stdio, called with the
``mcp`` package's client, inputs drawn from the retrieval eval questions.

    python -m bench.mcp_latency [--index DIR | --corpus ../shared/corpus] [--http] [--model] [--out FILE]

Without ``--index`` the eval's fast subset (``FAST_FILES``) and Y.3507 are ingested into a temporary
index. Per tool: ``search`` and ``ask`` take every question; ``get_clause`` every labelled clause and
``references`` every Recommendation asked about, of those in the index; ``define`` the terms the
definition questions name; ``expand`` the abbreviations the questions use; ``draft_clause`` a skeleton
per which-Recommendation question; ``check_draft`` the sample draft as text, ten times. The model is off
unless ``--model`` (then ``ask`` and ``draft_clause`` time generation too). One warm-up call per tool is
excluded; the times are client-side round trips (JSON-RPC over the pipes, or with ``--http`` over
streamable HTTP on loopback, included).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import numpy as np
from mcp import Client, StdioServerParameters

from eval.retrieval.run import FAST_FILES, Question, load_questions
from ingest.library import Library
from rapporteur.processes import LOOPBACK, free_port, stop_process, wait_listening
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "retrieval" / "questions.jsonl"
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
EXTRA_FILES = ("itu-t/Y.3507-201812.docx",)
_TERM = re.compile(r"(?:'([^']+)'|\"([^\"]+)\"|[Ww]hat is (?:an? |the )?([\w -]+?)\?)")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")

Calls = dict[str, list[dict[str, Any]]]
"""Tool name -> the argument sets to call it with."""


def tool_inputs(questions: list[Question], indexed: set[str]) -> Calls:
    """The calls to time, per tool; look-ups by identifier only for the Recommendations ``indexed``."""
    held = [q for q in questions if q.rec_id.lower() in indexed]
    terms = {
        next(g for g in m.groups() if g)
        for q in questions
        if q.type == "definition"
        for m in _TERM.finditer(q.question)
    }
    abbreviations = {a for q in questions for a in _ABBREVIATION.findall(q.question)} - {"ITU", "T", "R"}
    sample = SAMPLE.read_text(encoding="utf-8")
    return {
        "search": [{"query": q.question, "k": 10} for q in questions],
        "get_clause": [{"rec_id": q.rec_id, "clause": c} for q in held for c in q.clauses if c != "*"],
        "define": [{"term": t} for t in sorted(terms)],
        "expand": [{"abbreviation": a} for a in sorted(abbreviations)],
        "references": [{"rec_id": r} for r in sorted({q.rec_id for q in held})],
        "check_draft": [{"text": sample}] * 10,
        "draft_clause": [
            {"kind": "skeleton", "topic": q.question} for q in questions if q.type == "which-rec"
        ],
        "ask": [{"question": q.question} for q in questions],
    }


async def measure(server: StdioServerParameters | str, calls: Calls) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with Client(server) as client:
        for tool, inputs in calls.items():
            if not inputs:
                continue
            await client.call_tool(tool, inputs[0])  # warm-up: first loads, caches
            times, errors = [], 0
            for arguments in inputs:
                started = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                times.append((time.perf_counter() - started) * 1000)
                errors += bool(result.is_error)
            results[tool] = {
                "calls": len(times),
                "errors": errors,
                "p50_ms": round(float(np.percentile(times, 50)), 1),
                "p95_ms": round(float(np.percentile(times, 95)), 1),
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, help="an existing index (default: a temporary fast-subset one)")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    parser.add_argument("--model", action="store_true", help="let ask and draft_clause use the model")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as scratch:
        index = args.index
        if index is None:
            index = Path(scratch) / "index"
            library = Library(Settings(index=index))
            report = library.ingest([args.corpus / f for f in (*FAST_FILES, *EXTRA_FILES)])
            library.close()
            print(f"indexed {len(report.added)} files, {report.chunks} chunks into {index}", file=sys.stderr)
        library = Library(Settings(index=index))
        indexed = {(d.rec_id or "").lower() for d in library.documents()}
        library.close()
        env = {
            **os.environ,
            "RAPPORTEUR_INDEX": str(index),
            "RAPPORTEUR_LLM_ENABLED": "true" if args.model else "false",
        }
        calls = tool_inputs(load_questions(QUESTIONS), indexed)
        command = [sys.executable, "-m", "rapporteur.cli", "mcp"]
        if args.http:
            port = free_port()
            process = subprocess.Popen([*command, "--http", "--port", str(port)], env=env, cwd=REPO)
            try:
                wait_listening(process, port)
                results = anyio.run(measure, f"http://{LOOPBACK}:{port}/mcp", calls)
            finally:
                stop_process(process)
        else:
            stdio = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(REPO))
            results = anyio.run(measure, stdio, calls)

    transport = "HTTP" if args.http else "stdio"
    model = "on" if args.model else "off"
    print(f"| tool | calls | errors | p50 ms | p95 ms |  ({transport}, model {model})")
    print("| --- | --- | --- | --- | --- |")
    for tool, row in results.items():
        print(f"| `{tool}` | {row['calls']} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} |")
    if args.out:
        summary = {"transport": transport, "model": args.model, "tools": results}
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

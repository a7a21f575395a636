"""Load test of the workspace: N users at once asking questions through a running ``rapporteur serve``.

    python -m bench.ui_load [--index DIR | --url URL] [--users 1 4 8] [--rounds 3] [--out bench/results]

Without ``--url`` it starts ``rapporteur serve`` on a free loopback port (settings from the environment:
``RAPPORTEUR_LLM_ENABLED=false`` measures retrieval answers, a model measures generation too) and stops
it afterwards. Each user is its own Gradio client, so its own session and queue entry; all users start
together and ask ``--rounds`` questions each, one after another, from the retrieval evaluation set. A
request is timed from submission to the final answer; it is an error when it raises, times out or ends
without an answer. Results are a markdown table, written to ``<out>/ui_load.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from gradio_client import Client

from eval.retrieval.run import load_questions
from rapporteur.processes import free_port, stop_process
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "retrieval" / "questions.jsonl"
START_TIMEOUT_S = 180.0


@dataclass
class Sample:
    """One question's round trip."""

    seconds: float
    error: str | None = None
    cited: bool = False


@contextmanager
def serve(index: str | None, log: Path) -> Iterator[str]:
    """``rapporteur serve`` in a child process on a free loopback port; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "rapporteur.cli", "serve", "--port", str(port)]
    if index:
        command += ["--index", index]
    url = f"http://127.0.0.1:{port}/"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"rapporteur serve exited ({process.returncode}); see {log}")
            try:
                if httpx.get(f"{url}config", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"rapporteur serve did not answer in {START_TIMEOUT_S:.0f} s; see {log}")
            time.sleep(0.5)
        yield url
    finally:
        stop_process(process, timeout=30)


def ask(client: Client, question: str, timeout: float) -> Sample:
    """One question through the Ask endpoint (the same event the browser's Ask button sends)."""
    started = time.perf_counter()
    try:
        job = client.submit(question, [], "any", False, api_name="/ask")
        chat = job.result(timeout=timeout)[0]
    except Exception as exc:  # every failure is a counted error, not a crash of the benchmark
        return Sample(time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    replies = [m for m in chat or [] if m.get("role") == "assistant"]
    text = " ".join(part.get("text", "") for part in (replies[-1]["content"] if replies else []))
    if not text.strip():
        return Sample(seconds, "no answer")
    return Sample(seconds, cited="[ITU-" in text)


def run_level(
    url: str, users: int, rounds: int, questions: list[str], timeout: float
) -> tuple[list[Sample], float]:
    """``users`` clients start together; each asks ``rounds`` questions in turn. Returns the samples
    and the seconds from the start to the last answer."""
    clients = [Client(url, verbose=False) for _ in range(users)]
    started: list[float] = []
    start = threading.Barrier(users, action=lambda: started.append(time.perf_counter()))
    samples: list[list[Sample]] = [[] for _ in range(users)]

    def user(i: int) -> None:
        start.wait()
        for r in range(rounds):
            samples[i].append(ask(clients[i], questions[(i * rounds + r) % len(questions)], timeout))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for per_user in samples for s in per_user], time.perf_counter() - started[0]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ranked = sorted(values)
    return ranked[max(0, min(len(ranked) - 1, round(q / 100 * len(ranked) + 0.5) - 1))]


def table(levels: dict[int, tuple[list[Sample], float]]) -> str:
    lines = [
        "| users | requests | errors | cited | p50 s | p95 s | max s | answers/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for users, (samples, wall) in levels.items():
        ok = [s.seconds for s in samples if s.error is None] or [float("nan")]
        errors = sum(s.error is not None for s in samples)
        cited = sum(s.cited for s in samples)
        lines.append(
            f"| {users} | {len(samples)} | {errors} | {cited} | {percentile(ok, 50):.2f} | "
            f"{percentile(ok, 95):.2f} | {max(ok):.2f} | {len(samples) / wall:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running workspace (default: start rapporteur serve)")
    parser.add_argument("--index", help="index for the server it starts (default: RAPPORTEUR_INDEX)")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--rounds", type=int, default=3, help="questions per user (default 3)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per request before an error")
    parser.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions(QUESTIONS)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def measure(url: str) -> dict[int, tuple[list[Sample], float]]:
        ask(Client(url, verbose=False), questions[0], args.timeout)  # warm-up: models load, caches fill
        levels = {}
        for users in args.users:
            samples, wall = run_level(url, users, args.rounds, questions, args.timeout)
            levels[users] = (samples, wall)
            for error in sorted({s.error for s in samples if s.error}):
                print(f"bench.ui_load: {users} users: {error}", file=sys.stderr)
        return levels

    if args.url:
        levels = measure(args.url)
    else:
        with serve(args.index, out / "ui_load.server.log") as url:
            levels = measure(url)
    settings = Settings()
    model = settings.llm.model if settings.llm.enabled else "none (retrieval answers)"
    server = args.url or f"rapporteur serve, index {args.index or settings.index}"
    report = (
        f"# Workspace load test\n\n{server}; model: {model}; {settings.ui.model_concurrency} generation(s) "
        f"at once; {os.cpu_count()} CPU cores. {args.rounds} questions per user from "
        f"{QUESTIONS.relative_to(REPO)}, timed from submission to the final answer.\n\n{table(levels)}\n"
    )
    (out / "ui_load.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

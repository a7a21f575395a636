"""The CI eval: ``rapporteur eval --fast`` on the real corpus must meet ``eval/thresholds.json``.

This is what makes a retrieval or checker regression fail ``make test``: the fast subset (four small
Recommendations ingested into a temporary index; the 54 dev-split seeded defects and the test split's
46 in four of its Recommendations) runs through the real command line, and its exit status is 0
only when every fast threshold holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from eval.runner import DEFAULT_THRESHOLDS, load_thresholds

REPO = Path(__file__).resolve().parents[2]


def rapporteur_eval(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORTEUR_INDEX": str(tmp_path / "unused-index")}
    return subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", "eval", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )


def test_fast_suite_meets_the_thresholds(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    done = rapporteur_eval(
        "--fast", "--suite", "all", "--json", "--out", str(out), "--corpus", str(corpus_dir),
        "--fail-under", str(DEFAULT_THRESHOLDS), tmp_path=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["violations"] == []
    suites = {s["suite"]: s for s in result["suites"]}
    for name, bounds in load_thresholds(DEFAULT_THRESHOLDS).fast.items():
        assert suites[name]["status"] == "ok", suites[name]["reason"]
        measured = {m["name"] for m in suites[name]["metrics"]}
        assert set(bounds) <= measured
    checking = {m["name"] for m in suites["checking"]["metrics"]}
    assert {"test recall", "test precision"} <= checking, "the held-out test split is gated too"
    ours = {m["name"]: m for m in suites["retrieval"]["metrics"]}["R@5"]
    assert ours["value"] > ours["baseline"], "hybrid retrieval must beat the naive baseline"
    run = Path(result["run"])
    assert {p.name for p in run.iterdir()} >= {"report.md", "report.json", "retrieval.png", "checking.png"}
    assert "## retrieval (fast" in (run / "report.md").read_text()


def test_a_bad_thresholds_file_stops_before_any_suite_runs(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.json"
    bad.write_text("[1, 2]")

    done = rapporteur_eval(
        "--fast", "--out", str(tmp_path / "eval"), "--fail-under", str(bad), tmp_path=tmp_path
    )

    assert done.returncode == 1
    assert f"{bad}: not a usable thresholds file" in done.stderr
    assert "eval: retrieval" not in done.stderr

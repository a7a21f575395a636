"""The suite runner: unavailable and failing suites are reported, never raised; thresholds are checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from eval.report import EvalReport, Metric, SuiteResult
from eval.runner import (
    DEFAULT_THRESHOLDS,
    SUITES,
    Bound,
    Thresholds,
    ThresholdsError,
    load_thresholds,
    run,
    violations,
)
from rapporteur.settings import Settings


def test_a_suite_not_written_yet_is_not_available(tmp_path: Path) -> None:
    [result] = run(["nosuch"], Settings(index=tmp_path), fast=True, registry={"nosuch": "eval.nosuch.run"})

    assert result.status == "unavailable"
    assert "eval.nosuch.run cannot be imported" in result.reason
    assert result.fast and result.suite == "nosuch"


def test_a_module_without_run_suite_is_not_available(tmp_path: Path) -> None:
    [result] = run(["x"], Settings(index=tmp_path), fast=False, registry={"x": "eval.report"})

    assert result.status == "unavailable"
    assert "has no run_suite" in result.reason


def test_a_suite_that_raises_is_reported_as_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken_suite.py").write_text(
        "def run_suite(settings, fast):\n    raise RuntimeError('index schema changed')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    [result] = run(["broken"], Settings(index=tmp_path), fast=True, registry={"broken": "broken_suite"})

    assert result.status == "failed"
    assert result.reason == "RuntimeError: index schema changed"


@pytest.mark.parametrize("suite", ["retrieval", "checking"])
@pytest.mark.parametrize("fast", [True, False])
def test_suites_without_a_corpus_say_what_they_need(tmp_path: Path, suite: str, fast: bool) -> None:
    settings = Settings(index=tmp_path / "index", corpus=tmp_path / "empty")

    [result] = run([suite], settings, fast=fast)

    assert result.status == "unavailable", result.reason
    assert str(tmp_path) in result.reason


def test_unknown_suite_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown suite retreival"):
        run(["retreival"], Settings(index=tmp_path), fast=True)


def _report(*suites: SuiteResult) -> EvalReport:
    return EvalReport(created=datetime(2026, 11, 29, tzinfo=UTC), suites=list(suites))


def test_violations_check_min_max_and_missing_metrics_of_the_runs_mode() -> None:
    suite = SuiteResult(
        suite="retrieval",
        fast=True,
        metrics=[
            Metric(name="R@5", value=0.8),
            Metric(name="MRR", value=0.9),
            Metric(name="p50 latency", value=80.0, higher_is_better=False, unit="ms"),
        ],
    )
    thresholds = Thresholds(
        fast={
            "retrieval": {
                "R@5": Bound(min=0.85),
                "MRR": Bound(min=0.85),
                "p50 latency": Bound(max=50),
                "nDCG@10": Bound(min=0.5),
            }
        },
        full={"retrieval": {"MRR": Bound(min=0.99)}},
    )

    found = violations(_report(suite), thresholds)

    assert found == [
        "retrieval: R@5 = 0.800, below the minimum 0.85",
        "retrieval: p50 latency = 80.000, above the maximum 50.0",
        "retrieval: metric 'nDCG@10' missing from the results",
    ]


def test_a_suite_with_thresholds_that_did_not_run_is_a_violation() -> None:
    thresholds = Thresholds(full={"checking": {"recall": Bound(min=0.9)}})
    down = SuiteResult(suite="checking", status="unavailable", reason="no corpus")
    other = SuiteResult(suite="qa", status="unavailable", reason="no model")

    assert violations(_report(down, other), thresholds) == [
        "checking: unavailable (no corpus), thresholds not checked"
    ]


def test_the_committed_thresholds_name_known_suites() -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)

    assert thresholds.fast, "the CI subset needs thresholds"
    assert set(thresholds.fast) | set(thresholds.full) <= set(SUITES)


def test_a_bad_thresholds_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.json"
    bad.write_text('{"fast": {"retrieval": {"R@5": {"min": "high"}}}}')

    with pytest.raises(ThresholdsError, match=r"thresholds\.json: not a usable thresholds file"):
        load_thresholds(bad)

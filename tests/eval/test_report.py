"""Report writers and the previous-run comparison, on real files in a temporary output folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eval.report import (
    EvalReport,
    Metric,
    ReportError,
    SuiteResult,
    history,
    load_report,
    to_markdown,
    write_report,
)

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def retrieval(r5: float, latency: float, fast: bool = True) -> SuiteResult:
    return SuiteResult(
        suite="retrieval",
        fast=fast,
        metrics=[
            Metric(name="R@5", value=r5, baseline=0.75),
            Metric(name="p50 latency", value=latency, baseline=12.0, higher_is_better=False, unit="ms"),
        ],
        rows=[{"id": "q001", "rank": 1}],
        notes=["two questions"],
        config={"questions": 2},
    )


def report(at: datetime, *suites: SuiteResult) -> EvalReport:
    return EvalReport(created=at, git_commit="abc123", suites=list(suites))


def test_first_run_writes_markdown_json_and_plot(tmp_path: Path) -> None:
    folder = write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)

    assert folder == tmp_path / "runs" / "20261129T100000Z"
    md = (folder / "report.md").read_text()
    assert "| metric | Rapporteur | naive baseline | previous run | delta |" in md
    assert "| R@5 | 0.900 | 0.750 | – | – |" in md
    assert "| p50 latency (lower is better) | 20 ms | 12 ms | – | – |" in md
    assert "previous run: none saved" in md
    assert (folder / "retrieval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = load_report(folder / "report.json")
    assert saved.suites[0].rows == [{"id": "q001", "rank": 1}]
    assert saved.suites[0].metrics[0].baseline == 0.75


def test_second_run_compares_with_the_first(tmp_path: Path) -> None:
    write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)
    later = report(T0 + timedelta(hours=1), retrieval(0.8, 25.0))
    folder = write_report(later, tmp_path)

    r5, latency = later.suites[0].metrics
    assert (r5.previous, latency.previous) == (0.9, 20.0)
    assert r5.regressed and latency.regressed
    assert later.suites[0].previous_run == T0
    md = (folder / "report.md").read_text()
    assert "| R@5 | 0.800 | 0.750 | 0.900 | -0.100 (worse) |" in md
    assert "| p50 latency (lower is better) | 25 ms | 12 ms | 20 ms | +5 ms (worse) |" in md
    metrics = json.loads((folder / "report.json").read_text())["suites"][0]["metrics"]
    assert metrics[0]["previous"] == 0.9
    assert [r.created for r in history(tmp_path)] == [T0, T0 + timedelta(hours=1)]


def test_previous_run_is_the_newest_earlier_completed_run_of_the_same_mode(tmp_path: Path) -> None:
    write_report(report(T0, retrieval(0.70, 20.0)), tmp_path)
    write_report(report(T0 + timedelta(hours=1), retrieval(0.85, 20.0)), tmp_path)
    write_report(report(T0 + timedelta(hours=2), retrieval(0.99, 20.0, fast=False)), tmp_path)
    unavailable = SuiteResult(suite="retrieval", fast=True, status="unavailable", reason="no corpus")
    write_report(report(T0 + timedelta(hours=3), unavailable), tmp_path)

    now = report(T0 + timedelta(hours=4), retrieval(0.9, 20.0))
    write_report(now, tmp_path)

    assert now.suites[0].metrics[0].previous == 0.85
    assert now.suites[0].previous_run == T0 + timedelta(hours=1)


def test_a_metric_new_since_the_previous_run_has_no_previous_value(tmp_path: Path) -> None:
    write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)
    grown = retrieval(0.9, 20.0)
    grown.metrics.append(Metric(name="MRR", value=0.8))
    write_report(report(T0 + timedelta(hours=1), grown), tmp_path)

    assert grown.metric("MRR") is not None and grown.metrics[-1].previous is None
    assert grown.metrics[0].delta == 0.0 and not grown.metrics[0].regressed


def test_unavailable_suite_is_reported_with_its_reason_and_no_plot(tmp_path: Path) -> None:
    qa = SuiteResult(suite="qa", status="unavailable", reason="eval.qa.run cannot be imported")
    folder = write_report(report(T0, retrieval(0.9, 20.0), qa), tmp_path)

    md = to_markdown(load_report(folder / "report.json"))
    assert "## qa (full): not available\n\neval.qa.run cannot be imported" in md
    assert not (folder / "qa.png").exists()


def test_two_runs_in_the_same_second_get_separate_folders(tmp_path: Path) -> None:
    first = write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)
    second = write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)

    assert first != second and (second / "report.json").is_file()


def test_an_unreadable_saved_report_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "runs" / "20261129T090000Z" / "report.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")

    with pytest.raises(ReportError, match="20261129T090000Z/report.json"):
        write_report(report(T0, retrieval(0.9, 20.0)), tmp_path)

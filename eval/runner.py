"""Run eval suites by name, save one report, and check it against thresholds (``rapporteur eval``).

Each suite is a module with ``run_suite(settings: Settings, fast: bool) -> SuiteResult``, imported only
when it runs. A suite that cannot be imported, or raises :class:`SuiteUnavailable`, is reported as not
available with the reason; one that raises anything else is reported as failed (traceback on stderr).
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from eval.report import EvalReport, SuiteResult, SuiteUnavailable, history, new_report, write_report
from rapporteur.settings import Settings

SUITES: dict[str, str] = {
    "retrieval": "eval.retrieval.run",
    "qa": "eval.qa.run",
    "drafting": "eval.drafting.run",
    "checking": "eval.checking.run",
}
EVAL_DIR = Path(__file__).resolve().parent
# Relative to the working folder: an installed package's own folder is no place to write reports.
DEFAULT_OUT = Path("eval") / "results"
DEFAULT_THRESHOLDS: Traversable = files("eval") / "thresholds.json"  # package data


class Bound(BaseModel):
    """The range a metric must stay in: ``min`` for scores, ``max`` for costs (latency, false alarms)."""

    min: float | None = None
    max: float | None = None


class Thresholds(BaseModel):
    """``eval/thresholds.json``: per mode, per suite, per metric name, a bound."""

    fast: dict[str, dict[str, Bound]] = Field(default_factory=dict)
    full: dict[str, dict[str, Bound]] = Field(default_factory=dict)
    measured: dict[str, str] = Field(default_factory=dict)
    """Free text: what the thresholds were set from (values, machine, date)."""


class ThresholdsError(Exception):
    """A thresholds file that cannot be used; the message names the file and the reason."""


def load_thresholds(path: Traversable) -> Thresholds:
    try:
        return Thresholds.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        raise ThresholdsError(
            f"{path}: not a usable thresholds file ({exc.__class__.__name__}: {exc})"
        ) from exc


def _call(name: str, module: str, settings: Settings, fast: bool) -> SuiteResult:
    try:
        run_suite = getattr(importlib.import_module(module), "run_suite", None)
    except ModuleNotFoundError as exc:
        return SuiteResult(suite=name, status="unavailable", reason=f"{module} cannot be imported ({exc})")
    if run_suite is None:
        return SuiteResult(
            suite=name, status="unavailable", reason=f"{module} has no run_suite(settings, fast)"
        )
    try:
        result: SuiteResult = run_suite(settings, fast)
    except SuiteUnavailable as exc:
        return SuiteResult(suite=name, status="unavailable", reason=str(exc))
    except Exception as exc:  # a bug in one suite must not hide the others' results
        traceback.print_exc(file=sys.stderr)
        return SuiteResult(suite=name, status="failed", reason=f"{exc.__class__.__name__}: {exc}")
    return result


def run_one(name: str, module: str, settings: Settings, fast: bool) -> SuiteResult:
    """One suite, never raising: unavailable and failed suites come back with the reason."""
    started = time.perf_counter()
    print(f"eval: {name} ({'fast' if fast else 'full'}) ...", file=sys.stderr)
    result = _call(name, module, settings, fast)
    result.suite, result.fast = name, fast
    result.seconds = time.perf_counter() - started
    print(
        f"eval: {name}: {result.status} in {result.seconds:.0f} s {result.reason}".rstrip(), file=sys.stderr
    )
    return result


def run(
    names: list[str], settings: Settings, fast: bool, registry: Mapping[str, str] = SUITES
) -> list[SuiteResult]:
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown suite {', '.join(unknown)}; choose from {', '.join(registry)} or all")
    return [run_one(name, registry[name], settings, fast) for name in names]


def violations(report: EvalReport, thresholds: Thresholds) -> list[str]:
    """Every bound of the run's mode that a suite of this report breaks (suites not run are skipped)."""
    found: list[str] = []
    for suite in report.suites:
        bounds = (thresholds.fast if suite.fast else thresholds.full).get(suite.suite, {})
        if not bounds:
            continue
        if suite.status != "ok":
            found.append(f"{suite.suite}: {suite.status} ({suite.reason}), thresholds not checked")
            continue
        for name, bound in bounds.items():
            metric = suite.metric(name)
            if metric is None:
                found.append(f"{suite.suite}: metric {name!r} missing from the results")
            elif bound.min is not None and metric.value < bound.min:
                found.append(f"{suite.suite}: {name} = {metric.value:.3f}, below the minimum {bound.min}")
            elif bound.max is not None and metric.value > bound.max:
                found.append(f"{suite.suite}: {name} = {metric.value:.3f}, above the maximum {bound.max}")
    return found


def evaluate(
    suite: str, settings: Settings, fast: bool, out: Path, thresholds: Path | None = None
) -> tuple[EvalReport, Path, list[str]]:
    """Run ``suite`` (or ``all``), write the report under ``out``; returns it, its folder and violations.
    The thresholds file and the saved history are read first, so a bad file fails before the run."""
    bounds = load_thresholds(thresholds) if thresholds else None
    earlier = history(out)
    names = list(SUITES) if suite == "all" else [suite]
    report = new_report(run(names, settings, fast), EVAL_DIR.parent)
    folder = write_report(report, out, earlier)
    return report, folder, violations(report, bounds) if bounds else []

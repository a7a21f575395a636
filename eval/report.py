"""The eval report: what every suite returns, and the writers for ``report.md``, ``report.json`` and plots.

A suite (``eval/<name>/run.py``) exposes ``run_suite(settings, fast) -> SuiteResult``; the runner
collects the results into one :class:`EvalReport` and :func:`write_report` saves it under the output
folder's history, side by side with the previous saved run:

    <out>/runs/<UTC timestamp>/report.md     one table per suite: metric | Rapporteur | naive baseline |
                                             previous run | delta
    <out>/runs/<UTC timestamp>/report.json   this EvalReport, every metric with its baseline and previous
    <out>/runs/<UTC timestamp>/<suite>.png   grouped bars per suite: Rapporteur, baseline, previous

"Previous run", per suite: the newest earlier ``runs/*/report.json`` in the same folder holding that
suite, run in the same mode (fast or full) and completed, so runs of single suites still compare.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

T = TypeVar("T")
Status = Literal["ok", "unavailable", "failed"]


class SuiteUnavailable(Exception):
    """Raised by a suite that cannot run here (no corpus, no model, no index); the reason is reported."""


class ReportError(Exception):
    """A saved report that cannot be read: the message names the file and the reason."""


class Metric(BaseModel):
    """One number of a suite, with the naive baseline's value where there is one."""

    name: str
    value: float
    baseline: float | None = None
    higher_is_better: bool = True
    unit: str = ""
    previous: float | None = None
    """The same metric in the previous saved run (filled in by :func:`compare`)."""

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def regressed(self) -> bool:
        delta = self.delta
        if delta is None:
            return False
        return delta < -1e-9 if self.higher_is_better else delta > 1e-9


class SuiteResult(BaseModel):
    """What one suite measured: metrics, per-example rows (JSON only), notes and its configuration."""

    suite: str
    metrics: list[Metric] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    """Per-example details (one per question or defect), kept in report.json."""
    notes: list[str] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    details: str = ""
    """Optional Markdown shown under the suite's table (e.g. a per-system or per-type breakdown)."""
    status: Status = "ok"
    reason: str = ""
    """Why the suite is unavailable or failed."""
    fast: bool = False
    seconds: float = 0.0
    previous_run: datetime | None = None
    """When the run the ``previous`` values come from was made."""

    def metric(self, name: str) -> Metric | None:
        return next((m for m in self.metrics if m.name == name), None)


class EvalReport(BaseModel):
    created: datetime
    git_commit: str | None = None
    suites: list[SuiteResult] = Field(default_factory=list)


def progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a tqdm bar on stderr when it is a terminal; silently otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=label, total=total, file=sys.stderr, leave=False)


def git_commit(repo: Path) -> str | None:
    """The checked-out commit (``+dirty`` with uncommitted changes); None outside a git checkout."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


# -- history ------------------------------------------------------------------------------------------


def load_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        raise ReportError(f"{path}: not a readable eval report ({exc.__class__.__name__}: {exc})") from exc


def history(out: Path) -> list[EvalReport]:
    """The saved runs under ``out/runs``, oldest first."""
    runs = [load_report(p) for p in sorted((out / "runs").glob("*/report.json"))]
    return sorted(runs, key=lambda r: r.created)


def compare(report: EvalReport, earlier: list[EvalReport]) -> None:
    """Fill each suite's ``previous`` values from the newest earlier completed run of it (same mode)."""
    for suite in report.suites:
        for old in sorted(earlier, key=lambda r: r.created, reverse=True):
            if old.created >= report.created:
                continue
            match = next(
                (
                    s
                    for s in old.suites
                    if s.suite == suite.suite and s.fast == suite.fast and s.status == "ok"
                ),
                None,
            )
            if match is None:
                continue
            suite.previous_run = old.created
            for metric in suite.metrics:
                before = match.metric(metric.name)
                metric.previous = before.value if before else None
            break


# -- writers ------------------------------------------------------------------------------------------


def _number(value: float, unit: str, sign: str = "") -> str:
    """Scores (no unit, within 0..1) with three decimals; counts as integers; the rest with one."""
    if not unit and abs(value) <= 1:
        text = f"{value:{sign}.3f}"
    elif value.is_integer():
        text = f"{value:{sign}.0f}"
    else:
        text = f"{value:{sign}.1f}"
    return f"{text} {unit}".strip()


def _fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else _number(value, unit)


def _delta(metric: Metric) -> str:
    delta = metric.delta
    if delta is None:
        return "–"
    if abs(delta) < 1e-9:
        return "0"
    return _number(delta, metric.unit, "+") + (" (worse)" if metric.regressed else "")


def suite_markdown(suite: SuiteResult) -> str:
    mode = "fast" if suite.fast else "full"
    if suite.status != "ok":
        label = "not available" if suite.status == "unavailable" else "FAILED"
        return f"## {suite.suite} ({mode}): {label}\n\n{suite.reason}\n"
    since = suite.previous_run.strftime("%Y-%m-%d %H:%M UTC") if suite.previous_run else "none saved"
    lines = [
        f"## {suite.suite} ({mode}, {suite.seconds:.0f} s; previous run: {since})",
        "",
        "| metric | Rapporteur | naive baseline | previous run | delta |",
        "| --- | --- | --- | --- | --- |",
    ]
    for m in suite.metrics:
        arrow = "" if m.higher_is_better else " (lower is better)"
        lines.append(
            f"| {m.name}{arrow} | {_fmt(m.value, m.unit)} | {_fmt(m.baseline, m.unit)} | "
            f"{_fmt(m.previous, m.unit)} | {_delta(m)} |"
        )
    lines += ["", *(f"- {note}" for note in suite.notes)]
    if suite.config:
        lines += ["", "Configuration: " + ", ".join(f"`{k}={v}`" for k, v in sorted(suite.config.items()))]
    if suite.metrics:
        lines += ["", f"![{suite.suite}]({suite.suite}.png)"]
    if suite.details:
        lines += ["", suite.details.strip()]
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(report: EvalReport) -> str:
    head = [
        f"# Rapporteur eval, {report.created.strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Commit `{report.git_commit or 'unknown'}`. Each table compares Rapporteur with the naive "
        "baseline and with the previous saved run of the same suite and mode; delta = Rapporteur minus "
        "previous run, marked (worse) when it moved the wrong way. See eval/README.md.",
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(suite_markdown(s) for s in report.suites)


def plot_suite(suite: SuiteResult, path: Path) -> None:
    """Grouped bars per metric (Rapporteur, naive baseline, previous run); one panel per unit, so give
    counts and costs a unit to keep them off the 0-1 score axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    units = list(dict.fromkeys(m.unit for m in suite.metrics))
    widths = [max(2.0, 0.55 * sum(1 for m in suite.metrics if m.unit == u)) for u in units]
    fig, axes = plt.subplots(
        1, len(units), figsize=(sum(widths) + 1.5, 4.5), squeeze=False, width_ratios=widths
    )
    series = (
        ("Rapporteur", "value", "tab:blue"),
        ("naive baseline", "baseline", "tab:orange"),
        ("previous run", "previous", "tab:gray"),
    )
    shown: dict[str, str] = {}
    for ax, unit in zip(axes[0], units, strict=True):
        metrics = [m for m in suite.metrics if m.unit == unit]
        for i, (label, field, color) in enumerate(series):
            values = [getattr(m, field) for m in metrics]
            xs = [x + (i - 1) * 0.27 for x, v in enumerate(values) if v is not None]
            if xs:
                ax.bar(xs, [v for v in values if v is not None], 0.27, color=color)
                shown[label] = color
        ax.set_xticks(range(len(metrics)), [m.name for m in metrics], rotation=45, ha="right", fontsize=8)
        ax.set_ylabel(unit or "score")
    handles = [Patch(color=color, label=label) for label, color in shown.items()]
    fig.legend(handles=handles, loc="upper right", ncol=3, fontsize=8)
    fig.suptitle(f"{suite.suite} ({'fast' if suite.fast else 'full'})", x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_report(report: EvalReport, out: Path, earlier: list[EvalReport] | None = None) -> Path:
    """Compare with the saved history (``earlier``, default: read from ``out``), then write report.md,
    report.json and plots into a new run folder, which is returned."""
    compare(report, history(out) if earlier is None else earlier)
    stamp = report.created.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = out / "runs" / stamp
    n = 1
    while folder.exists():
        n += 1
        folder = out / "runs" / f"{stamp}-{n}"
    folder.mkdir(parents=True)
    for suite in report.suites:
        if suite.status == "ok" and suite.metrics:
            plot_suite(suite, folder / f"{suite.suite}.png")
    _write_atomic(folder / "report.md", to_markdown(report))
    _write_atomic(folder / "report.json", report.model_dump_json(indent=1) + "\n")
    return folder


def new_report(suites: list[SuiteResult], repo: Path) -> EvalReport:
    return EvalReport(created=datetime.now(UTC), git_commit=git_commit(repo), suites=suites)

"""False alarms: check every published ITU-T Recommendation of the corpus and count findings per document.

Published texts are the ground truth of good practice, so every error-severity finding here is either
a true defect of the published text (the evidence shows it) or a checker bug. Prints a Markdown table
and the error findings; the JSON keeps counts per document and rule (no ITU text).

    .venv/bin/python -m eval.checking.corpus_run [--corpus DIR] [--out eval/results/checking-corpus.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.models import CheckReport, Severity
from copilot.checker.rules.base import CheckContext
from eval.checking.corpus import corpus_catalog, corpus_store
from eval.report import progress
from ingest.catalog import ReferenceCatalog
from ingest.library import expand_paths
from ingest.parsers import ParseError
from ingest.store import RecordStore


def run(corpus: Path, store: RecordStore, catalog: ReferenceCatalog | None) -> list[CheckReport | str]:
    out: list[CheckReport | str] = []
    paths = expand_paths([corpus / "itu-t"])
    for path in progress(paths, "published Recs", len(paths)):
        try:
            draft = load_draft(path)
        except ParseError as exc:
            out.append(f"{path.name}: {exc}")
            continue
        context = CheckContext.for_file(path, draft, catalog=catalog, store=store)
        out.append(check_draft(draft, context, time.perf_counter()))
    return out


def table(results: list[CheckReport | str]) -> str:
    lines = ["| document | kind | error | warning | info | rules with errors |", "|---|---|---|---|---|---|"]
    for r in results:
        if isinstance(r, str):
            lines.append(f"| {r} | unreadable | | | | |")
            continue
        s = r.summary.by_severity
        errors = sorted({f.rule for f in r.findings if f.severity is Severity.ERROR})
        note = "; ".join(r.summary.notes)[:60]
        lines.append(
            f"| {Path(r.file).name} | {note or 'Recommendation'} | {s.get('error', 0)} | "
            f"{s.get('warning', 0)} | {s.get('info', 0)} | {', '.join(errors)} |"
        )
    return "\n".join(lines)


def _counts(report: CheckReport) -> dict[str, object]:
    rules: dict[str, int] = {}
    for f in report.findings:
        key = f"{f.severity.value} {f.rule}"
        rules[key] = rules.get(key, 0) + 1
    return {
        "file": Path(report.file).name,
        "notes": report.summary.notes,
        **report.summary.by_severity,
        "rules": rules,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    parser.add_argument("--out", type=Path, default=Path("eval/results/checking-corpus.json"))
    parser.add_argument(
        "--store", type=Path, help="record store to reuse (built from <corpus>/itu-t when absent)"
    )
    args = parser.parse_args(argv)
    catalog = corpus_catalog(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        store = corpus_store(args.corpus, args.store or Path(tmp) / "records.sqlite3")
        results = run(args.corpus, store, catalog)
        store.close()
    print(table(results))
    for r in results:
        if isinstance(r, CheckReport):
            for f in r.findings:
                if f.severity is Severity.ERROR:
                    print(f"ERROR {Path(r.file).name} {f.location.clause}: {f.rule}: {f.message}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = [r if isinstance(r, str) else _counts(r) for r in results]
    args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

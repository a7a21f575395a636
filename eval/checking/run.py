"""Score the checker on seeded defects: precision and recall per category.

Each defect of ``defects.json`` is injected alone into a temporary copy of a real Recommendation
from the corpus. A finding is *new* when the original document does not have it (same rule and
clause and message). A defect is recalled when a new finding of its rule appears; precision counts, per
category, the new findings that are the seeded defect's rule against all new findings in that
category (the noise an edit provokes elsewhere).

    .venv/bin/python -m eval.checking.run [--corpus ../shared/corpus] [--out eval/results/checking.json]

``run_suite`` is the same measurement for ``rapporteur eval --suite checking``: fast, with a record
store of only the five seeded documents; full, with the whole ``itu-t/`` folder's records plus the
false-alarm run over every published Recommendation (``corpus_run``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.models import Category, CheckReport, Finding, Severity
from copilot.checker.restatements import CandidateChooser, EvidenceJudge, recommendation_key
from copilot.checker.rules.base import CheckContext
from eval.checking import consistency_run, corpus_run
from eval.checking.corpus import build_record_store, corpus_catalog, corpus_store
from eval.checking.inject import SPLITS, Defect, inject, load_defects
from eval.report import Metric, SuiteResult, SuiteUnavailable, progress
from ingest.catalog import ReferenceCatalog
from ingest.store import RecordStore
from rapporteur.settings import Settings

DETERMINISTIC = [c for c in Category if c is not Category.CONSISTENCY]
FAST_TEST_DOCS = frozenset(
    {
        "itu-t/T-REC-H.782-201811-I!!MSW-E.docx",
        "itu-t/T-REC-L.314-201811-P!!MSW-E.docx",
        "itu-t/T-REC-K.20-201810-I!!MSW-E.docx",
        "itu-t/T-REC-J.1108-201901-P!!MSW-E.docx",
    }
)
"""The test split's fast subset: its four smallest files with every category among their 46 defects."""
FAST_LIBRARY = ("itu-t/G.650.1-201803.docx",)
"""Indexed beside the seeded files in fast mode: the definitions a fast test defect redefines (K.20's
'cladding'; F.921, which the others redefine, is a seeded file of the dev split)."""


class DefectResult(BaseModel):
    id: str
    category: Category
    rule: str
    detected: bool
    new_findings: list[str] = Field(default_factory=list)
    """The rule of each finding the edit introduced."""


class CategoryScore(BaseModel):
    defects: int = 0
    detected: int = 0
    true_findings: int = 0
    new_findings: int = 0

    @property
    def recall(self) -> float:
        return self.detected / self.defects if self.defects else 0.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.new_findings if self.new_findings else 1.0


def _key(f: Finding) -> tuple[str, str | None, str]:
    return (f.rule, f.location.clause, f.message)


def score(
    defects: list[Defect],
    corpus: Path,
    store: RecordStore,
    catalog: ReferenceCatalog | None,
    chooser: CandidateChooser | None = None,
) -> list[DefectResult]:
    baselines: dict[str, set[tuple[str, str | None, str]]] = {}
    results: list[DefectResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        for defect in progress(defects, "defects", len(defects)):
            source = corpus / defect.doc
            if defect.doc not in baselines:
                baselines[defect.doc] = {_key(f) for f in _check(source, store, catalog, chooser)}
            copy = inject(defect, source, Path(tmp) / defect.id / source.name)
            new = [f for f in _check(copy, store, catalog, chooser) if _key(f) not in baselines[defect.doc]]
            results.append(
                DefectResult(
                    id=defect.id,
                    category=defect.category,
                    rule=defect.rule,
                    detected=any(f.rule == defect.rule for f in new),
                    new_findings=[f.rule for f in new],
                )
            )
    return results


def _check(
    path: Path, store: RecordStore, catalog: ReferenceCatalog | None, chooser: CandidateChooser | None
) -> list[Finding]:
    draft = load_draft(path)
    context = CheckContext.for_file(path, draft, catalog=catalog, store=store)
    if chooser is not None:
        context.judge = EvidenceJudge(context, recommendation_key(draft.meta.rec_id), chooser)
    return check_draft(draft, context).findings


def by_category(results: list[DefectResult]) -> dict[Category, CategoryScore]:
    scores: dict[Category, CategoryScore] = defaultdict(CategoryScore)
    for r in results:
        s = scores[r.category]
        s.defects += 1
        s.detected += int(r.detected)
        for rule in r.new_findings:
            finding_category = scores[Category(rule.split(".", 1)[0])]
            finding_category.new_findings += 1
            finding_category.true_findings += int(rule == r.rule)
    return scores


def total(scores: dict[Category, CategoryScore]) -> CategoryScore:
    out = CategoryScore()
    for s in scores.values():
        out.defects += s.defects
        out.detected += s.detected
        out.new_findings += s.new_findings
        out.true_findings += s.true_findings
    return out


def table(scores: dict[Category, CategoryScore]) -> str:
    lines = [
        "| category | defects | recalled | recall | new findings | true | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [(c.value, scores.get(c, CategoryScore())) for c in DETERMINISTIC]
    for name, s in [*rows, ("**all**", total(scores))]:
        lines.append(
            f"| {name} | {s.defects} | {s.detected} | {s.recall:.2f} | {s.new_findings} | "
            f"{s.true_findings} | {s.precision:.2f} |"
        )
    return "\n".join(lines)


def false_alarm_metrics(reports: list[CheckReport | str]) -> list[Metric]:
    """Error findings on published Recommendations: each is a checker bug or a defect of the text."""
    checked = [r for r in reports if isinstance(r, CheckReport)]
    errors = [sum(f.severity is Severity.ERROR for f in r.findings) for r in checked]
    return [
        Metric(name="published Recs checked", value=len(checked), unit="Recs"),
        Metric(name="published Recs with an error finding", value=sum(1 for e in errors if e), unit="Recs",
               higher_is_better=False),
        Metric(name="error findings per published Rec", value=sum(errors) / max(1, len(checked)),
               unit="errors/Rec", higher_is_better=False),
    ]  # fmt: skip


def run_suite(settings: Settings, fast: bool) -> SuiteResult:
    """Seeded-defect recall and precision per category; in full mode also false alarms on the corpus."""
    corpus = settings.corpus
    if not (corpus / "itu-t").is_dir():
        raise SuiteUnavailable(
            f"no ITU corpus at {corpus} (the defects are seeded in its itu-t/ Recommendations): "
            "pass --corpus or set RAPPORTEUR_CORPUS"
        )
    defects = load_defects(SPLITS["dev"])
    tests = [d for d in load_defects(SPLITS["test"]) if not fast or d.doc in FAST_TEST_DOCS]
    seeded = {d.doc for d in defects + tests}
    missing = sorted(doc for doc in seeded | set(FAST_LIBRARY) if not (corpus / doc).is_file())
    if missing:
        raise SuiteUnavailable(f"the seeded defects need {', '.join(missing)} under {corpus}")
    catalog = ReferenceCatalog.from_settings(settings)
    sources = sorted(corpus / doc for doc in seeded | set(FAST_LIBRARY)) if fast else [corpus / "itu-t"]
    pairs = consistency_run.load_pairs()
    with tempfile.TemporaryDirectory(prefix="rapporteur-eval-") as tmp:
        store, failures = build_record_store(sources, Path(tmp) / "records.sqlite3")
        restated = consistency_run.source_records(corpus, pairs, Path(tmp) / "restated.sqlite3")
        try:
            results = score(defects, corpus, store, catalog)
            test_results = score(tests, corpus, store, catalog)
            reports = [] if fast else corpus_run.run(corpus, store, catalog)
            consistency = consistency_run.score(pairs, restated)
        finally:
            store.close()
            restated.close()
    scores, test_scores = by_category(results), by_category(test_results)
    found = _split_metrics(scores, "") + _split_metrics(test_scores, "test ")
    found += false_alarm_metrics(reports) if reports else []
    found += consistency_run.metrics(consistency)
    missed = [f"{r.id} ({r.rule})" for r in results + test_results if not r.detected]
    subset = "the fast subset of " if fast else ""
    return SuiteResult(
        suite="checking",
        metrics=found,
        rows=[r.model_dump(mode="json") for r in results + test_results],
        notes=[
            f"dev split: {len(defects)} seeded defects in {len({d.doc for d in defects})} published "
            f"Recommendations (tuned on); {subset}test split: {len(tests)} defects in "
            f"{len({d.doc for d in tests})} others ('test ...' metrics); "
            "no naive baseline exists for the checker.",
            f"missed: {', '.join(missed)}" if missed else "every seeded defect was reported",
            *(f"record store: {f}" for f in failures),
        ],
        config={"record store": "seeded documents and G.650.1" if fast else "itu-t/ folder"},
        details="dev split\n\n" + table(scores) + "\n\ntest split\n\n" + table(test_scores)
        + "\n\n" + consistency_run.table(consistency),
    )  # fmt: skip


def _split_metrics(scores: dict[Category, CategoryScore], prefix: str) -> list[Metric]:
    overall = total(scores)
    found = [Metric(name=f"{prefix}recall", value=overall.recall),
             Metric(name=f"{prefix}precision", value=overall.precision)]  # fmt: skip
    for category in DETERMINISTIC:
        s = scores.get(category, CategoryScore())
        found += [
            Metric(name=f"{prefix}recall {category.value}", value=s.recall),
            Metric(name=f"{prefix}precision {category.value}", value=s.precision),
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    parser.add_argument("--out", type=Path, default=Path("eval/results/checking.json"))
    parser.add_argument(
        "--store", type=Path, help="record store to reuse (built from <corpus>/itu-t when absent)"
    )
    parser.add_argument("--split", choices=sorted(SPLITS), default="test", help="seeded-defect split")
    parser.add_argument("--model", help="a model (setting llm.model) chooses consistency sources too")
    args = parser.parse_args(argv)
    if not (args.corpus / "itu-t").is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 1
    catalog = corpus_catalog(args.corpus)
    with tempfile.TemporaryDirectory() as tmp, consistency_run.model_chooser(args.model) as chooser:
        store = corpus_store(args.corpus, args.store or Path(tmp) / "records.sqlite3")
        results = score(load_defects(SPLITS[args.split]), args.corpus, store, catalog, chooser)
        store.close()
    scores = by_category(results)
    print(table(scores))
    for r in results:
        if not r.detected:
            print(f"MISSED {r.id} ({r.rule}): new findings {r.new_findings}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "scores": {
            c.value: {**s.model_dump(), "recall": s.recall, "precision": s.precision}
            for c, s in scores.items()
        },
        "defects": [r.model_dump(mode="json") for r in results],
    }
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

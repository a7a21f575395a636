"""Score the checker on seeded defects: precision and recall per category.

Each defect of ``defects.json`` is injected alone into a temporary copy of a real Recommendation
from the corpus. A finding is *new* when the original document does not have it (same rule and
clause and message). A defect is recalled when a new finding of its rule appears; precision counts, per
category, the new findings that are the seeded defect's rule against all new findings in that
category (the noise an edit provokes elsewhere).

    .venv/bin/python -m eval.checking.run [--corpus ../shared/corpus] [--out eval/results/checking.json]
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
from copilot.checker.models import Category, Finding
from copilot.checker.rules.base import CheckContext
from eval.checking.corpus import corpus_catalog, corpus_store
from eval.checking.inject import Defect, inject, load_defects
from ingest.catalog import ReferenceCatalog
from ingest.store import RecordStore

DETERMINISTIC = [c for c in Category if c is not Category.CONSISTENCY]


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
    defects: list[Defect], corpus: Path, store: RecordStore, catalog: ReferenceCatalog | None
) -> list[DefectResult]:
    baselines: dict[str, set[tuple[str, str | None, str]]] = {}
    results: list[DefectResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        for defect in defects:
            source = corpus / defect.doc
            if defect.doc not in baselines:
                baselines[defect.doc] = {_key(f) for f in _check(source, store, catalog)}
            copy = inject(defect, source, Path(tmp) / defect.id / source.name)
            new = [f for f in _check(copy, store, catalog) if _key(f) not in baselines[defect.doc]]
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


def _check(path: Path, store: RecordStore, catalog: ReferenceCatalog | None) -> list[Finding]:
    draft = load_draft(path)
    context = CheckContext(
        catalog=catalog, store=store, own_rec_id=draft.meta.rec_id, own_path=str(path.resolve())
    )
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


def table(scores: dict[Category, CategoryScore]) -> str:
    lines = [
        "| category | defects | recalled | recall | new findings | true | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    total = CategoryScore()
    for category in DETERMINISTIC:
        s = scores.get(category, CategoryScore())
        total.defects += s.defects
        total.detected += s.detected
        total.new_findings += s.new_findings
        total.true_findings += s.true_findings
        lines.append(
            f"| {category.value} | {s.defects} | {s.detected} | {s.recall:.2f} | {s.new_findings} | "
            f"{s.true_findings} | {s.precision:.2f} |"
        )
    lines.append(
        f"| **all** | {total.defects} | {total.detected} | {total.recall:.2f} | {total.new_findings} | "
        f"{total.true_findings} | {total.precision:.2f} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    parser.add_argument("--out", type=Path, default=Path("eval/results/checking.json"))
    parser.add_argument(
        "--store", type=Path, help="record store to reuse (built from <corpus>/itu-t when absent)"
    )
    args = parser.parse_args(argv)
    if not (args.corpus / "itu-t").is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 1
    catalog = corpus_catalog(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        store = corpus_store(args.corpus, args.store or Path(tmp) / "records.sqlite3")
        results = score(load_defects(), args.corpus, store, catalog)
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

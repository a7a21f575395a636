"""Score the consistency judge on restatements of real corpus facts: recall on the wrong ones, false
alarms on the right ones, per kind of fact (values, ranges, deadlines, formulas, names, identifiers,
requirement keywords).

Each pair of ``consistency.json`` is one sentence restating an ITU-T or ITU-R Recommendation, once
right and once wrong; each is checked alone, as clause 6 of a small draft, against the record store
of the corpus's ``itu-t/`` and ``itu-r/`` folders. Only the sentences are committed, not ITU texts.

    .venv/bin/python -m eval.checking.consistency_run [--corpus ../shared/corpus] [--store DB]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel

from copilot.checker.draft import load_draft
from copilot.checker.restatements import CandidateChooser, EvidenceJudge, recommendation_key
from copilot.checker.rules.base import CheckContext
from copilot.checker.rules.consistency import Contradicts
from eval.checking.corpus import DEFAULT_CORPUS, build_record_store
from eval.report import Metric
from ingest.store import RecordStore

SPEC = files("eval.checking") / "consistency.json"


class Restatement(BaseModel):
    id: str
    kind: str
    source: str
    doc: str
    """The source's file under the corpus folder (the fast eval indexes only these)."""
    clause: str
    right: str
    wrong: str


class PairResult(BaseModel):
    id: str
    kind: str
    detected: bool
    false_alarm: bool
    message: str | None = None


def load_pairs() -> list[Restatement]:
    return [Restatement(**p) for p in json.loads(SPEC.read_text(encoding="utf-8"))]


def _contradictions(
    sentence: str, store: RecordStore, folder: Path, chooser: CandidateChooser | None
) -> list[str]:
    path = folder / "T-REC-Z.9999-202601-D.md"  # a draft of its own, not the Recommendation it cites
    path.write_text(f"# 6 Requirements\n\n{sentence}\n", encoding="utf-8")
    draft = load_draft(path)
    context = CheckContext.for_file(path, draft, store=store)
    if chooser is not None:
        context.judge = EvidenceJudge(context, recommendation_key(draft.meta.rec_id), chooser)
    return [f.message for f in Contradicts().run(draft, context)]


def score(
    pairs: list[Restatement], store: RecordStore, chooser: CandidateChooser | None = None
) -> list[PairResult]:
    """Each pair's wrong and right sentence judged alone; ``chooser``: a model names source
    sentences the words alone do not tie (None: the deterministic judge only)."""
    out: list[PairResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        for pair in pairs:
            wrong = _contradictions(pair.wrong, store, Path(tmp), chooser)
            right = _contradictions(pair.right, store, Path(tmp), chooser)
            out.append(
                PairResult(
                    id=pair.id,
                    kind=pair.kind,
                    detected=bool(wrong),
                    false_alarm=bool(right),
                    message=next(iter(wrong or right), None),
                )
            )
    return out


def kinds(results: list[PairResult]) -> dict[str, list[PairResult]]:
    grouped: dict[str, list[PairResult]] = defaultdict(list)
    for r in results:
        grouped[r.kind].append(r)
    return dict(sorted(grouped.items()))


def metrics(results: list[PairResult]) -> list[Metric]:
    """Recall on the wrong restatements and false alarms on the right ones, overall and per kind."""
    found: list[Metric] = []
    for name, rows in [("", results), *((f" {k}", v) for k, v in kinds(results).items())]:
        found += [
            Metric(name=f"consistency recall{name}", value=sum(r.detected for r in rows) / len(rows)),
            Metric(name=f"consistency false alarms{name}", value=sum(r.false_alarm for r in rows),
                   unit="pairs", higher_is_better=False),
        ]  # fmt: skip
    return found


def table(results: list[PairResult]) -> str:
    lines = ["| kind | pairs | wrong caught | recall | false alarms on right |", "|---|---|---|---|---|"]
    for name, rows in [*kinds(results).items(), ("**all**", results)]:
        caught = sum(r.detected for r in rows)
        alarms = sum(r.false_alarm for r in rows)
        lines.append(f"| {name} | {len(rows)} | {caught} | {caught / len(rows):.2f} | {alarms} |")
    return "\n".join(lines)


def source_records(corpus: Path, pairs: list[Restatement], db_path: Path) -> RecordStore:
    """A record store of only the Recommendations the pairs restate (``rapporteur eval``'s fast run)."""
    store, failures = build_record_store(sorted({corpus / p.doc for p in pairs}), db_path)
    if failures:
        raise RuntimeError(f"cannot index the restated Recommendations: {'; '.join(failures)}")
    return store


def corpus_records(corpus: Path, db_path: Path) -> RecordStore:
    """The record store of ``itu-t/`` and ``itu-r/`` at ``db_path``, built first when absent."""
    if db_path.is_file():
        return RecordStore(db_path)
    return build_record_store([corpus / "itu-t", corpus / "itu-r"], db_path)[0]


@contextmanager
def model_chooser(model: str | None) -> Iterator[CandidateChooser | None]:
    """A chooser backed by ``model`` (started on loopback when it is a packaged one), or None."""
    if model is None:
        yield None
        return
    from copilot.checker.model_choice import ModelChooser  # the model stack only when asked for
    from copilot.llm import ModelHost
    from rapporteur.settings import Settings

    settings = Settings().updated(llm={"model": model})
    with ModelHost(settings) as host:
        yield ModelChooser(host.model())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--store", type=Path, help="record store of itu-t/ and itu-r/ (built when absent)")
    parser.add_argument("--out", type=Path, default=Path("eval/results/checking-consistency.json"))
    parser.add_argument("--model", help="a model (setting llm.model) chooses source sentences too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, model_chooser(args.model) as chooser:
        store = corpus_records(args.corpus, args.store or Path(tmp) / "records.sqlite3")
        results = score(load_pairs(), store, chooser)
        store.close()
    print(table(results))
    for r in results:
        if not r.detected or r.false_alarm:
            print(f"{r.id} ({r.kind}): {'caught' if r.detected else 'MISSED'}"
                  f"{', FALSE ALARM' if r.false_alarm else ''}: {r.message}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = [r.model_dump() for r in results]
    args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""QA grounding eval: questions with gold clauses and key facts, plus questions the library cannot answer.

Scores, for Rapporteur's assistant and for a naive RAG baseline (dense top-3 clauses, a plain prompt,
no relevance gate, its three chunks listed as sources):

- answer correctness: share of a question's key facts the answer states (each fact has alternatives);
- citation precision: cited clauses that support the answer (a gold clause, or one stating a key fact);
- citation recall: answerable questions whose answer cites a gold clause;
- no-answer accuracy: off-topic questions answered "the library holds no clause..." instead of invented.

Questions are single facts, multi-clause, comparisons of two Recommendations (``also_rec_id``: a gold
clause of either counts), "which Recommendation", and follow-up chains (turns sharing a ``chain``, in
file order): Rapporteur asks a follow-up as its conversation rewrites it (``Conversation.rewrite``), the
baseline as written; follow-up turns are also scored apart, beside Rapporteur asked without the thread.

Without a model (and always in fast mode, for CI) both systems answer extractively: Rapporteur with its
relevance-gated cited clauses, the baseline with its top-3 chunks; this still measures grounding.

    python -m eval.qa.run --index DIR
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from copilot.assistant import NO_ANSWER, Assistant
from copilot.citation import Citation
from copilot.conversation import Conversation
from copilot.llm import ChatModel, LLMUnavailable, ModelHost
from copilot.prompts import PromptTemplate
from copilot.retrieval import HybridRetriever
from eval.report import Metric, SuiteResult, SuiteUnavailable, progress
from eval.retrieval.run import Judge, Question, _answerable, _as_hits, fast_library
from ingest.library import Library
from ingest.metadata import normalize_rec_id
from rapporteur.settings import Settings

QUESTIONS: Traversable = files("eval.qa") / "questions.jsonl"  # package data
NAIVE_K = 3


class QAQuestion(BaseModel):
    id: str
    question: str
    rec_id: str | None
    clauses: list[str]
    facts: list[list[str]]
    kind: str = "single"
    also_rec_id: str | None = None
    also_clauses: list[str] = []
    chain: str | None = None
    """Turns with one ``chain`` form a conversation, asked in file order."""
    split: Literal["dev", "test"] = "dev"
    """``test`` questions were written from clause texts before any run on them and are only reported."""

    def as_retrieval(self) -> Question:
        return Question(
            id=self.id,
            question=self.question,
            rec_id=self.rec_id or "",
            clauses=self.clauses,
            type="qa",
            names_rec=False,
        )

    def golds(self) -> list[Question]:
        """The gold clauses as retrieval questions: one per Recommendation the answer should cite."""
        golds = [self.as_retrieval()]
        if self.also_rec_id:
            golds.append(
                golds[0].model_copy(update={"rec_id": self.also_rec_id, "clauses": self.also_clauses})
            )
        return golds


class Reply(BaseModel):
    text: str
    citations: list[Citation]
    abstained: bool
    query: str | None = None


def load_questions(path: Traversable = QUESTIONS) -> list[QAQuestion]:
    return [QAQuestion.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def fact_share(text: str, facts: list[list[str]]) -> float:
    lowered = text.lower()
    return sum(any(alt.lower() in lowered for alt in group) for group in facts) / len(facts) if facts else 0.0


def judge_for(library: Library) -> Judge:
    indexed: dict[str, set[str]] = {}
    for chunk in library.store.chunks():
        if chunk.rec_id:
            indexed.setdefault((normalize_rec_id(chunk.rec_id) or chunk.rec_id).lower(), set()).add(
                chunk.clause
            )
    return Judge(indexed)


def score(question: QAQuestion, reply: Reply, judge: Judge) -> dict[str, Any]:
    if not question.rec_id:
        return {"abstained": reply.abstained}
    golds = question.golds()
    hits = _as_hits(reply.citations)
    on_gold = [any(judge.matches(h, gold) for gold in golds) for h in hits]
    supporting = [
        g or fact_share(c.text, question.facts) > 0 for g, c in zip(on_gold, reply.citations, strict=True)
    ]
    return {
        "correctness": fact_share(reply.text, question.facts),
        "cited": len(reply.citations),
        "supporting": sum(supporting),
        "gold_cited": any(on_gold),
        "abstained": reply.abstained,
    }


def ours(assistant: Assistant, threads: bool = True) -> Callable[[QAQuestion], Reply]:
    """Rapporteur's answers; with ``threads``, a chain's turns are asked as its conversation rewrites them."""
    conversations: dict[str, Conversation] = {}

    def ask(question: QAQuestion) -> Reply:
        conversation = (
            conversations.setdefault(question.chain, Conversation()) if threads and question.chain else None
        )
        query = conversation.rewrite(question.question) if conversation else None
        answer = assistant.ask(question.question, query=query)
        if conversation:
            conversation.record(answer)
        return Reply(
            text=answer.answer, citations=answer.citations, abstained=answer.answer == NO_ANSWER, query=query
        )

    return ask


def naive(
    retriever: HybridRetriever, model: ChatModel | None, settings: Settings
) -> Callable[[QAQuestion], Reply]:
    prompt = PromptTemplate.load("answer_naive")

    def ask(question: QAQuestion) -> Reply:
        hits = retriever.search(question.question, k=NAIVE_K, mode="dense", understand=False)
        context = "\n\n".join(h.text[: settings.answer.source_chars] for h in hits)
        if model is None:
            return Reply(text=context, citations=hits, abstained=False)
        messages = prompt.render(sources=context, question=question.question)
        text = model.generate(
            messages, max_tokens=settings.llm.max_tokens, temperature=settings.llm.temperature
        ).text()
        return Reply(text=text, citations=hits, abstained=False)

    return ask


def follow_ups(questions: list[QAQuestion]) -> set[str]:
    """The ids of the chain turns after each chain's first."""
    seen: set[str] = set()
    later = set()
    for question in questions:
        if question.chain in seen:
            later.add(question.id)
        elif question.chain:
            seen.add(question.chain)
    return later


def aggregate(rows: list[dict[str, Any]], system: str) -> dict[str, float]:
    answerable = [r[system] for r in rows if r["answerable"]]
    off = [r[system] for r in rows if not r["answerable"]]
    cited = sum(r["cited"] for r in answerable)
    return {
        "answer correctness": statistics.fmean(r["correctness"] for r in answerable) if answerable else 0.0,
        "citation precision": sum(r["supporting"] for r in answerable) / cited if cited else 0.0,
        "citation recall": statistics.fmean(float(r["gold_cited"]) for r in answerable)
        if answerable
        else 0.0,
        "no-answer accuracy": statistics.fmean(float(r["abstained"]) for r in off) if off else 0.0,
        "false abstentions": statistics.fmean(float(r["abstained"]) for r in answerable)
        if answerable
        else 0.0,
    }


def evaluate(
    library: Library,
    settings: Settings,
    questions: list[QAQuestion],
    model: ChatModel | None,
    why: str | None,
) -> list[dict[str, Any]]:
    retriever = HybridRetriever(library)
    judge = judge_for(library)
    assistant = Assistant(retriever, model, settings, why)
    systems = {"rapporteur": ours(assistant), "naive": naive(retriever, model, settings)}
    alone = ours(assistant, threads=False)
    later = follow_ups(questions)
    rows = []
    for question in progress(questions, "qa questions"):
        row: dict[str, Any] = {
            "id": question.id,
            "kind": question.kind,
            "answerable": bool(question.rec_id),
            "follow_up": question.id in later,
            "split": question.split,
        }
        for name, ask in systems.items():
            reply = ask(question)
            row[name] = score(question, reply, judge)
            row[f"{name}_answer"] = reply.text
            if reply.query:
                row[f"{name}_query"] = reply.query
        if row["follow_up"]:
            row["unthreaded"] = score(question, alone(question), judge)
        rows.append(row)
    return rows


def _asked(questions: list[QAQuestion], library: Library) -> list[QAQuestion]:
    held = {q.id for q in _answerable([q.as_retrieval() for q in questions if q.rec_id], library)}
    return [q for q in questions if not q.rec_id or q.id in held]


def result(rows: list[dict[str, Any]], config: dict[str, Any]) -> SuiteResult:
    mine, base = aggregate(rows, "rapporteur"), aggregate(rows, "naive")
    metrics = [
        Metric(name=name, value=value, baseline=base[name], higher_is_better=name != "false abstentions")
        for name, value in mine.items()
    ]
    notes = [f"{len(rows)} questions"]
    for split in ("dev", "test"):
        part = [r for r in rows if r.get("split", "dev") == split]
        if part:
            figures = {s: aggregate(part, s)["answer correctness"] for s in ("rapporteur", "naive")}
            notes.append(
                f"{split}: {len(part)} questions, answer correctness {figures['rapporteur']:.3f} "
                f"(naive {figures['naive']:.3f})"
            )
    later = [r for r in rows if r.get("follow_up")]
    if later:
        turns = {s: aggregate(later, s) for s in ("rapporteur", "naive", "unthreaded")}
        for name in ("answer correctness", "citation recall"):
            metrics.append(
                Metric(
                    name=f"follow-up {name}", value=turns["rapporteur"][name], baseline=turns["naive"][name]
                )
            )
        scored = ", ".join(
            f"{system} {m['answer correctness']:.3f} / {m['citation recall']:.3f}"
            for system, m in turns.items()
        )
        notes.append(f"{len(later)} follow-up turns, correctness / citation recall: {scored}")
    return SuiteResult(suite="qa", metrics=metrics, rows=rows, config=config, notes=notes)


def run_suite(settings: Settings, fast: bool) -> SuiteResult:
    """Fast: the questions about the CI subset, extractive (no model). Full: the configured index and
    model (extractive when no model is reachable, which the report says)."""
    questions = load_questions()
    if fast:
        with fast_library(settings) as library:
            asked = _asked(questions, library)
            return result(
                evaluate(library, settings, asked, None, "fast mode"),
                {"mode": "extractive", "questions": len(asked)},
            )
    if not (settings.index / "records.sqlite3").is_file():
        raise SuiteUnavailable(f"no index at {settings.index}; ingest the corpus first (make run)")
    with ModelHost(settings) as host:
        try:
            model: ChatModel | None = host.model()
            why = None
        except LLMUnavailable as exc:
            model, why = None, str(exc)
        library = Library(settings)
        try:
            asked = _asked(questions, library)
            rows = evaluate(library, settings, asked, model, why)
        finally:
            library.close()
    suite = result(rows, {"model": settings.llm.model if model else None, "questions": len(asked)})
    if why:
        suite.notes.append(f"extractive answers: {why}")
    return suite


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    settings = Settings(**({"index": args.index} if args.index else {}))
    suite = run_suite(settings, args.fast)
    for metric in suite.metrics:
        print(f"{metric.name:22} {metric.value:.3f}  naive {metric.baseline:.3f}")


if __name__ == "__main__":
    main()

"""How often does `ask` refuse? The relevance gate alone (``Assistant.relevant_sources``, no model),
over one split of the retrieval set's questions (each has an answering clause in the library; English
and translated apart) and of the QA set's off-topic questions (none has): answerable questions refused,
off-topic ones let through. ``--meaning-floor 1`` gives the gate of the question's words alone.

    python -m eval.qa.gate --index DIR --split dev --translate qwen2.5-coder-0.5b --translation-cache FILE
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from copilot.assistant import Assistant
from copilot.llm import ModelHost
from copilot.retrieval import HybridRetriever
from copilot.retrieval.translation import QueryTranslator, TranslationCache
from eval.qa.run import load_questions as load_qa_questions
from eval.report import progress
from eval.retrieval.run import QUESTIONS, load_questions
from rapporteur.settings import Settings


def refused(assistant: Assistant, question: str) -> bool:
    """Whether ``ask`` would answer "no clause answers" (translated first, as ``ask`` does)."""
    translator = assistant.translator
    english = translator.translate(question).english if translator is not None else None
    return not assistant.relevant_sources(question, None, english)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--translate", metavar="MODEL", help="translate other languages with this model")
    parser.add_argument("--translation-cache", type=Path)
    parser.add_argument("--meaning-floor", type=float, help="override RAPPORTEUR_ANSWER_MEANING_FLOOR")
    args = parser.parse_args()
    settings = Settings(index=args.index)
    if args.meaning_floor is not None:
        settings = settings.updated(answer={"meaning_floor": args.meaning_floor})
    if args.translate:
        settings = settings.updated(llm={"model": args.translate})
    answerable = [q for q in load_questions(QUESTIONS) if q.split == args.split]
    off_topic = [q for q in load_qa_questions() if not q.clauses and q.split == args.split]
    counts: Counter[tuple[str, bool]] = Counter()
    with ModelHost(settings) as host:
        cache = TranslationCache(args.translation_cache) if args.translation_cache else None
        translator = QueryTranslator(host.model, args.translate, cache) if args.translate else None
        assistant = Assistant(
            HybridRetriever.from_settings(settings, translator), None, settings, None, translator
        )
        for question in progress(answerable, "answerable"):
            group = "English" if question.language == "en" else "translated"
            counts[(group, refused(assistant, question.question))] += 1
        through = [q.id for q in progress(off_topic, "off-topic") if not refused(assistant, q.question)]
    print(f"\n{args.split} split, meaning floor {settings.answer.meaning_floor}\n")
    print("| questions | asked | refused |\n| --- | --- | --- |")
    for group in ("English", "translated"):
        asked = counts[(group, True)] + counts[(group, False)]
        print(f"| {group} (answerable) | {asked} | {counts[(group, True)]} |")
    print(f"| off-topic | {len(off_topic)} | {len(off_topic) - len(through)} |")
    print(f"\noff-topic let through: {', '.join(through) or 'none'}")


if __name__ == "__main__":
    main()

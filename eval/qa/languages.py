"""Does `ask` answer in the language asked? The retrieval set's questions in Arabic, Chinese, French,
Russian and Spanish, asked of the assistant with a model; each answer's own words are read by the same
rule-based detector that reads the question.

An answer's own words are what is left when the parts that stay in the library's language by design
are taken out: the quoted lead, the clauses listed under an extractive answer, and citations. How each
answer ended is counted too: the model answered, the model said nothing (the clauses are listed), or no
clause answers. Translations come from ``--translation-cache`` when it holds them.

    python -m eval.qa.languages --index DIR --model qwen2.5-coder-0.5b --split test
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from copilot.assistant import Answer, Assistant
from copilot.language import NAMES, detect_language
from copilot.llm import ModelHost
from copilot.phrases import PHRASES, Phrase
from copilot.retrieval import HybridRetriever
from copilot.retrieval.translation import QueryTranslator, TranslationCache
from eval.report import progress
from eval.retrieval.run import QUESTIONS, load_questions
from rapporteur.settings import Settings

_CITATION = re.compile(r"\[[^\]\n]*\](?: clause [^\s,;]+)?(?:, p\. \d+)?")
_SILENT_KEYS: tuple[Phrase, ...] = ("model_silent", "model_failed", "no_model")
_SILENT = {text for key in _SILENT_KEYS for text in PHRASES[key].values()}
_NONE = {text for key in ("no_answer", "not_translated") for text in PHRASES[key].values()}


def own_words(answer: Answer) -> str:
    """The answer less its quoted lead, the clauses listed under it and its citations."""
    text = answer.answer
    if answer.quotes and "\n\n" in text:
        text = text.split("\n\n", 1)[1]
    lines = [line for line in text.splitlines() if not line.startswith("- [")]
    return _CITATION.sub(" ", "\n".join(lines)).strip()


def ending(answer: Answer) -> str:
    """How the answer ended: ``model``, ``clauses`` (the model said nothing or failed) or ``none``."""
    if answer.answer in _NONE:
        return "none"
    words = own_words(answer)
    return "clauses" if any(words.startswith(s) for s in _SILENT) else "model"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--model", required=True, help="the packaged model (or endpoint model) that answers")
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--translation-cache", type=Path)
    args = parser.parse_args()
    settings = Settings(index=args.index).updated(llm={"model": args.model})
    questions = [q for q in load_questions(QUESTIONS) if q.split == args.split and q.language != "en"]
    counts: Counter[tuple[str, str]] = Counter()
    with ModelHost(settings) as host:
        cache = TranslationCache(args.translation_cache) if args.translation_cache else None
        translator = QueryTranslator(host.model, args.model, cache)
        retriever = HybridRetriever.from_settings(settings, translator)
        assistant = Assistant(retriever, host.model(), settings, translator=translator)
        for question in progress(questions, "asking"):
            answer = assistant.ask(question.question)
            words = own_words(answer)
            said = detect_language(words) if words else "-"
            counts[(question.language, "asked")] += 1
            counts[(question.language, "in its language")] += said == question.language
            counts[(question.language, ending(answer))] += 1
            print(
                f"{question.id:8} {question.language} -> {said} ({ending(answer)}): {words[:100]!r}",
                flush=True,
            )
    columns = ("asked", "in its language", "model", "clauses", "none")
    print(f"\n{args.split} split, {args.model}\n")
    print("| language | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 1) + "|")
    for language in sorted({q.language for q in questions}):
        print(f"| {NAMES[language]} | " + " | ".join(str(counts[(language, c)]) for c in columns) + " |")
    total = {c: sum(counts[(lang, c)] for lang in NAMES) for c in columns}
    print("| all | " + " | ".join(str(total[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()

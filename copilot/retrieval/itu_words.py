"""ITU's English names for its own bodies and texts, written into a question before it is translated.

A small model translates word for word: "Vœu" becomes "wish" and "课题" "topic", where ITU's English
is "Opinion" and "Question", and the English query then matches nothing. Where the question uses one of
these words (``itu_words.toml``), the code writes ITU's English term in its place before the model
sees the question, and the translation must carry it (:func:`missing`): the code decides ITU's terms,
the model only the sentence around them. A question without such a word reaches the model unchanged.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

log = logging.getLogger(__name__)

_ARABIC_PREFIX = "(?:[وف]?[بلك]?)(?:ال|ل)?"
"""What Arabic attaches before a noun: a conjunction, a preposition and the article (لل for ل + ال)."""


@dataclass(frozen=True)
class ItuWord:
    """One of ITU's terms and how one language writes it."""

    english: str
    pattern: re.Pattern[str]


def _compile(language: str, pattern: str) -> re.Pattern[str]:
    if language == "zh":  # no spaces between Chinese words: a word boundary would never match
        return re.compile(pattern)
    prefix = _ARABIC_PREFIX if language == "ar" else ""
    return re.compile(rf"(?<!\w){prefix}(?:{pattern})(?!\w)")


@functools.cache
def vocabulary() -> dict[str, tuple[ItuWord, ...]]:
    """The words of ``itu_words.toml`` by language code, longest pattern first (so that a longer
    phrase is replaced before a word inside it)."""
    text = files("copilot.retrieval").joinpath("itu_words.toml").read_text(encoding="utf-8")
    found: dict[str, list[tuple[str, ItuWord]]] = {}
    for term in tomllib.loads(text)["term"]:
        for language, patterns in term.items():
            if language == "english":
                continue
            for pattern in patterns:
                word = ItuWord(term["english"], _compile(language, pattern))
                found.setdefault(language, []).append((pattern, word))
    return {
        language: tuple(word for _, word in sorted(words, key=lambda item: -len(item[0])))
        for language, words in found.items()
    }


def _spaced(english: str, match: re.Match[str]) -> str:
    """``english`` in place of ``match``, apart from a Latin letter or digit it touches ("临时文件TD")."""
    text = match.string
    before = " " if _latin_or_digit(text[match.start() - 1 : match.start()]) else ""
    after = " " if _latin_or_digit(text[match.end() : match.end() + 1]) else ""
    return f"{before}{english}{after}"


def _latin_or_digit(char: str) -> bool:
    return char.isascii() and char.isalnum()


def write_in(question: str, language: str) -> tuple[str, list[str]]:
    """``question`` with ITU's English term in place of each of its words in ``language``, and the
    terms written (none: the question unchanged)."""
    written: list[str] = []
    for word in vocabulary().get(language, ()):
        question, count = word.pattern.subn(functools.partial(_spaced, word.english), question)
        if count and word.english not in written:
            written.append(word.english)
    if written:
        log.info("ITU's terms written into the question before translation: %s", written)
    return question, written


def missing(english: str, written: Sequence[str]) -> list[str]:
    """The terms of ``written`` that a translation no longer carries (any case)."""
    lowered = english.lower()
    return [term for term in written if term.lower() not in lowered]

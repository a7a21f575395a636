"""Which of ITU's six languages a question is written in, decided by rule, never by a model.

The script decides Arabic, Chinese and Russian (Cyrillic). Latin-script text is French or Spanish when
its function words and letters with diacritics say so, English otherwise: a bare term or acronym
("OTDR?", "mode field diameter") is searched as English. Acronyms and Recommendation identifiers are
left out of the count, so "OTDR是什么意思？" is Chinese and "Что означает OTDR?" Russian.
"""

from __future__ import annotations

import re
import unicodedata

ENGLISH = "en"
NAMES = {
    "ar": "Arabic",
    "zh": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}
"""ITU's six official languages, by ISO 639-1 code."""

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FUNCTION_WORDS_TEXT = {
    "en": (
        "the of is are what which how where when why does do did in for on with and or to by from this "
        "that these those be can should must shall it its an as at"
    ),
    "fr": (
        "le la les des du un une est sont que qu quel quelle quels quelles qui dans pour sur avec au aux "
        "et ou ce cette ces comment où quoi signifie veut dire entre selon par ne pas doit d l c"
    ),
    "es": (
        "el la los las del un una es son que qué cuál cuáles cómo dónde en para por con al y o se sobre "
        "significa quiere decir entre según debe no lo su sus"
    ),
}
_FUNCTION_WORDS = {lang: frozenset(text.split()) for lang, text in _FUNCTION_WORDS_TEXT.items()}
_MARKS = {
    "fr": frozenset("àâçèêëîïôùûœ"),
    "es": frozenset("áíóúñü¿¡"),
}
"""Letters (and the Spanish opening marks) that only one of French and Spanish writes."""


def _script(ch: str) -> str | None:
    """The script of a letter, for the scripts that decide a language alone."""
    code = ord(ch)
    if 0x0400 <= code <= 0x052F:
        return "ru"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "ar"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "zh"
    return None


def in_own_script(text: str) -> bool:
    """Whether ``text`` holds a letter of a script that decides a language alone (Arabic, Chinese,
    Cyrillic): such a term is the asker's word, never ITU's English term."""
    return any(_script(ch) for ch in text)


def _is_identifier(word: str) -> bool:
    """An acronym or the letter of an identifier (OTDR, ITU, the Y of Y.1543): no evidence of a language."""
    return word.isupper()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in (``en`` when nothing says otherwise)."""
    text = unicodedata.normalize("NFC", text)
    by_script: dict[str, int] = {}
    latin = 0
    for word in _WORD.findall(text):
        scripts = [_script(ch) for ch in word]
        for script in filter(None, scripts):
            by_script[script] = by_script.get(script, 0) + 1
        if not any(scripts) and not _is_identifier(word):
            latin += len(word)
    if by_script:
        script, count = max(by_script.items(), key=lambda item: item[1])
        if count >= latin / 2:
            return script
    words = [w.lower() for w in _WORD.findall(text) if not _is_identifier(w)]
    lowered = text.lower()
    scores = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _FUNCTION_WORDS.items()}
    for lang, marks in _MARKS.items():
        scores[lang] += 2 * sum(ch in marks for ch in lowered)
    best = max(("fr", "es"), key=lambda lang: scores[lang])
    return best if scores[best] > scores[ENGLISH] else ENGLISH

"""The code's own answer sentences exist in ITU's six languages, each read as its language."""

from __future__ import annotations

import pytest

from copilot.language import NAMES, detect_language
from copilot.phrases import PHRASES, Phrase, phrase


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_sentence_is_written_in_each_of_the_six_languages(key: Phrase) -> None:
    assert set(PHRASES[key]) == set(NAMES)
    for language, text in PHRASES[key].items():
        assert detect_language(text) == language, (key, language, text)


def test_a_language_itu_does_not_work_in_gets_english() -> None:
    assert phrase("no_answer", "de") == phrase("no_answer", "en")

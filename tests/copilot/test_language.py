"""Language detection: by script for Arabic, Chinese and Russian, by function words and letters for
French and Spanish, English when nothing says otherwise."""

from __future__ import annotations

import pytest

from copilot.language import NAMES, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("What is the scope of ITU-T G.652?", "en"),
        ("mode field diameter", "en"),
        ("OTDR?", "en"),
        ("Y.1543 clause 6", "en"),
        ("A SLA in Y.1541", "en"),
        ("Qu'est-ce que la gigue de paquets IP ?", "fr"),
        ("Où est défini le client de service en nuage ?", "fr"),
        ("Le domaine d'application de la Recommandation UIT-T G.652", "fr"),
        ("¿Qué es la fluctuación de fase de los paquetes IP?", "es"),
        ("El alcance de la Recomendación sobre redes de acceso", "es"),
        ("Que significa la sigla ONU en la Recomendación", "es"),
        ("Что такое джиттер IP-пакетов?", "ru"),
        ("ما هو تعريف ارتعاش رزم IP؟", "ar"),
        ("IP分组抖动的定义是什么？", "zh"),
    ],
)
def test_each_language_is_told_apart(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert language in NAMES


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Что означает OTDR?", "ru"),
        ("OTDR是什么意思？", "zh"),
        ("ماذا يعني OTDR؟", "ar"),
        ("Que signifie OTDR ?", "fr"),
        ("¿Qué significa OTDR?", "es"),
    ],
)
def test_acronyms_and_identifiers_do_not_count_as_english(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_english_words_outweigh_a_single_foreign_name() -> None:
    assert detect_language("How does the Recommendation define the café scenario in clause 3?") == "en"


def test_empty_and_symbol_only_text_is_english() -> None:
    assert detect_language("") == "en"
    assert detect_language("G.652 §6.1 ?") == "en"

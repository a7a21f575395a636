"""ITU's English names for its own bodies and texts, written into a question by the code before a model
translates it, and carried by the translation whatever the model writes."""

from __future__ import annotations

from pathlib import Path

from copilot.llm import ModelHost
from copilot.retrieval.itu_words import missing, vocabulary, write_in
from copilot.retrieval.translation import QueryTranslator, TranslationCache
from rapporteur.settings import Settings


def test_each_language_s_word_becomes_itu_s_english_term() -> None:
    assert write_in("Dans la WTSA Res. 1, qu'est-ce qu'un Vœu ?", "fr") == (
        "Dans la WTSA Res. 1, qu'est-ce qu'un Opinion ?",
        ["Opinion"],
    )
    assert write_in("¿Qué debe incluirse en una declaración de coordinación?", "es") == (
        "¿Qué debe incluirse en una liaison statement?",
        ["liaison statement"],
    )
    assert write_in("что понимается под Вопросом в правилах", "ru")[0] == (
        "что понимается под Question в правилах"
    )
    assert write_in("WTSA议事规则中的课题是什么意思", "zh")[0] == "WTSA议事规则中的Question是什么意思"


def test_arabic_words_lose_their_attached_article_and_preposition() -> None:
    assert write_in("ما المقصود بالمسألة في قواعد إجراءات WTSA", "ar") == (
        "ما المقصود Question في قواعد إجراءات WTSA",
        ["Question"],
    )
    assert write_in("ما الذي يجب أن يتضمنه بيان الاتصال؟", "ar")[0] == (
        "ما الذي يجب أن يتضمنه liaison statement؟"
    )


def test_a_word_common_outside_itu_s_sense_is_left_uncapitalised() -> None:
    question = "Какой вопрос решает эта рекомендация?"
    assert write_in(question, "ru") == (question, [])
    assert write_in("¿Es una cuestión de sincronización?", "es")[1] == []


def test_a_longer_word_holding_the_pattern_is_not_replaced() -> None:
    assert write_in("Les Groupes de travailleurs", "fr")[1] == []
    assert write_in("Что такое Вопросник?", "ru")[1] == []
    assert write_in("Vous trouverez les Voeux de l'AMNT", "fr")[0] == "Vous trouverez les Opinion de l'AMNT"


def test_a_chinese_term_next_to_latin_letters_is_kept_apart() -> None:
    assert write_in("TSB以电子方式发布临时文件TD", "zh")[0] == "TSB以电子方式发布temporary document TD"


def test_every_pattern_is_for_one_of_the_five_other_languages() -> None:
    assert set(vocabulary()) == {"ar", "es", "fr", "ru", "zh"}


def test_a_translation_that_drops_the_term_gets_it_back(copilot_index: Settings, tmp_path: Path) -> None:
    assert missing("What is an opinion in WTSA Res. 1?", ["Opinion"]) == []
    cache = TranslationCache(tmp_path / "translations.sqlite3")
    question = "Dans la WTSA Res. 1, qu'est-ce qu'un Vœu ?"
    with ModelHost(copilot_index.updated(llm={"enabled": False})) as host:
        translator = QueryTranslator(host.model, "some-model", cache)
        # the cache is keyed by what the model was asked: the question with ITU's term written in
        asked = write_in(question, "fr")[0]
        cache.put("some-model", translator.prompt.tag, asked, "What is a wish in WTSA Res. 1?")
        translation = translator.translate(question)
    assert translation.cached
    assert translation.english == "What is a wish in WTSA Res. 1? Opinion"

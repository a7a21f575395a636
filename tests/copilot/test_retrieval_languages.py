"""Questions in other languages: translated into English by the packaged model (marker ``model``) and
landing on the English clause; without a model, searched as they are and said so; translations cached,
and the question's identifiers, acronyms and quoted terms kept by the code whatever the model writes."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.language import detect_language
from copilot.llm import ModelHost
from copilot.retrieval import HybridRetriever
from copilot.retrieval.translation import (
    QueryTranslator,
    TranslationCache,
    clean_output,
    kept_terms,
    restore_terms,
)
from ingest.library import Library
from rapporteur.settings import Settings

TRANSLATING_MODEL = "qwen2.5-coder-0.5b"


def test_identifiers_acronyms_and_quoted_terms_must_survive() -> None:
    question = "Que signifie « liaison montante » et OTDR dans la Recommandation UIT-T G.650.1 ?"
    assert kept_terms(question) == ["G.650.1", "OTDR", "liaison montante"]
    assert kept_terms("IMT-2000的增强系统和OTDR是什么？") == ["IMT-2000", "OTDR"]


def test_a_quoted_term_in_another_script_is_translated_not_carried() -> None:
    question = "Что означает термин «Мнение» в Резолюции 1 ВАСЭ?"
    assert kept_terms(question) == []
    assert restore_terms(question, 'What is meant by the term "Opinion" in WTSA Resolution 1?') == (
        'What is meant by the term "Opinion" in WTSA Resolution 1?'
    )
    assert kept_terms('¿Qué significa «señalización» y "cloud service customer"?') == [
        "señalización",
        "cloud service customer",
    ]


def test_what_the_model_dropped_is_appended_once() -> None:
    question = "¿Qué significa OTDR en ITU-T G.650.1?"
    assert restore_terms(question, "What does OTDR mean in ITU-T G.650.1?") == (
        "What does OTDR mean in ITU-T G.650.1?"
    )
    assert restore_terms(question, "What does optical reflectometry mean in G.652?") == (
        "What does optical reflectometry mean in? ITU-T G.650.1 OTDR"
    )


def test_an_identifier_the_question_does_not_name_is_removed() -> None:
    question = "Какова область применения Рекомендации о метаданных цифровых вывесок?"
    assert restore_terms(question, "What is the application of Recommendation ITU-T Y.1541?") == (
        "What is the application of?"
    )


def test_the_translation_is_the_first_line_and_an_answer_is_no_translation() -> None:
    question = "Qu'est-ce qu'une machine physique ?"
    assert clean_output(question, "English: What is a physical machine?\nNote: literal.") == (
        "What is a physical machine?"
    )
    assert clean_output(question, "") is None
    assert clean_output(question, "Une machine physique est un ordinateur.") is None
    assert clean_output(question, "A physical machine " + "is a computer that runs " * 20) is None


def _no_model(settings: Settings) -> ModelHost:
    return ModelHost(settings.updated(llm={"enabled": False}))


def test_without_a_model_the_question_is_searched_as_it_is_and_says_why(copilot_index: Settings) -> None:
    with _no_model(copilot_index) as host:
        translator = QueryTranslator(host.model, "none", None)
        retriever = HybridRetriever.from_settings(copilot_index, translator=translator)
        question = "Que signifie IPMI ?"
        hits = retriever.search(question, k=5)
        translation = retriever.translate(question)
    assert translation is not None and translation.language == "fr" and translation.english is None
    assert translation.notice and "switched off" in translation.notice
    assert hits == HybridRetriever.from_settings(copilot_index).search(question, k=5)
    assert (hits[0].rec_id, hits[0].clause) == ("ITU-T Y.3507", "4")


def test_english_questions_never_ask_the_model(copilot_index: Settings) -> None:
    with _no_model(copilot_index) as host:
        translation = QueryTranslator(host.model, "none", None).translate("What is a physical machine?")
    assert translation.language == "en" and translation.english is None and translation.notice is None


def test_a_cached_translation_needs_no_model(copilot_index: Settings, tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "translations.sqlite3")
    question = "¿Qué es un recurso físico?"
    with _no_model(copilot_index) as host:
        translator = QueryTranslator(host.model, TRANSLATING_MODEL, cache)
        cache.put(TRANSLATING_MODEL, translator.prompt.tag, question, "What is a physical resource?")
        retriever = HybridRetriever.from_settings(copilot_index, translator=translator)
        hits = retriever.search(question, k=3)
        translation = retriever.translate(question)
    assert translation is not None and translation.cached and translation.seconds == 0.0
    assert (hits[0].rec_id, hits[0].clause) == ("ITU-T Y.3507", "3.1.5")


def test_a_clause_is_cited_from_the_copy_in_the_asker_s_language(corpus_dir: Path, tmp_path: Path) -> None:
    """E.119 in English and French: a French question (translated from the cache) ranks by its English
    and cites the French copy's clause; the same question asked in English cites the English copy."""
    settings = Settings(index=tmp_path / "index", corpus=corpus_dir, llm={"enabled": False})
    library = Library(settings)
    report = library.ingest([corpus_dir / "itu-t" / f"T-REC-E.119-201704-I!!MSW-{v}.docx" for v in "EF"])
    library.close()
    assert not report.failed
    cache = TranslationCache(tmp_path / "translations.sqlite3")
    french = (
        "Quel est le domaine d'application de la Recommandation sur la confirmation de sécurité "
        "en cas de catastrophe ?"
    )
    english = "What is the scope of the disaster safety confirmation system Recommendation?"
    with _no_model(settings) as host:
        translator = QueryTranslator(host.model, TRANSLATING_MODEL, cache)
        cache.put(TRANSLATING_MODEL, translator.prompt.tag, french, english)
        retriever = HybridRetriever.from_settings(settings, translator=translator)
        asked_in_french = retriever.search(french, k=3)
        asked_in_english = retriever.search(english, k=3)
    languages = {d.doc_id: d.language for d in retriever.documents().values()}
    assert (asked_in_french[0].rec_id, asked_in_french[0].clause) == ("ITU-T E.119", "1")
    assert languages[asked_in_french[0].doc_id] == "fr"
    assert detect_language(asked_in_french[0].text) == "fr"
    assert (asked_in_english[0].rec_id, asked_in_english[0].clause) == ("ITU-T E.119", "1")
    assert languages[asked_in_english[0].doc_id] == "en"


def _with_model(settings: Settings) -> Settings:
    """The packaged 0.5B model, greedy, with room for the answer prompt's sources."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (scripts/install.sh installs it)")
    return settings.updated(
        llm={"enabled": True, "model": TRANSLATING_MODEL, "max_tokens": 96, "temperature": 0.0}
    )


@pytest.fixture(scope="module")
def translating_retriever(copilot_index: Settings) -> Iterator[HybridRetriever]:
    """The copilot index searched with the packaged 0.5B model translating (no cache: each question
    really goes through the model)."""
    settings = _with_model(copilot_index)
    with ModelHost(settings) as host:
        yield HybridRetriever.from_settings(settings, QueryTranslator(host.model, TRANSLATING_MODEL, None))


@pytest.mark.model
@pytest.mark.server
@pytest.mark.parametrize(
    ("question", "language", "clause"),
    [
        ("Qu'est-ce qu'un fournisseur de services en nuage ?", "fr", "3.1.4"),
        ("¿Qué es un recurso físico?", "es", "3.1.5"),
    ],
)
def test_a_french_or_spanish_question_lands_on_the_english_clause(
    translating_retriever: HybridRetriever, question: str, language: str, clause: str
) -> None:
    hits = translating_retriever.search(question, k=5)
    translation = translating_retriever.translate(question)
    assert translation is not None and translation.language == language
    assert translation.english and translation.seconds > 0
    assert (hits[0].rec_id, hits[0].clause) == ("ITU-T Y.3507", clause), translation.english


@pytest.mark.model
@pytest.mark.server
def test_ask_answers_in_the_language_asked_and_quotes_the_library_verbatim(copilot_index: Settings) -> None:
    from copilot.assistant import Assistant

    settings = _with_model(copilot_index)
    with ModelHost(settings) as host:
        translator = QueryTranslator(host.model, TRANSLATING_MODEL, None)
        retriever = HybridRetriever.from_settings(settings, translator)
        answer = Assistant(retriever, host.model(), settings, translator=translator).ask(
            "Quelles sont les exigences de sécurité pour une machine physique ?"
        )
    assert answer.translation is not None and answer.translation.language == "fr"
    quote = answer.quotes[0]
    assert quote.rec_id == "ITU-T Y.3507" and quote.clause
    assert detect_language(quote.text) == "en" and answer.answer.startswith(f"“{quote.text}”")
    if answer.notice and "found no answer" in answer.notice:
        pytest.skip("the 0.5B declined (NOT FOUND) on these sources: the answer's language is not shown")
    synthesis = answer.answer.split("\n\n", 1)[1]
    assert detect_language(synthesis) == "fr", synthesis

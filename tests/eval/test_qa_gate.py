"""The gate eval counts what ``ask`` would refuse, on a real index of the synthetic library."""

from __future__ import annotations

from copilot.assistant import Assistant
from copilot.retrieval import HybridRetriever
from eval.qa.gate import refused
from rapporteur.settings import Settings


def test_an_answerable_question_passes_and_an_off_topic_one_is_refused(synthetic_library: Settings) -> None:
    assistant = Assistant(HybridRetriever.from_settings(synthetic_library), None, synthetic_library)
    assert not refused(assistant, "What is a widget hub?")
    assert refused(assistant, "What is the boiling point of lava on Mars?")
    words_only = synthetic_library.updated(answer={"meaning_floor": 1.0})
    in_other_words = "Give an example of where widgets are deployed"
    assert not refused(assistant, in_other_words)
    assert refused(Assistant(HybridRetriever.from_settings(words_only), None, words_only), in_other_words)

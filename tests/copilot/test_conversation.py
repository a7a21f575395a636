"""Follow-up questions: rewritten into self-contained queries from the turns before them, stored beside
the index, and answered from the right clause on the synthetic library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.assistant import NO_ANSWER, Answer, Assistant
from copilot.citation import Citation
from copilot.conversation import (
    Conversation,
    ConversationStore,
    ConversationUnreadable,
    Turn,
    rewrite_followup,
    topic_words,
)
from copilot.retrieval import HybridRetriever
from ingest.library import Library
from rapporteur.errors import UsageError
from rapporteur.settings import Settings

Y1543 = "ITU-T Y.1543"


def turn(question: str, *cited: tuple[str, str], query: str | None = None) -> Turn:
    citations = [Citation(rec_id=rec, clause=clause, text=f"{clause} text") for rec, clause in cited]
    return Turn(question=question, query=query or question, answer="...", citations=citations)


CLOCK = turn("What does ITU-T Y.1543 require for clock synchronization?", (Y1543, "8.2"), (Y1543, "5"))


def test_a_facet_follow_up_borrows_the_topic_and_the_recommendation() -> None:
    query = rewrite_followup("and for customer hosts?", [CLOCK])
    assert query == "require clock synchronization for customer hosts in [ITU-T Y.1543]"


def test_a_facet_follow_up_swaps_the_word_it_replaces() -> None:
    ports = turn("What are the resistibility requirements of K.20 for external ports?", ("ITU-T K.20", "6"))
    query = rewrite_followup("And for internal ports?", [ports])
    assert query == "resistibility requirements for internal ports in [ITU-T K.20]", "'external' pulled back"


def test_an_acronym_names_its_own_subject_and_drops_the_opening_topic() -> None:
    """ "And the IXIT?" after a question on the ICS asks for a sibling term: the opening question's words
    would pull retrieval back to the ICS definition (eval/qa chain 'ics')."""
    opening = "What is an implementation conformance statement in oneM2M testing?"
    ics = turn(opening, ("ITU-T Y.4500.15", "3.2"))
    assert rewrite_followup("And the IXIT?", [ics]) == "the IXIT in [ITU-T Y.4500.15]"
    facet = rewrite_followup("and for customer hosts?", [ics])
    assert facet.startswith("implementation conformance statement"), "words without an acronym still borrow"


def test_a_question_about_a_part_of_the_recommendation_keeps_only_the_recommendation() -> None:
    assert rewrite_followup("What about its abbreviations?", [CLOCK]) == "abbreviations in [ITU-T Y.1543]"


def test_a_part_word_inside_a_question_is_part_of_its_subject() -> None:
    """ "its abbreviations" asks for a clause of the document; "which reference is used for it" asks
    about the thread's subject (the time reference of clock synchronization, eval/qa chain 'clock')."""
    query = rewrite_followup("Which reference is used for it?", [CLOCK])
    assert query == "require clock synchronization Which reference is used for it in [ITU-T Y.1543]"
    assert rewrite_followup("And the scope?", [CLOCK]) == "the scope in [ITU-T Y.1543]"


def test_a_follow_up_naming_nothing_points_at_the_clause_the_last_answer_rests_on() -> None:
    query = rewrite_followup("Which clause says that?", [CLOCK])
    assert query == "require clock synchronization in [ITU-T Y.1543] clause 8.2"


def test_a_pronoun_with_a_subject_of_its_own_keeps_its_words_and_gains_the_recommendation() -> None:
    query = rewrite_followup("What does it say about packet loss ratio thresholds?", [CLOCK])
    assert query == "What does it say about packet loss ratio thresholds in [ITU-T Y.1543]"


def test_the_recommendation_comes_from_the_answer_when_the_question_named_none() -> None:
    which = turn("Which Recommendation defines the widget identifier format?", ("ITU-T Y.9904", "6"))
    assert rewrite_followup("what are its reserved values?", [which]) == (
        "widget identifier format what are reserved values in [ITU-T Y.9904]"
    )


@pytest.mark.parametrize(
    "question",
    [
        "What does ITU-T G.8271 require for time synchronization?",  # names its own Recommendation
        "How is a physical machine protected against power failure?",  # names its own subject
        "What is a widget hub?",
    ],
)
def test_a_self_contained_question_is_left_alone(question: str) -> None:
    assert rewrite_followup(question, [CLOCK]) == question


def test_the_first_question_is_never_rewritten() -> None:
    assert rewrite_followup("and for customer hosts?", []) == "and for customer hosts?"


def test_a_third_turn_keeps_the_thread_opened_by_the_first() -> None:
    second = turn(
        "and for customer hosts?",
        (Y1543, "8.3"),
        query="require clock synchronization for customer hosts in [ITU-T Y.1543]",
    )
    query = rewrite_followup("and for network hosts?", [CLOCK, second])
    assert query == "require clock synchronization for network hosts in [ITU-T Y.1543]"


def test_topic_words_leave_out_identifiers_clauses_and_words_of_asking() -> None:
    words = topic_words("Which clause of ITU-T Y.1543 clause 8.2 describes clock synchronization?")
    assert words == ["clock", "synchronization"]


def test_conversations_round_trip_under_sanitised_names(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = store.load("../y1543 talk")
    assert conversation.turns == [] and conversation.name == "y1543-talk"
    conversation.record(Answer(question="and for customer hosts?", query="q", answer="a", citations=[]))
    path = store.save(conversation)
    assert path == tmp_path / "conversations" / "y1543-talk.json"
    again = store.load("../y1543 talk")
    assert again.turns == conversation.turns and again.turns[0].rewritten
    with pytest.raises(UsageError, match="needs a letter or a digit"):
        store.path("../..")


def test_a_damaged_conversation_file_is_named_in_one_line(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    store.folder.mkdir()
    (store.folder / "broken.json").write_text('{"turns": [', encoding="utf-8")
    with pytest.raises(ConversationUnreadable) as error:
        store.load("broken")
    assert str(store.folder / "broken.json") in str(error.value) and "\n" not in str(error.value)


@pytest.fixture(scope="module")
def assistant(synthetic_library: Settings) -> Iterator[Assistant]:
    library = Library(synthetic_library)
    try:
        yield Assistant(HybridRetriever(library), None, synthetic_library)
    finally:
        library.close()


def converse(assistant: Assistant, conversation: Conversation, question: str) -> Answer:
    answer = assistant.ask(question, query=conversation.rewrite(question))
    conversation.record(answer)
    return answer


def test_a_three_turn_chain_lands_each_follow_up_on_its_clause(assistant: Assistant) -> None:
    conversation = Conversation()
    first = converse(assistant, conversation, "What is a widget hub?")
    assert ("ITU-T Y.9901", "3.2.2") in {(c.rec_id, c.clause) for c in first.citations}
    second = converse(assistant, conversation, "What about its abbreviations?")
    assert second.query == "abbreviations in [ITU-T Y.9901]"
    assert (second.citations[0].rec_id, second.citations[0].clause) == ("ITU-T Y.9901", "4")
    third = converse(assistant, conversation, "Which clause says that?")
    assert third.query == "abbreviations in [ITU-T Y.9901] clause 4"
    assert third.citations[0].clause == "4" and "WID" in third.answer
    assert assistant.ask("Which clause says that?").answer == NO_ANSWER  # alone, it names nothing


def test_a_follow_up_of_a_which_recommendation_question_stays_in_the_answer(assistant: Assistant) -> None:
    conversation = Conversation()
    # not 'defines the widget identifier format': Y.9904 defines a widget identifier as 16 hexadecimal
    # digits under its title 'Management of widget identifiers', an answer as good as Y.9901's Annex A
    converse(assistant, conversation, "Which Recommendation sets requirements for widget hubs?")
    followed = converse(assistant, conversation, "what are its reserved values?")
    assert followed.query is not None and followed.query.endswith("in [ITU-T Y.9901]")
    top = followed.citations[0]
    assert (top.rec_id, top.clause) == ("ITU-T Y.9901", "A.2") and "0000" in followed.answer

"""The answer-language eval reads an answer's own words, not the clauses it quotes or lists."""

from __future__ import annotations

from copilot.assistant import Answer
from copilot.citation import Citation
from eval.qa.languages import ending, own_words

QUOTE = Citation(doc_id="y3507", rec_id="ITU-T Y.3507", clause="3.2.1", text="3.2.1 physical machine: ...")
LEAD = "“3.2.1 physical machine: A type of computing machine.” [ITU-T Y.3507] clause 3.2.1, p. 7"


def test_the_quoted_lead_listed_clauses_and_citations_are_not_the_answer_s_words() -> None:
    listed = Answer(
        question="q",
        answer=f"{LEAD}\n\nLe modèle n'a pas répondu. Les paragraphes les plus pertinents :\n\n"
        "- [ITU-T Y.3507] clause 3.2.1, p. 7: 3.2.1 physical machine: A type of computing machine",
        quotes=[QUOTE],
    )
    assert own_words(listed) == "Le modèle n'a pas répondu. Les paragraphes les plus pertinents :"
    assert ending(listed) == "clauses"
    own = "Une machine physique [ITU-T Y.3507] clause 3.2.1 fournit."
    answered = Answer(question="q", answer=f"{LEAD}\n\n{own}", quotes=[QUOTE])
    assert own_words(answered) == "Une machine physique   fournit." and ending(answered) == "model"
    assert ending(Answer(question="q", answer="文库中没有回答此问题的条款。")) == "none"

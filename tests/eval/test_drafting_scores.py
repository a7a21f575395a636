"""The drafting suite's scores: only what the model wrote counts as its citations."""

from __future__ import annotations

from copilot.citation import Citation
from copilot.drafting.models import DraftKind
from eval.drafting.run import citation_counts, conformance, model_written

DEFINITIONS = (
    "3\tDefinitions\n\n3.1\tTerms defined elsewhere\n\n"
    "3.1.1\tpeer [ITU-T X.1161]: Communication node on a P2P network.\n\n"
    "3.2\tTerms defined in this Recommendation\n\n"
    "3.2.1\tcontent peer: a peer that stores content [ITU-T X.609.5] clause 3.1.2.\n"
)


def test_quoted_source_tags_and_reference_labels_are_not_model_citations() -> None:
    given = [Citation(doc_id="x", rec_id="ITU-T X.609.5", clause="3.1.2", text="...")]
    assert citation_counts(model_written(DraftKind.DEFINITIONS, DEFINITIONS), given) == (1, 1)
    assert citation_counts(DEFINITIONS, given) == (1, 2), "the 3.1 tag would have counted as invalid"
    references = "2\tReferences\n\n[ITU-T Y.3500]\tRecommendation ITU-T Y.3500 (2014), Vocabulary.\n"
    assert model_written(DraftKind.REFERENCES, references) == ""
    assert model_written(DraftKind.SCOPE, "1\tScope\n\nText.") == "1\tScope\n\nText."


def test_template_conformance_counts_a_placeholder_against_the_draft() -> None:
    assert conformance(DraftKind.DEFINITIONS, DEFINITIONS, []) == 1.0
    proposed = "3.2.1\tcontent peer: a peer that stores content"
    placeholder = DEFINITIONS.replace(proposed, "3.2.1\t<term>: <definition>")
    assert conformance(DraftKind.DEFINITIONS, placeholder, []) == 0.75

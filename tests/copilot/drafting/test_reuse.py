"""Reuse in drafts: a Scope cites the Recommendations (and other bodies' standards) the rapporteur
names, by tag, and clause 2 lists them; on a real index, without a model (these parts are exact)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from copilot.drafting.drafter import Drafter
from copilot.retrieval import HybridRetriever
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.settings import Settings

TOPIC = "Functional requirements of physical machines for cloud computing"


@pytest.fixture(scope="module")
def drafter(copilot_index: Settings, reference_catalog: ReferenceCatalog) -> Iterator[Drafter]:
    library = Library(copilot_index)
    yield Drafter(HybridRetriever(library), reference_catalog, None, copilot_index, "No model here")
    library.close()


def test_a_scope_cites_the_recommendations_its_topic_names_with_their_tags(
    drafter: Drafter,
) -> None:
    """Named in the rapporteur's words ("Y.3510", "RFC 5357"), cited in the Scope by tag and listed
    in clause 2; the Recommendation being drafted is not cited by itself."""
    topic = f"{TOPIC}, building on Y.3510 and probing as in RFC 5357, unlike Y.3599"
    scope = drafter.draft("scope", topic, rec_id="ITU-T Y.3599")
    assert scope.text.endswith(
        "This Recommendation is to be read in conjunction with [ITU-T Y.3510] and [IETF RFC 5357].\n"
    )
    references = drafter.draft("references", topic, rec_id="ITU-T Y.3599").text
    assert "[ITU-T Y.3510]\tRecommendation ITU-T Y.3510 (" in references
    assert "[IETF RFC 5357]\tIETF RFC 5357 (<date>), <title>." in references
    assert "[ITU-T Y.3599]" not in references
    assert drafter.draft("scope", TOPIC).text.endswith("<Mandatory: what this Recommendation specifies>\n")

"""The whole-draft eval's consistency counts, on a hand-written draft over the synthetic library."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from copilot.drafting.document import DraftDocument
from copilot.drafting.exact import ExactPieces
from eval.drafting.reuse import tag_key
from eval.drafting.whole import cited_documents, consistency, load_whole_briefs
from ingest.library import Library
from rapporteur.settings import Settings

DRAFT = """Recommendation ITU-T Y.9999

Widget gateways

1\tScope

This Recommendation specifies the widget gateway, which relays readings of a WH [ITU-T Y.9905].

2\tReferences

[ITU-T Y.9901]\tRecommendation ITU-T Y.9901 (2024), Requirements for a fictional widget network.

[ITU-T Y.9904]\tRecommendation ITU-T Y.9904 (2022), Management of widget identifiers.

3\tDefinitions

3.1.1\twidget hub [ITU-T Y.9901]: A node that connects up to 256 widgets to a widget controller.

3.2.1\twidget gateway: A node that relays readings of widget hubs.

3.2.2\trelay window: <definition>.

3.2.3\t<term>: <definition>.

4\tAbbreviations and acronyms

WC\tWidget Controller

WH\tWidget Hub

6\tRequirements

REQ-01: The widget gateway is required to forward readings to the WC within one relay window.
"""


@pytest.fixture(scope="module")
def exact(synthetic_library: Settings) -> Iterator[ExactPieces]:
    library = Library(synthetic_library)
    yield ExactPieces(library.store, None)
    library.close()


def test_consistency_counts_terms_lists_and_citations_across_clauses(exact: ExactPieces) -> None:
    counts = consistency(DraftDocument.from_text(DRAFT), exact)
    assert counts == {
        "terms used as defined": (2, 3),  # widget gateway and relay window, not widget hub
        "abbreviations listed (recall)": (2, 2),
        "abbreviations listed (precision)": (2, 2),
        "references cited (recall)": (1, 2),  # Y.9905 is cited but not listed
        "references cited (precision)": (1, 2),  # Y.9904 is listed but not cited
    }


def test_a_draft_without_written_prose_has_no_term_count(exact: ExactPieces) -> None:
    placeholder = DRAFT.replace(
        "REQ-01: The widget gateway is required to forward readings to the WC within one relay window.",
        "REQ-01: The <subject> is required to <requirement>.",
    ).replace("This Recommendation specifies the widget gateway, which relays readings of a WH", "<Scope>")
    counts = consistency(DraftDocument.from_text(placeholder), exact)
    assert "terms used as defined" not in counts
    assert counts["abbreviations listed (precision)"] == (0, 2)


def test_the_briefs_are_three_clauses_each() -> None:
    briefs = load_whole_briefs()
    assert len(briefs) >= 5 and all(len(set(b.kinds)) == 3 for b in briefs)


def test_another_bodys_tag_is_a_citation_and_a_bibliography_tag_is_not() -> None:
    text = "3.1.1\tmanaged P2P [ISO/IEC TR 20002]: P2P, managed (see [b-ITU-T H.760]), as in ITU-T X.609."
    assert cited_documents(text) == {tag_key("ISO/IEC TR 20002"), tag_key("ITU-T X.609")}

"""The reuse suite's scoring: what a draft offers per kind, and when it matches what an editor expects."""

from __future__ import annotations

import pytest

from copilot.drafting.models import DraftKind
from eval.drafting.reuse import drafted_items, item_key, load_reuse_briefs, match

DEFINITIONS = (
    "3\tDefinitions\n\n3.1\tTerms defined elsewhere\n\n"
    "3.1.1\tpeer-to-peer (P2P) [b-ITU-T Y.2206]: A system whose nodes share their resources.\n\n"
    "3.1.2\tmanaged P2P [ISO/IEC TR 20002]: P2P with manageability features.\n\n"
    "3.2\tTerms defined in this Recommendation\n\n"
    "3.2.1\tcontent peer [ITU-T X.609.5]: a term 3.2 must not count.\n"
)


def test_definitions_match_on_term_and_defining_tag() -> None:
    drafted = drafted_items(DraftKind.DEFINITIONS, DEFINITIONS)
    assert drafted == ["peer-to-peer (P2P) [b-ITU-T Y.2206]", "managed P2P [ISO/IEC TR 20002]"]
    expected = ["peer-to-peer [ITU-T Y.2206]", "managed P2P [ISO/IEC TR 20002]", "peer [ITU-T X.1161]"]
    assert match(DraftKind.DEFINITIONS, expected, drafted) == {"expected": 3, "drafted": 2, "hits": 2}
    wrong_tag = ["peer-to-peer [ITU-T X.609]"]
    assert match(DraftKind.DEFINITIONS, wrong_tag, drafted)["hits"] == 0, "a term with another tag is no hit"


def test_scope_and_references_match_on_the_cited_document() -> None:
    scope = "1\tScope\n\nThis Recommendation is to be read with [ITU-T G.709/Y.1331] and [IETF RFC 5357].\n"
    assert drafted_items(DraftKind.SCOPE, scope) == ["ITU-T G.709/Y.1331", "IETF RFC 5357"]
    assert match(DraftKind.SCOPE, ["ITU-T G.709", "ITU-T G.8251"], drafted_items(DraftKind.SCOPE, scope)) == {
        "expected": 2,
        "drafted": 2,
        "hits": 1,
    }
    assert drafted_items(DraftKind.SCOPE, "1\tScope\n\n<Mandatory: what this Recommendation specifies>") == []
    references = (
        "2\tReferences\n\n[ITU-T L.300/L.25]\tRecommendation ITU-T L.300/L.25 (2015), Maintenance.\n\n"
        "[ITU-R BO.1408-1]\tRecommendation ITU-R BO.1408-1 (2002), Transmission system.\n"
    )
    drafted = drafted_items(DraftKind.REFERENCES, references)
    assert match(DraftKind.REFERENCES, ["ITU-T L.300", "ITU-R BO.1408"], drafted)["hits"] == 2


def test_every_brief_item_is_readable() -> None:
    briefs = load_reuse_briefs()
    assert len(briefs) >= 12
    assert {b.kind for b in briefs} == {DraftKind.SCOPE, DraftKind.DEFINITIONS, DraftKind.REFERENCES}
    for split in ("dev", "test"):
        kinds = {b.kind for b in briefs if b.split == split}
        assert kinds == {DraftKind.SCOPE, DraftKind.DEFINITIONS, DraftKind.REFERENCES}, split
    for brief in briefs:
        assert {item_key(brief.kind, item) for item in brief.expected}, brief.id
    with pytest.raises(ValueError, match="not 'term \\[tag\\]'"):
        item_key(DraftKind.DEFINITIONS, "a term without its tag")

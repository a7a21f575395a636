"""The growing draft: clauses in skeleton order, edited and re-read from .docx, and drafted from each other
on the synthetic library (no model: the lists are exact, the prose is left as placeholders)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.drafting.document import (
    NOT_DRAFTED,
    DraftDocument,
    DraftSection,
    DraftUnreadable,
    clause_key,
    draft_into,
    order_of,
    refresh_lists,
    requirement_terms_note,
    section_key,
    terms_defined_here,
)
from copilot.drafting.drafter import Drafter
from copilot.drafting.models import ClauseDraft, DraftKind
from copilot.retrieval import HybridRetriever
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.errors import UsageError
from rapporteur.settings import Settings

TOPIC = "gateways between widget hubs and a widget controller"
DEFINITIONS = (
    "3\tDefinitions\n\n3.1\tTerms defined elsewhere\n\nNone.\n\n3.2\tTerms defined in this Recommendation\n\n"
    "This Recommendation defines the following terms:\n\n"
    "3.2.1\twidget gateway: A node that relays readings of widget hubs to a widget controller.\n\n"
    "3.2.2\trelay window: The time a widget gateway keeps a reading before it forwards it.\n"
)
REQUIREMENTS = (
    "6\tRequirements\n\nREQ-01: The widget gateway is required to forward each reading to the WC "
    "within one relay window [ITU-T Y.9902].\n"
)


def test_clauses_keep_skeleton_order_whatever_order_they_are_added_in() -> None:
    document = DraftDocument(rec_id="ITU-T Y.9999", title="Widget gateways")
    for key, text in [
        ("Bibliography", "Bibliography\n\n[b-ITU-T Y.9905]\tRecommendation ITU-T Y.9905 (2024), x.\n"),
        ("6", REQUIREMENTS),
        ("Annex A", "Annex A\n\nRelay timing\n"),
        ("3", DEFINITIONS),
        ("Summary", "Summary\n\nThis Recommendation specifies widget gateways.\n"),
        ("1", "1\tScope\n\nThis Recommendation specifies widget gateways.\n"),
        ("Appendix II", "Appendix II\n\nExamples\n"),
        ("Appendix IV", "Appendix IV\n\nMore examples\n"),
        ("10", "10\tSecurity\n\nNone.\n"),
    ]:
        document.put(DraftSection(key=key, text=text))
    assert document.keys() == [
        "Summary", "1", "3", "6", "10", "Annex A", "Appendix II", "Appendix IV", "Bibliography"
    ]  # fmt: skip
    assert document.text().startswith("Recommendation ITU-T Y.9999\n\nWidget gateways\n\nSummary\n\n")
    assert order_of("Appendix IX") > order_of("Appendix IV")


def test_section_keys_are_read_from_top_level_headings_only() -> None:
    assert section_key("1\tScope") == "1"
    assert section_key("12\tSecurity considerations") == "12"
    assert section_key("3.2\tTerms defined in this Recommendation") is None
    assert section_key("3.2.1\twidget gateway: A node.") is None
    assert section_key("Annex B\tTest suites") == "Annex B"
    assert section_key("Keywords") == "Keywords"
    assert section_key("REQ-01: The widget gateway is required to relay.") is None


def test_an_edit_keeps_the_heading_and_a_requirements_clause_moves_past_the_body() -> None:
    document = DraftDocument.from_text(f"{DEFINITIONS}\n6\tArchitecture\n\n6.1\tOverview\n\nText.\n")
    edited = document.edit("3", "3.2.1\twidget gateway: A relay node.")
    assert edited.text.startswith("3\tDefinitions\n\n3.2.1\twidget gateway: A relay node.")
    assert edited.edited
    drafted = ClauseDraft(kind=DraftKind.REQUIREMENTS, topic=TOPIC, text=REQUIREMENTS)
    assert document.key_for(DraftKind.REQUIREMENTS) == "7"
    [placed] = document.put_draft(drafted)
    assert placed.key == "7" and placed.text.startswith("7\tRequirements\n\nREQ-01:")
    document.put_draft(drafted.model_copy(update={"text": REQUIREMENTS.replace("REQ-01", "REQ-02")}))
    assert document.keys() == ["3", "6", "7"]
    assert "REQ-02" in (document.section("7") or placed).text
    document.remove("6")
    with pytest.raises(UsageError, match="no clause 6"):
        document.edit("6", "x")
    with pytest.raises(UsageError, match="whole draft"):
        document.key_for(DraftKind.SKELETON)


def test_the_draft_goes_to_docx_and_back_clause_for_clause(tmp_path: Path) -> None:
    document = DraftDocument(rec_id="ITU-T Y.9999", title="Widget gateways")
    document.put(DraftSection(key="3", text=DEFINITIONS))
    document.put(DraftSection(key="6", text=REQUIREMENTS))
    read = DraftDocument.from_docx(document.to_docx(tmp_path / "draft.docx"))
    assert (read.rec_id, read.title, read.topic) == ("ITU-T Y.9999", "Widget gateways", "Widget gateways")
    assert read.keys() == ["Summary", "Keywords", "1", "2", "3", "4", "5", "6"]  # framed as a skeleton
    assert read.section("1").text == f"1\tScope\n\n{NOT_DRAFTED}\n"  # type: ignore[union-attr]
    assert read.section("5").text == "5\tConventions\n\nNone.\n"  # type: ignore[union-attr]
    assert read.defined_terms(here_only=True) == ["widget gateway", "relay window"]
    assert read.section("6").text == REQUIREMENTS  # type: ignore[union-attr]
    assert DraftDocument.from_docx(read.to_docx(tmp_path / "again.docx")).text() == read.text()

    document.section("3").kind = DraftKind.DEFINITIONS  # type: ignore[union-attr]
    read.edit("6", REQUIREMENTS.replace("each reading", "every reading"))
    merged = document.with_edits_from(read)
    assert merged.section("3").kind == DraftKind.DEFINITIONS  # type: ignore[union-attr]
    assert not merged.section("3").edited and merged.section("6").edited  # type: ignore[union-attr]


def test_a_file_that_is_not_a_docx_draft_is_refused_with_its_name(tmp_path: Path) -> None:
    text = tmp_path / "draft.txt"
    text.write_text("1\tScope\n")
    with pytest.raises(DraftUnreadable, match=r"draft\.txt: a draft file must be a \.docx"):
        DraftDocument.from_docx(text)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DraftUnreadable, match=r"broken\.docx: not a readable \.docx"):
        DraftDocument.from_docx(broken)


def test_the_requirements_are_told_which_defined_terms_they_use() -> None:
    document = DraftDocument.from_text(DEFINITIONS + "\n3.2.3\t<term>: <definition>.\n")
    assert terms_defined_here(DEFINITIONS) == ["widget gateway", "relay window"]
    assert document.defined_terms(here_only=True) == ["widget gateway", "relay window"]
    assert requirement_terms_note(document, REQUIREMENTS) == [
        "Uses the terms defined in 3.2: widget gateway, relay window."
    ]
    assert requirement_terms_note(document, "REQ-01: A widget gateway is required to relay.") == [
        "Uses the terms defined in 3.2: widget gateway.",
        "Defined in 3.2 but not used in the requirements: relay window.",
    ]


@pytest.fixture(scope="module")
def drafter(synthetic_library: Settings) -> Iterator[Drafter]:
    library = Library(synthetic_library)
    catalog = ReferenceCatalog.from_settings(synthetic_library)
    yield Drafter(HybridRetriever(library), catalog, None, synthetic_library, "No model here")
    library.close()


def _draft(document: DraftDocument, drafter: Drafter, kind: str, topic: str | None = None) -> ClauseDraft:
    *pieces, result = draft_into(document, drafter, kind, topic)
    assert isinstance(result, ClauseDraft) and all(isinstance(p, str) for p in pieces)
    return result


def test_each_clause_is_drafted_from_the_others_and_the_lists_follow_the_whole_draft(
    drafter: Drafter,
) -> None:
    document = DraftDocument(rec_id="ITU-T Y.9999")
    _draft(document, drafter, "definitions", TOPIC)
    _draft(document, drafter, "abbreviations")
    _draft(document, drafter, "references")
    assert document.topic == TOPIC and document.keys() == ["Keywords", "2", "3", "4"]
    keywords = document.section("Keywords").text.splitlines()[-1]  # type: ignore[union-attr]
    assert "widget hub" in keywords.lower().split(", ")  # the term clause 3.1 reuses
    reused = [line for line in document.section("3").text.splitlines() if line.startswith("3.1.")]  # type: ignore[union-attr]
    assert any("widget hub [ITU-T Y.9901]" in line for line in reused)
    references = document.section("2").text  # type: ignore[union-attr]
    for rec in document.cited_recommendations():
        assert f"[{rec}]\tRecommendation {rec} (" in references
    assert "WC\t" not in document.section("4").text  # type: ignore[union-attr]

    _draft(document, drafter, "requirements")  # no model: a placeholder requirement
    document.edit("6", REQUIREMENTS)
    assert refresh_lists(document, drafter) == ["4"]
    abbreviations = document.section("4").text  # type: ignore[union-attr]
    assert "WC\tWidget Controller" in abbreviations
    assert "[ITU-T Y.9902]\tRecommendation ITU-T Y.9902 (2023), Framework of widget telemetry." in (
        document.section("2").text  # type: ignore[union-attr]
    )

    document.edit("4", abbreviations + "\nXYZ\tSomething the rapporteur added\n")
    document.edit("6", REQUIREMENTS + "\nREQ-02: The WH is required to buffer readings.\n")
    assert refresh_lists(document, drafter) == []  # an edited list is the rapporteur's own
    assert "XYZ" in document.section("4").text  # type: ignore[union-attr]


def test_the_first_clause_needs_a_topic(drafter: Drafter) -> None:
    with pytest.raises(UsageError, match="topic"):
        next(draft_into(DraftDocument(), drafter, "scope"))


def test_a_skeleton_fills_every_clause_and_the_cover(drafter: Drafter) -> None:
    document = DraftDocument()
    _draft(document, drafter, "skeleton", TOPIC)
    assert document.rec_id == "ITU-T X.xxx" and document.title == TOPIC[:1].upper() + TOPIC[1:]
    assert document.keys() == ["Summary", "Keywords", "1", "2", "3", "4", "5", "6", "Bibliography"]
    _draft(document, drafter, "scope")
    assert document.keys().count("1") == 1


def test_a_finding_is_placed_in_the_clause_it_lies_in() -> None:
    assert [clause_key(n) for n in ("6.1.2", "3", "A.1", "I.2", "Summary", "Annex B", "Preamble", None)] == [
        "6", "3", "Annex A", "Appendix I", "Summary", "Annex B", None, None
    ]  # fmt: skip


def test_the_kind_that_redrafts_a_clause_comes_from_its_place_or_title() -> None:
    body = "6\tArchitecture\n\nText.\n\n7\tRequirements\n\nREQ-01: x.\n"
    document = DraftDocument.from_text(f"{DEFINITIONS}\n{body}")
    assert document.kind_of("3") == DraftKind.DEFINITIONS
    assert document.kind_of("7") == DraftKind.REQUIREMENTS
    assert document.kind_of("6") is None


def test_the_references_are_drafted_without_the_bibliography_tags_of_the_rest() -> None:
    note = "3.1.1\tcontent [ITU-T H.780]: Audio or video.\nNOTE – Formats as in [b-ITU-T H.760].\n"
    document = DraftDocument.from_text(f"3\tDefinitions\n\n{note}")
    assert "[ITU-T H.780]" in document.context_for("2") and "H.760" not in document.context_for("2")
    assert "[b-ITU-T H.760]" in document.context_for("4")


def test_keywords_list_what_the_draft_defines_and_follow_it(drafter: Drafter) -> None:
    document = DraftDocument.from_text(DEFINITIONS)
    drafted = _draft(document, drafter, "keywords", TOPIC)
    assert drafted.model is None  # exact: no model is asked
    assert document.section("Keywords").text.splitlines()[-1] == "Relay window, widget gateway"  # type: ignore[union-attr]
    document.edit("3", DEFINITIONS + "\n3.2.3\tacknowledgement timer: The time a hub waits for an answer.\n")
    assert refresh_lists(document, drafter) == ["Keywords"]
    keywords = document.section("Keywords").text.splitlines()[-1]  # type: ignore[union-attr]
    assert keywords == "Acknowledgement timer, relay window, widget gateway"


def test_keywords_with_nothing_to_list_say_so(drafter: Drafter) -> None:
    drafted = drafter.draft("keywords", "zebra crossings in the savannah", exclude_rec_id="ITU-T Y.9901")
    assert drafted.text.splitlines()[-1] == "<Mandatory>"
    assert any(n.startswith("Keywords: neither the draft's clause 3") for n in drafted.notices)

"""Drafting on a real index: exact pieces without a model, streamed prose with the smallest one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from copilot.drafting.drafter import Drafter, new_definition_lines, renumbered, requirement_lines
from copilot.drafting.models import ClauseDraft, DraftKind
from copilot.llm import OpenAIChat
from copilot.retrieval import HybridRetriever
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from rapporteur.cli import main
from rapporteur.settings import Settings

TOPIC = "Functional requirements of physical machines for cloud computing"
SKELETON_HEADINGS = [
    "Recommendation ITU-T Y.3599",
    "Summary",
    "Keywords",
    "1\tScope",
    "2\tReferences",
    "3\tDefinitions",
    "3.1\tTerms defined elsewhere",
    "3.2\tTerms defined in this Recommendation",
    "4\tAbbreviations and acronyms",
    "5\tConventions",
    "Bibliography",
]


@pytest.fixture(scope="module")
def retriever(copilot_index: Settings) -> Iterator[HybridRetriever]:
    library = Library(copilot_index)
    yield HybridRetriever(library)
    library.close()


def _drafter(
    retriever: HybridRetriever, settings: Settings, catalog: ReferenceCatalog, model: OpenAIChat | None
) -> Drafter:
    return Drafter(retriever, catalog, model, settings, "No model here")


def test_a_skeleton_without_a_model_has_every_clause_and_the_exact_parts(
    retriever: HybridRetriever, copilot_index: Settings, reference_catalog: ReferenceCatalog
) -> None:
    draft = _drafter(retriever, copilot_index, reference_catalog, None).draft(
        DraftKind.SKELETON, TOPIC, rec_id="ITU-T Y.3599"
    )
    lines = draft.text.splitlines()
    positions = [lines.index(h) for h in SKELETON_HEADINGS]
    assert positions == sorted(positions)
    assert lines[2] == TOPIC
    assert "<Mandatory: what this Recommendation specifies>" in draft.text
    assert any(
        line.startswith("3.1.1\tphysical machine [ITU-T Y.3507]: A type of computing machine")
        for line in lines
    )
    assert "[ITU-T Y.3500]\tRecommendation ITU-T Y.3500 (2014), Information technology" in draft.text
    assert 'The keywords "is required to" indicate a requirement' in draft.text
    assert draft.model is None and draft.notices[0] == "No model here; the prose is left as a placeholder."
    assert "[ITU-T Y.3507] clause 3.2.1" in {c.render() for c in draft.citations}


def test_exact_kinds_need_no_model(
    retriever: HybridRetriever, copilot_index: Settings, reference_catalog: ReferenceCatalog
) -> None:
    drafter = _drafter(retriever, copilot_index, reference_catalog, None)
    abbreviations = drafter.draft("abbreviations", TOPIC, draft_text="The CSP monitors each CPU.")
    assert "CPU\tCentral Processing Unit\nCSP\tCloud Service Provider" in abbreviations.text
    assert not abbreviations.notices
    conventions = drafter.draft("conventions", TOPIC, rec_id="ITU-T Y.3599")
    assert conventions.text.startswith("5\tConventions\n\nIn this Recommendation:\n\nThe keywords")


def test_the_model_writes_the_scope_streamed_with_checked_citations(
    retriever: HybridRetriever,
    copilot_index: Settings,
    reference_catalog: ReferenceCatalog,
    tiny_model: OpenAIChat,
) -> None:
    events = list(
        _drafter(retriever, copilot_index, reference_catalog, tiny_model).draft_stream("scope", TOPIC)
    )
    draft = events[-1]
    assert isinstance(draft, ClauseDraft) and len(events) > 3
    assert draft.text.startswith("1\tScope\n\n") and len(draft.text) > len("1\tScope\n\n") + 20
    assert draft.model == "smollm2-135m" and draft.prompts == ["draft_scope@v2"]
    assert draft.citations and all(c.heading.lower() == "scope" for c in draft.citations), (
        "the Scopes of related Recommendations, shown as worked examples, are the clauses drawn on"
    )
    assert draft.stats and draft.stats[0].first_token_s is not None
    assert "".join(e for e in events[:-1] if isinstance(e, str)).strip() == draft.text.strip()


def test_draft_command_exports_docx(
    copilot_index: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RAPPORTEUR_CORPUS", str(copilot_index.corpus))
    out = tmp_path / "refs.docx"
    code = main(
        [
            "draft",
            "references",
            "--topic",
            TOPIC,
            "--index",
            str(copilot_index.index),
            "--docx",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    draft = ClauseDraft.model_validate_json(capsys.readouterr().out)
    assert (
        draft.kind == DraftKind.REFERENCES
        and "[ITU-T Y.3507]\tRecommendation ITU-T Y.3507 (2018)" in draft.text
    )
    styles = {
        p.text.split("\t")[0]: p.style.name for p in Document(str(out)).paragraphs if p.style is not None
    }
    assert styles["2"] == "Heading 1" and styles["[ITU-T Y.3507]"] == "Ref_text"


def test_proposed_terms_never_restate_a_reused_one() -> None:
    text = (
        "1. peer-to-peer (P2P): Peer-to-peer communication.\n"
        "- content distribution peer protocol: a protocol that distributes content among peers.\n"
        "network [ITU-T J.94]: A collection of multiplexes.\n"
        "A sentence without a definition."
    )
    assert new_definition_lines(text, {"peer-to-peer (P2P)"}) == [
        "content distribution peer protocol: a protocol that distributes content among peers."
    ]


def test_requirements_are_drafted_after_related_requirement_sentences_in_the_req_shape(
    retriever: HybridRetriever,
    copilot_index: Settings,
    reference_catalog: ReferenceCatalog,
    tiny_model: OpenAIChat,
) -> None:
    drafter = _drafter(retriever, copilot_index, reference_catalog, tiny_model)
    draft = drafter.draft("requirements", "I/O interface requirements of physical machines")
    assert draft.text.startswith("6\tRequirements\n\n") and draft.prompts == ["draft_requirements@v3"]
    assert draft.citations and {c.rec_id for c in draft.citations} == {"ITU-T Y.3507"}

    text = (
        "Provide I/O interface to administrator: A physical machine can optionally provide an I/O "
        "interface [ITU-T Y.3510]. NOTE – Such as a VGA port.\nPM-IO-002: It is required that the "
        "physical machine supports PCIe."
    )
    assert requirement_lines(text, ["can optionally", "is required"]) == [
        "REQ-01: A physical machine can optionally provide an I/O interface.",
        "REQ-02: It is required that the physical machine supports PCIe.",
    ]
    assert requirement_lines(text, ["is recommended to"]) == []


def test_requirement_identifiers_are_renumbered_as_they_stream() -> None:
    pieces = ["RE", "Q-0", "2: The PM is required to boot.\nREQ-", "07: It ", "can optionally log.\n"]
    pieces.append("NOTE – x")
    streamed = list(renumbered(pieces))
    assert "".join(streamed) == (
        "REQ-01: The PM is required to boot.\nREQ-02: It can optionally log.\nNOTE – x"
    )
    assert len(streamed) >= 4, "text after an identifier is not held back"

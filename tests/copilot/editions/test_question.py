"""``ask`` 'what changed in X between A and B' with both editions indexed: answered from the diff of
the two files, each change cited to its clause; other questions, and editions not indexed, go to
retrieval as before. Runs on two editions of the synthetic Y.9904 (no corpus, no model)."""

from __future__ import annotations

import pytest

from copilot.assistant import Assistant
from copilot.editions.question import editions_asked
from copilot.retrieval import HybridRetriever
from ingest.library import Library
from rapporteur.settings import Settings
from tests.synthetic import Y9904, revised_y9904, write_docx


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("y9904")
    write_docx(Y9904, folder / "T-REC-Y.9904-202206-I!!MSW-E.docx")
    revised = [(style, text.replace("(06/2022)", "(03/2024)")) for style, text in revised_y9904()]
    write_docx(revised, folder / "T-REC-Y.9904-202403-I!!MSW-E.docx")
    settings = Settings(index=tmp_path_factory.mktemp("index") / "index", llm={"enabled": False})
    library = Library(settings)
    try:
        report = library.ingest([folder])
    finally:
        library.close()
    assert not report.failed and len(report.added) == 2
    return settings


def test_what_changed_between_indexed_editions_is_answered_from_their_diff(two_editions: Settings) -> None:
    assistant = Assistant(HybridRetriever.from_settings(two_editions), None, two_editions)
    answer = assistant.ask("What changed in Y.9904 between 2022 and 2024?")
    assert answer.answer.startswith("From ITU-T Y.9904 (2022-06) to ITU-T Y.9904 (2024-03): 6 clauses differ")
    lines = answer.answer.splitlines()
    assert "- [ITU-T Y.9904] clause 8 (was 7) Retirement of widget identifiers: renumbered" in lines
    assert any(
        line.startswith("- [ITU-T Y.9904] clause 3.2 ") and "definition 'manufacturer code' removed" in line
        for line in lines
    )
    assert [c.clause for c in answer.citations] == ["Preamble", "3.2", "6", "7", "8", "A.1"]  # title's date
    documents = HybridRetriever.from_settings(two_editions).documents()
    newer = next(d for d in documents.values() if d.edition == "2024-03")
    assert {c.doc_id for c in answer.citations} == {newer.doc_id} and answer.grounded


def test_other_questions_and_editions_not_indexed_go_to_retrieval(two_editions: Settings) -> None:
    documents = HybridRetriever.from_settings(two_editions).documents()
    assert editions_asked("What changed in ITU-T Y.9904 from the 2024 edition to 2022?", documents)
    assert editions_asked("What changed in Y.9904 between 2019 and 2024?", documents) is None
    assert editions_asked("What changed in Y.9999 between 2022 and 2024?", documents) is None
    assert editions_asked("How is a widget identifier retired?", documents) is None
    answer = Assistant(HybridRetriever.from_settings(two_editions), None, two_editions).ask(
        "What changed in Y.9904 between 2019 and 2024?"
    )
    assert not answer.answer.startswith("From ")

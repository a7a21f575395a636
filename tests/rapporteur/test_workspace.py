"""The shared workspace: per-request folders, cited clauses looked up or quoted, the model's absence
remembered and explained."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.citation import Citation
from ingest.library import Library
from rapporteur.settings import Settings
from rapporteur.workspace import Workspace


@pytest.fixture(scope="module")
def ui_settings(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A server's settings over a real one-Recommendation index (Y.3507), no model."""
    index = tmp_path_factory.mktemp("workspace") / "index"
    library = Library(Settings(index=index))
    report = library.ingest([corpus_dir / "itu-t" / "Y.3507-201812.docx"])
    library.close()
    assert not report.failed
    return Settings(index=index, corpus=tmp_path_factory.mktemp("corpus"), llm={"enabled": False})


@pytest.fixture
def workspace(ui_settings: Settings) -> Iterator[Workspace]:
    ws = Workspace(ui_settings.updated(llm={"enabled": True, "model": "no-such-model"}))
    yield ws
    ws.close()


def test_each_request_gets_its_own_folder_and_close_removes_them(ui_settings: Settings) -> None:
    ws = Workspace(ui_settings)
    first, second = ws.request_dir(), ws.request_dir()
    assert first != second and first.parent == second.parent == ws.scratch
    ws.close()
    assert not ws.scratch.exists()


def test_a_cited_clause_is_looked_up_with_its_sub_clauses(workspace: Workspace) -> None:
    doc = workspace.library.resolve("Y.3507")
    assert doc is not None
    clause = workspace.cited_clause(Citation(doc_id=doc.doc_id, rec_id=doc.rec_id, clause="7.1"))
    assert (clause.clause, clause.heading) == ("7.1", "Component requirements")
    assert "7.1.4 Enclosure requirements" in clause.text


def test_a_citation_without_a_clause_of_its_own_is_quoted_as_it_came(workspace: Workspace) -> None:
    citation = Citation(
        doc_id="gone.docx", rec_id="ITU-T Z.999", clause="3.2.7", heading="Terms", text="t", page=4
    )
    clause = workspace.cited_clause(citation)
    assert (clause.rec_id, clause.clause, clause.heading, clause.text, clause.page_start) == (
        "ITU-T Z.999", "3.2.7", "", "t", 4,
    )  # fmt: skip


def test_without_a_model_answers_still_come_with_the_reason(workspace: Workspace) -> None:
    model, why = workspace.model()
    assert model is None
    assert why is not None and why.startswith("No language model: ")
    assert workspace.model() == (None, why)
    answer = workspace.assistant().ask("What is a physical machine?")
    assert answer.notice == why
    assert any(c.rec_id == "ITU-T Y.3507" and c.clause == "3.2.1" for c in answer.citations)


def test_a_server_s_search_is_prepared_in_the_background(ui_settings: Settings, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(ui_settings.index, index)
    shutil.rmtree(index / "bm25", ignore_errors=True)  # as an ingest leaves the index: nothing built
    (index / "term_vectors.npz").unlink(missing_ok=True)
    ws = Workspace(ui_settings.updated(index=index))
    try:
        ws.prepare_search().join(timeout=300)
        assert (index / "term_vectors.npz").is_file()  # the defined terms' vectors, saved for the next start
        assert any((index / "bm25").iterdir())
        assert ws.retriever.search("physical machine", k=1)[0].clause == "3.2.1"
    finally:
        ws.close()

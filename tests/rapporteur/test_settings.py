import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from rapporteur.cli import _settings, build_parser
from rapporteur.errors import explain
from rapporteur.settings import Settings


def test_environment_prefix_and_cli_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAPPORTEUR_INDEX", str(tmp_path / "from-env"))
    monkeypatch.setenv("RAPPORTEUR_INGEST_CHUNK_CHARS", "900")
    assert Settings().index == tmp_path / "from-env" and Settings().ingest.chunk_chars == 900
    args = build_parser().parse_args(["docs", "--index", str(tmp_path / "from-flag")])
    assert _settings(args).index == tmp_path / "from-flag"


def test_catalog_found_under_the_corpus_folder(corpus_dir: Path) -> None:
    settings = Settings(corpus=corpus_dir)
    assert settings.catalog_path() == corpus_dir / "catalog" / "itu-recommendations.jsonl.gz"
    assert Settings(corpus=corpus_dir / "nowhere").catalog_path() is None


def test_each_part_reads_its_own_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAPPORTEUR_LLM_MODEL", "qwen2.5-coder-1.5b")
    monkeypatch.setenv("RAPPORTEUR_LLM_MODEL_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("RAPPORTEUR_CHROMA_HOST", "chroma.example.org")
    monkeypatch.setenv("RAPPORTEUR_UI_FOLDERS", f"/srv/a{os.pathsep}/srv/b")
    monkeypatch.setenv("RAPPORTEUR_UI_HOSTS", "a.example.org, *.example.net")
    settings = Settings()
    assert (settings.llm.model, settings.llm.model_cache) == ("qwen2.5-coder-1.5b", tmp_path / "models")
    assert (settings.chroma.host, settings.chroma.port) == ("chroma.example.org", 8000)
    assert settings.ui.folders == [Path("/srv/a"), Path("/srv/b")]
    assert settings.ui.hosts == ["a.example.org", "*.example.net"]


def test_a_misspelt_variable_of_a_part_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORTEUR_LLM_MODLE", "qwen2.5-coder-1.5b")
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = str(explain(caught.value))
    assert "RAPPORTEUR_LLM_MODLE: no such setting" in message and "\n" not in message


def test_updated_changes_one_field_of_a_part_and_keeps_the_others(tmp_path: Path) -> None:
    base = Settings(index=tmp_path / "a", llm={"model": "m", "max_tokens": 10})
    changed = base.updated(index=tmp_path / "b", llm={"enabled": False})
    assert (changed.index, changed.llm.model, changed.llm.max_tokens, changed.llm.enabled) == (
        tmp_path / "b", "m", 10, False,
    )  # fmt: skip
    assert base.llm.enabled is True
    with pytest.raises(ValidationError):
        base.updated(ui={"login_attempts": 0})

from pathlib import Path

import pytest

from rapporteur.cli import _settings, build_parser
from rapporteur.settings import Settings


def test_environment_prefix_and_cli_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAPPORTEUR_INDEX", str(tmp_path / "from-env"))
    monkeypatch.setenv("RAPPORTEUR_CHUNK_CHARS", "900")
    assert Settings().index == tmp_path / "from-env" and Settings().chunk_chars == 900
    args = build_parser().parse_args(["docs", "--index", str(tmp_path / "from-flag")])
    assert _settings(args).index == tmp_path / "from-flag"


def test_catalog_found_under_the_corpus_folder(corpus_dir: Path) -> None:
    settings = Settings(corpus=corpus_dir)
    assert settings.catalog_path() == corpus_dir / "catalog" / "itu-recommendations.jsonl.gz"
    assert Settings(corpus=corpus_dir / "nowhere").catalog_path() is None

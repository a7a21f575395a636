"""``rapporteur doctor``: each gap is named with its fix, and a failed check makes the exit non-zero."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rapporteur.cli import main
from rapporteur.doctor import DoctorReport
from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.conftest import tiny_model_env

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
CHECKS = [
    "model", "generation", "tokenizer", "embedder", "legacy .doc", "chromium",
    "index", "chroma server", "disk",
]  # fmt: skip


def doctor(capsys: pytest.CaptureFixture[str], index: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    """Run ``doctor --json`` in this process; the exit status and the checks by name."""
    capsys.readouterr()
    status = main(["doctor", "--json", "--index", str(index), *flags])
    report = DoctorReport.model_validate_json(capsys.readouterr().out)
    assert report.ok == (status == 0)
    return status, {c.name: c for c in report.checks}


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORTEUR_LLM_ENABLED", "false")


def test_the_json_report_names_every_check_with_status_detail_and_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_model: None
) -> None:
    main(["doctor", "--json", "--index", str(tmp_path / "index")])
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"ok", "checks"}
    assert [c["name"] for c in payload["checks"]] == CHECKS
    for check in payload["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"}
        assert check["status"] in {"ok", "warn", "fail", "skip"} and check["detail"]
        assert check["status"] in ("ok", "skip") or check["fix"], check
    by_name = {c["name"]: c for c in payload["checks"]}
    assert by_name["model"]["status"] == by_name["generation"]["status"] == "skip"
    assert by_name["chroma server"]["status"] == "skip"
    assert by_name["tokenizer"]["status"] == by_name["embedder"]["status"] == "ok"


def test_a_missing_index_is_a_warning_and_is_not_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_model: None
) -> None:
    if shutil.which("antiword") is None:
        pytest.skip("antiword is not installed (scripts/install.sh installs it)")
    status, checks = doctor(capsys, tmp_path / "nowhere" / "index")
    assert checks["index"].status == "warn" and "rapporteur ingest" in checks["index"].fix
    assert not (tmp_path / "nowhere").exists()
    assert status == 0 and not [c for c in checks.values() if c.status == "fail"]


def test_without_antiword_the_gap_and_its_fix_are_named_and_the_exit_is_non_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_model: None
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    status, checks = doctor(capsys, tmp_path / "index")
    legacy = checks["legacy .doc"]
    assert status == 1 and legacy.status == "fail"
    assert "antiword" in legacy.detail and legacy.fix == "apt-get install antiword (Debian/Ubuntu)"
    capsys.readouterr()
    assert main(["doctor", "--index", str(tmp_path / "index")]) == 1
    human = capsys.readouterr().out
    assert "fail  legacy .doc" in human and "fix: apt-get install antiword" in human


def test_a_model_path_that_does_not_exist_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "models" / "missing.gguf"
    monkeypatch.setenv("RAPPORTEUR_LLM_MODEL", str(missing))
    status, checks = doctor(capsys, tmp_path / "index")
    assert status == 1 and checks["model"].status == "fail"
    assert str(missing) in checks["model"].detail and "RAPPORTEUR_LLM_MODEL" in checks["model"].fix
    assert checks["generation"].status == "skip"


def test_an_index_is_counted_read_only_and_a_broken_one_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_model: None
) -> None:
    index = tmp_path / "index"
    assert main(["ingest", str(SAMPLE), "--index", str(index)]) == 0
    records = index / "records.sqlite3"
    before = records.stat().st_mtime_ns
    _, checks = doctor(capsys, index)
    assert checks["index"].status == "ok" and "1 documents" in checks["index"].detail
    assert records.stat().st_mtime_ns == before
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "records.sqlite3").write_bytes(b"not a database, only text" * 100)
    status, checks = doctor(capsys, broken)
    assert status == 1 and checks["index"].status == "fail" and "cannot be read" in checks["index"].detail


def test_a_configured_chroma_server_that_does_not_answer_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_model: None
) -> None:
    port = free_port()
    monkeypatch.setenv("RAPPORTEUR_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("RAPPORTEUR_CHROMA_PORT", str(port))
    status, checks = doctor(capsys, tmp_path / "index")
    chroma = checks["chroma server"]
    assert status == 1 and chroma.status == "fail"
    assert f"127.0.0.1:{port}" in chroma.detail and "chroma run" in chroma.fix


@pytest.mark.model
def test_the_embedded_model_generates(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_settings: Settings,
) -> None:
    for name, value in tiny_model_env(tiny_model_settings).items():
        if name.startswith("RAPPORTEUR_"):
            monkeypatch.setenv(name, value)
    _, checks = doctor(capsys, tmp_path / "index")
    assert checks["model"].status == checks["llama.cpp"].status == "ok"
    assert checks["generation"].status == "ok" and checks["generation"].detail.startswith("answered ")

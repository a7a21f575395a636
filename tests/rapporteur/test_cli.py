"""The command-line contract: JSON shapes and exit codes that other tools and the eval rely on."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ingest.store import file_hash
from rapporteur.cli import main
from rapporteur.errors import EXIT_USAGE
from tests.conftest import model_server_ports, tiny_model_env

if TYPE_CHECKING:
    from rapporteur.settings import Settings
    from tests.conftest import ItuMirror

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"


def rapporteur(*args: str, index: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORTEUR_INDEX": str(index)}
    done = subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", *args], capture_output=True, text=True, env=env, cwd=REPO
    )
    if check and done.returncode not in (0, 2):
        raise AssertionError(f"rapporteur {args} exited {done.returncode}: {done.stderr}")
    return done


@pytest.fixture(scope="module")
def y3507_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    index = tmp_path_factory.mktemp("index")
    done = rapporteur("ingest", str(corpus_dir / "itu-t" / "Y.3507-201812.docx"), "--json", index=index)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and len(report["added"]) == 1, done.stderr
    return index


def test_ingest_json_contract(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    done = rapporteur("ingest", str(SAMPLE), str(bad), "--json", index=tmp_path / "ix")
    report = json.loads(done.stdout)
    assert set(report) == {"added", "updated", "unchanged", "removed", "failed", "chunks"}
    assert done.returncode == 2
    assert report["failed"] == [{"path": str(bad), "error": "empty file (0 bytes)"}]
    assert report["chunks"] > 0 and len(report["added"]) == 1
    assert "bad.pdf: empty file" in done.stderr


def test_docs_show_terms_abbrev_refs(y3507_index: Path) -> None:
    docs = json.loads(rapporteur("docs", "--json", index=y3507_index).stdout)
    assert len(docs) == 1
    doc = docs[0]
    assert set(doc) == {
        "doc_id", "rec_id", "title", "edition", "kind", "language", "path", "chunks", "content_hash",
    }  # fmt: skip
    assert doc["content_hash"] == file_hash(Path(doc["path"]))
    assert doc["rec_id"] == "ITU-T Y.3507" and doc["edition"] == "2018-12" and doc["language"] == "en"

    tree = json.loads(rapporteur("show", "Y.3507", "--json", index=y3507_index).stdout)
    numbers = [c["number"] for c in tree["clauses"]]
    assert numbers[:1] == ["Summary"] or "1" in numbers
    assert {"1", "2", "3", "3.1", "3.2", "4", "5"} <= set(numbers)

    clause = json.loads(
        rapporteur("show", "ITU-T Y.3507", "--clause", "3.2", "--json", index=y3507_index).stdout
    )
    assert "physical machine" in clause["text"]

    terms = json.loads(rapporteur("terms", "physical machine", "--json", index=y3507_index).stdout)
    assert (
        terms[0]["term"] == "physical machine" and terms[0]["clause"] == "3.2.1" and terms[0]["defined_here"]
    )
    cloud = json.loads(rapporteur("terms", "cloud computing", "--json", index=y3507_index).stdout)
    assert any(t["source_tag"] == "[ITU-T Y.3500]" and t["clause"] == "3.1.1" for t in cloud)

    abbrev = json.loads(rapporteur("abbrev", "central processing unit", "--json", index=y3507_index).stdout)
    assert [(a["abbreviation"], a["rec_id"]) for a in abbrev] == [("CPU", "ITU-T Y.3507")]

    refs = json.loads(rapporteur("refs", "Y.3507", "--json", index=y3507_index).stdout)
    assert any(r["cited_id"] == "ITU-T Y.3500" for r in refs)

    missing = rapporteur("show", "Z.999", index=y3507_index, check=False)
    assert missing.returncode == 1 and "no document" in missing.stderr


def test_kill_minus_9_leaves_a_working_index_and_rerun_completes(tmp_path: Path, corpus_dir: Path) -> None:
    index = tmp_path / "ix"
    files = [
        SAMPLE,
        corpus_dir / "itu-t" / "T-REC-Y.1543-201806-I!!MSW-E.docx",
        corpus_dir / "itu-t" / "T-REC-F.921-201808-I!!MSW-E.docx",
        corpus_dir / "itu-t" / "T-REC-E.840-201806-I!!MSW-E.docx",
    ]
    env = {**os.environ, "RAPPORTEUR_INDEX": str(index)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapporteur.cli", "ingest", *map(str, files)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = index / "records.sqlite3"
    deadline = time.time() + 240
    while time.time() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    done = conn.execute("SELECT COUNT(*) FROM files WHERE state='complete'").fetchone()[0]
            except sqlite3.OperationalError:  # the file exists, its schema not yet
                done = 0
            if done >= 1:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    listed = json.loads(rapporteur("docs", "--json", index=index).stdout)
    assert 1 <= len(listed) < len(files), "the kill should land midway, with the first document answering"

    rerun = json.loads(rapporteur("ingest", *map(str, files), "--json", index=index).stdout)
    assert not rerun["failed"]
    assert len(rerun["unchanged"]) == len(listed)
    fresh = json.loads(rapporteur("ingest", *map(str, files), "--json", index=tmp_path / "fresh").stdout)
    assert rerun["chunks"] == fresh["chunks"], "no duplicate and no missing chunks after the interrupted run"
    from ingest.library import Library
    from rapporteur.settings import Settings

    library = Library(Settings(index=index))
    assert library.vectors.count() == rerun["chunks"]
    library.close()


@pytest.mark.parametrize(
    ("command", "status"),
    [(["ask", "What is a physical machine?"], 128 + signal.SIGTERM), (["model", "--serve"], 0)],
    ids=["ask", "model-serve"],
)
def test_sigterm_stops_the_model_server_the_command_started(
    command: list[str], status: int, tiny_model_settings: Settings, y3507_index: Path
) -> None:
    """A command stopped by SIGTERM (a service manager, ``timeout``, a closed terminal) takes the llama.cpp
    server it started with it; ``ask`` is stopped while it waits for the server, ``model --serve`` while
    it serves."""
    env = {**tiny_model_env(tiny_model_settings), "RAPPORTEUR_INDEX": str(y3507_index)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapporteur.cli", *command],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout and proc.stderr
    try:
        deadline = time.monotonic() + 120
        ports: set[int] = set()
        while not ports and proc.poll() is None and time.monotonic() < deadline:
            ports = model_server_ports(parent=proc.pid)
            time.sleep(0.02)
        assert ports, "the command should have started a model server"
        if command[0] == "model":
            assert proc.stdout.readline().startswith("serving "), "the server should be up before the stop"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == status, proc.stderr.read()
        assert not ports & model_server_ports()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_killed_command_leaves_no_model_server_behind(tiny_model_settings: Settings) -> None:
    """SIGKILL (the OOM killer, ``kill -9``, a crash) runs no cleanup in the command; the llama.cpp server
    notices by itself that the command is gone and exits."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapporteur.cli", "model", "--serve"],
        env=tiny_model_env(tiny_model_settings),
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout
    try:
        assert proc.stdout.readline().startswith("serving "), "the server should be up before the kill"
        ports = model_server_ports(parent=proc.pid)
        assert ports, "the command should have started a model server"
        proc.kill()
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while ports & model_server_ports() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not ports & model_server_ports()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_fetch_then_ingest_from_a_loopback_itu_mirror(
    itu_mirror: ItuMirror, corpus_dir: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "RAPPORTEUR_FETCH_BASE_URL": itu_mirror.base_url,
        "RAPPORTEUR_CATALOG": str(corpus_dir / "catalog" / "itu-recommendations.jsonl.gz"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rapporteur.cli",
            "fetch",
            "P.839-4",
            "Z.999",
            "--dest",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 2
    assert [f["id"] for f in report["fetched"]] == ["P.839-4"]
    assert [f["id"] for f in report["failed"]] == ["Z.999"] and "catalog" in report["failed"][0]["error"]
    saved = Path(report["fetched"][0]["path"])
    assert saved.read_bytes() == (corpus_dir / "itu-r" / "R-REC-P.839-4-201309-I!!PDF-E.pdf").read_bytes()


def test_ingest_workers_flag_sets_the_parse_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rapporteur.cli import _settings, build_parser, main

    args = build_parser().parse_args(["ingest", str(SAMPLE), "--workers", "2", "--index", str(tmp_path)])
    assert _settings(args).ingest.parse_workers == 2
    with pytest.raises(SystemExit) as refused:
        main(["ingest", str(SAMPLE), "--workers", "0", "--index", str(tmp_path)])
    assert refused.value.code == 2 and "must be at least 1" in capsys.readouterr().err


# -- hardening (issue 18): refusals and one-line errors, run in-process on a small index -----------------


@pytest.fixture(scope="module")
def notes_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of two short notes without a Recommendation identifier."""
    folder = tmp_path_factory.mktemp("notes")
    (folder / "latency.md").write_text("# Note on latency\n\n## 1 Scope\n\nWidget latency is measured.\n")
    (folder / "loss.md").write_text("# Note on loss\n\n## 1 Scope\n\nWidget loss is counted per flow.\n")
    index = tmp_path_factory.mktemp("notes-index") / "index"
    assert main(["ingest", str(folder), "--index", str(index)]) == 0
    return index


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("rapporteur: ")
    return err


def test_an_empty_name_removes_nothing(notes_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remove", "", "--index", str(notes_index)]) == EXIT_USAGE
    assert "empty name matches no document" in _one_line_error(capsys)
    assert main(["docs", "--json", "--index", str(notes_index)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "widget", "-k", "0"], "-k: must be at least 1, got 0"),
        (["search", "widget", "-k", "-1"], "-k: must be at least 1, got -1"),
        (["terms", "widget", "--limit", "-1"], "--limit: must be at least 1, got -1"),
    ],
)
def test_counts_below_one_are_usage_errors(
    notes_index: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--index", str(notes_index)])
    assert stop.value.code == EXIT_USAGE and message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "pair", "message"),
    [
        ("search", "in_force=maybe", "in_force must be true or false, got 'maybe'"),
        ("ask", "in_force=maybe", "in_force must be true or false, got 'maybe'"),
        ("search", "colour=red", "unknown filter 'colour'"),
        ("search", "sector", "--filter wants KEY=VALUE, got 'sector'"),
    ],
)
def test_filters_are_checked_not_ignored(
    notes_index: Path, capsys: pytest.CaptureFixture[str], command: str, pair: str, message: str
) -> None:
    assert main([command, "widget latency", "--filter", pair, "--index", str(notes_index)]) == EXIT_USAGE
    assert message in _one_line_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [["docs"], ["search", "x"], ["terms", "x"], ["abbrev", "X"], ["refs", "Y.1"], ["show", "Y.1"],
     ["ask", "x"], ["remove", "x"], ["index"], ["mcp"]],
)  # fmt: skip
def test_read_commands_on_a_missing_index_say_so_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    missing = tmp_path / "typo"
    assert main([*argv, "--index", str(missing)]) == 1
    assert f"no index at {missing}" in _one_line_error(capsys)
    assert not missing.exists()


def test_check_without_an_index_creates_none_and_a_folder_as_report_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo"
    assert main(["check", str(SAMPLE), "--html", str(tmp_path), "--index", str(missing)]) == 1
    assert f"{tmp_path} is a folder; give a file path" in _one_line_error(capsys)
    assert not missing.exists()


def test_a_cut_short_database_is_one_line_naming_the_repair(
    tmp_path: Path, notes_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    shutil.copytree(notes_index, index)
    records = index / "records.sqlite3"
    os.truncate(records, records.stat().st_size // 2)
    for argv in (["docs"], ["search", "widget"], ["ingest", str(SAMPLE)]):
        assert main([*argv, "--index", str(index)]) == 1
        err = _one_line_error(capsys)
        assert "is damaged: records.sqlite3 cannot be read" in err and "rapporteur index --repair" in err


def test_a_deleted_vector_store_is_found_and_repaired(
    tmp_path: Path, notes_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    shutil.copytree(notes_index, index)
    shutil.rmtree(index / "chroma")
    done = rapporteur("search", "widget latency", index=index, check=False)
    assert done.returncode == 1 and "holds 0 vectors for 2 indexed chunks" in done.stderr
    assert "Traceback" not in done.stderr
    repaired = rapporteur("index", "--repair", "--json", index=index)
    assert json.loads(repaired.stdout)["vectors_restored"] == 2
    found = json.loads(rapporteur("search", "widget latency", "--json", index=index).stdout)
    assert found and found[0]["clause"] == "1"


def test_bad_list_settings_are_one_line_naming_the_variable(
    notes_index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORTEUR_UI_USERS", "bob:pw")
    assert main(["docs", "--index", str(notes_index)]) == 1
    err = _one_line_error(capsys)
    assert "RAPPORTEUR_UI_USERS cannot be read" in err and "'[\"bob:secret\"]'" in err


def test_serve_on_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--index", str(tmp_path / "ix")]) == 1
    err = _one_line_error(capsys)
    assert f"cannot listen on 127.0.0.1:{port}" in err and "choose another --port" in err


def test_check_refuses_a_device_or_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "draft.md"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        assert main(["check", str(path), "--index", str(tmp_path / "none")]) == 1
        assert f"{path}: not a regular file" in _one_line_error(capsys)


def test_check_asks_the_model_only_with_model_and_runs_without_one(y3507_index: Path, tmp_path: Path) -> None:
    """``check --model`` starts the configured model for the consistency check's source choice; one that
    cannot start is said once and the check goes on without it, as plain ``check`` never tries."""
    draft = tmp_path / "draft.md"
    draft.write_text(
        "# Draft Recommendation ITU-T Y.9999\n\n## 6 Requirements\n\n"
        "As [ITU-T Y.3507] states, a physical machine provides physical resources to the cloud.\n"
    )
    env = {**os.environ, "RAPPORTEUR_INDEX": str(y3507_index), "RAPPORTEUR_LLM_ENABLED": "true"}
    env["RAPPORTEUR_LLM_MODEL"] = str(tmp_path / "missing.gguf")
    runs = {
        flag: subprocess.run(
            [sys.executable, "-m", "rapporteur.cli", "check", str(draft), "--json", *flag],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
        )  # fmt: skip
        for flag in ((), ("--model",))
    }
    for done in runs.values():
        assert done.returncode in (0, 2), done.stderr
        assert any(n.startswith("consistency: ") for n in json.loads(done.stdout)["summary"]["notes"])
    assert "No language model is available" not in runs[()].stderr
    assert "No language model is available" in runs[("--model",)].stderr

"""``rapporteur ask --conversation`` and ``rapporteur chat``: follow-ups read in the light of earlier
turns, the rewritten query shown and in the JSON, turns kept beside the index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def index(synthetic_library: Settings, tmp_path: Path) -> Path:
    """A private copy of the synthetic index: these commands write conversations beside it."""
    copy = tmp_path / "index"
    shutil.copytree(synthetic_library.index, copy)
    return copy


def run(*args: str, index: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORTEUR_INDEX": str(index), "RAPPORTEUR_LLM_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        input=stdin,
        timeout=300,
    )


def test_ask_continues_a_named_conversation(index: Path) -> None:
    first = run("ask", "What is a widget hub?", "--conversation", "hubs", "--json", index=index)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["query"] == "What is a widget hub?"
    second = run("ask", "What about its abbreviations?", "--conversation", "hubs", "--json", index=index)
    answer = json.loads(second.stdout)
    assert answer["question"] == "What about its abbreviations?"
    assert answer["query"] == "abbreviations in [ITU-T Y.9901]"
    assert answer["citations"][0]["clause"] == "4"
    human = run("ask", "Which clause says that?", "--conversation", "hubs", index=index)
    assert "Searching for: abbreviations in [ITU-T Y.9901] clause 4" in human.stdout
    stored = json.loads((index / "conversations" / "hubs.json").read_text(encoding="utf-8"))
    assert [t["question"] for t in stored["turns"]] == [
        "What is a widget hub?",
        "What about its abbreviations?",
        "Which clause says that?",
    ]


def test_ask_without_a_conversation_answers_alone_and_keeps_nothing(index: Path) -> None:
    done = run("ask", "What about its abbreviations?", index=index)
    assert done.returncode == 0 and "Searching for:" not in done.stdout
    assert not (index / "conversations").exists()


def test_a_damaged_conversation_is_one_line_naming_the_file(index: Path) -> None:
    (index / "conversations").mkdir()
    (index / "conversations" / "bad.json").write_text("not json", encoding="utf-8")
    done = run("ask", "What is a widget hub?", "--conversation", "bad", index=index)
    assert done.returncode == 1
    bad = index / "conversations" / "bad.json"
    assert done.stderr.strip().splitlines()[-1].startswith(f"rapporteur: {bad}: not a readable conversation")


def test_chat_reads_questions_until_exit(index: Path) -> None:
    questions = "What is a widget hub?\n\nWhat about its abbreviations?\nexit\nWhat is a widget?\n"
    done = run("chat", "--conversation", "talk", index=index, stdin=questions)
    assert done.returncode == 0, done.stderr
    assert "Searching for: abbreviations in [ITU-T Y.9901]" in done.stdout
    assert "- [ITU-T Y.9901] clause 4" in done.stdout
    stored = json.loads((index / "conversations" / "talk.json").read_text(encoding="utf-8"))
    assert len(stored["turns"]) == 2  # the blank line is skipped, nothing after 'exit' is asked


def test_chat_json_prints_one_answer_per_line(index: Path) -> None:
    done = run("chat", "--json", index=index, stdin="What is a widget hub?\nWhat about its abbreviations?\n")
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stderr
    assert [a["query"] for a in answers] == ["What is a widget hub?", "abbreviations in [ITU-T Y.9901]"]
    assert not (index / "conversations").exists()

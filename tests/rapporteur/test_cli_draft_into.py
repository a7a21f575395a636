"""``rapporteur draft KIND --into FILE.docx`` and ``--conversation NAME``: one draft grown clause by clause,
the rapporteur's own edits to the file kept, the lists made from the whole draft, and the file passing
``rapporteur check`` without a structure error. Real runs of the CLI on the synthetic library, no model."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from tests.rapporteur.test_cli_conversation import index, run

__all__ = ["index"]  # the fixture, shared with the conversation tests

TOPIC = "gateways between widget hubs and a widget controller"
HAND_WRITTEN = "REQ-01: The widget gateway is required to forward each reading to the WC within one minute."


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_a_draft_file_grows_clause_by_clause_and_keeps_hand_edits(index: Path, tmp_path: Path) -> None:
    draft = tmp_path / "my-draft.docx"
    first = run(
        "draft",
        "definitions",
        "--topic",
        TOPIC,
        "--rec-id",
        "ITU-T Y.9999",
        "--into",
        str(draft),
        index=index,
    )
    assert first.returncode == 0, first.stderr
    assert f"wrote {draft} (clauses: Keywords, 2, 3, 4)" in first.stderr
    second = run("draft", "requirements", "--into", str(draft), index=index)  # the topic is the file's title
    assert second.returncode == 0, second.stderr

    document = docx.Document(str(draft))
    [requirement] = [p for p in document.paragraphs if p.text.startswith("REQ-01:")]
    requirement.text = HAND_WRITTEN
    document.save(str(draft))
    third = run("draft", "references", "--into", str(draft), index=index)
    assert third.returncode == 0, third.stderr

    text = paragraphs(draft)
    assert text[:2] == ["Recommendation ITU-T Y.9999", TOPIC[:1].upper() + TOPIC[1:]]
    assert HAND_WRITTEN in text and "6\tRequirements" in text
    assert any(p.startswith("3.1.1\twidget hub [ITU-T Y.9901]:") for p in text)
    assert "WC\tWidget Controller" in text  # the hand-written requirement's acronym, listed in clause 4
    assert (
        "[ITU-T Y.9901]\tRecommendation ITU-T Y.9901 (2024), Requirements for a fictional widget network."
        in text
    )
    headings = [
        p for p in text if p in ("Summary", "Keywords") or "\t" in p and p[0].isdigit() and ":" not in p
    ]
    assert headings[:3] == ["Summary", "Keywords", "1\tScope"]

    checked = run("check", str(draft), "--json", index=index)
    findings = json.loads(checked.stdout)["findings"]
    assert not [f for f in findings if f["category"] == "structure" and f["severity"] == "error"]


def test_a_conversation_keeps_its_draft_beside_its_turns(index: Path, tmp_path: Path) -> None:
    asked = run("ask", "What is a widget hub?", "--conversation", "hubs", index=index)
    assert asked.returncode == 0, asked.stderr
    drafted = run("draft", "definitions", "--topic", TOPIC, "--conversation", "hubs", index=index)
    assert drafted.returncode == 0, drafted.stderr
    out = tmp_path / "hubs.docx"
    exported = run("draft", "abbreviations", "--conversation", "hubs", "--into", str(out), index=index)
    assert exported.returncode == 0, exported.stderr
    again = run("ask", "What about its abbreviations?", "--conversation", "hubs", index=index)
    assert again.returncode == 0, again.stderr
    stored = json.loads((index / "conversations" / "hubs.json").read_text(encoding="utf-8"))
    questions = [t["question"] for t in stored["turns"]]
    assert questions == ["What is a widget hub?", "What about its abbreviations?"]
    sections = {s["key"]: s for s in stored["draft"]["sections"]}
    assert list(sections) == ["Keywords", "2", "3", "4"] and sections["3"]["kind"] == "definitions"
    assert stored["draft"]["topic"] == TOPIC
    assert "3\tDefinitions" in paragraphs(out)


def test_a_draft_file_that_cannot_be_one_is_refused_by_name(index: Path, tmp_path: Path) -> None:
    wrong = run("draft", "scope", "--topic", TOPIC, "--into", str(tmp_path / "draft.txt"), index=index)
    assert wrong.returncode == 2 and "draft.txt: --into takes a .docx file" in wrong.stderr
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    refused = run("draft", "scope", "--topic", TOPIC, "--into", str(broken), index=index)
    assert refused.returncode == 1 and "broken.docx: not a readable .docx" in refused.stderr
    assert broken.read_bytes() == b"not a zip"
    no_topic = run("draft", "scope", "--into", str(tmp_path / "new.docx"), index=index)
    assert no_topic.returncode == 1 and "needs --topic" in no_topic.stderr

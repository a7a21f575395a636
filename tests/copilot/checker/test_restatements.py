"""The deterministic consistency judge: facts read from sentences, and restatements of an indexed
Recommendation judged on them (a library written here in ITU style; real corpus facts further down)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.model_choice import ModelChooser
from copilot.checker.models import CheckReport
from copilot.checker.restatements import EvidenceJudge, Fact, Judgement, cited, facts, recommendation_key
from copilot.checker.rules.base import CheckContext
from copilot.checker.rules.requirements import normative_text
from copilot.llm import OpenAIChat
from eval.checking.corpus import build_record_store
from ingest.store import RecordStore

LIBRARY_REC = """# Recommendation ITU-T Y.9990 (01/2025)

## Requirements for fictional widget hubs

## 6 Widget hub requirements

The widget hub shall report a reading every 30 s over a link with a loss of at most 3 dB.

Readings are protected with a CRC-32 checksum computed over the whole reading.

A widget hub that loses its controller should retry after at least 10 days of silence.

The hub gain is computed as G = 0.2126 R + 0.7152 S + 0.0722 T from the three sensor readings.

The widget hub radio operates at carrier frequencies from 100 MHz to 50 GHz.
"""


def _values(sentence: str) -> list[tuple[str, str, str]]:
    return [(f.kind, f.slot, f.value) for f in facts(sentence)]


def test_quantities_are_read_with_their_unit_scaled_and_thousands_joined() -> None:
    assert _values("a wavelength of 1 650 nm") == [("value", "length", "1.65e-06")]
    assert _values("from 1260 to 1360 nm") == [
        ("value", "length", "1.26e-06"),
        ("value", "length", "1.36e-06"),
    ]
    assert _values("a clock of 2048 kHz") == _values("a clock of 2.048 MHz")
    assert _values("at least -10 dBm") == [("value", "dBm", "-10")]
    # A unit symbol is case-sensitive, and a Recommendation's number is no quantity.
    assert _values("see 5 Mm and [ITU-T G.652] and clause 6.1") == []


def test_deadlines_formulas_names_codes_and_keywords() -> None:
    assert facts("Contributions shall reach TSB at least twelve calendar days before the meeting.") == [
        Fact("deadline", "period", "12", "twelve calendar days"),
        Fact("keyword", "requirement", "mandatory", "shall"),
    ]
    (formula,) = facts("Y = 0.299 R + 0.587 G + 0.114 B")
    assert (formula.kind, formula.value) == ("formula", "0.114 0.299 0.587")
    assert _values("a 4th order Bessel-Thomson filter") == [("name", "filter", "besselthomson")]
    assert _values("protected by SHA-256") == [("name", "hash", "sha256")]
    assert _values("whose value is 0x47") == [("identifier", "code", "0x47")]
    assert _values("The hub is not recommended to sleep.") == [("keyword", "requirement", "not recommended")]


def test_citations_name_one_recommendation_across_editions_and_amendments() -> None:
    assert cited("as in [ITU-T G.650.1] and Recommendation ITU-R P.838-3") == {"ITU-T G.650.1", "ITU-R P.838"}
    assert recommendation_key("ITU-R P.838-3") == "ITU-R P.838"
    assert recommendation_key("ITU-T P.340 Amd.1") == "ITU-T P.340"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> RecordStore:
    folder = tmp_path_factory.mktemp("library")
    (folder / "T-REC-Y.9990-202501-I.md").write_text(LIBRARY_REC, encoding="utf-8")
    store, failures = build_record_store([folder], tmp_path_factory.mktemp("store") / "records.sqlite3")
    assert not failures
    return store


def _check(tmp_path: Path, store: RecordStore, *sentences: str) -> CheckReport:
    path = tmp_path / "T-REC-Z.9998-202601-D.md"
    path.write_text("# 6 Requirements\n\n" + "\n\n".join(sentences) + "\n", encoding="utf-8")
    draft = load_draft(path)
    return check_draft(draft, CheckContext.for_file(path, draft, store=store))


@pytest.mark.parametrize(
    ("wrong", "shown", "theirs"),
    [
        ("every 60 s over a link with a loss of at most 3 dB", '"60 s"', '"30 s"'),
        ("every 30 s over a link with a loss of at most 6 dB", '"6 dB"', '"3 dB"'),
    ],
)
def test_a_wrong_value_is_a_contradiction_quoting_both_sides(
    tmp_path: Path, library: RecordStore, wrong: str, shown: str, theirs: str
) -> None:
    report = _check(
        tmp_path, library, f"As in [ITU-T Y.9990], the widget hub shall report a reading {wrong}."
    )
    (finding,) = [f for f in report.findings if f.rule == "consistency.contradiction"]
    assert shown in finding.message and theirs in finding.message
    assert finding.location.clause == "6"
    assert finding.evidence[0].rec_id == "ITU-T Y.9990" and finding.evidence[0].clause == "6"
    assert "report a reading every 30 s" in finding.evidence[0].text
    assert (
        finding.suggestion is not None and "every 30 s" in finding.suggestion and "3 dB" in finding.suggestion
    )
    assert any("1 restated statements compared" in n and "1 contradicted" in n for n in report.summary.notes)


@pytest.mark.parametrize(
    "wrong",
    [
        "Readings are protected with a CRC-16 checksum computed over the whole reading [ITU-T Y.9990].",
        "A widget hub that loses its controller should retry after 2 days of silence [ITU-T Y.9990].",
        "In [ITU-T Y.9990] the hub gain is G = 0.299 R + 0.587 S + 0.114 T from the sensor readings.",
        "The widget hub may report a reading every 30 s over a link with a loss of 3 dB [ITU-T Y.9990].",
    ],
)
def test_names_deadlines_formulas_and_keywords_contradict(
    tmp_path: Path, library: RecordStore, wrong: str
) -> None:
    report = _check(tmp_path, library, wrong)
    assert [f.rule for f in report.findings if f.category.value == "consistency"] == [
        "consistency.contradiction"
    ]


def test_right_restatements_and_unjudgeable_ones_raise_nothing(tmp_path: Path, library: RecordStore) -> None:
    report = _check(
        tmp_path,
        library,
        "As in [ITU-T Y.9990], the widget hub shall report a reading every 30 s over a link with a loss "
        "of at most 3 dB.",
        "Readings are protected with a CRC-32 checksum computed over the whole reading [ITU-T Y.9990].",
        # Cites a Recommendation the library does not hold: restated, but cannot be judged.
        "The widget controller shall answer within 5 ms [ITU-T Y.9991].",
    )
    assert not [f for f in report.findings if f.category.value == "consistency"]
    (note,) = [n for n in report.summary.notes if n.startswith("consistency:")]
    assert "3 restated statements compared" in note and "1 could not be judged" in note


def test_a_restatement_tied_to_no_citation_is_counted_but_not_judged(
    tmp_path: Path, library: RecordStore
) -> None:
    report = _check(
        tmp_path,
        library,
        "A widget hub that loses its controller should retry after at least 2 days of silence.",
    )
    assert not [f for f in report.findings if f.category.value == "consistency"]
    (note,) = [n for n in report.summary.notes if n.startswith("consistency:")]
    assert "1 restated statements compared" in note and "1 could not be judged" in note


def test_a_published_recommendation_is_not_compared_with_itself(library: RecordStore, tmp_path: Path) -> None:
    path = tmp_path / "T-REC-Y.9990-202501-I.md"
    path.write_text(LIBRARY_REC.replace("every 30 s", "every 60 s"), encoding="utf-8")
    draft = load_draft(path)
    report = check_draft(draft, CheckContext.for_file(path, draft, store=library))
    assert not [f for f in report.findings if f.rule == "consistency.contradiction"]


LOOSE = (
    "A widget controller of [ITU-T Y.9990] computes the hub gain from sensor readings as G = {} on arrival."
)
WRONG_GAIN = "0.299 R + 0.587 S + 0.114 T"
"""Shares too few words with Y.9990's gain sentence for the words alone to tie them."""


class _NamesTheGainSentence:
    """What the model is asked to do, done by rule: name the candidate about the hub gain; None when
    ``declines``. Records what it was shown."""

    def __init__(self, declines: bool = False) -> None:
        self.declines = declines
        self.shown: list[list[str]] = []

    def choose(self, sentence: str, candidates: list[str]) -> int | None:
        self.shown.append(candidates)
        found = [i for i, text in enumerate(candidates) if "hub gain" in text]
        return None if self.declines or not found else found[0]


def _judged(tmp_path: Path, store: RecordStore, sentence: str, chooser: _NamesTheGainSentence) -> Judgement:
    path = tmp_path / "T-REC-Z.9998-202601-D.md"
    path.write_text(f"# 6 Requirements\n\n{sentence}\n", encoding="utf-8")
    draft = load_draft(path)
    judge = EvidenceJudge(CheckContext.for_file(path, draft, store=store), chooser=chooser)
    return judge.judge(normative_text(draft))


def test_a_chosen_source_sentence_is_compared_on_its_values_by_the_code(
    tmp_path: Path, library: RecordStore
) -> None:
    wrong = LOOSE.format(WRONG_GAIN)
    assert "1 could not be judged" in _check(tmp_path, library, wrong).summary.notes[-1]  # no chooser

    chooser = _NamesTheGainSentence()
    judged = _judged(tmp_path, library, wrong, chooser)
    assert len(chooser.shown) == 1 and "0.2126" in chooser.shown[0][0]
    (contradiction,) = judged.contradictions
    assert '"0.299, 0.587, 0.114" (formula)' in contradiction.explanation
    assert contradiction.suggestion and "0.2126 R + 0.7152 S + 0.0722 T" in contradiction.suggestion
    assert judged.chosen == 1 and "1 with the source sentence a model chose" in judged.note

    right = _judged(tmp_path, library, LOOSE.format("0.2126 R + 0.7152 S + 0.0722 T"), chooser)
    assert right.contradictions == [] and right.compared == 1  # the model chose; the values agree


def test_no_choice_leaves_the_sentence_unjudged(tmp_path: Path, library: RecordStore) -> None:
    judged = _judged(tmp_path, library, LOOSE.format(WRONG_GAIN), _NamesTheGainSentence(declines=True))
    assert judged.contradictions == [] and judged.compared == 0 and judged.chosen == 0


@pytest.mark.model
def test_a_packaged_model_answers_with_a_candidate_or_none(tiny_model: OpenAIChat) -> None:
    chooser = ModelChooser(tiny_model)
    candidates = ["The hub gain is computed as G = 0.2126 R + 0.7152 S from the readings.",
                  "Readings are protected with a CRC-32 checksum."]  # fmt: skip
    pick = chooser.choose(LOOSE.format("0.299 R + 0.587 S"), candidates)
    assert pick is None or pick in (0, 1)  # a 135M model's choice is not graded, only its plumbing
    assert chooser.choose(LOOSE.format("0.299 R + 0.587 S"), candidates) == pick  # asked once


def test_a_value_inside_a_stated_range_is_no_contradiction_but_another_range_is(
    tmp_path: Path, library: RecordStore
) -> None:
    said = "As in [ITU-T Y.9990], the widget hub radio operates at carrier frequencies {}."
    inside = _check(tmp_path, library, said.format("above about 700 MHz"))
    assert not [f for f in inside.findings if f.category.value == "consistency"]
    other = _check(tmp_path, library, said.format("from 100 MHz to 60 GHz"))
    (finding,) = [f for f in other.findings if f.category.value == "consistency"]
    assert '"60 GHz"' in finding.message and "50 GHz" in finding.message

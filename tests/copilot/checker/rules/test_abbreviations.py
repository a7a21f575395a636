"""Seeded defects of this rule family (eval/checking/defects.json) in real Recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.checker.rules.abbreviations import ExpansionDiffers
from eval.checking.inject import Defect
from ingest.models import Abbreviation
from tests.copilot.checker.seeded import CheckFn, assert_defect_found, defects_of


@pytest.mark.parametrize("defect", defects_of("abbreviations"), ids=lambda d: f"{d.id}-{d.rule}")
def test_seeded_defect_is_reported_and_original_is_clean(
    defect: Defect, corpus_dir: Path, tmp_path: Path, check: CheckFn
) -> None:
    assert_defect_found(defect, corpus_dir, tmp_path, check)


@pytest.mark.parametrize(
    ("vocabulary_entry", "plain"),
    [
        ("Wide Area Network [b-ITU-T J.126], [b-ITU-T J.190]", "Wide Area Network"),
        ("Business Support System(s) [b-ITU-T J.363]", "Business Support System"),
        ("Virtualised Network Function", "Virtualized Network Function"),
        ("Uniform Resource Identifier (see [IETF RFC 3986])", "Uniform Resource Identifier"),
    ],
)
def test_expansions_compare_by_their_words(vocabulary_entry: str, plain: str) -> None:
    assert ExpansionDiffers.key(vocabulary_entry) == ExpansionDiffers.key(plain)


def test_different_expansions_stay_different() -> None:
    assert ExpansionDiffers.key("Private Optical Network") != ExpansionDiffers.key("Passive Optical Network")


SPELLED = "The relay node contains an optical demultiplexer (OD) and an optical multiplexer (OMs)."


@pytest.mark.parametrize(
    ("abbreviation", "expansion", "spelled_out"),
    [
        ("OD", "Optical Demultiplexer", True),  # the draft introduces it in this sense
        ("OM", "Optical Multiplexer", True),  # plural use counts too
        ("OD", "Output Device", False),  # the library's other sense is not the draft's
        ("OM", "Optical Demultiplexer", False),  # a wrong entry stays wrong
    ],
)
def test_an_expansion_the_draft_spells_out_in_its_own_text_is_its_sense(
    abbreviation: str, expansion: str, spelled_out: bool
) -> None:
    entry = Abbreviation(abbreviation=abbreviation, expansion=expansion)
    assert ExpansionDiffers.spelled_out(entry, SPELLED) is spelled_out

from ingest.headings import clause_level, match_heading, parent_number


def test_numbered_clause_headings() -> None:
    found = match_heading("3.2.1\tRequirements for storage")
    assert found is not None and (found.number, found.title, found.level) == (
        "3.2.1",
        "Requirements for storage",
        3,
    )
    assert match_heading("7 Functional requirements").number == "7"  # type: ignore[union-attr]


def test_annex_appendix_and_lettered() -> None:
    annex = match_heading("Annex A – Protocol details")
    assert annex is not None and annex.number == "Annex A" and annex.title == "Protocol details"
    appendix = match_heading("Appendix II")
    assert appendix is not None and appendix.number == "Appendix II"
    lettered = match_heading("A.1 General")
    assert lettered is not None and lettered.number == "A.1" and lettered.level == 2


def test_body_text_is_not_a_heading() -> None:
    assert match_heading("3.2.1 edge node: A node located at the network edge that hosts services.") is None
    assert match_heading("the network shall support 5 modes") is None
    assert match_heading("1 Scope ........................ 3") is None
    assert match_heading("2.5 10.3 12.7") is None


def test_kept_sections() -> None:
    assert match_heading("Summary").number == "Summary"  # type: ignore[union-attr]
    assert match_heading("Keywords").number == "Keywords"  # type: ignore[union-attr]


def test_levels_and_parents() -> None:
    assert clause_level("Annex B") == 1 and clause_level("B.2.1") == 3
    assert parent_number("3.2.1") == "3.2"
    assert parent_number("3") is None
    assert parent_number("A.1") == "Annex A"
    assert parent_number("II.3", {"II"}) == "Appendix II"
    assert parent_number("B.2.1") == "B.2"


def test_itu_r_annex_local_numbers() -> None:
    assert clause_level("Annex 1 § 4.2") == 3
    assert parent_number("Annex 1 § 4.2") == "Annex 1 § 4"
    assert parent_number("Annex 1 § 4") == "Annex 1"
    assert parent_number("Attachment 2 to Annex 1 § 1") == "Attachment 2 to Annex 1"


def test_itu_r_preamble_parts_are_headings() -> None:
    assert match_heading("considering").number == "considering"  # type: ignore[union-attr]
    assert match_heading("recommends,").number == "recommends"  # type: ignore[union-attr]
    assert match_heading("considering that the band is shared") is None

from ingest.models import Block, BlockKind
from ingest.structure import ClauseTreeBuilder


def heading(number: str | None, text: str, page: int | None = None) -> Block:
    return Block(kind=BlockKind.HEADING, number=number, text=text, page=page)


def para(text: str, page: int | None = None) -> Block:
    return Block(kind=BlockKind.PARAGRAPH, text=text, page=page)


def test_front_matter_dropped_and_summary_kept() -> None:
    blocks = [
        para("Draft Recommendation X.0 – An example"),
        heading(None, "Summary"),
        para("This text summarises the example."),
        heading(None, "Foreword"),
        para("The foreword text that is not content."),
        heading(None, "Table of Contents"),
        para("1 Scope 1"),
        heading("1", "Scope", page=3),
        para("This Recommendation specifies an example.", page=3),
        heading("3.2", "Terms defined here", page=4),
        para("3.2.1 widget: A thing.", page=5),
        heading("Annex A", "Details", page=9),
        heading("A.1", "General", page=9),
        para("Annex text.", page=10),
        heading("Appendix I", "Examples"),
        heading("I.1", "First"),
        para("Example text."),
    ]
    tree = ClauseTreeBuilder().build(blocks)
    numbers = [c.number for c in tree.clauses]
    assert numbers == ["Summary", "1", "3.2", "Annex A", "A.1", "Appendix I", "I.1"]
    assert tree.preamble == ["Draft Recommendation X.0 – An example"]
    assert all("foreword" not in p for c in tree.clauses for p in c.paragraphs)
    by = {c.number: c for c in tree.clauses}
    assert by["3.2"].page_start == 4 and by["3.2"].page_end == 5
    assert by["A.1"].parent == "Annex A" and by["I.1"].parent == "Appendix I"
    assert tree.find("A") == [by["Annex A"]]
    assert [c.number for c in tree.subtree(by["Annex A"])] == ["Annex A", "A.1"]


def test_odd_numbering_is_kept_not_fatal() -> None:
    blocks = [
        heading("7", "First seven"),
        para("a"),
        heading("7", "Second seven"),
        para("b"),
        heading("8", "After"),
    ]
    tree = ClauseTreeBuilder().build(blocks)
    assert [c.heading for c in tree.clauses] == ["First seven", "Second seven", "After"]
    assert len(tree.find("7")) == 2


def test_unstructured_text_becomes_one_clause_with_its_pages() -> None:
    blocks = [para("Corrigendum 1 to a Recommendation", page=1), para("Replace the second sentence.", page=2)]
    tree = ClauseTreeBuilder().build(blocks)
    assert [c.number for c in tree.clauses] == ["Text"]
    assert tree.clauses[0].paragraphs == ["Corrigendum 1 to a Recommendation", "Replace the second sentence."]
    assert (tree.clauses[0].page_start, tree.clauses[0].page_end) == (1, 2)


def test_plain_paragraph_section_titles_repeats_and_back_cover() -> None:
    blocks = [
        heading(None, "INTELLECTUAL PROPERTY RIGHTS"),
        para("Notice text."),
        para("Summary"),
        para("This draft specifies a protocol."),
        heading(None, "Contents"),
        para("Summary"),
        para("This draft specifies a protocol."),
        heading("1", "Scope"),
        para("Scope text."),
        para("Bibliography"),
        para("[b-X] A reference."),
        para("SERIES OF ITU-T RECOMMENDATIONS"),
        para("Series A Organization of the work of ITU-T"),
    ]
    tree = ClauseTreeBuilder().build(blocks)
    assert [c.number for c in tree.clauses] == ["Summary", "1", "Bibliography"]
    assert tree.clauses[0].paragraphs == ["This draft specifies a protocol."]
    assert tree.clauses[-1].paragraphs == ["[b-X] A reference."]


def test_right_to_left_clause_numbers_are_read_in_reading_order() -> None:
    """ITU's Arabic texts store sub-clause 3.2 as "2.3" and numbered paragraph 3.2.1 as "1.2.3"; the
    tree numbers them as the reader and the other language versions do."""
    blocks = [
        heading("3", "التعاريف"),
        heading("1.3", "مصطلحات معرفة في وثائق أخرى"),
        heading("2.3", "مصطلحات معرفة في هذه التوصية"),
        para("1.2.3\tخطة استمرارية الأعمال (BCP): خطة"),
        heading("7", "المتطلبات"),
        heading("1.7", "الاعتمادية"),
        heading("1.1.7", "إطناب البيانات"),
        heading("7.7", "اللغة"),
    ]
    tree = ClauseTreeBuilder().build(blocks)
    assert [c.number for c in tree.clauses] == ["3", "3.1", "3.2", "7", "7.1", "7.1.1", "7.7"]
    assert {c.number: c for c in tree.clauses}["3.2"].paragraphs == [
        "3.2.1\tخطة استمرارية الأعمال (BCP): خطة"
    ]


def test_left_to_right_numbers_stay_as_printed() -> None:
    blocks = [
        heading("3", "Definitions"),
        heading("3.1", "Elsewhere"),
        heading("3.2", "Here"),
        para("3.2.1 x: y"),
    ]
    tree = ClauseTreeBuilder().build(blocks)
    assert [c.number for c in tree.clauses] == ["3", "3.1", "3.2"]
    assert tree.clauses[2].paragraphs == ["3.2.1 x: y"]

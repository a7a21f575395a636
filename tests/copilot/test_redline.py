"""The revision writer: tracked insertions and deletions that Word's Accept/Reject All turn into the
new and the old text, with the runs' formatting kept."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.oxml.ns import qn

from copilot.redline import RevisionWriter, accept_all, body_paragraphs, reject_all, visible_text

DATE = datetime(2024, 5, 1, tzinfo=UTC)


def _document() -> docx.document.Document:
    document = docx.Document()
    document.add_paragraph("1\tScope", style="Heading 1")
    p = document.add_paragraph("This Recommendation specifies ")
    p.add_run("the transmission").bold = True
    p.add_run(" of radio signals over IP with a delay of 10 ms.")
    document.add_paragraph("2\tReferences", style="Heading 1")
    document.add_paragraph("[ITU-T J.210]\tRecommendation ITU-T J.210 (2006), Downstream RF interface.")
    return document


def _texts(root: object) -> list[str]:
    return [visible_text(p) for p in root.iter(qn("w:p"))]  # type: ignore[attr-defined]


def _resolved(document: docx.document.Document, accept: bool) -> list[str]:
    body = copy.deepcopy(document.element.body)
    (accept_all if accept else reject_all)(body)
    assert not body.xpath(".//w:ins | .//w:del")
    return _texts(body)


def test_edit_marks_only_the_words_that_differ_and_keeps_formatting() -> None:
    document = _document()
    writer = RevisionWriter(document, author="Editor", date=DATE)
    paragraph = body_paragraphs(document)[1]
    before = visible_text(paragraph._p)
    after = before.replace("the transmission", "the carriage").replace("10 ms", "5 ms")
    assert writer.edit(paragraph, after)

    inserted = "".join(t.text for t in paragraph._p.xpath(".//w:ins//w:t"))
    deleted = "".join(t.text for t in paragraph._p.xpath(".//w:del//w:delText"))
    assert inserted == "carriage5"
    assert deleted == "transmission10"
    marks = paragraph._p.xpath(".//w:ins | .//w:del")
    assert {m.get(qn("w:author")) for m in marks} == {"Editor"}
    assert {m.get(qn("w:date")) for m in marks} == {"2024-05-01T00:00:00Z"}
    assert len({m.get(qn("w:id")) for m in marks}) == len(marks)
    # The inserted word sits in the bold run it replaced: it keeps the bold.
    carriage = paragraph._p.xpath(".//w:ins/w:r[w:t='carriage']")[0]
    assert carriage.find(qn("w:rPr")).find(qn("w:b")) is not None
    assert _resolved(document, accept=True)[1] == after
    assert _resolved(document, accept=False)[1] == before


def test_show_old_is_the_same_revision_seen_from_the_new_text() -> None:
    document = _document()
    paragraph = body_paragraphs(document)[3]
    new = visible_text(paragraph._p)
    old = new.replace("(2006)", "(2001)").replace("Downstream ", "")
    assert RevisionWriter(document, date=DATE).show_old(paragraph, old)
    assert _resolved(document, accept=True)[3] == new
    assert _resolved(document, accept=False)[3] == old
    assert not RevisionWriter(document).show_old(body_paragraphs(document)[0], "1\tScope")


def test_whole_paragraphs_inserted_and_deleted() -> None:
    document = _document()
    original = _texts(document.element.body)
    writer = RevisionWriter(document, date=DATE)
    paragraphs = body_paragraphs(document)
    writer.mark_inserted(paragraphs[3])
    writer.insert_paragraph(paragraphs[2], "1.1\tGone clause text.", style="Heading2", deleted=True)
    writer.insert_paragraph(paragraphs[3], "A new closing line.", before=False)

    accepted = _resolved(document, accept=True)
    rejected = _resolved(document, accept=False)
    assert accepted == [*original, "A new closing line."]
    assert rejected == [*original[:2], "1.1\tGone clause text.", original[2]]


def test_comment_next_to_a_revision_and_the_file_reopens(tmp_path: Path) -> None:
    document = _document()
    writer = RevisionWriter(document, date=DATE)
    paragraph = body_paragraphs(document)[1]
    writer.edit(paragraph, visible_text(paragraph._p).replace("10 ms", "5 ms"))
    writer.comment(paragraph, "Delay aligned with clause 8.")
    path = tmp_path / "revised.docx"
    document.save(str(path))

    reopened = docx.Document(str(path))
    comments = list(reopened.comments)
    assert [c.text for c in comments] == ["Delay aligned with clause 8."]
    assert comments[0].author == "Rapporteur"
    assert reopened.element.body.xpath(".//w:commentRangeStart")
    assert reopened.element.body.xpath(".//w:del//w:delText")


def test_new_ids_continue_after_existing_revisions() -> None:
    document = _document()
    RevisionWriter(document, date=DATE).mark_inserted(body_paragraphs(document)[0])
    first = {m.get(qn("w:id")) for m in document.element.body.xpath(".//w:ins")}
    RevisionWriter(document, date=DATE).mark_inserted(body_paragraphs(document)[2])
    every = [m.get(qn("w:id")) for m in document.element.body.xpath(".//w:ins")]
    assert first < set(every) and len(set(every)) == len(every)

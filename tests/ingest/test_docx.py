"""DocxParser on real ITU Word files (read from the corpus, never copied) and on small synthetic ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.models import Block, BlockKind, ParsedDocument
from ingest.parsers import parse_file
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.docx import DocxParser, split_heading
from ingest.structure import ClauseTreeBuilder

PARSER = DocxParser()


def parse(path: Path, limits: Limits | None = None) -> ParsedDocument:
    return PARSER.parse(path, path.read_bytes(), limits or Limits())


def corpus_file(corpus_dir: Path, name: str) -> Path:
    path = corpus_dir / name
    if not path.is_file():
        pytest.skip(f"{name} not in the corpus")
    return path


def headings(doc: ParsedDocument) -> list[tuple[str | None, str]]:
    return [(b.number, b.text) for b in doc.blocks if b.kind is BlockKind.HEADING]


def numbered(doc: ParsedDocument) -> list[str]:
    return [b.number for b in doc.blocks if b.kind is BlockKind.HEADING and b.number]


def block_after(doc: ParsedDocument, number: str) -> list[Block]:
    """The blocks between heading ``number`` and the next numbered heading."""
    out: list[Block] = []
    inside = False
    for block in doc.blocks:
        if block.kind is BlockKind.HEADING and block.number:
            if inside:
                break
            inside = block.number == number
            continue
        if inside:
            out.append(block)
    return out


Y3507 = "itu-t/Y.3507-201812.docx"
X6097 = "itu-t/T-REC-X.609.7-201812-P!!MSW-E.docx"
T832 = "itu-t/T-REC-T.832-201608-I!!MSW-E.docx"
J383 = "itu-t/T-REC-J.383-201901-P!!MSW-E.docx"


@pytest.fixture(scope="module")
def y3507(corpus_dir: Path) -> ParsedDocument:
    return parse(corpus_file(corpus_dir, Y3507))


# --- real documents -----------------------------------------------------------------------------


def test_sniff_accepts_real_docx_and_rejects_others(corpus_dir: Path) -> None:
    head = corpus_file(corpus_dir, Y3507).read_bytes()[:8192]
    assert PARSER.sniff(head)
    assert not PARSER.sniff(b"%PDF-1.7\n" + head[9:])
    assert not PARSER.sniff(b"PK\x03\x04" + b"\0" * 26 + b"notes.txt")  # a plain zip
    assert not PARSER.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)  # legacy .doc


def test_y3507_clause_headings_in_order(y3507: ParsedDocument) -> None:
    nums = numbered(y3507)
    assert nums[:6] == ["1", "2", "3", "3.1", "3.2", "4"]
    assert nums.index("5") < nums.index("6") < nums.index("7") < nums.index("8")
    assert nums.index("8") < nums.index("Appendix I") < nums.index("I.1") < nums.index("Appendix II")
    found = dict(headings(y3507))
    assert found["1"] == "Scope"
    assert found["3.2"] == "Terms defined in this Recommendation"
    assert found["Appendix I"] == "Comparison between functional requirements and other specifications"
    assert found["Appendix II"] == "Use cases of the physical machine for cloud computing"
    levels = {b.number: b.level for b in y3507.blocks if b.kind is BlockKind.HEADING and b.number}
    assert levels["3.2"] == 2 and levels["7.1.1.1"] == 4 and levels["Appendix I"] == 1
    titles = [t for n, t in headings(y3507) if n is None]
    for kept in ("Summary", "Keywords", "Bibliography"):
        assert kept in titles
    assert "Table of Contents" in titles  # front matter stays a heading so the tree builder skips it


def test_y3507_definitions_tabs_and_no_toc_lines(y3507: ParsedDocument) -> None:
    defs = [b.text for b in block_after(y3507, "3.2")]
    assert any(t.startswith("3.2.1\tphysical machine:") for t in defs)
    abbrevs = [b.text for b in block_after(y3507, "4")]
    assert any(t.startswith("AC\t\tAlternating Current") for t in abbrevs)
    texts = [b.text for b in y3507.blocks]
    # The TOC repeats each heading with its page number ("1<TAB>Scope<TAB><TAB>1"): none kept.
    assert not any(t.startswith("1\tScope") for t in texts)
    assert sum(1 for n in numbered(y3507) if n == "1") == 1
    assert not any(b.style and b.style.startswith("toc") for b in y3507.blocks)


def test_y3507_tables_are_rows_of_cells(y3507: ParsedDocument) -> None:
    tables = [b.text for b in y3507.blocks if b.kind is BlockKind.TABLE]
    history = next(t for t in tables if "Edition | Recommendation | Approval" in t)
    rows = history.splitlines()
    assert any(row.startswith("1.0 | ITU-T Y.3507 | 2018-12-14") for row in rows)


def test_y3507_meta_and_pages(y3507: ParsedDocument) -> None:
    assert y3507.meta.language == "en"
    assert y3507.meta.title == "Cloud computing – Functional requirements of physical machine"
    assert y3507.meta.pages and y3507.meta.pages > 5
    pages = [b.page or 0 for b in y3507.blocks]
    assert all(p >= 1 for p in pages)
    assert pages == sorted(pages)  # Word's last rendering only moves forward
    first = next(b for b in y3507.blocks if b.number == "1")
    last = next(b for b in y3507.blocks if b.number == "Appendix II")
    assert 1 < first.page < last.page  # type: ignore[operator]


def test_y3507_clause_tree(y3507: ParsedDocument) -> None:
    tree = ClauseTreeBuilder().build(y3507.blocks)
    by_number = {c.number: c for c in tree.clauses}
    assert [c.number for c in tree.clauses][:2] == ["Summary", "Keywords"]
    assert by_number["3.2"].parent == "3"
    assert by_number["7.1.1.1"].parent == "7.1.1"
    assert by_number["I.1"].parent == "Appendix I"
    assert by_number["I.1.1"].parent == "I.1"
    assert by_number["Appendix II"].parent is None
    assert "Bibliography" in by_number
    assert any("physical machine" in p for p in by_number["3.2"].paragraphs)
    assert any(p.startswith("3.2.1\tphysical machine") for p in by_number["3.2"].paragraphs)
    # Front matter (Foreword, IPR, TOC) is skipped, not glued onto Keywords.
    assert not any(
        "FOREWORD" in p or "World Telecommunication" in p for p in by_number["Keywords"].paragraphs
    )
    assert any("Recommendation ITU-T Y.3507" in p for p in tree.preamble)


def test_x6097_auto_numbered_headings(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, X6097))
    found = headings(doc)
    for expected in [
        ("1", "Scope"),
        ("3.1", "Terms defined elsewhere"),
        ("4", "Abbreviations and acronyms"),
        ("6", "Overview"),
        ("7.1", "Buffer and buffermap"),
        ("7.2.1", "HELLO"),
        ("Annex A", "Consideration on Web-based content distribution"),
        ("A.2", "Recommendation ITU-T X.609.7 over WebRTC"),
    ]:
        assert expected in found
    # Clause 7 is typed once and auto-numbered once as hidden text: one heading, not two.
    assert found.count(("7", "Messages and behaviours")) == 1


def test_t832_auto_numbered_headings_and_definitions(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, T832))
    found = headings(doc)
    for expected in [
        ("3", "Definitions"),
        ("5.2.1", "Arithmetic operators"),
        ("8", "Syntax, semantics, and parsing process"),
        ("Annex A", "Tag-based file format"),
        ("A.2.1", "Identical Recommendations | International Standards"),
    ]:
        assert expected in found
    defs = [b.text for b in block_after(doc, "3")]
    assert any(t.startswith("3.1\tadaptive coefficient normalization:") for t in defs)


def test_j383_numbering_across_list_instances(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, J383))
    found = headings(doc)
    for expected in [
        ("3.1", "Terms defined elsewhere"),
        ("4", "Abbreviations and acronyms"),
        ("7", "Conversion schemes"),
        ("7.1.2", "Generation of MPEG-2 TS transmission control signals"),
        ("Annex I", "Example of conversion scheme"),
    ]:
        assert expected in found
    assert ("3", "Abbreviations and acronyms") not in found


def test_o173_symbol_font_plus_minus(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, "itu-t/T-REC-O.173-201202-I!!MSW-E.docx"))
    text = "\n".join(b.text for b in block_after(doc, "7.2.1"))
    assert "±4.6 ppm" in text


def test_k20_tables_keep_ohm(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, "itu-t/T-REC-K.20-201810-I!!MSW-E.docx"))
    tables = [b.text for b in doc.blocks if b.kind is BlockKind.TABLE]
    ohm = [t for t in tables if "Ω" in t]
    assert ohm
    assert any("R = 25 Ω" in row and " | " in row for t in ohm for row in t.splitlines())


def test_e840_odd_heading_does_not_stop_parsing(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, "itu-t/T-REC-E.840-201806-I!!MSW-E.docx"))
    nums = numbered(doc)
    assert ("8", "Benchmarked services") in headings(doc)  # printed ".8"
    assert nums.index("7") < nums.index("8") < nums.index("9") < nums.index("9.4")
    assert "Annex B" in nums and "Appendix I" in nums


def test_p917_duplicate_clause_seven_kept(corpus_dir: Path) -> None:
    doc = parse(corpus_file(corpus_dir, "itu-t/T-REC-P.917-201901-P!!MSW-E.docx"))
    nums = numbered(doc)
    assert nums.count("7") == 2
    assert "7.l" in nums  # printed with a letter l
    assert "7.7.3" in nums and "Appendix III" in nums
    tree = ClauseTreeBuilder().build(doc.blocks)
    assert tree.find("7.7.3") and tree.find("Appendix III")


@pytest.mark.parametrize(
    ("suffix", "language"), [("A", "ar"), ("F", "fr"), ("R", "ru"), ("S", "es"), ("E", "en")]
)
def test_e119_language(corpus_dir: Path, suffix: str, language: str) -> None:
    doc = parse(corpus_file(corpus_dir, f"itu-t/T-REC-E.119-201704-I!!MSW-{suffix}.docx"))
    assert doc.meta.language == language
    assert len(numbered(doc)) >= 10


def test_every_corpus_docx_parses(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.rglob("*.docx"))
    assert len(files) >= 40
    for path in files:
        doc = parse(path)
        assert doc.blocks, path.name
        assert all(b.text.strip() for b in doc.blocks), path.name


def test_truncated_docx_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    data = corpus_file(corpus_dir, Y3507).read_bytes()
    cut = tmp_path / "truncated.docx"
    cut.write_bytes(data[: len(data) // 2])
    assert PARSER.sniff(cut.read_bytes()[:8192])
    with pytest.raises(ParseError, match="corrupt or truncated"):
        parse(cut)


# --- synthetic documents ------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)

STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<w:styles {W}>
 <w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="en-US"/></w:rPr></w:rPrDefault></w:docDefaults>
 <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
 <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Heading1"/>
  <w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="AnnexNoTitle"><w:name w:val="Annex_NoTitle"/></w:style>
 <w:style w:type="paragraph" w:styleId="Appendixtitle"><w:name w:val="Appendix_title"/></w:style>
 <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
 <w:style w:type="paragraph" w:styleId="Headingb"><w:name w:val="Heading_b"/></w:style>
</w:styles>"""

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8"?>
<w:numbering {W}>
 <w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2.%3"/></w:lvl>
 </w:abstractNum>
 <w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/></w:lvl>
 </w:abstractNum>
 <w:abstractNum w:abstractNumId="2">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="&#8211;"/></w:lvl>
 </w:abstractNum>
 <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
 <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
 <w:num w:numId="3"><w:abstractNumId w:val="1"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
 <w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"""


def para(text: str, style: str | None = None, extra_ppr: str = "", runs: str | None = None) -> str:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    body = runs if runs is not None else f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'
    return f"<w:p><w:pPr>{ppr}{extra_ppr}</w:pPr>{body}</w:p>"


def numpr(num_id: int, ilvl: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def cell(*paragraphs: str) -> str:
    return "<w:tc>" + "".join(paragraphs) + "</w:tc>"


def make_docx(tmp_path: Path, body: str, name: str = "synthetic.docx", numbering: bool = True) -> Path:
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", document)
        zf.writestr("word/styles.xml", STYLES)
        if numbering:
            zf.writestr("word/numbering.xml", NUMBERING)
        zf.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Microsoft Word - '
            "draft.docx</dc:title></cp:coreProperties>",
        )
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


TOC_BODY = (
    para("Table of Contents")
    + para(
        "",
        "TOC1",
        runs='<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \\o "1-3" </w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t><w:tab/><w:t>Scope</w:t>'
        "<w:tab/><w:t>1</w:t></w:r>",
    )
    + para("2\tReferences\t1")  # a TOC entry without a TOC style, inside the field result
    + para("", runs='<w:r><w:fldChar w:fldCharType="end"/></w:r>')
)


def test_synthetic_numbering_fields_symbols_and_pages(tmp_path: Path) -> None:
    body = (
        TOC_BODY
        + para("", runs='<w:r><w:br w:type="page"/></w:r>')
        + para("Scope", "Heading1", runs="<w:r><w:lastRenderedPageBreak/><w:t>Scope</w:t></w:r>")
        + para("Body text")
        + para("Definitions", "Heading1")
        + para("Terms", "Heading2")
        + para("term one: a definition.", extra_ppr=numpr(1, 2))
        + para("3.1.9\tlink: [ITU-T G.805]", "Headingb")  # a run-in term, not a clause
        + para("first item", extra_ppr=numpr(2))
        + para("second item", extra_ppr=numpr(2))
        + para("restarted item", extra_ppr=numpr(3))
        + para("a bullet", extra_ppr=numpr(4))
        + para(
            "",
            runs='<w:r><w:t xml:space="preserve">Accuracy </w:t></w:r>'
            '<w:r><w:sym w:font="Symbol" w:char="F0B1"/><w:t>4.6 ppm, 50 </w:t></w:r>'
            '<w:r><w:sym w:font="Symbol" w:char="F057"/></w:r>'
            '<w:r><w:t xml:space="preserve"> non</w:t><w:noBreakHyphen/><w:t>stop co</w:t><w:softHyphen/>'
            "<w:t>operation</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            "<w:r><w:instrText>REF _Ref123 \\h</w:instrText></w:r>"
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t xml:space="preserve"> Table 1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            "<w:r><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN</w:t></w:r>"
            '<w:r><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr><w:t>m</w:t></w:r>'
            "<w:r><w:t>s</w:t></w:r>",
        )
        + para(
            "", runs='<w:r><w:br w:type="page"/></w:r><w:r><w:lastRenderedPageBreak/><w:t>Next</w:t></w:r>'
        )
        + para("Annex A", "AnnexNoTitle", runs="<w:r><w:t>Annex A</w:t><w:br/><w:t>Extra things</w:t></w:r>")
        + para("A.1\tDetails", "Heading2", extra_ppr='<w:numPr><w:numId w:val="0"/></w:numPr>')
        + para("Appendix\u00a0I", "AnnexNoTitle")
        + para("Use cases", "Appendixtitle")  # the title on the following paragraph
        + para("(This appendix does not form an integral part of this Recommendation.)")
    )
    doc = parse(make_docx(tmp_path, body))
    found = headings(doc)
    assert found[0] == (None, "Table of Contents")
    assert ("1", "Scope") in found and ("2", "Definitions") in found and ("2.1", "Terms") in found
    assert ("Annex A", "Extra things") in found and ("A.1", "Details") in found
    assert found[-1] == ("Appendix I", "Use cases")
    assert doc.blocks[-1].text.startswith("(This appendix")
    texts = [b.text for b in doc.blocks]
    assert not any("References" in t for t in texts)  # TOC field result dropped
    assert sum(1 for t in texts if "Scope" in t) == 1
    assert "2.1.1\tterm one: a definition." in texts
    assert "3.1.9\tlink: [ITU-T G.805]" in texts and "3.1.9" not in [n for n, _ in found]
    assert "a)\tfirst item" in texts and "b)\tsecond item" in texts
    assert "a)\trestarted item" in texts  # a start override restarts the list
    assert "a bullet" in texts  # bullets get no label
    sym = next(t for t in texts if t.startswith("Accuracy"))
    assert sym == "Accuracy ±4.6 ppm, 50 Ω non-stop cooperation Table 1μs"
    pages = {b.text: b.page for b in doc.blocks}
    assert pages["Table of Contents"] == 1
    assert pages["Scope"] == 2  # explicit break + Word's rendered break count once
    assert pages["Next"] == 3
    assert doc.meta.title is None  # "Microsoft Word - draft.docx" is not a title
    assert doc.meta.language == "en"


def test_synthetic_tables_in_body_order(tmp_path: Path) -> None:
    nested = "<w:tbl><w:tr>" + cell(para("n1")) + cell(para("n2")) + "</w:tr></w:tbl>"
    table = (
        "<w:tbl>"
        + "<w:tr>"
        + cell(para("Abbrev"))
        + cell(para("Meaning"))
        + "</w:tr>"
        + "<w:tr>"
        + cell(para("AC"))
        + cell(para("Alternating"), para("current"))
        + "</w:tr>"
        + "<w:tr>"
        + cell(para("X"))
        + cell(nested, para("after"))
        + "</w:tr>"
        + "</w:tbl>"
    )
    frame = "<w:tbl><w:tr>" + cell(para("Summary", "Headingb"), para("A summary.")) + "</w:tr></w:tbl>"
    doc = parse(make_docx(tmp_path, frame + para("before") + table + para("after table"), numbering=False))
    kinds = [(b.kind, b.text.splitlines()[0]) for b in doc.blocks]
    assert kinds == [
        (BlockKind.HEADING, "Summary"),  # a one-cell frame is unwrapped
        (BlockKind.PARAGRAPH, "A summary."),
        (BlockKind.PARAGRAPH, "before"),
        (BlockKind.TABLE, "Abbrev | Meaning"),
        (BlockKind.PARAGRAPH, "after table"),
    ]
    rows = doc.blocks[3].text.splitlines()
    assert rows == ["Abbrev | Meaning", "AC | Alternating current", "X | after", "n1 | n2"]


def test_zip_bomb_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = make_docx(tmp_path, para("x" * 2_000_000), numbering=False)
    with pytest.raises(ParseError, match="zip bomb suspected"):
        parse(path, Limits(max_unzipped_bytes=1_000_000))


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path) -> None:
    path = make_docx(tmp_path, para(" " * 30_000_000), numbering=False)
    assert path.stat().st_size < 200_000
    with pytest.raises(ParseError, match="zip bomb suspected"):
        parse(path)


def test_lying_zip_header_is_caught_while_reading(tmp_path: Path) -> None:
    path = make_docx(tmp_path, para("y" * 3_000_000), numbering=False)
    data = bytearray(path.read_bytes())
    # Shrink the declared size of word/document.xml in the central directory to 1000 bytes.
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + 17] != b"word/document.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
        assert entry > 0
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    lying = tmp_path / "lying.docx"
    lying.write_bytes(bytes(data))
    with pytest.raises(ParseError):
        parse(lying, Limits(max_unzipped_bytes=1_000_000))


def test_zip_that_is_not_word(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "book.docx"
    path.write_bytes(buf.getvalue())
    assert PARSER.sniff(path.read_bytes()[:8192])
    with pytest.raises(ParseError, match="Excel"):
        parse(path)


def test_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 500)
    with pytest.raises(ParseError, match="corrupt or truncated"):
        parse(path)


@pytest.mark.parametrize(
    ("text", "number", "title"),
    [
        ("3.2.1\tTitle", "3.2.1", "Title"),
        (".8\tBenchmarked services ", "8", "Benchmarked services"),
        ("7.l\tTest Platform", "7.l", "Test Platform"),
        ("Annex A\nThe title", "Annex A", "The title"),
        ("Appendix\u00a0II – Use cases", "Appendix II", "Use cases"),
        ("Annex\u00a0F3\nSDL-2010 formal definition", "Annex F3", "SDL-2010 formal definition"),
        ("F3.2.1\tSignals", "F3.2.1", "Signals"),
        ("1bis.2\tITU-T resolutions", "1bis.2", "ITU-T resolutions"),
        ("Scope", None, "Scope"),
    ],
)
def test_split_heading(text: str, number: str | None, title: str) -> None:
    got_number, got_title = split_heading(text)
    assert (got_number.lstrip(".") if got_number else None, got_title) == (number, title)


def test_a_damaged_file_named_docx_is_refused_as_such(tmp_path: Path) -> None:
    """A zip signature and then nothing Word: the reason names the promise the file broke."""
    broken = tmp_path / "draft.docx"
    broken.write_bytes(b"PK\x03\x04garbage")
    reason = r"unknown format: named \.docx but the content is not DOCX nor any format read here"
    with pytest.raises(ParseError, match=reason):
        parse_file(broken)

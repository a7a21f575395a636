"""WordXmlParser (Word 2003 XML, root w:wordDocument).

The corpus holds no file of this kind (its .doc files are legacy binary Word or MIME-HTML), so the
documents here are synthetic, written the way Word 2003 saves them; the corpus is used to check that
no real .doc is mistaken for Word 2003 XML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.models import BlockKind, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.wordml import WordXmlParser
from ingest.structure import ClauseTreeBuilder

PARSER = WordXmlParser()

NS = (
    'xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" '
    'xmlns:wx="http://schemas.microsoft.com/office/word/2003/auxHint" '
    'xmlns:aml="http://schemas.microsoft.com/aml/2001/core" '
    'xmlns:o="urn:schemas-microsoft-com:office:office"'
)

LISTS = """<w:lists>
 <w:listDef w:listDefId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:nfc w:val="0"/><w:lvlText w:val="%1"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:nfc w:val="0"/><w:lvlText w:val="%1.%2"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:nfc w:val="0"/><w:lvlText w:val="%1.%2.%3"/></w:lvl>
 </w:listDef>
 <w:listDef w:listDefId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:nfc w:val="3"/><w:lvlText w:val="Annex %1"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:nfc w:val="0"/><w:lvlText w:val="%1.%2"/></w:lvl>
 </w:listDef>
 <w:list w:ilfo="1"><w:ilst w:val="0"/></w:list>
 <w:list w:ilfo="2"><w:ilst w:val="1"/></w:list>
</w:lists>"""

STYLES = """<w:styles>
 <w:style w:type="paragraph" w:default="on" w:styleId="Normal"><w:name w:val="Normal"/>
  <w:rPr><w:lang w:val="EN-US"/></w:rPr></w:style>
 <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:listPr><w:ilfo w:val="1"/></w:listPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Heading1"/>
  <w:pPr><w:listPr><w:ilvl w:val="1"/></w:listPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="AnnexNo"><w:name w:val="Annex_No &amp; title"/>
  <w:pPr><w:listPr><w:ilfo w:val="2"/></w:listPr></w:pPr></w:style>
 <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
</w:styles>"""


def p(text: str = "", style: str | None = None, ppr: str = "", runs: str | None = None) -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    body = runs if runs is not None else f"<w:r><w:t>{text}</w:t></w:r>"
    return f"<w:p><w:pPr>{pstyle}{ppr}</w:pPr>{body}</w:p>"


def wordml(body: str, props: str = "", xml_decl: bool = True) -> bytes:
    decl = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<?mso-application progid="Word.Document"?>\n'
    )
    doc = (
        f"{decl if xml_decl else ''}<w:wordDocument {NS}>{props}{LISTS}{STYLES}"
        f"<w:body><wx:sect><wx:sub-section>{body}</wx:sub-section><w:sectPr/></wx:sect></w:body>"
        "</w:wordDocument>"
    )
    return doc.encode("utf-8")


def parse(tmp_path: Path, data: bytes, name: str = "doc.xml") -> ParsedDocument:
    path = tmp_path / name
    path.write_bytes(data)
    return PARSER.parse(path, data, Limits())


BODY = (
    p("Recommendation ITU-T Z.999")
    + p("Contents")
    + p("1\tScope\t1", "TOC1")
    + p("Scope", "Heading1")
    + p(
        runs="<w:r><w:t>This Recommendation covers tolerances of </w:t></w:r>"
        '<w:r><w:sym w:font="Symbol" w:char="F0B1"/></w:r><w:r><w:t>5 %, at 10 k</w:t></w:r>'
        '<w:r><w:sym w:font="Symbol" w:char="F057"/></w:r>'
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>secret</w:t></w:r>"
        '<aml:annotation w:type="Word.Deletion"><aml:content><w:r><w:delText>gone</w:delText></w:r>'
        "</aml:content></aml:annotation>"
        '<aml:annotation w:type="Word.Insertion"><aml:content><w:r><w:t>, added</w:t></w:r>'
        "</aml:content></aml:annotation>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF x </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>.</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    + p("Definitions", "Heading1")
    + p("Terms defined here", "Heading2", ppr='<w:listPr><wx:t wx:val="3.1"/></w:listPr>')
    + p(
        "widget: A thing.",
        ppr='<w:listPr><w:ilvl w:val="2"/><w:ilfo w:val="1"/><wx:t wx:val="3.1.1"/></w:listPr>',
    )
    + p("gadget: Another thing.", ppr='<w:listPr><w:ilvl w:val="2"/><w:ilfo w:val="1"/></w:listPr>')
    + p(runs='<w:r><w:br w:type="page"/></w:r>')
    + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>AC</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Alternating "
    "current</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>DC</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>Direct current</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    + p("Widgets in use", "AnnexNo", runs="<w:r><w:t>Widgets in use</w:t></w:r>")
    + p("General", "Heading2", ppr='<w:listPr><w:ilvl w:val="1"/><w:ilfo w:val="2"/></w:listPr>')
    + p("Bibliography", "AnnexNo", ppr='<w:listPr><w:ilfo w:val="0"/></w:listPr>')
)

PROPS = "<o:DocumentProperties><o:Title>Widgets</o:Title><o:Pages>4</o:Pages></o:DocumentProperties>"


def test_sniff() -> None:
    data = wordml(BODY)
    assert PARSER.sniff(data[:8192])
    assert PARSER.sniff(wordml(BODY, xml_decl=False)[:8192])
    utf16 = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert PARSER.sniff(utf16[:8192])
    assert not PARSER.sniff(b"<html><body>wordDocument</body></html>")
    assert not PARSER.sniff(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/">')
    assert not PARSER.sniff(b"PK\x03\x04word/document.xml")


def test_headings_lists_and_text(tmp_path: Path) -> None:
    doc = parse(tmp_path, wordml(BODY, PROPS))
    heads = [(b.number, b.text, b.level) for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert heads == [
        (None, "Contents", None),
        ("1", "Scope", 1),
        ("2", "Definitions", 1),
        ("3.1", "Terms defined here", 2),  # Word's own label (wx:t) wins
        ("Annex A", "Widgets in use", 1),
        ("A.1", "General", 2),
        (None, "Bibliography", 1),
    ]
    texts = [b.text for b in doc.blocks]
    assert "1\tScope\t1" not in texts  # TOC entry dropped
    assert "This Recommendation covers tolerances of ±5 %, at 10 kΩ, added." in texts
    assert "3.1.1\twidget: A thing." in texts
    assert "2.1.2\tgadget: Another thing." in texts  # computed: no wx:t on this one
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert table.text == "AC | Alternating current\nDC | Direct current"
    assert table.page == 2
    assert doc.meta.pages == 4
    assert doc.meta.title == "Widgets"
    assert doc.meta.language == "en"
    assert doc.meta.format == "wordml"


def test_clause_tree_from_wordml(tmp_path: Path) -> None:
    doc = parse(tmp_path, wordml(BODY, PROPS))
    tree = ClauseTreeBuilder().build(doc.blocks)
    numbers = [(c.number, c.parent) for c in tree.clauses]
    assert ("A.1", "Annex A") in numbers and ("Bibliography", None) in numbers
    assert tree.preamble == ["Recommendation ITU-T Z.999"]


def test_french_text_detected(tmp_path: Path) -> None:
    body = p("Domaine d'application", "Heading1") + p(
        "La présente Recommandation définit les exigences et les méthodes pour le service des "
        "messages; elle est applicable aux réseaux et aux services de secours dans les cas de catastrophe."
    )
    assert parse(tmp_path, wordml(body)).meta.language == "fr"


def test_truncated_and_wrong_root(tmp_path: Path) -> None:
    data = wordml(BODY)
    with pytest.raises(ParseError, match="corrupt or truncated Word 2003 XML"):
        parse(tmp_path, data[: len(data) // 2])
    with pytest.raises(ParseError, match="not a Word 2003 XML"):
        parse(tmp_path, b'<?xml version="1.0"?><root xmlns="urn:x">wordDocument</root>')


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE w:wordDocument [<!ENTITY x SYSTEM "file:///etc/passwd">'
        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + wordml(p(runs="<w:r><w:t>&x;&b;</w:t></w:r>"), xml_decl=False)
    )
    doc = parse(tmp_path, evil)
    assert not any("root:" in b.text for b in doc.blocks)
    assert not any("aaaaaaaaaa" in b.text for b in doc.blocks)


def test_no_corpus_doc_is_taken_for_word_2003_xml(corpus_dir: Path) -> None:
    docs = [f for f in corpus_dir.rglob("*") if f.suffix.lower() in (".doc", ".xml", ".docx", ".pdf")]
    assert docs
    for path in docs:
        with path.open("rb") as fh:
            assert not PARSER.sniff(fh.read(8192)), path.name

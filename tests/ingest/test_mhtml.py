"""MIME-HTML parser on the real SG17 meeting documents (named .doc) and a small quoted-printable file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parsers.base import Limits, ParseError
from ingest.parsers.html import HtmlParser
from ingest.parsers.legacy_doc import LegacyDocParser
from ingest.parsers.mhtml import MimeHtmlParser
from ingest.structure import ClauseTreeBuilder

QP = b"""MIME-Version: 1.0\r
Content-Type: multipart/related; boundary="XYZ"\r
\r
--XYZ\r
Content-Location: file:///C:/doc.htm\r
Content-Transfer-Encoding: quoted-printable\r
Content-Type: text/html; charset="windows-1252"\r
\r
<html><body><h1>1 Scope</h1><p>Caf=E9 =96 a very long line that is soft-=\r
wrapped here.</p></body></html>\r
--XYZ--\r
"""


def parse(path: Path, data: bytes | None = None):
    data = path.read_bytes() if data is None else data
    return MimeHtmlParser().parse(path, data, Limits())


def test_sniff_only_mime_html(corpus_dir: Path) -> None:
    for path in sorted((corpus_dir / "contributions").glob("*.doc")):
        head = path.read_bytes()[:8192]
        assert MimeHtmlParser().sniff(head), path.name
        assert not LegacyDocParser().sniff(head), path.name
    assert not MimeHtmlParser().sniff(b"<!DOCTYPE html><html>")
    assert not MimeHtmlParser().sniff(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100)


def test_report_clauses_from_h1_h2(corpus_dir: Path) -> None:
    doc = parse(corpus_dir / "contributions" / "1-TD2 Report.doc")
    tree = ClauseTreeBuilder().build(doc.blocks)
    numbers = [c.number for c in tree.clauses]
    assert numbers[:5] == ["1", "2", "3", "4", "4.1"]
    assert "14" in numbers and "Annex A" in numbers
    (q11,) = tree.find("6.2")
    assert q11.heading == "Question 11/17"
    (doc_clause,) = tree.find("4.1")
    assert doc_clause.parent == "4"
    # Table-of-contents lines are dropped, and the Foreword is front matter, not a clause.
    assert numbers.count("1") == 1
    assert all("Foreword" not in c.heading for c in tree.clauses)


def test_utf16_part_with_word_heading_classes(corpus_dir: Path) -> None:
    """WPReport's HTML part is base64 UTF-16 ('charset=unicode') with <p class=Heading1> headings."""
    doc = parse(corpus_dir / "contributions" / "WPReport_Geneva_20250408.doc")
    tree = ClauseTreeBuilder().build(doc.blocks)
    (meeting,) = tree.find("13.2")
    assert meeting.heading == "WP1/17 meeting during the next SG17 meeting"
    assert len([c for c in tree.clauses if c.number[0].isdigit()]) >= 30


def test_quoted_printable_and_charset(tmp_path: Path) -> None:
    assert MimeHtmlParser().sniff(QP[:8192])
    assert not HtmlParser().sniff(QP[:8192])
    doc = parse(tmp_path / "x.mht", QP)
    assert doc.blocks[0].number == "1"
    assert doc.blocks[1].text == "Café – a very long line that is soft-wrapped here."


def test_without_html_part(tmp_path: Path) -> None:
    data = QP.replace(b"text/html", b"text/plain")
    with pytest.raises(ParseError, match="without a text/html part"):
        parse(tmp_path / "x.mht", data)

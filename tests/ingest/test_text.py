"""Plain-text parser: headings per line, paragraphs on blank lines, honest errors for non-text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.models import BlockKind
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.text import PlainTextParser
from ingest.structure import ClauseTreeBuilder

SAMPLE = """Draft Recommendation ITU-T X.999 - An example

Summary
This Recommendation describes an example.

CONTENTS
1\tScope\t\t1
2\tReferences\t\t2

1 Scope
This Recommendation specifies
an example protocol.

3 Definitions
3.1\twidget: A thing that does what this text says.
3.2\tThe following sentence is a numbered body paragraph and not a heading at all.

3.3 Ordinary heading
Body of 3.3.
"""


def parse(tmp_path: Path, data: bytes):
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    return PlainTextParser().parse(path, data, Limits())


def test_headings_paragraphs_and_clause_tree(tmp_path: Path) -> None:
    doc = parse(tmp_path, SAMPLE.encode())
    tree = ClauseTreeBuilder().build(doc.blocks)
    numbers = [c.number for c in tree.clauses]
    assert numbers == ["Summary", "1", "3", "3.1", "3.2", "3.3"]
    (scope,) = tree.find("1")
    assert scope.heading == "Scope"
    assert scope.paragraphs == ["This Recommendation specifies an example protocol."]
    (widget,) = tree.find("3.1")
    assert widget.heading == "widget"
    assert widget.paragraphs == ["widget: A thing that does what this text says."]
    (body,) = tree.find("3.2")
    assert body.heading == ""
    assert body.paragraphs[0].startswith("The following sentence is a numbered body paragraph")
    # TOC lines are skipped with the CONTENTS front matter, never taken for clauses.
    assert all("\t" not in c.heading for c in tree.clauses)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    doc = parse(tmp_path, b"\xef\xbb\xbf1 Scope\nCaf\xc3\xa9 au lait.\n")
    assert doc.blocks[0].kind is BlockKind.HEADING and doc.blocks[0].number == "1"
    assert doc.blocks[1].text == "Café au lait."


def test_non_utf8_text_names_the_byte_and_offset(tmp_path: Path) -> None:
    data = b"1 Scope\nCaf\xe9 au lait.\n"
    assert PlainTextParser().sniff(data)  # Latin-1 text is still text: it must get the helpful error
    with pytest.raises(
        ParseError, match=r"not UTF-8 text: invalid byte 0xe9 at offset 11; convert the file to UTF-8"
    ):
        parse(tmp_path, data)


def test_offset_counts_the_bom(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="invalid byte 0xff at offset 4"):
        parse(tmp_path, b"\xef\xbb\xbfa\xff")


def test_binary_junk_is_not_text() -> None:
    parser = PlainTextParser()
    assert not parser.sniff(b"\x00\x01\x02binary\x00data")
    assert not parser.sniff(bytes(range(256)) * 4)
    assert not parser.sniff(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert not parser.sniff(b"")
    assert parser.sniff(b"Plain words only.\n")


def test_whitespace_only_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no text"):
        parse(tmp_path, b"  \n\n \t\n")

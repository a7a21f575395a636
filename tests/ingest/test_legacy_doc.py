"""Legacy Word .doc parser on the real ITU .doc files, plus refusals: no converter, encryption, not Word."""

from __future__ import annotations

import io
import shutil
import struct
from pathlib import Path

import pytest

from ingest.models import BlockKind
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.legacy_doc import MISSING_TOOLS, LegacyDocParser, ole_streams
from ingest.structure import ClauseTree, ClauseTreeBuilder

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed")


def parse(path: Path, data: bytes | None = None):
    data = path.read_bytes() if data is None else data
    return LegacyDocParser().parse(path, data, Limits())


def tree_of(path: Path) -> tuple[ClauseTree, list]:
    doc = parse(path)
    return ClauseTreeBuilder().build(doc.blocks), doc.blocks


def test_sniff_claims_binary_word_only(corpus_dir: Path) -> None:
    parser = LegacyDocParser()
    for name in (
        "T-REC-R.21-199608-I!!MSW-E.doc",
        "T-REC-V.8-200011-I!!MSW-E.doc",
        "T-REC-U.1-199303-I!!MSW-E.doc",
    ):
        assert parser.sniff((corpus_dir / "itu-t" / name).read_bytes()[:8192]), name
    assert not parser.sniff(b"MIME-Version: 1.0\nContent-Type: multipart/related")
    assert not parser.sniff(b'<?xml version="1.0"?><w:wordDocument>')
    assert not parser.sniff(b"PK\x03\x04")


@needs_antiword
def test_r21_clauses_tables_and_front_matter(corpus_dir: Path) -> None:
    tree, blocks = tree_of(corpus_dir / "itu-t" / "T-REC-R.21-199608-I!!MSW-E.doc")
    numbers = [c.number for c in tree.clauses]
    # The CCITT-era preamble ("The ITU-T, considering ...") is content; clauses follow it.
    assert numbers[:5] == ["considering", "1", "2", "3", "3.1"] and numbers[-1] == "12"
    (scope,) = tree.find("1")
    assert scope.heading == "Scope"
    assert "This Recommendation defines a modem for use in telegraph TDM systems." in scope.paragraphs
    (carrier,) = tree.find("3.1")
    assert carrier.heading == "Carrier frequencies"
    (numbered,) = tree.find("6.3")  # "6.3<TAB>The initial establishing ..." is a clause without a heading
    assert numbered.heading == "" and numbered.paragraphs == [
        "The initial establishing of the absolute phase is not required."
    ]
    tables = [b.text for b in blocks if b.kind is BlockKind.TABLE]
    assert any(t.startswith("Q2 | Q3 | Q4 | Phase change (Note)\n1 | 1 | 1 | 0°") for t in tables)
    # Foreword and table of contents are front matter: none of their text lands in a clause.
    assert not any("WTSC" in p for c in tree.clauses for p in c.paragraphs)


@needs_antiword
def test_v8_numbered_definitions(corpus_dir: Path) -> None:
    tree, _ = tree_of(corpus_dir / "itu-t" / "T-REC-V.8-200011-I!!MSW-E.doc")
    (cm,) = tree.find("3.4")
    assert cm.heading == "call menu signal (CM)"
    assert cm.paragraphs[0].startswith(
        "call menu signal (CM): A signal (see 7.3) transmitted from the call DCE"
    )
    (call_signal,) = tree.find("8.1.1")
    assert call_signal.heading == "Call signal transmission" and call_signal.parent == "8.1"


@needs_antiword
def test_a8_and_word2_u1(corpus_dir: Path) -> None:
    tree, _ = tree_of(corpus_dir / "itu-t" / "T-REC-A.8-200810-I!!MSW-E.doc")
    (last_call,) = tree.find("4")
    assert last_call.heading == "Last call and additional review"
    assert tree.find("4.4.3")[0].paragraphs[0].startswith("After comment resolution is completed")
    u1, _ = tree_of(corpus_dir / "itu-t" / "T-REC-U.1-199303-I!!MSW-E.doc")  # Word for Windows 2.0
    (clearing,) = u1.find("9.1")
    assert clearing.heading == "Clearing signal"


@needs_antiword
def test_itu_r_docs(corpus_dir: Path) -> None:
    bo600, _ = tree_of(corpus_dir / "itu-r" / "R-REC-BO.600-1-198607-I!!MSW-E.doc")
    assert bo600.find("2.1")[0].heading == "Reference case conditions"
    ra314, blocks = tree_of(corpus_dir / "itu-r" / "R-REC-RA.314-10-200306-I!!MSW-E.doc")
    # ITU-R style: the preamble parts are clauses of their own, then Annex 1 (only a figure).
    assert [c.number for c in ra314.clauses] == ["considering", "recommends", "Annex 1"]
    assert ra314.find("recommends")[0].paragraphs
    assert any(b.kind is BlockKind.TABLE and "Hydrogen (HI) | 1 420.406 MHz" in b.text for b in blocks)
    s354 = parse(corpus_dir / "itu-r" / "R-REC-S.354-2-197407-I!!MSW-E.doc")
    # "considering a)<TAB>that ..." items stay body text: lower-case sentences are never headings.
    assert any(
        b.kind is BlockKind.PARAGRAPH
        and "that the hypothetical reference circuit is intended as a guide" in b.text
        for b in s354.blocks
    )
    headings = [b.number for b in s354.blocks if b.kind is BlockKind.HEADING and b.number]
    assert headings == ["considering", "recommends"]


def test_no_converter_installed(corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ParseError) as err:
        parse(corpus_dir / "itu-t" / "T-REC-R.21-199608-I!!MSW-E.doc")
    assert str(err.value) == MISSING_TOOLS
    assert "apt-get install antiword" in MISSING_TOOLS


def test_word_encryption_flag(corpus_dir: Path) -> None:
    path = corpus_dir / "itu-t" / "T-REC-V.8-200011-I!!MSW-E.doc"
    data = bytearray(path.read_bytes())
    start, _size = ole_streams(bytes(data))["WordDocument"]
    fib = (start + 1) * (1 << struct.unpack_from("<H", data, 0x1E)[0])
    assert struct.unpack_from("<H", data, fib)[0] == 0xA5EC
    data[fib + 0x0B] |= 0x01  # fEncrypted
    with pytest.raises(ParseError, match="password-protected"):
        parse(path, bytes(data))


def test_ole_file_that_is_not_word(corpus_dir: Path) -> None:
    data = (corpus_dir / "itu-t" / "T-REC-V.8-200011-I!!MSW-E.doc").read_bytes()
    renamed = data.replace("WordDocument".encode("utf-16-le"), "XordDocument".encode("utf-16-le"))
    with pytest.raises(ParseError, match="not a Word document"):
        parse(Path("x.doc"), renamed)


def test_encrypted_docx_in_ole(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx", reason="python-docx builds the document to encrypt")
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool encrypts the docx")
    document = docx.Document()
    document.add_paragraph("Secret draft text.")
    plain, encrypted = io.BytesIO(), io.BytesIO()
    document.save(plain)
    plain.seek(0)
    ooxml.OOXMLFile(plain).encrypt("password", encrypted)
    data = encrypted.getvalue()
    assert LegacyDocParser().sniff(data[:8192])
    assert "EncryptedPackage" in ole_streams(data)
    with pytest.raises(ParseError, match="password-protected document"):
        parse(tmp_path / "secret.docx", data)

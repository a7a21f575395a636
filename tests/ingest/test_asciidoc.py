"""AsciiDoc (Metanorma ITU) parser: computed clause numbers, annexes/appendices, terms, tables, meta."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.models import BlockKind, DocKind
from ingest.parsers.asciidoc import AsciiDocParser
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.markdown import MarkdownParser
from ingest.structure import ClauseTreeBuilder

SYNTHETIC = """= Example draft
:bureau: R
:docnumber: M.9999
:published-date: 2024-03-05
:language: fr
:doctype: recommendation

[abstract]
== Summary
Short summary.

[preface]
== Foreword
Foreword text.

== Scope
The scope.

----
== not a section inside a listing
----

=== Detail
[cols="a,2a"]
|===
| one | two
| three | four
|===

[appendix,obligation=normative]
== Normative stuff
=== Part
Annex text.

[appendix,obligation=informative]
== Informative stuff
Appendix text.

[bibliography]
== Bibliography
* [[[B1,IETF RFC 1]]] IETF RFC 1 (1969), _Host Software_.
"""


def parse(path: Path, data: bytes | None = None):
    data = path.read_bytes() if data is None else data
    return AsciiDocParser().parse(path, data, Limits())


def test_y3507_structure_and_terms(corpus_dir: Path) -> None:
    doc = parse(corpus_dir / "asciidoc" / "Y.3507-201812.adoc")
    meta = doc.meta
    assert meta.rec_id == "ITU-T Y.3507"
    assert meta.edition == "2018-12"
    assert meta.title == "Cloud computing - Functional requirements of physical machine"
    assert meta.kind is DocKind.RECOMMENDATION and meta.sector == "ITU-T"
    tree = ClauseTreeBuilder().build(doc.blocks)
    numbers = [c.number for c in tree.clauses]
    assert numbers[:6] == ["Summary", "Keywords", "1", "2", "3", "3.1"]
    assert "History" not in [c.heading for c in tree.clauses]  # [preface] History is front matter
    (machine,) = tree.find("3.2.1")
    assert machine.heading == "physical machine" and machine.parent == "3.2"
    assert (
        machine.paragraphs[0] == "physical machine: A type of computing machine providing physical resources."
    )
    (cloud,) = tree.find("3.1.1")
    assert cloud.paragraphs[0].startswith(
        "cloud computing [ITU-T Y.3500]: Paradigm for enabling network access"
    )
    (refs,) = tree.find("2")
    assert refs.heading == "References"
    assert refs.paragraphs[0].startswith(
        "[ITU-T Y.3100]\tRecommendation ITU-T Y.3100 (2017), Terms and definitions"
    )
    (abbrev,) = tree.find("4")
    assert "AC\tAlternating Current" in abbrev.paragraphs
    assert tree.find("7.1.1.1")[0].heading == "CPU requirements"
    assert (
        tree.find("Appendix I")[0].heading
        == "Comparison between functional requirements and other specifications"
    )
    assert tree.find("I.1")[0].parent == "Appendix I"
    assert tree.find("I.1.1")[0].heading == "Open Compute Project"
    assert "Appendix II" in numbers and numbers[-1] == "Bibliography"
    (summary,) = tree.find("Summary")
    assert "use cases described in Appendix II" in summary.text  # <<Title>> cross-reference resolved
    tables = [b.text for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert any("1.0 | ITU-T Y.3507 | 2018-12-14 | 13" in t for t in tables)


def test_annex_numbered_from_annexid(corpus_dir: Path) -> None:
    doc = parse(corpus_dir / "asciidoc" / "Z.100-201811-AnnF1.adoc")
    assert doc.meta.kind is DocKind.ANNEX
    tree = ClauseTreeBuilder().build(doc.blocks)
    (preface,) = tree.find("F1.1")
    assert preface.heading == "Preface" and preface.parent == "Annex F1"


def test_sniff_corpus_and_not_markdown(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "asciidoc").glob("*.adoc"))
    assert files
    for path in files:
        assert AsciiDocParser().sniff(path.read_bytes()[:8192]), path.name
    assert not AsciiDocParser().sniff(b"# Title\n\n## 1 Scope\n\nText.\n")
    assert not AsciiDocParser().sniff(b"1 Scope\nPlain text.\n")
    assert not MarkdownParser().sniff(SYNTHETIC.encode())


def test_synthetic_numbering_rules(tmp_path: Path) -> None:
    doc = parse(tmp_path / "x.adoc", SYNTHETIC.encode())
    assert doc.meta.rec_id == "ITU-R M.9999"
    assert doc.meta.edition == "2024-03" and doc.meta.language == "fr"
    headings = [(b.number, b.text) for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        ("Summary", "Summary"),
        (None, "Foreword"),
        ("1", "Scope"),
        ("1.1", "Detail"),
        ("Annex A", "Normative stuff"),
        ("A.1", "Part"),
        ("Appendix I", "Informative stuff"),
        ("Bibliography", "Bibliography"),
    ]
    texts = [b.text for b in doc.blocks]
    assert "one | two\nthree | four" in texts
    assert "== not a section inside a listing" in texts
    assert "[IETF RFC 1]\tIETF RFC 1 (1969), Host Software." in texts


def test_missing_includes_reported(tmp_path: Path) -> None:
    data = b"= Title\n:bureau: T\n\ninclude::sections/01.adoc[]\n"
    with pytest.raises(ParseError, match=r"include:: files are missing \(sections/01.adoc\)"):
        parse(tmp_path / "x.adoc", data)


def test_includes_resolved_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "01.adoc").write_text("== Scope\nIncluded text.\n")
    doc = parse(tmp_path / "x.adoc", b"= Title\n:bureau: T\n\ninclude::sections/01.adoc[]\n")
    assert [(b.number, b.text) for b in doc.blocks] == [("1", "Scope"), (None, "Included text.")]

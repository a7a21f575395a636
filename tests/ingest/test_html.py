"""HTML parser: h1-h6 and Word heading classes, tables as rows, script/style/TOC/hidden text dropped."""

from __future__ import annotations

from pathlib import Path

from ingest.parsers.base import Limits
from ingest.parsers.html import HtmlParser
from ingest.structure import ClauseTreeBuilder

PAGE = """\ufeff<!DOCTYPE html>
<html lang="en-GB"><head><title>Draft X.999</title>
<style>p { color: red }</style><script>var heading = "1 Scope";</script></head>
<body>
<p class=MsoToc1>1 Scope<span style='display:none'>3</span></p>
<p class=MsoTitle>Draft Recommendation X.999</p>
<h1>1 Scope</h1>
<p>This Recommendation <b>specifies</b> an example.<span style="display:none">HIDDEN</span></p>
<p class=Heading2>2.1<span style='mso-tab-count:1'>&nbsp;&nbsp;</span>Word heading class</p>
<ul><li>first item</li><li>second item</li></ul>
<div>Loose div text</div>
<p class=Headingb>Keywords</p>
<table><tr><th>Term</th><th>Meaning</th></tr><tr><td>AC</td><td>Alternating <i>current</i></td></tr></table>
<h2 class=Annex>Annex A</h2>
<p class=MsoNormal>Annex body.</p>
</body></html>
"""


def parse(tmp_path: Path, markup: str):
    data = markup.encode("utf-8")
    path = tmp_path / "doc.html"
    path.write_bytes(data)
    return HtmlParser().parse(path, data, Limits())


def test_blocks_in_order(tmp_path: Path) -> None:
    doc = parse(tmp_path, PAGE)
    assert doc.meta.title == "Draft X.999"
    assert doc.meta.language == "en"
    kinds = [(b.kind.value, b.number, b.text) for b in doc.blocks]
    assert kinds == [
        ("paragraph", None, "Draft Recommendation X.999"),
        ("heading", "1", "Scope"),
        ("paragraph", None, "This Recommendation specifies an example."),
        ("heading", "2.1", "Word heading class"),
        ("paragraph", None, "first item"),
        ("paragraph", None, "second item"),
        ("paragraph", None, "Loose div text"),
        ("heading", "Keywords", "Keywords"),
        ("table", None, "Term | Meaning\nAC | Alternating current"),
        ("heading", "Annex A", ""),
        ("paragraph", None, "Annex body."),
    ]
    tree = ClauseTreeBuilder().build(doc.blocks)
    assert [c.number for c in tree.clauses] == ["1", "2.1", "Keywords", "Annex A"]


def test_sniff() -> None:
    html = HtmlParser()
    assert html.sniff(b"<!DOCTYPE html><html>")
    assert html.sniff(b"\xef\xbb\xbf  \n<HTML><body>")
    assert html.sniff(b'<?xml version="1.0"?>\n<!-- c -->\n<html xmlns="http://www.w3.org/1999/xhtml">')
    assert not html.sniff(
        b'<?xml version="1.0"?>\n<?mso-application progid="Word.Document"?>\n<w:wordDocument>'
    )
    assert not html.sniff(b'<?xml version="1.0"?>\n<w:wordDocument xmlns:w="x">')
    assert not html.sniff(b"Text that mentions <html> later.")

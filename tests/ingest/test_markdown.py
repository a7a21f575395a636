"""Markdown parser: ATX headings with clause numbers, pipe tables, lists, code; precise sniffing."""

from __future__ import annotations

from pathlib import Path

from ingest.models import BlockKind
from ingest.parsers.asciidoc import AsciiDocParser
from ingest.parsers.base import Limits
from ingest.parsers.markdown import MarkdownParser
from ingest.structure import ClauseTreeBuilder

SAMPLE = """---
title: "Draft X.999"
---

# Draft Recommendation X.999

## Summary

This draft describes **an example** with a [link](http://example.org).

## 1 Scope

This Recommendation covers:

- the first item;
- the second item.

## 3.2.1 Terms defined here

### 3.2.1.1 Table clause

| Term | Meaning |
|------|---------|
| AC   | Alternating current |
| DC   | Direct current |

```
# not a heading inside code
```

Annex text after code.
"""


def parse(tmp_path: Path, text: str):
    path = tmp_path / "doc.md"
    data = text.encode()
    path.write_bytes(data)
    return MarkdownParser().parse(path, data, Limits())


def test_structure_numbers_tables_lists(tmp_path: Path) -> None:
    doc = parse(tmp_path, SAMPLE)
    assert doc.meta.title == "Draft X.999"
    headings = [(b.number, b.text) for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        (None, "Draft Recommendation X.999"),
        ("Summary", "Summary"),
        ("1", "Scope"),
        ("3.2.1", "Terms defined here"),
        ("3.2.1.1", "Table clause"),
    ]
    tables = [b.text for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert tables == ["Term | Meaning\nAC | Alternating current\nDC | Direct current"]
    tree = ClauseTreeBuilder().build(doc.blocks)
    (scope,) = tree.find("1")
    assert scope.paragraphs == ["This Recommendation covers:", "the first item;", "the second item."]
    (summary,) = tree.find("Summary")
    assert summary.paragraphs == ["This draft describes an example with a link."]
    (leaf,) = tree.find("3.2.1.1")
    assert "# not a heading inside code" in leaf.text
    assert leaf.paragraphs[-1] == "Annex text after code."


def test_sniff_claims_markdown_only() -> None:
    md = MarkdownParser()
    assert md.sniff(b"# Title\n\nSome text.\n")
    assert md.sniff(b"Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert not md.sniff(b"1 Scope\nThis is plain text without markdown signs.\n")
    assert not md.sniff(b"#hashtag is not a heading\n")
    assert not md.sniff(b"\x00\x01# binary")
    # AsciiDoc is tried before Markdown and must not claim Markdown either.
    assert not AsciiDocParser().sniff(SAMPLE.encode())

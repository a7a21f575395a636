"""HTML, including Word's "Save as web page" output; also the HTML inside MIME-HTML files.

h1-h6 are headings (clause number split off); Word exports its heading styles either as h1-h6 or as
``<p class=Heading1>`` / ``MsoHeading…`` / ITU's ``Headingb``, ``Annex…``, ``h1Preface`` classes, so a
paragraph whose class names a heading is a heading. Table-of-contents paragraphs (MsoToc*, TOC*) are
dropped, as are script, style, comments and hidden text. Tables become one TABLE block, a row per line.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning

from ingest.headings import KEPT_SECTIONS, clause_level, is_front_matter, split_number
from ingest.models import Block, BlockKind, DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_DROP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "xml", "svg", "object"}
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "blockquote", "pre", "section", "article",
    "main", "header", "footer", "nav", "aside", "body", "html", "center", "form", "fieldset", "figure",
    "figcaption", "address", "hr", "br", *_HEADINGS,
}  # fmt: skip
_LEAF_BLOCKS = {"p", "pre", "dt", "dd", "figcaption", "address"}
_HEADING_CLASS = re.compile(r"^(?:mso)?heading[ _-]?(\d)$|^h(\d)", re.IGNORECASE)
_HEADINGISH_CLASS = re.compile(r"heading|annex|appendix|preface|zzcontents|title", re.IGNORECASE)
_UNNUMBERED_HEADING_CLASSES = ("headingb", "headingi", "h1preface", "zzcontents", "annex", "appendix")
_TOC_CLASS = re.compile(r"^(?:mso)?toc\s*\d", re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*(?:screen|all)", re.IGNORECASE)
_PROLOG = re.compile(rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)


def _text_of(node: Tag) -> str:
    parts: list[str] = []
    for item in node.descendants:
        if type(item) is NavigableString:
            parent = item.parent
            if parent is not None and any(
                p.name in _DROP or _HIDDEN.search(str(p.get("style", "")))
                for p in (parent, *parent.parents)
                if p
            ):
                continue
            parts.append(str(item))
        elif isinstance(item, Tag) and item.name == "br":
            parts.append(" ")
    return " ".join("".join(parts).replace("\u00a0", " ").split())


def _dropped(tag: Tag) -> bool:
    return tag.name in _DROP or bool(_HIDDEN.search(str(tag.get("style", ""))))


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def heading(self, text: str, depth: int | None, style: str | None) -> None:
        if not text:
            return
        number, title = split_number(text)
        if number is None:
            self.blocks.append(Block(kind=BlockKind.HEADING, text=text, level=depth, style=style))
            return
        level = 1 if number in KEPT_SECTIONS.values() else clause_level(number)
        self.blocks.append(Block(kind=BlockKind.HEADING, text=title, number=number, level=level, style=style))

    def paragraph(self, text: str, style: str | None = None) -> None:
        if text and len(text) < 40 and is_front_matter(text):
            self.blocks.append(Block(kind=BlockKind.HEADING, text=text, style=style))
        elif text:
            self.blocks.append(Block(kind=BlockKind.PARAGRAPH, text=text, style=style))

    def table(self, table: Tag) -> None:
        rows: list[str] = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue
            cells = [_text_of(cell) for cell in tr.find_all(["td", "th"]) if cell.find_parent("tr") is tr]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                rows.append(" | ".join(cells))
        if rows:
            self.blocks.append(Block(kind=BlockKind.TABLE, text="\n".join(rows)))

    def styled_paragraph(self, tag: Tag) -> None:
        """A p/div with a Word paragraph-style class: heading, TOC line (dropped) or body text."""
        classes = _classes(tag)
        style = classes[0] if classes else None
        text = _text_of(tag)
        if any(_TOC_CLASS.match(c) for c in classes):
            return
        for cls in classes:
            m = _HEADING_CLASS.match(cls)
            if m and not cls.lower().startswith(("headingb", "headingi")):
                digits = m.group(1) or m.group(2)
                self.heading(text, int(digits) if digits and digits.isdigit() else None, style)
                return
        if any(_HEADINGISH_CLASS.search(c) for c in classes) and text:
            number, _title = split_number(text)
            if number is not None or is_front_matter(text) or cls_is_heading(classes):
                self.heading(text, None, style)
                return
        self.paragraph(text, style)

    def walk(self, node: Tag) -> None:
        inline: list[str] = []

        def flush() -> None:
            text = " ".join(" ".join(inline).replace("\u00a0", " ").split())
            inline.clear()
            self.paragraph(text)

        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    inline.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _DROP or _HIDDEN.search(str(child.get("style", ""))):
                continue
            if name not in _BLOCKS:
                if child.find(list(_BLOCKS - {"br"})) is None:
                    inline.append(_text_of(child))
                    continue
                flush()
                self.walk(child)
                continue
            flush()
            if name in _HEADINGS:
                self.heading(_text_of(child), _HEADINGS[name], name)
            elif name == "table":
                self.table(child)
            elif name in ("br", "hr"):
                continue
            elif name in _LEAF_BLOCKS or child.find(list(_BLOCKS - {"br"})) is None:
                self.styled_paragraph(child)
            else:
                self.walk(child)
        flush()


def cls_is_heading(classes: list[str]) -> bool:
    """Word/ITU style classes that are headings even without a number (Headingb, h1Preface, Annex)."""
    lowered = [c.lower() for c in classes]
    return any(
        c.startswith(("headingb", "headingi", "h1preface", "zzcontents", "annex", "appendix"))
        for c in lowered
    ) and not any("obligation" in c for c in lowered)


def html_to_blocks(markup: str) -> tuple[list[Block], str | None, str | None]:
    """(blocks, title, language) of an HTML document; shared by the HTML and MIME-HTML parsers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if isinstance(title_tag, Tag) else None
    html_tag = soup.find("html")
    language = None
    if isinstance(html_tag, Tag):
        lang = html_tag.get("lang") or html_tag.get("xml:lang")
        if isinstance(lang, str) and lang.strip():
            language = lang.strip().split("-")[0].lower()
    root = soup.find("body") or soup
    walker = _Walker()
    if isinstance(root, Tag):
        walker.walk(root)
    return walker.blocks, title or None, language


def decode_html(data: bytes, charset: str | None = None) -> str:
    """HTML bytes to text: BOM first, then the declared charset, then UTF-8, then Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    candidates = [charset] if charset and charset.lower() not in ("unicode", "utf-16") else []
    if charset and charset.lower() in ("unicode", "utf-16"):
        candidates.append("utf-16")
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
    if m:
        candidates.append(m.group(1).decode("ascii"))
    for codec in (*candidates, "utf-8"):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def html_document(path: Path, markup: str, fmt: str) -> ParsedDocument:
    blocks, title, language = html_to_blocks(markup)
    if not blocks:
        raise ParseError("HTML document has no text")
    meta = DocumentMeta(path=str(path), format=fmt, title=title)
    if language:
        meta.language = language
    return ParsedDocument(meta=meta, blocks=blocks)


def sniff_html(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :].lower()
    return rest.startswith((b"<!doctype html", b"<html"))


class HtmlParser:
    name = "html"

    def sniff(self, head: bytes) -> bool:
        return sniff_html(head)

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        return html_document(path, decode_html(data), self.name)

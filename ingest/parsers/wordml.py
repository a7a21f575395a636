"""Word 2003 XML ("WordprocessingML 2003", root ``w:wordDocument``) parser.

These are single XML files, often saved with a .doc or .xml extension. The body is walked by the same
code as .docx (``WordBody``): paragraphs and tables in reading order, heading styles, Symbol-font
characters, fields, hidden text. The differences are handled here: list numbering lives in
``w:lists`` (``w:listDef``/``w:list``, paragraphs point at it with ``w:listPr``/``w:ilfo``) and
Word usually stores the computed label itself (``wx:t``), which is used when present; the body is
wrapped in ``wx:sect``/``wx:sub-section``; tracked changes are ``aml:annotation`` elements.

Pages: explicit page breaks only (Word 2003 XML records no rendered page breaks), so ``page`` is a
lower bound; ``meta.pages`` comes from ``o:DocumentProperties/o:Pages`` when Word wrote it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree

from ingest.models import ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.docx import (
    Styles,
    WordBody,
    default_language_tag,
    finish_meta,
    read_levels,
    read_styles,
    xml_parser,
)
from ingest.parsers.wordnum import ListInstance, ListLevel, ListNumbering

WML_NS = "http://schemas.microsoft.com/office/word/2003/wordml"
WX_NS = "http://schemas.microsoft.com/office/word/2003/auxHint"
AML_NS = "http://schemas.microsoft.com/aml/2001/core"
O_NS = "urn:schemas-microsoft-com:office:office"

_W = "{" + WML_NS + "}"
_WX = "{" + WX_NS + "}"
_AML = "{" + AML_NS + "}"
_O = "{" + O_NS + "}"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_lists(lists: etree._Element | None) -> ListNumbering | None:
    """``w:lists``: list definitions (w:listDef) and the list instances paragraphs use (w:list)."""
    if lists is None:
        return None
    abstracts: dict[str, dict[int, ListLevel]] = {}
    for ldef in lists.findall(_W + "listDef"):
        def_id = ldef.get(_W + "listDefId")
        if def_id is not None:
            abstracts[def_id] = read_levels(ldef, _W, nfc=True)
    instances: dict[str, ListInstance] = {}
    for lst in lists.findall(_W + "list"):
        ilfo = lst.get(_W + "ilfo")
        ilst = lst.find(_W + "ilst")
        if ilfo is None or ilst is None:
            continue
        inst = ListInstance(ilst.get(_W + "val") or "")
        for override in lst.findall(_W + "lvlOverride"):
            ilvl = _int(override.get(_W + "ilvl"))
            start = override.find(_W + "startOverride")
            if ilvl is not None and start is not None and _int(start.get(_W + "val")) is not None:
                inst.start_overrides[ilvl] = _int(start.get(_W + "val")) or 0
        instances[ilfo] = inst
    return ListNumbering(abstracts, instances)


class WordMLBody(WordBody):
    """``WordBody`` with Word 2003 XML's list properties, section wrappers and revision marks."""

    numpr_tag = "listPr"
    numid_tag = "ilfo"

    def __init__(self, styles: Styles, numbering: ListNumbering | None) -> None:
        super().__init__(WML_NS, styles, numbering)
        self.inline_containers |= {_W + "hlink", _AML + "annotation", _AML + "content"}
        self.block_containers |= {
            _WX + "sect", _WX + "sub-section", _WX + "pBdrGroup", _W + "cfChunk",
            _AML + "annotation", _AML + "content",
        }  # fmt: skip

    def is_deletion(self, el: etree._Element) -> bool:
        return el.tag == _AML + "annotation" and "Deletion" in (el.get(_W + "type") or "")

    def list_label(self, ppr: etree._Element | None, style_id: str | None) -> str | None:
        computed = super().list_label(ppr, style_id)
        if ppr is not None:
            # Word's own rendering of the label, when it saved one.
            shown = ppr.find(f"{_W}listPr/{_WX}t")
            if shown is not None and shown.get(_WX + "val") is not None:
                label = (shown.get(_WX + "val") or "").strip()
                return label if label and not _is_bullet(label) else None
        return computed


def _is_bullet(label: str) -> bool:
    return len(label) == 1 and not label.isalnum()


_SNIFF = re.compile(rb"<(\w+:)?wordDocument\b")


def _head_text(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes (UTF-16 files are re-encoded)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8)


class WordXmlParser:
    """Word 2003 XML documents (root ``w:wordDocument``), whatever their extension."""

    name = "wordml"

    def sniff(self, head: bytes) -> bool:
        text = _head_text(head)
        if not text.lstrip().startswith(b"<"):
            return False
        return bool(_SNIFF.search(text)) and b"schemas.microsoft.com/office/word/2003/wordml" in text

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        if len(data) > limits.max_file_bytes:
            raise ParseError(f"file too large ({len(data)} bytes > limit {limits.max_file_bytes})")
        try:
            root = etree.fromstring(data, xml_parser())
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"corrupt or truncated Word 2003 XML: {exc}") from exc
        if root.tag != _W + "wordDocument":
            raise ParseError(f"not a Word 2003 XML document: root element is {etree.QName(root).localname}")
        styles_root = root.find(_W + "styles")
        styles = read_styles(styles_root, WML_NS, "listPr", "ilfo")
        numbering = read_lists(root.find(_W + "lists"))
        body = root.find(_W + "body")
        if body is None:
            raise ParseError("corrupt Word 2003 XML: no w:body")
        walker = WordMLBody(styles, numbering)
        blocks = walker.walk(body)
        props = root.find(_O + "DocumentProperties")
        title = pages = None
        if props is not None:
            el = props.find(_O + "Title")
            title = el.text if el is not None else None
            el = props.find(_O + "Pages")
            pages = _int((el.text or "").strip()) if el is not None else None
        meta = finish_meta(
            blocks,
            default_language_tag(styles_root, WML_NS) or _doc_default_lang(root),
            walker.title_hint or title,
            pages,
            walker.page,
        )
        meta.path = str(path)
        meta.format = self.name
        return ParsedDocument(meta=meta, blocks=blocks)


def _doc_default_lang(root: etree._Element) -> str | None:
    """Word 2003 keeps the default language in w:styles/w:latentStyles or w:docPr... rarely; try runs."""
    lang = root.find(f"{_W}styles/{_W}style/{_W}rPr/{_W}lang")
    return lang.get(_W + "val") if lang is not None else None


__all__ = ["WordXmlParser"]

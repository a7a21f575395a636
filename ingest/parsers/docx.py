"""Word .docx (Office Open XML) parser: body paragraphs and tables in reading order, read with lxml.

Headings come from paragraph styles (``heading 1``..``9``, ITU's ``Annex_NoTitle``, ``Appendix_No &
title``, ``Heading_b``...) or a direct outline level; their clause number is the one typed in the text
("3.2.1<TAB>Title") or, where Word numbers them automatically (X.609.7, T.832, J.383), the one Word
computes from numbering.xml. Auto-numbered body paragraphs (definitions "3.2.1 term: ...", "a)" items)
get their label prepended, as printed.

Pages: a .docx has no pages. Each block's ``page`` counts the page breaks Word recorded the last time
it laid the document out (``w:lastRenderedPageBreak``) plus explicit page breaks; it is Word's last
rendering, an approximation that can be off where the file was saved by another program.

The zip is checked before any XML is read: total and per-member uncompressed size against
``Limits.max_unzipped_bytes``, compression ratio (zip bombs), truncation and corruption.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ingest.headings import FRONT_MATTER, clause_level
from ingest.models import Block, BlockKind, DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.wordnum import (
    NFC_CODES,
    ListInstance,
    ListLevel,
    ListNumbering,
    clean_label,
    guess_language,
    map_symbol_text,
    symbol_char,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_DOC_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

# A member inflating more than this many times its compressed size is treated as a bomb once the
# archive is large enough to matter (Word XML compresses 5-30x; zeros compress ~1000x).
MAX_RATIO = 200
RATIO_MIN_BYTES = 8 * 1024 * 1024

_TRUE = {"1", "true", "on"}


def xml_parser() -> etree.XMLParser:
    """lxml parser that resolves no entities, loads no DTD and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True
    )


def _on(el: etree._Element | None, val_attr: str) -> bool:
    """A Word on/off property: present and not w:val="0"/"false"/"off"."""
    if el is None:
        return False
    val = el.get(val_attr)
    return val is None or val.lower() in _TRUE


# --- styles -------------------------------------------------------------------------------------


@dataclass
class StyleDef:
    style_id: str
    name: str
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None
    outline: int | None = None
    vanish: bool = False


_HEADING_STYLE = re.compile(r"^heading\s*(\d)$")
_ANNEX_STYLE = re.compile(r"^(annex|appendix)[ _]?(no|title|notitle|no & title|no&title|no_title)\b")
_ANNEX_LEVEL_STYLE = re.compile(r"^(annex|appendix)\s+(\d)$")
_SUBHEAD_STYLE = re.compile(r"^heading[ _]?(b|i|ib|bi)$")
_TITLE_STYLE = re.compile(r"^(annex|appendix)[ _]?title$")
_CAPTION_STYLE = re.compile(r"table|figure|caption|^fig|legend|equation")
_TOC_STYLE = re.compile(r"^(toc\s*\d|toc|table of figures)$")


@dataclass
class Styles:
    by_id: dict[str, StyleDef] = field(default_factory=dict)
    default_para: str | None = None
    _cache: dict[str, tuple[str | None, int | None, int | None, bool]] = field(default_factory=dict)

    def name(self, style_id: str | None) -> str:
        style_id = style_id or self.default_para
        if style_id is None:
            return ""
        found = self.by_id.get(style_id)
        return found.name if found else style_id

    def resolved(self, style_id: str | None) -> tuple[str | None, int | None, int | None, bool]:
        """(numId, ilvl, outline level, hidden) inherited through w:basedOn."""
        style_id = style_id or self.default_para
        if style_id is None:
            return (None, None, None, False)
        if style_id in self._cache:
            return self._cache[style_id]
        num_id: str | None = None
        ilvl: int | None = None
        outline: int | None = None
        vanish = False
        seen: set[str] = set()
        current = self.by_id.get(style_id)
        while current is not None and current.style_id not in seen:
            seen.add(current.style_id)
            if num_id is None:
                num_id = current.num_id
            if ilvl is None:
                ilvl = current.ilvl
            if outline is None:
                outline = current.outline
            vanish = vanish or current.vanish
            current = self.by_id.get(current.based_on) if current.based_on else None
        result = (num_id, ilvl, outline, vanish)
        self._cache[style_id] = result
        return result


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


# --- blocks ------------------------------------------------------------------------------------

_NUMBERED = re.compile(
    r"^\.?((?:[A-Z]{1,2}\d{0,2}|[IVXLC]{1,6}|\d{1,3}(?:bis|ter)?)(?:\.(?:\d{1,3}(?:bis|ter)?|[a-z]))+|\d{1,3}(?:bis|ter)?)"
    r"\.?(?:[\s\u00a0]+|$)(.*)$",
    re.S,
)
_ANNEX = re.compile(
    r"^(Annex|Appendix|Attachment|Supplement)[\s\u00a0]+([A-Z]{1,2}\d{0,2}|[IVXLC]{1,6}|\d{1,2})\b\.?(.*)$",
    re.S,
)
_SEPARATOR = re.compile(r"^[\s\u00a0]*[-–—:.][\s\u00a0]*")


def split_heading(text: str) -> tuple[str | None, str]:
    """Split a heading-styled paragraph's text into (number as printed, title).

    Lenient on purpose: the style already says it is a heading ("7.l" in P.917 and ".8" in E.840 are
    kept as "7.l" and "8").
    """
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    m = _ANNEX.match(first)
    if m:
        word, ident, remainder = m.groups()
        remainder = remainder.strip()
        rest = " ".join(line.strip() for line in rest.split("\n") if line.strip())
        sep = _SEPARATOR.match(remainder)
        if sep and remainder:
            title = remainder[sep.end() :].strip()
            if rest:
                title = f"{title} {rest}".strip()
        elif rest:
            title = rest
        else:
            title = remainder
        return f"{word} {ident}", title
    m = _NUMBERED.match(stripped)
    if m:
        number, title = m.groups()
        return number, " ".join(title.split())
    return None, " ".join(stripped.split())


@dataclass
class _Field:
    code: list[str] = field(default_factory=list)
    separated: bool = False

    @property
    def is_toc(self) -> bool:
        return "".join(self.code).strip().upper().startswith("TOC")


class _Tags:
    """Clark names of the WordprocessingML elements and attributes the walker looks at."""

    def __init__(self, ns: str) -> None:
        w = "{" + ns + "}"
        for name in (
            "r", "t", "rPr", "tab", "ptab", "fldChar", "instrText", "lastRenderedPageBreak", "br",
            "cr", "sym", "noBreakHyphen", "fldSimple", "vanish", "webHidden", "rStyle", "rFonts",
        ):  # fmt: skip
            setattr(self, name, w + name)
        for name in ("val", "instr", "ascii", "hAnsi", "fldCharType", "type", "char", "font"):
            setattr(self, name, w + name)

    def __getattr__(self, name: str) -> str:  # for mypy: every attribute is a str
        raise AttributeError(name)


@dataclass
class _ParaState:
    toc: bool = False  # text inside a TOC field's result: the paragraph is a TOC entry
    page: int | None = None  # page where the paragraph's first visible text falls


@dataclass
class _ParaText:
    text: str
    page: int
    toc: bool


class WordBody:
    """Walks a WordprocessingML body (OOXML or, with other tag names, Word 2003 XML) into Blocks."""

    numpr_tag = "numPr"
    numid_tag = "numId"

    def __init__(self, ns: str, styles: Styles, numbering: ListNumbering | None) -> None:
        self.ns = ns
        self.w = "{" + ns + "}"
        self.styles = styles
        self.numbering = numbering
        self.page = 1
        # True right after a page break, until text appears: Word writes a lastRenderedPageBreak
        # after an explicit break too, and that one must not count twice.
        self.fresh_page = True
        self.blocks: list[Block] = []
        self.fields: list[_Field] = []
        self._in_code = 0  # fields whose code (instrText) part we are in
        self._in_toc = 0  # TOC fields whose result we are in
        self.tags = _Tags(ns)
        self._pending_annex: Block | None = None
        self.title_hint: str | None = None
        w = self.w
        self.T_P, self.T_R, self.T_T, self.T_TBL = w + "p", w + "r", w + "t", w + "tbl"
        self.T_TR, self.T_TC, self.T_PPR, self.T_RPR = w + "tr", w + "tc", w + "pPr", w + "rPr"
        self.T_SDT, self.T_SDTCONTENT = w + "sdt", w + "sdtContent"
        # Containers whose children are read as if they were the parent's.
        self.inline_containers = {
            w + "hyperlink", w + "ins", w + "smartTag", w + "customXml", w + "sdt", w + "sdtContent",
            w + "fldSimple", w + "bdo", w + "dir", w + "moveTo", w + "rubyBase", w + "ruby",
        }  # fmt: skip
        self.block_containers = {w + "sdt", w + "sdtContent", w + "customXml", w + "ins", w + "moveTo"}
        self.math_tags = {"{" + M_NS + "}oMath", "{" + M_NS + "}oMathPara"}
        self.math_text = "{" + M_NS + "}t"
        self.alternate = "{" + MC_NS + "}AlternateContent"

    # -- body ---------------------------------------------------------------------------------

    def block_children(self, el: etree._Element) -> Iterator[etree._Element]:
        """Block-level children of ``el``, looking through content controls and custom XML."""
        for child in el:
            if child.tag in self.block_containers:
                if not self.is_deletion(child):
                    yield from self.block_children(child)
            else:
                yield child

    def walk(self, body: etree._Element) -> list[Block]:
        for child in self.block_children(body):
            if child.tag == self.T_P:
                self._paragraph(child)
            elif child.tag == self.T_TBL:
                self._table(child)
        self._flush_pending()
        return self.blocks

    def page_break(self) -> None:
        """An explicit break (w:br type=page, pageBreakBefore, a new-page section break)."""
        if not self.fresh_page:
            self.page += 1
            self.fresh_page = True

    def _section_break(self, ppr: etree._Element | None) -> None:
        """A w:sectPr in a paragraph's properties ends a section after it; most start a new page."""
        if ppr is None:
            return
        sect = ppr.find(self.w + "sectPr")
        if sect is None:
            return
        kind = sect.find(self.w + "type")
        if kind is None or kind.get(self.w + "val") != "continuous":
            self.page_break()

    # -- paragraphs ---------------------------------------------------------------------------

    def numbering_of(self, ppr: etree._Element | None, style_id: str | None) -> tuple[str | None, int]:
        """(numId, ilvl) of a paragraph: its own w:numPr, else its style's; numId "0" means none."""
        w = self.w
        num_id: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            numpr = ppr.find(w + self.numpr_tag)
            if numpr is not None:
                el = numpr.find(w + self.numid_tag)
                num_id = el.get(w + "val") if el is not None else None
                el = numpr.find(w + "ilvl")
                ilvl = _int(el.get(w + "val")) if el is not None else None
        s_num, s_ilvl, _, _ = self.styles.resolved(style_id)
        if num_id is None:
            num_id = s_num
        if ilvl is None:
            ilvl = s_ilvl
        if num_id is None or num_id in ("0", "-1"):
            return None, 0
        if ilvl is None and self.numbering is not None and style_id:
            ilvl = self.numbering.level_for_style(num_id, style_id)
        return num_id, ilvl or 0

    def list_label(self, ppr: etree._Element | None, style_id: str | None) -> str | None:
        if self.numbering is None:
            return None
        num_id, ilvl = self.numbering_of(ppr, style_id)
        if num_id is None:
            return None
        return self.numbering.advance(num_id, ilvl)

    def _paragraph_text(self, p: etree._Element) -> _ParaText:
        ppr = p.find(self.T_PPR)
        if ppr is not None and _on(ppr.find(self.w + "pageBreakBefore"), self.w + "val"):
            self.page_break()
        out: list[str] = []
        state = _ParaState()
        self._inline(p, out, state, hidden=False)
        page = state.page if state.page is not None else self.page
        self._section_break(ppr)
        return _ParaText("".join(out), page, state.toc)

    def is_deletion(self, el: etree._Element) -> bool:
        """A container holding deleted text (Word 2003 revision annotations); none in OOXML."""
        return False

    def _visible(self) -> bool:
        """Outside every field's code part (between fldChar begin and separate)."""
        return self._in_code == 0

    def _inline(self, el: etree._Element, out: list[str], state: _ParaState, hidden: bool) -> None:
        t = self.tags
        for child in el:
            tag = child.tag
            if tag == t.r:
                self._run(child, out, state, hidden)
            elif tag == t.fldSimple:
                instr = child.get(t.instr) or ""
                if instr.strip().upper().startswith("TOC"):
                    state.toc = True
                    continue
                self._inline(child, out, state, hidden)
            elif tag in self.inline_containers:
                if not self.is_deletion(child):
                    self._inline(child, out, state, hidden)
            elif tag in self.math_tags and self._in_code == 0 and not hidden:
                out.append("".join(m.text or "" for m in child.iter(self.math_text)))

    def _run_props(self, rpr: etree._Element) -> tuple[bool, str | None]:
        """(hidden, symbol font) of a run."""
        t = self.tags
        hidden = False
        font: str | None = None
        for prop in rpr:
            tag = prop.tag
            if tag == t.vanish or tag == t.webHidden:
                val = prop.get(t.val)
                if val is None or val.lower() in _TRUE:
                    hidden = True
            elif tag == t.rStyle:
                if self.styles.resolved(prop.get(t.val))[3]:
                    hidden = True
            elif tag == t.rFonts:
                name = prop.get(t.ascii) or prop.get(t.hAnsi)
                if name and (name.lower() == "symbol" or name.lower().startswith("wingdings")):
                    font = name
        return hidden, font

    def _run(self, r: etree._Element, out: list[str], state: _ParaState, hidden: bool) -> None:
        t = self.tags
        font: str | None = None
        for c in r:
            tag = c.tag
            if tag == t.t:
                if hidden or self._in_code:
                    continue
                if self._in_toc:
                    state.toc = True
                    continue
                piece = c.text or ""
                if font:
                    piece = map_symbol_text(font, piece)
            elif tag == t.rPr:
                run_hidden, font = self._run_props(c)
                hidden = hidden or run_hidden
                continue
            elif tag == t.tab or tag == t.ptab:
                piece = "\t"
            elif tag == t.fldChar:
                self._field_char(c.get(t.fldCharType))
                continue
            elif tag == t.instrText:
                if self.fields and not self.fields[-1].separated:
                    self.fields[-1].code.append(c.text or "")
                continue
            elif tag == t.lastRenderedPageBreak:
                if not self.fresh_page:
                    self.page += 1
                    self.fresh_page = True
                continue
            elif tag == t.br:
                kind = c.get(t.type)
                if kind == "page":
                    self.page_break()
                    continue
                if kind == "column":
                    continue
                piece = "\n"
            elif tag == t.cr:
                piece = "\n"
            elif tag == t.sym:
                code = _int_hex(c.get(t.char))
                piece = symbol_char(c.get(t.font), code) if code is not None else ""
            elif tag == t.noBreakHyphen:
                piece = "-"
            else:
                continue
            if hidden or self._in_code or not piece:
                continue
            if self._in_toc:
                state.toc = True
                continue
            if not piece.isspace():
                self.fresh_page = False
                if state.page is None:
                    state.page = self.page
            out.append(piece)

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(_Field())
            self._in_code += 1
        elif kind == "separate" and self.fields and not self.fields[-1].separated:
            top = self.fields[-1]
            top.separated = True
            self._in_code -= 1
            if top.is_toc:
                self._in_toc += 1
        elif kind == "end" and self.fields:
            top = self.fields.pop()
            if not top.separated:
                self._in_code -= 1
            elif top.is_toc:
                self._in_toc -= 1

    def _style_id(self, ppr: etree._Element | None) -> str | None:
        if ppr is None:
            return None
        ps = ppr.find(self.w + "pStyle")
        return ps.get(self.w + "val") if ps is not None else None

    def _paragraph(self, p: etree._Element) -> None:
        w = self.w
        ppr = p.find(self.T_PPR)
        style_id = self._style_id(ppr)
        display_style = self.styles.name(style_id)
        style_name = display_style.lower()
        label = self.list_label(ppr, style_id)
        para = self._paragraph_text(p)
        if para.toc or _TOC_STYLE.match(style_name):
            return
        text = para.text.replace("\u00ad", "").replace("\u200b", "")
        if not text.strip():
            return
        _, _, style_outline, _ = self.styles.resolved(style_id)
        direct_outline: int | None = None
        if ppr is not None:
            ol = ppr.find(w + "outlineLvl")
            direct_outline = _int(ol.get(w + "val")) if ol is not None else None
        level: int | None = None
        heading = False
        annex_like = False
        m = _HEADING_STYLE.match(style_name)
        if m:
            heading, level = True, int(m.group(1))
        elif _ANNEX_STYLE.match(style_name):
            heading, level, annex_like = True, 1, True
        elif (m := _ANNEX_LEVEL_STYLE.match(style_name)) is not None:
            heading, level, annex_like = True, int(m.group(2)), True
        elif _SUBHEAD_STYLE.match(style_name):
            # ITU's unnumbered bold/italic headings; a number in one is a run-in term
            # ("3.1.44 link: [ITU-T G.805]" in G.Imp8101), so that stays a paragraph.
            heading = label is None and split_heading(text)[0] is None
        elif (
            direct_outline is not None
            and direct_outline < 9
            and (label or (_short_title(text) and split_heading(text)[0] is not None))
            and not _CAPTION_STYLE.search(style_name)
        ):
            heading, level = True, direct_outline + 1
        elif style_outline is not None and style_outline < 9 and re.search(r"head|annex|append", style_name):
            heading, level = True, style_outline + 1

        if self._pending_annex is not None:
            pending = self._pending_annex
            self._pending_annex = None
            short = len(text.strip()) < 250 and "\n" not in text.strip()
            if (
                short
                and label is None
                and (
                    _TITLE_STYLE.match(style_name)
                    or annex_like
                    or (heading and split_heading(text)[0] is None)
                )
            ):
                pending.text = " ".join(text.split())
                self.blocks.append(pending)
                return
            self.blocks.append(pending)

        plain = " ".join(text.split())
        if self.title_hint is None and style_name in ("rec_title", "res_title"):
            self.title_hint = plain
        if not heading and len(plain) < 60 and plain.rstrip(".:").lower() in FRONT_MATTER:
            self.blocks.append(Block(kind=BlockKind.HEADING, text=plain, page=para.page, style=display_style))
            return
        if not heading:
            body = text.strip("\n")
            if label:
                body = f"{label}\t{body.lstrip()}"
            self.blocks.append(
                Block(kind=BlockKind.PARAGRAPH, text=body, page=para.page, style=display_style)
            )
            return

        number: str | None = None
        title = plain
        if label:
            number = clean_label(label)
            typed, typed_title = split_heading(text)
            if typed is not None and typed.split(" ")[-1] == number.split(" ")[-1]:
                title = typed_title  # the number is both computed and typed
            elif number.split(" ")[0] in ("Annex", "Appendix") and "\n" in text.strip():
                title = " ".join(text.split())
        else:
            number, title = split_heading(text)
        if number is not None:
            number = number.strip().lstrip(".")
            level = clause_level(number) if number[:1].isdigit() or "." in number else (level or 1)
        block = Block(kind=BlockKind.HEADING, text=title, number=number, level=level, page=para.page)
        block.style = display_style
        if number is not None and number.split(" ")[0] in ("Annex", "Appendix") and not title:
            self._pending_annex = block
            return
        self.blocks.append(block)

    def _flush_pending(self) -> None:
        if self._pending_annex is not None:
            self.blocks.append(self._pending_annex)
            self._pending_annex = None

    # -- tables -------------------------------------------------------------------------------

    def _is_frame(self, tbl: etree._Element) -> bool:
        """A one-column table: ITU frames the Summary, Keywords, title block and figures this way."""
        rows = list(self._children(tbl, self.T_TR))
        return bool(rows) and all(len(list(self._children(tr, self.T_TC))) == 1 for tr in rows)

    def _table(self, tbl: etree._Element) -> None:
        if self._is_frame(tbl):
            for tr in self._children(tbl, self.T_TR):
                for tc in self._children(tr, self.T_TC):
                    for child in self.block_children(tc):
                        if child.tag == self.T_P:
                            self._paragraph(child)
                        elif child.tag == self.T_TBL:
                            self._table(child)
            return
        self._flush_pending()
        start_page = self.page
        rows = self._table_rows(tbl)
        lines = [" | ".join(cells) for cells in rows if any(c.strip() for c in cells)]
        if lines:
            self.blocks.append(Block(kind=BlockKind.TABLE, text="\n".join(lines), page=start_page))

    def _table_rows(self, tbl: etree._Element) -> list[list[str]]:
        """Rows of cell texts; a nested table's rows follow the row that holds it."""
        rows: list[list[str]] = []
        for tr in self._children(tbl, self.T_TR):
            cells: list[str] = []
            nested: list[list[str]] = []
            row_start, row_end, row_fresh = self.page, self.page, self.fresh_page
            for tc in self._children(tr, self.T_TC):
                # Word records a rendered break in every cell a row spans; count it once per row.
                self.page, self.fresh_page = row_start, row_fresh
                parts: list[str] = []
                for child in self.block_children(tc):
                    if child.tag == self.T_P:
                        ppr = child.find(self.T_PPR)
                        label = self.list_label(ppr, self._style_id(ppr))
                        para = self._paragraph_text(child)
                        piece = " ".join(para.text.split())
                        if piece and label:
                            piece = f"{label} {piece}"
                        if piece and not para.toc:
                            parts.append(piece)
                    elif child.tag == self.T_TBL:
                        nested.extend(self._table_rows(child))
                cells.append(" ".join(parts))
                row_end = max(row_end, self.page)
            self.page = row_end
            rows.append(cells)
            rows.extend(nested)
        return rows

    def _children(self, el: etree._Element, tag: str) -> Iterator[etree._Element]:
        for child in self.block_children(el):
            if child.tag == tag:
                yield child


def _short_title(text: str) -> bool:
    """Short enough, and not a sentence, to be a heading when only an outline level says so."""
    plain = " ".join(text.split())
    return 0 < len(plain) <= 150 and not plain.endswith((".", ";", ","))


def _int_hex(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


# --- numbering.xml ------------------------------------------------------------------------------


def read_levels(parent: etree._Element, w: str, nfc: bool = False) -> dict[int, ListLevel]:
    levels: dict[int, ListLevel] = {}
    for lvl in parent.findall(w + "lvl"):
        ilvl = _int(lvl.get(w + "ilvl"))
        if ilvl is None:
            continue
        levels[ilvl] = read_level(lvl, w, nfc)
    return levels


def read_level(lvl: etree._Element, w: str, nfc: bool = False) -> ListLevel:
    def val(tag: str) -> str | None:
        el = lvl.find(w + tag)
        return el.get(w + "val") if el is not None else None

    fmt = val("nfc") if nfc else val("numFmt")
    if nfc:
        fmt = NFC_CODES.get(fmt or "0", "decimal")
    return ListLevel(
        start=_int(val("start")) or 0,
        fmt=fmt or "decimal",
        text=val("lvlText") or "",
        restart=_int(val("lvlRestart")),
        legal=_on(lvl.find(w + "isLgl"), w + "val"),
        style=val("pStyle"),
    )


def read_numbering(root: etree._Element | None, styles: Styles) -> ListNumbering | None:
    if root is None:
        return None
    w = "{" + W_NS + "}"
    abstracts: dict[str, dict[int, ListLevel]] = {}
    style_links: dict[str, str] = {}
    for ab in root.findall(w + "abstractNum"):
        ab_id = ab.get(w + "abstractNumId")
        if ab_id is None:
            continue
        abstracts[ab_id] = read_levels(ab, w)
        link = ab.find(w + "numStyleLink")
        if link is not None:
            style = styles.by_id.get(link.get(w + "val") or "")
            if style is not None and style.num_id:
                style_links[ab_id] = style.num_id
    instances: dict[str, ListInstance] = {}
    for num in root.findall(w + "num"):
        num_id = num.get(w + "numId")
        ab = num.find(w + "abstractNumId")
        if num_id is None or ab is None:
            continue
        inst = ListInstance(ab.get(w + "val") or "")
        for override in num.findall(w + "lvlOverride"):
            ilvl = _int(override.get(w + "ilvl"))
            if ilvl is None:
                continue
            so = override.find(w + "startOverride")
            if so is not None and _int(so.get(w + "val")) is not None:
                inst.start_overrides[ilvl] = _int(so.get(w + "val")) or 0
            lvl = override.find(w + "lvl")
            if lvl is not None:
                inst.level_overrides[ilvl] = read_level(lvl, w)
        instances[num_id] = inst
    return ListNumbering(abstracts, instances, style_links)


def read_styles(root: etree._Element | None, ns: str, numpr_tag: str, numid_tag: str) -> Styles:
    styles = Styles()
    if root is None:
        return styles
    w = "{" + ns + "}"
    for st in root.iter(w + "style"):
        style_id = st.get(w + "styleId")
        if not style_id:
            continue
        name_el = st.find(w + "name")
        name = (name_el.get(w + "val") if name_el is not None else None) or style_id
        based = st.find(w + "basedOn")
        sdef = StyleDef(style_id, name, based.get(w + "val") if based is not None else None)
        ppr = st.find(w + "pPr")
        if ppr is not None:
            numpr = ppr.find(w + numpr_tag)
            if numpr is not None:
                el = numpr.find(w + numid_tag)
                sdef.num_id = el.get(w + "val") if el is not None else None
                el = numpr.find(w + "ilvl")
                sdef.ilvl = _int(el.get(w + "val")) if el is not None else None
            ol = ppr.find(w + "outlineLvl")
            if ol is not None:
                sdef.outline = _int(ol.get(w + "val"))
        rpr = st.find(w + "rPr")
        if rpr is not None:
            sdef.vanish = _on(rpr.find(w + "vanish"), w + "val")
        styles.by_id[style_id] = sdef
        if st.get(w + "type") == "paragraph" and (st.get(w + "default") or "").lower() in _TRUE:
            styles.default_para = style_id
    return styles


def default_language_tag(styles_root: etree._Element | None, ns: str) -> str | None:
    if styles_root is None:
        return None
    w = "{" + ns + "}"
    lang = styles_root.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr/{w}lang")
    return lang.get(w + "val") if lang is not None else None


# --- metadata -----------------------------------------------------------------------------------

_BORING_TITLE = re.compile(r"^(microsoft word\b.*|untitled|document\d*|title|\s*)$", re.I)


def meaningful_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = " ".join(title.split())
    if len(title) < 4 or _BORING_TITLE.match(title) or title.lower().endswith((".doc", ".docx", ".dot")):
        return None
    return title


def finish_meta(
    blocks: list[Block],
    default_lang: str | None,
    title: str | None,
    pages_declared: int | None,
    pages_counted: int,
) -> DocumentMeta:
    meta = DocumentMeta(title=meaningful_title(title))
    sample: list[str] = []
    size = 0
    for block in blocks:
        sample.append(block.text)
        size += len(block.text)
        if size > 30_000:
            break
    tags: Counter[str] = Counter()
    if default_lang:
        tags[default_lang] += 1
    language = guess_language(sample, tags)
    if language:
        meta.language = language
    # Word's own page count when it agrees with the rendering; the rendering when Word's is stale.
    if pages_declared and pages_declared > 1:
        meta.pages = pages_declared
    elif pages_counted > 1:
        meta.pages = pages_counted
    else:
        meta.pages = pages_declared or pages_counted
    return meta


# --- the zip -----------------------------------------------------------------------------------


def _describe_zip(names: set[str]) -> str:
    lowered = {n.lower() for n in names}
    if "xl/workbook.xml" in lowered:
        return "an Excel workbook (.xlsx), not a Word document"
    if "ppt/presentation.xml" in lowered:
        return "a PowerPoint presentation (.pptx), not a Word document"
    if "mimetype" in lowered and "content.xml" in lowered:
        return "an OpenDocument file (.odt/.ods), not a Word .docx"
    if "meta-inf/container.xml" in lowered:
        return "an EPUB or other container, not a Word .docx"
    sample = ", ".join(sorted(names)[:5])
    return f"a zip archive without word/document.xml (not a Word .docx; holds {sample or 'nothing'})"


class SafeZip:
    """A zip archive checked against size and ratio limits before any member is read."""

    def __init__(self, data: bytes, limits: Limits, kind: str = ".docx") -> None:
        self.kind = kind
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
            raise ParseError(f"corrupt or truncated {kind}: {exc}") from exc
        self.limit = limits.max_unzipped_bytes
        total = sum(i.file_size for i in infos)
        if total > self.limit:
            raise ParseError(
                f"zip bomb suspected: {total} bytes uncompressed exceeds the limit of {self.limit} bytes"
            )
        for info in infos:
            if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise ParseError(
                    f"zip bomb suspected: {info.filename} inflates {ratio}x"
                    f" ({info.compress_size} -> {info.file_size} bytes)"
                )
        self.names = {i.filename for i in infos}
        self.read_so_far = 0

    def read(self, name: str) -> bytes | None:
        """A member's bytes (None when absent), never more than the limit even if headers lie."""
        if name not in self.names:
            return None
        budget = self.limit - self.read_so_far
        try:
            with self.zf.open(name) as fh:
                data = fh.read(budget + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
            raise ParseError(f"corrupt or truncated {self.kind}: {name}: {exc}") from exc
        self.read_so_far += len(data)
        if len(data) > budget:
            raise ParseError(f"zip bomb suspected: {name} inflates beyond the limit of {self.limit} bytes")
        return data

    def xml(self, name: str) -> etree._Element | None:
        raw = self.read(name)
        if raw is None:
            return None
        try:
            return etree.fromstring(raw, xml_parser())
        except etree.XMLSyntaxError as exc:
            raise ParseError(
                f"corrupt or truncated {self.kind}: {name} is not well-formed XML ({exc})"
            ) from exc


def _main_part(z: SafeZip) -> str | None:
    """The main document part: _rels/.rels' officeDocument target, else word/document.xml."""
    rels = z.xml("_rels/.rels") if "_rels/.rels" in z.names else None
    if rels is not None:
        for rel in rels.iter("{" + REL_NS + "}Relationship"):
            if rel.get("Type") in (OFFICE_DOC_REL, STRICT_DOC_REL):
                target = (rel.get("Target") or "").lstrip("/")
                if target in z.names and target.lower().endswith(".xml"):
                    return target
    return "word/document.xml" if "word/document.xml" in z.names else None


def _part_rels(z: SafeZip, part: str) -> dict[str, str]:
    """Relationship type suffix -> target path for a part (styles, numbering)."""
    p = PurePosixPath(part)
    rels = z.xml(str(p.parent / "_rels" / (p.name + ".rels")))
    out: dict[str, str] = {}
    if rels is None:
        return out
    for rel in rels.iter("{" + REL_NS + "}Relationship"):
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else str(p.parent / target)
        out.setdefault(kind, path)
    return out


_CORE_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_APP_PAGES = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Pages"


class DocxParser:
    """Word 2007+ .docx files (and .docm/.dotx: any OPC package with a Word main part)."""

    name = "docx"

    def sniff(self, head: bytes) -> bool:
        """A zip whose first local headers name OPC parts ("[Content_Types].xml", "word/", "_rels/").

        Only the first 8 KiB are seen, so word/document.xml itself may not be visible yet; an OPC zip
        that is not a Word document (.xlsx, .pptx) is accepted here and refused by ``parse`` with a
        message naming what it is, which helps more than "unknown format".
        """
        if not head.startswith(b"PK\x03\x04"):
            return False
        return b"word/" in head or b"[Content_Types].xml" in head or b"_rels/.rels" in head

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        if len(data) > limits.max_file_bytes:
            raise ParseError(f"file too large ({len(data)} bytes > limit {limits.max_file_bytes})")
        z = SafeZip(data, limits)
        main = _main_part(z)
        if main is None:
            raise ParseError(f"not a Word document: {_describe_zip(z.names)}")
        rels = _part_rels(z, main)
        styles_root = z.xml(rels.get("styles", "word/styles.xml"))
        styles = read_styles(styles_root, W_NS, "numPr", "numId")
        numbering = read_numbering(z.xml(rels.get("numbering", "word/numbering.xml")), styles)
        doc = z.xml(main)
        if doc is None:  # pragma: no cover - _main_part checked it exists
            raise ParseError("corrupt or truncated .docx: no main document part")
        body = doc.find("{" + W_NS + "}body")
        if body is None:
            raise ParseError(f"corrupt .docx: {main} has no w:body")
        walker = WordBody(W_NS, styles, numbering)
        blocks = walker.walk(body)
        title = None
        core = z.xml("docProps/core.xml") if "docProps/core.xml" in z.names else None
        if core is not None:
            el = core.find(_CORE_TITLE)
            title = el.text if el is not None else None
        pages_declared = None
        app = z.xml("docProps/app.xml") if "docProps/app.xml" in z.names else None
        if app is not None:
            el = app.find(_APP_PAGES)
            pages_declared = _int((el.text or "").strip()) if el is not None else None
        meta = finish_meta(
            blocks,
            default_language_tag(styles_root, W_NS),
            walker.title_hint or title,
            pages_declared,
            walker.page,
        )
        meta.path = str(path)
        meta.format = self.name
        return ParsedDocument(meta=meta, blocks=blocks)


__all__ = ["DocxParser", "SafeZip", "WordBody", "split_heading", "xml_parser"]

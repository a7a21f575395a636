"""AsciiDoc, as Metanorma ITU sources write Recommendations.

Metanorma sources carry no clause numbers: they are computed here from the section nesting the way
Metanorma ITU renders them (``==`` sections are clauses 1, 2, 3 ...; ``===`` sections 3.1 ...).
``[appendix]`` sections are annexes (A, B ...) unless ``obligation=informative``, which makes them
appendices (I, II ...). ``[abstract]`` is the Summary, ``[preface]`` sections are front matter (History,
Foreword), a ``[bibliography]`` section titled Bibliography is the kept unnumbered section while the
normative References stay numbered. Terms inside the definitions clause are sub-clauses headed by the
term, whose first paragraph reads "term [source]: definition" as in printed Recommendations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.headings import KEPT_SECTIONS, clause_level
from ingest.models import Block, BlockKind, DocKind, DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError
from ingest.parsers.text import decode_utf8, looks_like_text

_TITLE = re.compile(r"^=[ \t]+\S")
_ATTR = re.compile(r"^:([\w][\w-]*!?):(?:[ \t]+(.*))?$")
_SECTION = re.compile(r"^(={2,6})[ \t]+(\S.*?)[ \t]*$")
_BLOCK_ATTR = re.compile(r"^\[(?!\[)([^\]]*)\]\s*$")
_ANCHOR = re.compile(r"^\[\[([^\],]+)(?:,[^\]]*)?\]\]\s*$")
_DELIMITER = re.compile(r"^(-{4,}|\.{4,}|={4,}|\*{4,}|\+{4,}|_{4,}|/{4,}|--)\s*$")
_TABLE = re.compile(r"^([|,:!])===+\s*$")
_LIST = re.compile(r"^\s*(\*{1,5}|-|\.{1,5}|\d{1,3}\.)\s+(.*)$")
_DLIST = re.compile(r"^(.+?)(:{2,4}|;;)(?:\s+(.*))?$")
_BLOCK_TITLE = re.compile(r"^\.([^.\s].*)$")
_ADMONITION = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION|EXAMPLE)(?:\s*\d*)?:\s+(.*)$")
_SKIP_LINE = re.compile(r"^(//|image::|include::|toc::|ifn?def::|endif::|ifeval::|'''|<<<)")
_BIB_ANCHOR = re.compile(r"\[\[\[([^,\]]+)(?:,([^\]]+))?\]\]\]")
_XREF = re.compile(r"<<([^,>]+)(?:,([^>]*))?>>")
_TERMS_TITLE = re.compile(r"definition|terms", re.IGNORECASE)
_REC_NUMBER = re.compile(r"^[A-Z]{1,2}\.\d+(?:\.\d+)*(?:/[A-Z]{1,2}\.\d+(?:\.\d+)*)?$")
_CELL_SPEC = re.compile(r"^(?:(\d+)\*)?(?:(\d+)(?:\.\d+)?\+|\.\d+\+)?(?:[<^>])?(?:\.[<^>])?[adehlmsv]?$")
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
_DOCTYPES = {
    "recommendation": DocKind.RECOMMENDATION,
    "recommendation-annex": DocKind.ANNEX,
    "recommendation-amendment": DocKind.AMENDMENT,
    "recommendation-corrigendum": DocKind.CORRIGENDUM,
    "recommendation-errata": DocKind.ERRATUM,
    "recommendation-supplement": DocKind.SUPPLEMENT,
    "implementers-guide": DocKind.IMPLEMENTERS_GUIDE,
    "resolution": DocKind.RESOLUTION,
    "contribution": DocKind.CONTRIBUTION,
}


@dataclass
class _Element:
    kind: str  # "para", "table", "source"
    text: str


@dataclass
class _Section:
    depth: int
    title: str
    attrs: list[str]
    anchor: str | None
    body: list[_Element] = field(default_factory=list)
    number: str | None = None
    is_term: bool = False
    children: int = 0


@dataclass
class _Doc:
    title: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    preamble: list[_Element] = field(default_factory=list)
    sections: list[_Section] = field(default_factory=list)
    bib_labels: dict[str, str] = field(default_factory=dict)


def _attr_names(attrs: list[str]) -> set[str]:
    names = set()
    for attr in attrs:
        for part in attr.split(","):
            part = part.strip()
            if part and "=" not in part:
                names.add(part.lstrip("%.#").lower() if part.startswith(("%", ".")) else part.lower())
            for opt in re.findall(r"%([\w-]+)", part):
                names.add(opt.lower())
    return names


def _attr_value(attrs: list[str], key: str) -> str | None:
    for attr in attrs:
        m = re.search(rf"(?:^|,)\s*{re.escape(key)}\s*=\s*(?:\"([^\"]*)\"|([^,]*))", attr)
        if m:
            return (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    return None


class AsciiDocParser:
    name = "asciidoc"

    def sniff(self, head: bytes) -> bool:
        if not looks_like_text(head):
            return False
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = text.splitlines()
        first = next((line for line in lines if line.strip() and not line.startswith("//")), "")
        header_attrs = sum(1 for line in lines[:40] if _ATTR.match(line))
        if _TITLE.match(first) and (header_attrs or any(_SECTION.match(line) for line in lines)):
            return True
        if header_attrs >= 2 and not first.startswith("#"):
            return True
        sections = sum(1 for line in lines if _SECTION.match(line) and line.startswith("== "))
        return sections >= 2 and not any(line.startswith("#") for line in lines if line[:2] in ("# ", "##"))

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        missing: list[str] = []
        text = _expand_includes(decode_utf8(data), path.parent, missing, limits.max_file_bytes, depth=0)
        doc = _read(text)
        blocks = _emit(doc)
        if not blocks:
            if missing:
                raise ParseError(
                    f"AsciiDoc file has no text: its include:: files are missing ({', '.join(missing[:5])})"
                )
            raise ParseError("AsciiDoc file has no text")
        return ParsedDocument(meta=_meta(doc, path, self.name), blocks=blocks)


_INCLUDE = re.compile(r"^include::([^\[]+)\[[^\]]*\]\s*$", re.MULTILINE)


def _expand_includes(text: str, base: Path, missing: list[str], budget: int, depth: int) -> str:
    """Inline ``include::file[]`` lines from files beside the document (not outside its folder)."""
    if depth > 4 or "include::" not in text:
        return text
    root = base.resolve()

    def replace(m: re.Match[str]) -> str:
        target = m.group(1).strip()
        candidate = (base / target).resolve()
        if "://" in target or not candidate.is_relative_to(root) or not candidate.is_file():
            missing.append(target)
            return ""
        try:
            raw = candidate.read_bytes()[:budget]
        except OSError:
            missing.append(target)
            return ""
        return _expand_includes(
            raw.decode("utf-8", errors="replace"), candidate.parent, missing, budget, depth + 1
        )

    return _INCLUDE.sub(replace, text)


def _meta(doc: _Doc, path: Path, fmt: str) -> DocumentMeta:
    attrs = doc.attributes
    meta = DocumentMeta(path=str(path), format=fmt, title=_inline(doc.title or "", doc) or None)
    bureau = attrs.get("bureau", "").strip().upper()
    sector = {"T": "ITU-T", "R": "ITU-R", "D": "ITU-D"}.get(bureau)
    meta.sector = sector
    number = attrs.get("docnumber", "").strip()
    if sector and _REC_NUMBER.match(number):
        meta.rec_id = f"{sector} {number}"
    published = attrs.get("published-date", "").strip()
    m = re.match(r"^(\d{4})-(\d{2})", published)
    if m:
        meta.edition = f"{m.group(1)}-{m.group(2)}"
    language = attrs.get("language", "").strip().lower()
    if language:
        meta.language = language
    meta.kind = _DOCTYPES.get(attrs.get("doctype", "").strip().lower(), DocKind.OTHER)
    return meta


def _read(text: str) -> _Doc:
    """First pass: header attributes, sections with their bodies, bibliography labels."""
    doc = _Doc()
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("//")):
        i += 1
    if i < len(lines) and _TITLE.match(lines[i]):
        doc.title = lines[i][1:].strip()
        i += 1
        while i < len(lines) and lines[i].strip():
            m = _ATTR.match(lines[i])
            if m:
                doc.attributes[m.group(1)] = (m.group(2) or "").strip()
            i += 1
    attrs: list[str] = []
    anchor: str | None = None
    para: list[str] = []
    current: list[_Element] = doc.preamble
    section_stack: list[_Section] = []

    def flush() -> None:
        nonlocal attrs, anchor
        if para:
            kind = "source" if any(a.strip().startswith(".source") for a in attrs) else "para"
            joined = " ".join(line.strip() for line in para)
            if kind == "para" and (m := _ADMONITION.match(joined)):
                joined = f"{m.group(1)} – {m.group(2)}"
            current.append(_Element(kind, joined))
            para.clear()
            attrs, anchor = [], None

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if para and not (_SECTION.match(line) or _TABLE.match(stripped) or _DELIMITER.match(stripped)):
            if _LIST.match(line) or stripped == "+":
                flush()
            elif not _BLOCK_ATTR.match(stripped):
                para.append(line)
                i += 1
                continue
        flush()
        if _SKIP_LINE.match(stripped) and not stripped.startswith("////"):
            i += 1
            continue
        if (m := _ATTR.match(line)) is not None:
            doc.attributes.setdefault(m.group(1), (m.group(2) or "").strip())
            i += 1
            continue
        if (m := _ANCHOR.match(stripped)) is not None:
            anchor = m.group(1)
            i += 1
            continue
        if (m := _BLOCK_ATTR.match(stripped)) is not None:
            attrs.append(m.group(1))
            i += 1
            continue
        if (m := _SECTION.match(line)) is not None:
            depth = len(m.group(1)) - 1
            section = _Section(depth=depth, title=m.group(2), attrs=attrs, anchor=anchor)
            while section_stack and section_stack[-1].depth >= depth:
                section_stack.pop()
            if section_stack:
                section_stack[-1].children += 1
            section_stack.append(section)
            doc.sections.append(section)
            current = section.body
            attrs, anchor = [], None
            i += 1
            continue
        if (m := _TABLE.match(stripped)) is not None:
            sep = {"|": "|", ",": ",", ":": ":", "!": "!"}[m.group(1)]
            end = i + 1
            while end < len(lines) and not _TABLE.match(lines[end].strip()):
                end += 1
            rows = _table_rows(lines[i + 1 : end], sep, attrs)
            if rows:
                current.append(_Element("table", "\n".join(rows)))
            attrs, anchor = [], None
            i = end + 1
            continue
        if (m := _DELIMITER.match(stripped)) is not None:
            delim = m.group(1)
            if delim == "--" or delim[0] in "=*_":  # open, example, sidebar, quote: parsed as usual
                i += 1
                continue
            end = i + 1
            while end < len(lines) and lines[end].strip() != delim:
                end += 1
            body = "\n".join(lines[i + 1 : end]).strip("\n")
            if delim[0] != "/" and body.strip():
                current.append(_Element("para", body))
            attrs, anchor = [], None
            i = end + 1
            continue
        if (m := _BLOCK_TITLE.match(stripped)) is not None:
            current.append(_Element("para", m.group(1)))
            i += 1
            continue
        if (m := _LIST.match(line)) is not None:
            para.append(m.group(2))
            i += 1
            continue
        if (m := _DLIST.match(stripped)) is not None and not stripped.startswith(("http", "<<")):
            term, definition = m.group(1).strip(), (m.group(3) or "").strip()
            if not definition and i + 1 < len(lines) and lines[i + 1].strip():
                i += 1
                definition = lines[i].strip()
            current.append(_Element("para", f"{term}\t{definition}" if definition else term))
            i += 1
            continue
        para.append(line)
        i += 1
    flush()
    for section in doc.sections:
        for element in section.body:
            for bib in _BIB_ANCHOR.finditer(element.text):
                doc.bib_labels[bib.group(1)] = (bib.group(2) or bib.group(1)).strip()
    return doc


def _split_cells(content: str, sep: str) -> list[tuple[str, int]]:
    """Cells of an AsciiDoc table body as (text, columns spanned)."""
    if sep != "|" and sep != "!":
        return [(cell, 1) for line in content.splitlines() if line.strip() for cell in line.split(sep)]
    tokens = re.split(r"(?<!\\)\|" if sep == "|" else r"(?<!\\)!", content)
    cells: list[tuple[str, int]] = []
    spec_span, spec_copies = 1, 1
    for index, token in enumerate(tokens):
        text, next_span, next_copies = token, 1, 1
        if index < len(tokens) - 1:
            m = re.search(r"(?:^|(?<=\s))(\S+)$", token)
            if m and _CELL_SPEC.match(m.group(1)):
                spec = _CELL_SPEC.match(m.group(1))
                assert spec is not None
                next_copies = int(spec.group(1) or 1)
                next_span = int(spec.group(2) or 1)
                text = token[: m.start(1)]
        if index > 0:
            for _ in range(spec_copies):
                cells.append((text, spec_span))
        spec_span, spec_copies = next_span, next_copies
    return cells


def _column_count(attrs: list[str]) -> int | None:
    cols = _attr_value(attrs, "cols")
    if not cols:
        return None
    if cols.isdigit():
        return int(cols)
    count = 0
    for part in cols.split(","):
        m = re.match(r"^\s*(\d+)\*", part)
        count += int(m.group(1)) if m else 1
    return count or None


def _table_rows(lines: list[str], sep: str, attrs: list[str]) -> list[str]:
    content = "\n".join(lines)
    cells = _split_cells(content, sep)
    if not cells:
        return []
    columns = _column_count(attrs)
    if columns is None:
        first = next((line for line in lines if line.strip()), "")
        columns = max(1, sum(span for _t, span in _split_cells(first, sep)))
    rows: list[str] = []
    row: list[str] = []
    used = 0
    for text, span in cells:
        row.append(" ".join(text.split()))
        used += span
        if used >= columns:
            if any(row):
                rows.append(" | ".join(row))
            row, used = [], 0
    if any(row):
        rows.append(" | ".join(row))
    return rows


def _number_sections(doc: _Doc) -> None:
    """Clause numbers from nesting, as Metanorma ITU renders them."""
    annexes = appendices = top = 0
    position = {id(s): n for n, s in enumerate(doc.sections)}
    child_counts: dict[int, int] = {}
    stack: list[_Section] = []
    terms_depth: int | None = None
    for section in doc.sections:
        names = _attr_names(section.attrs)
        while stack and stack[-1].depth >= section.depth:
            stack.pop()
        parent = stack[-1] if stack else None
        title = section.title.strip().rstrip(".:").lower()
        if terms_depth is not None and section.depth <= terms_depth:
            terms_depth = None
        if section.depth == 1:
            heading = _attr_value(section.attrs, "heading")
            if "abstract" in names:
                section.number = "Summary"
            elif "preface" in names or "unnumbered" in names:
                section.number = KEPT_SECTIONS.get(title)
            elif "bibliography" in names and (
                title == "bibliography" or (heading or "").lower() == "bibliography"
            ):
                section.number = "Bibliography"
            elif "appendix" in names or "annex" in names:
                if (_attr_value(section.attrs, "obligation") or "normative").lower() == "informative":
                    section.number = (
                        f"Appendix {_ROMAN[appendices] if appendices < len(_ROMAN) else appendices + 1}"
                    )
                    appendices += 1
                else:
                    annex_id = doc.attributes.get("annexid", "").strip()
                    if annexes == 0 and annex_id and re.fullmatch(r"[A-Z]\d{0,2}", annex_id):
                        section.number = f"Annex {annex_id}"
                    else:
                        section.number = f"Annex {chr(ord('A') + annexes)}"
                    annexes += 1
            else:
                top += 1
                section.number = str(top)
                if _TERMS_TITLE.search(title) and "abbreviation" not in title:
                    terms_depth = 1
        elif parent is not None and parent.number and "unnumbered" not in names and _numbered(parent):
            base = parent.number.split(" ", 1)[1] if " " in parent.number else parent.number
            ordinal = child_counts.get(position[id(parent)], 0) + 1
            child_counts[position[id(parent)]] = ordinal
            section.number = f"{base}.{ordinal}"
            if terms_depth is not None and section.children == 0 and not _TERMS_TITLE.search(title):
                section.is_term = True
        stack.append(section)


def _numbered(section: _Section) -> bool:
    names = _attr_names(section.attrs)
    if section.depth == 1:
        return not ({"abstract", "preface", "unnumbered"} & names) and not (
            "bibliography" in names and section.title.strip().lower() == "bibliography"
        )
    return "unnumbered" not in names


def _label(section: _Section) -> str:
    if section.number is None:
        return section.title
    if section.number[:1].isdigit():
        return f"clause {section.number}"
    return section.number


def _inline(text: str, doc: _Doc, targets: dict[str, str] | None = None) -> str:
    """AsciiDoc inline markup to plain text; cross-references resolved to labels."""
    targets = targets or {}

    def xref(m: re.Match[str]) -> str:
        target, shown = m.group(1).strip(), (m.group(2) or "").strip()
        if shown:
            return shown
        if target in doc.bib_labels:
            return f"[{doc.bib_labels[target]}]"
        return targets.get(target) or targets.get(target.lower()) or target

    text = _BIB_ANCHOR.sub(lambda m: f"[{(m.group(2) or m.group(1)).strip()}]\t", text)
    text = re.sub(r"\]\t\s*,\s*", "]\t", text)
    text = _XREF.sub(xref, text)
    text = re.sub(r"\[\[[^\]]*\]\]", "", text)
    text = re.sub(r"footnote:[\w-]*\[(?:[^\[\]]|\[[^\]]*\])*\]", "", text)
    text = re.sub(
        r"\b(?:stem|latexmath|asciimath|pass|kbd|alt|admitted|deprecated|domain):\[([^\]]*)\]", r"\1", text
    )
    text = re.sub(r"\bimage:[^\[\s]*\[[^\]]*\]", "", text)
    text = re.sub(
        r"\b(?:link:)?((?:https?|ftp|mailto):[^\s\[]+)\[([^\]]*)\]", lambda m: m.group(2) or m.group(1), text
    )
    text = re.sub(r"\[[\w.%,=\" -]*\]#([^#]*)#", r"\1", text)
    text = re.sub(r"\(\(\(([^)]*)\)\)\)", "", text)
    text = re.sub(r"\(\(([^)]*)\)\)", r"\1", text)
    for mark in ("**", "__", "``", "##", "*", "_", "`", "#", "^", "~"):
        escaped = re.escape(mark)
        text = re.sub(rf"(?<![\w\\]){escaped}(?=\S)(.+?)(?<=\S){escaped}(?!\w)", r"\1", text)
    text = re.sub(r"\+\+\+(.*?)\+\+\+|\+\+(.*?)\+\+", lambda m: m.group(1) or m.group(2) or "", text)
    attrs = doc.attributes
    text = re.sub(r"\{blank\}|\{empty\}", "", text)
    text = re.sub(r"\{nbsp\}|\{sp\}", " ", text)
    text = re.sub(r"\{([\w-]+)\}", lambda m: attrs.get(m.group(1), m.group(0)), text)
    text = text.replace(" +\n", " ").replace("\\", "")
    if "\t" in text:
        return "\t".join(" ".join(part.split()) for part in text.split("\t")).strip()
    return " ".join(text.split())


def _emit(doc: _Doc) -> list[Block]:
    _number_sections(doc)
    targets: dict[str, str] = {}
    for section in doc.sections:
        if section.anchor:
            targets[section.anchor] = _label(section)
        targets.setdefault(section.title.strip(), _label(section))
        targets.setdefault(section.title.strip().lower(), _label(section))
    blocks: list[Block] = []

    def body(elements: list[_Element]) -> None:
        for element in elements:
            if element.kind == "table":
                rows = [_inline(row, doc, targets) for row in element.text.split("\n")]
                blocks.append(Block(kind=BlockKind.TABLE, text="\n".join(r for r in rows if r)))
            else:
                text = _inline(element.text, doc, targets) if "\n" not in element.text else element.text
                if text:
                    blocks.append(Block(kind=BlockKind.PARAGRAPH, text=text))

    body(doc.preamble)
    keywords = doc.attributes.get("keywords", "").strip()
    keywords_done = not keywords
    for section in doc.sections:
        if not keywords_done and section.number and section.number[:1].isdigit():
            blocks.append(Block(kind=BlockKind.HEADING, text="Keywords", number="Keywords", level=1))
            blocks.append(Block(kind=BlockKind.PARAGRAPH, text=_inline(keywords, doc)))
            keywords_done = True
        title = _inline(section.title, doc, targets)
        number = section.number
        if number and title.startswith(f"{number} "):  # a number typed into the title as well
            title = title[len(number) :].strip()
        if number is None:
            blocks.append(Block(kind=BlockKind.HEADING, text=title, level=section.depth, style="asciidoc"))
            body(section.body)
            continue
        level = 1 if number in KEPT_SECTIONS.values() else clause_level(number)
        blocks.append(Block(kind=BlockKind.HEADING, text=title, number=number, level=level, style="asciidoc"))
        if not section.is_term:
            body(section.body)
            continue
        sources = [_inline(e.text, doc, targets) for e in section.body if e.kind == "source"]
        rest = [e for e in section.body if e.kind != "source"]
        first = next((e for e in rest if e.kind == "para"), None)
        source = f" {sources[0]}" if sources else ""
        if first is not None:
            blocks.append(
                Block(kind=BlockKind.PARAGRAPH, text=f"{title}{source}: {_inline(first.text, doc, targets)}")
            )
            rest = [e for e in rest if e is not first]
        body(rest)
    return blocks

"""PDF parser: pypdf text, one physical page at a time, turned into ITU-shaped blocks.

PDF has no paragraphs or styles, only positioned lines, so structure is recovered from the text:

* **Pages.** Every block carries the 1-based physical page it comes from (the PDF page index, not the
  number printed in the footer). A paragraph that runs over a page break is split there, so a clause's
  ``page_start``/``page_end`` never miss the page its last words are on.
* **Running headers and footers** ("Rec. ITU-R P.452-18", "CCITT Rec. T.81 (1992 E) 7", "- 2 -",
  bare page numbers) are found by repetition: a line in the top or bottom three lines of a page whose
  shape (digits and roman numerals folded) recurs on a quarter or more of the pages is dropped.
  No per-file rules.
* **Table of contents** lines (dot leaders then a page number), the first half of a wrapped TOC entry,
  and the "Contents"/"Page" captions on those pages are dropped.
* **Paragraphs.** Lines are joined until a short line (well under the document's typical full line
  width), a sentence end followed by a capital on a line that is not full, a list marker ("–", "a)",
  "NOTE", "Step 2:"), a heading, a blank line or a page break. A line-end hyphen is removed only where
  the document itself spells the joined word without it elsewhere ("Telecom-/munication"); otherwise
  it is kept ("radio-/frequency", "IMT-/2020").
* **Equations.** pypdf gives math-font glyphs as private-use characters (U+E000-U+F8FF). Symbol-font
  code points (U+F020-U+F0FF) that are Greek letters or common operators are mapped back (so
  "12 p U+F0B3 pw" reads "12 p ≥ pw"); all other private-use characters are dropped. A run of lines
  without a single word of prose that held such characters (a MathType equation in pieces) becomes
  one placeholder, "[equation (3a)]" with its printed number when there is one. Math italic letters
  (U+1D400-U+1D7FF) and ligatures are folded to plain letters; control characters never reach the
  output.
* **Headings.** ITU-T numbered clauses ("1 Scope", "3.2.1 ...", "A.1 ...", "Annex A", "Appendix I")
  and ITU-R structure: "Annex 1", "Attachment 1 to Annex 1" (also when printed on two lines),
  "SECTION 1" (M.1036), numbered sections "1 Introduction", "4.2 Diffraction", the preamble parts
  "considering", "recognizing", "noting", "recommends" (also "further considering", "decides", ...;
  ``number`` is the word itself and the operative "recommends 1 that ..." items stay as the
  clause's paragraphs), and the unnumbered "Scope" (number "Scope"), "Keywords", "Introduction".
  A numbered line is a heading only if its title starts with a capital, it is not a sentence, table
  row or full-width line, and its number follows the numbering so far (next sibling, first child, or
  a skip of one), which keeps figure axis labels and list items out.
* **Clause numbers inside annexes (decision).** ITU-R annexes and attachments restart their numbering
  ("1 Introduction" in Annex 1 and again in Attachment 1 to Annex 1), and ITU-R people cite them as
  "Annex 1, § 4.2". A purely numeric heading inside an annex, attachment, appendix or section is
  therefore numbered ``"<container> § <number>"``: ``"Annex 1 § 4.2"``,
  ``"Attachment 1 to Annex 1 § 2"``, ``"Section 1 § 1"``. Every clause keeps a distinct number, the
  number reads as the citation, and ``ClauseTree.find("4.2")`` still finds it (the builder matches the
  last word of a spaced number). Lettered ITU-T annex clauses ("A.1", "K.3.2") are already unique and
  are kept as printed; headings in the body before any annex keep plain numbers ("2.1").
  ``Block.level`` gives the depth (annex 1, "Annex 1 § 4.2" 3).
* **Metadata hints.** ``meta.pages`` is the page count; ``meta.title`` is the title printed after
  "RECOMMENDATION ITU-R P.452-18" (or "Recommendation X.nn" in ITU-T/CCITT PDFs) on the first pages;
  language defaults to "en".
* **Bad input** is a ParseError: password-protected ("encrypted PDF: password required"), truncated
  (no %%EOF), not a PDF after all, no text layer ("no extractable text (scanned PDF?)"). pypdf's
  warnings are silenced while parsing; its errors still reach the log.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.headings import ITU_R_PREAMBLE, KEPT_SECTIONS, match_heading
from ingest.models import Block, BlockKind, DocumentMeta, ParsedDocument
from ingest.parsers.base import Limits, ParseError

# ----------------------------------------------------------------------------------- characters

# Adobe Symbol encoding (what Word's Symbol font puts at U+F0xx): letters and common math only.
_SYMBOL = dict(
    zip(
        range(0xF041, 0xF05B),
        "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ",
        strict=True,
    )
)
_SYMBOL.update(zip(range(0xF061, 0xF07B), "αβχδεφγηιϕκλμνοπθρστυϖωξψζ", strict=True))
_SYMBOL.update(
    {
        0xF020: " ", 0xF028: "(", 0xF029: ")", 0xF02B: "+", 0xF02C: ",", 0xF02D: "−", 0xF02E: ".",
        0xF02F: "/", 0xF03C: "<", 0xF03D: "=", 0xF03E: ">", 0xF05B: "[", 0xF05D: "]", 0xF07C: "|",
        0xF07E: "∼", 0xF0A2: "′", 0xF0A3: "≤", 0xF0A5: "∞", 0xF0AE: "→", 0xF0B0: "°", 0xF0B1: "±",
        0xF0B2: "″", 0xF0B3: "≥", 0xF0B4: "×", 0xF0B6: "∂", 0xF0B7: "•", 0xF0B8: "÷", 0xF0B9: "≠",
        0xF0BA: "≡", 0xF0BB: "≈", 0xF0D6: "√", 0xF0D7: "⋅", 0xF0E5: "∑", 0xF0F2: "∫",
    }
)  # fmt: skip
_SYMBOL.update({0xF030 + i: str(i) for i in range(10)})
_SPACES = re.compile(r"\s+")
_MATH_OPS = set("=+−×÷∑∫√≤≥≈≠±∂")
_EQ_NUMBER = re.compile(r"\((\d{1,3}[a-z]?|[A-Z]\.\d{1,3}[a-z]?)\)\s*$")
_PROSE_WORD = re.compile(r"[(\"“‘]?[A-Za-z][a-z]{2,}[.,;:)\"”’]*")


def _clean_line(raw: str) -> tuple[str, bool]:
    """(clean text, whether private-use characters were in it): no control or private-use chars."""
    out: list[str] = []
    had_pua = False
    for ch in raw:
        code = ord(ch)
        if 0xE000 <= code <= 0xF8FF:
            had_pua = True
            mapped = _SYMBOL.get(code)
            if mapped:
                out.append(mapped)
            continue
        if 0x1D400 <= code <= 0x1D7FF or 0xFB00 <= code <= 0xFB06 or 0x210A <= code <= 0x2134:
            out.append(unicodedata.normalize("NFKC", ch))
            continue
        if ch in "\t\u00a0\u2002\u2003\u2009\u202f":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or ch == "\ufffd":
            continue
        out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip(), had_pua


def _prose_words(text: str) -> int:
    return sum(1 for token in text.split() if _PROSE_WORD.fullmatch(token))


def _garbled(text: str) -> bool:
    """A line from a font without a Unicode map (U.1's cover: ")45/G134/G0/G02ECOMMENDATION")."""
    if re.search(r"/G\d", text):
        return True
    chars = text.replace(" ", "")
    odd = sum(1 for ch in chars if ch in "%!$#&’'()/")
    return len(chars) >= 6 and odd / len(chars) > 0.3 and _prose_words(text) == 0


# ------------------------------------------------------------------------------------- structure

_FRONT = {"foreword", "contents", "table of contents", "list of tables", "list of figures"}
_CONTAINER = re.compile(
    r"^(Annex|ANNEX|Appendix|APPENDIX|Attachment|ATTACHMENT|Section|SECTION)\s+"
    r"(\d{1,2}|[A-Z]{1,2}\d{0,2}|[IVX]{1,5})\.?"
    r"(?:\s+(?:to|TO)\s+(?:Annex|ANNEX)\s+(\d{1,2}|[A-Z]{1,2}))?"
    r"(?:\s*[:–—-]\s*(.*)|\s*\((?:to|TO)\s+(?:Annex|ANNEX)\s+(\d{1,2}|[A-Z])\))?$"
)
_TO_ANNEX = re.compile(r"^(?:to|TO)\s+(?:Annex|ANNEX)\s+(\d{1,2}|[A-Z]{1,2})\s*(?:[:–—-]\s*(.*))?$")
_NUMBERED = re.compile(r"^(?:§\s*)?(\d{1,2}(?:\.\d{1,3}){0,5})\.?\s+(\S.*)$")
_LETTERED = re.compile(r"^([A-Z]|[IVX]{1,4})\.(\d{1,3}(?:\.\d{1,3}){0,5})\.?\s+(\S.*)$")
_TOC_LEADER = re.compile(r"(?:\.\s?){4,}\s*[ivxlc\d]{1,4}\s*$|…{2,}\s*\d{1,4}\s*$")
_TOC_START = re.compile(r"^(?:\d{1,2}(?:\.\d{1,3})*|[A-Z]\.\d|Annex|Appendix|Attachment|Section)\b", re.I)
_LIST_START = re.compile(
    r"^(?:[–—•▪◦*-]\s|\(?[a-z]{1,2}\)\s|\(?[ivx]{1,4}\)\s|\(?\d{1,2}\)\s|NOTE\b|Note \d|Step \d+\s*:"
    r"|TABLE\s+[A-Z0-9]|FIGURE\s+[A-Z0-9]|Table\s+[A-Z0-9.-]+\s*[–—-]|Figure\s+[A-Z0-9.-]+\s*[–—-])"
)
_SENTENCE_END = re.compile(r"[.:;!?]['\"”’)]?$")
_ROMAN_OR_NUMBER = re.compile(r"^(?:[ivxlc]{1,6}|[IVXLC]{1,6}|\d{1,4}|-\s*\d{1,4}\s*-)$")


def _signature(text: str) -> str:
    """A running header's shape: page numbers at either end dropped, digits folded, case kept."""
    tokens = text.split()
    while tokens and _ROMAN_OR_NUMBER.match(tokens[0]):
        tokens.pop(0)
    while tokens and _ROMAN_OR_NUMBER.match(tokens[-1]):
        tokens.pop()
    core = " ".join(tokens) if tokens else "#"
    return re.sub(r"\d+", "#", core)


def _ordinal(word: str, ident: str) -> int | None:
    """Position of an identifier: "3" -> 3, Annex "C" -> 3, Appendix "III" -> 3; None for "AB1"."""
    if ident.isdigit():
        return int(ident)
    values = {"I": 1, "V": 5, "X": 10}
    if all(ch in values for ch in ident) and (word == "Appendix" or len(ident) > 1):
        total = 0
        for ch, nxt in zip(ident, ident[1:] + " ", strict=True):
            value = values[ch]
            total += -value if nxt in values and values[nxt] > value else value
        return total
    if len(ident) == 1 and ident.isalpha():
        return ord(ident) - ord("A") + 1
    return None


@dataclass
class _Line:
    text: str
    page: int
    pua: bool = False


@dataclass
class _State:
    """Heading context: the enclosing annex/attachment/section and the numbering seen in it."""

    container: str | None = None
    letter: str | None = None
    last: tuple[int, ...] | None = None
    last_lettered: tuple[int, ...] | None = None


def _plausible(new: tuple[int, ...], last: tuple[int, ...] | None) -> bool:
    """Does ``new`` continue the numbering after ``last``: next sibling, first child, or a skip of one."""
    if last is None:
        return new[0] <= 3 and all(part <= 2 for part in new[1:])
    if new == last + (1,):
        return True
    for k in range(min(len(new), len(last))):
        if new[:k] != last[:k]:
            break
        if last[k] < new[k] <= last[k] + 2 and all(part == 1 for part in new[k + 1 :]):
            return True
    return False


def _title_ok(title: str, width: float) -> bool:
    title = title.strip()
    if not title or len(title) > 150:
        return False
    first = title.lstrip("\"'“‘(")[:1]
    if not first.isalpha() or not first.isupper():
        return False
    if _TOC_LEADER.search(title) or title.endswith((",", ";")):
        return False
    if title.endswith(".") and not title.endswith(("etc.", "e.g.", "i.e.")):
        return False
    words = title.split()
    if len(words) > 20 or sum(1 for w in words if re.fullmatch(r"[\d.,%/-]+", w)) >= 2:
        return False
    if any(op in title for op in (" = ", "≤", "≥")):
        return False
    if ":" in title[:-1]:
        # "3.1.2 Cloud computing: Paradigm for ..." is a definition; "Step 2: Constructing ..." a heading.
        after = title.split(":", 1)[1].split()
        return len(after) <= 10
    return True


# ------------------------------------------------------------------------------------- the parser


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf warns (logging and warnings) about every odd object; keep the console quiet."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


class PdfParser:
    name = "pdf"

    def sniff(self, head: bytes) -> bool:
        return b"%PDF-" in head[:1024]

    def parse(self, path: Path, data: bytes, limits: Limits) -> ParsedDocument:
        if len(data) > limits.max_file_bytes:
            raise ParseError(f"file too large ({len(data)} bytes > limit {limits.max_file_bytes})")
        with _quiet_pypdf():
            page_texts = _extract_pages(data)
        pages = [_page_lines(text, number) for number, text in enumerate(page_texts, start=1)]
        if sum(len(p) for p in pages) == 0 or sum(len(line.text) for p in pages for line in p) < 20:
            raise ParseError("no extractable text (scanned PDF?)")
        pages = _drop_running_lines(pages)
        pages = [_drop_toc(p) for p in pages]
        lines = [line for p in pages for line in p]
        meta = DocumentMeta(pages=len(page_texts), language="en", title=_find_title(pages[:8]))
        blocks = _Assembler(lines).run()
        return ParsedDocument(meta=meta, blocks=blocks)


def _extract_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if b"%PDF-" not in data[:1024]:
        raise ParseError("not a PDF: no %PDF- header")
    truncated = b"%%EOF" not in data[-4096:]
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise ParseError(f"encrypted PDF: cannot decrypt ({exc})") from exc
            if not opened:
                raise ParseError("encrypted PDF: password required")
        pages = list(reader.pages)
    except ParseError:
        raise
    except FileNotDecryptedError as exc:
        raise ParseError("encrypted PDF: password required") from exc
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on damaged files
        if truncated:
            raise ParseError(f"truncated or corrupt PDF: no %%EOF marker at the end ({exc})") from exc
        raise ParseError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    if truncated:
        raise ParseError("truncated PDF: no %%EOF marker at the end (incomplete download?)")
    if not pages:
        raise ParseError("corrupt PDF: no pages")
    texts: list[str] = []
    failures = 0
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # one damaged page must not lose the document
            failures += 1
            texts.append("")
    if failures == len(pages):
        raise ParseError("corrupt PDF: text extraction failed on every page")
    return texts


def _page_lines(text: str, page: int) -> list[_Line]:
    lines: list[_Line] = []
    for raw in text.splitlines():
        clean, pua = _clean_line(raw)
        if clean and _garbled(clean):
            continue
        if not clean and not pua:
            if lines and lines[-1].text:
                lines.append(_Line("", page))
            continue
        lines.append(_Line(clean, page, pua))
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove headers/footers: edge lines whose shape recurs on a quarter or more of the pages."""
    edges: list[list[int]] = []
    counts: Counter[str] = Counter()
    for page in pages:
        filled = [i for i, line in enumerate(page) if line.text]
        idx = sorted(set(filled[:3] + filled[-3:]))
        edges.append(idx)
        counts.update({_signature(page[i].text) for i in idx})
    with_text = sum(1 for p in pages if any(line.text for line in p))
    threshold = max(2, int(with_text * 0.25 + 0.999))
    out: list[list[_Line]] = []
    for page, idx in zip(pages, edges, strict=True):
        drop = set()
        for i, line in enumerate(page):
            if not line.text or _CONTAINER.match(line.text):
                continue
            sig = _signature(line.text)
            if counts[sig] < threshold:
                continue
            # At the page edge any repeated shape goes; elsewhere only a distinctive one (a header
            # that pypdf emitted mid-page), never a bare number.
            if i in idx or (len(sig) >= 8 and sum(ch.isalpha() for ch in sig) >= 4):
                drop.add(i)
        out.append([line for i, line in enumerate(page) if i not in drop])
    return out


def _drop_toc(page: list[_Line]) -> list[_Line]:
    leaders = [i for i, line in enumerate(page) if _TOC_LEADER.search(line.text)]
    if len(leaders) < 3:
        return page
    drop = set(leaders)
    for i in leaders:
        # The first half of a TOC entry wrapped onto two lines.
        if i > 0 and i - 1 not in drop and page[i - 1].text and not _TOC_START.match(page[i].text):
            drop.add(i - 1)
    first = min(drop)
    for i in range(max(0, first - 3), first):
        if page[i].text.lower().rstrip(":") in ("page", "contents", "table of contents", "pages"):
            drop.add(i)
    return [line for i, line in enumerate(page) if i not in drop]


def _find_title(pages: list[list[_Line]]) -> str | None:
    """The title printed under "RECOMMENDATION ITU-R P.452-18" (or "Recommendation T.81")."""
    heads = (
        re.compile(r"^RECOMMENDATION\s+ITU-[RT]\s+[A-Z]{1,3}\.\d"),
        re.compile(r"^(?:ITU-T\s+|CCITT\s+)?Recommendation\s+(?:ITU-T\s+)?[A-Z]\.\d[\d.]*$"),
    )
    for pattern in heads:
        for page in pages:
            texts = [line.text for line in page if line.text]
            for i, text in enumerate(texts):
                if not pattern.match(text):
                    continue
                parts: list[str] = []
                for nxt in texts[i + 1 : i + 6]:
                    if nxt.startswith("(") or pattern.match(nxt) or match_heading(nxt):
                        if parts:
                            break
                        continue
                    if nxt.lower().rstrip(",") in ITU_R_PREAMBLE or nxt.lower() in ("scope", "summary"):
                        break
                    if pattern is heads[1] and not nxt.isupper() and parts:
                        break
                    if re.match(r"^(?:Recommendation|ITU-T|CCITT)\b", nxt):
                        continue
                    parts.append(nxt)
                if parts:
                    return " ".join(parts)
    return None


class _Assembler:
    """Lines to blocks: headings, paragraphs (joined, de-hyphenated) and equation placeholders."""

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        lengths = sorted(len(line.text) for line in lines if len(line.text) >= 40)
        self.width = float(lengths[int(len(lengths) * 0.9)] if lengths else 80)
        self.vocab, self.hyphenated = self._vocabulary(lines)
        self.blocks: list[Block] = []
        self.para: list[str] = []
        self.para_page = 0
        self.state = _State()
        self.last_was_heading = False
        self.seen_containers: set[str] = set()
        self.container_order: dict[str, int] = {}
        self.container_style: dict[str, str] = {}
        self._page = 0

    @staticmethod
    def _vocabulary(lines: list[_Line]) -> tuple[set[str], set[str]]:
        words: set[str] = set()
        hyphenated: set[str] = set()
        for line in lines:
            for token in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", line.text):
                low = token.lower()
                if "-" in low:
                    hyphenated.add(low)
                else:
                    words.add(low)
        return words, hyphenated

    # -- paragraphs

    def _flush(self) -> None:
        if self.para:
            text = self.para[0]
            for nxt in self.para[1:]:
                text = self._join(text, nxt)
            text = text.strip()
            if text:
                self.blocks.append(Block(kind=BlockKind.PARAGRAPH, text=text, page=self.para_page))
        self.para = []

    def _join(self, left: str, right: str) -> str:
        m = re.search(r"([A-Za-z]+)-$", left)
        if m and right[:1].isalpha():
            prefix = m.group(1)
            suffix = re.match(r"[A-Za-z]+", right)
            tail = suffix.group(0) if suffix else ""
            joined = (prefix + tail).lower()
            if (
                right[:1].islower()
                and joined in self.vocab
                and f"{prefix}-{tail}".lower() not in self.hyphenated
            ):
                return left[:-1] + right
            return left + right
        if left.endswith(("-", "/")) and right[:1].isalnum() and not left.endswith(" -"):
            return left + right
        return f"{left} {right}"

    def _add(self, line: _Line) -> None:
        if not self.para:
            self.para_page = line.page
        self.para.append(line.text)

    def _heading(self, number: str | None, text: str, level: int | None) -> None:
        self._flush()
        self.blocks.append(
            Block(kind=BlockKind.HEADING, text=text.strip(), number=number, level=level, page=self._page)
        )
        self.last_was_heading = True

    # -- the walk

    def run(self) -> list[Block]:
        lines = self.lines
        i = 0
        prev: _Line | None = None
        while i < len(lines):
            line = lines[i]
            self._page = line.page
            if prev is not None and prev.page != line.page:
                self._flush()
            text = line.text
            if not text:
                self._flush()
                prev = line
                i += 1
                continue
            at_start = not self.para or bool(_SENTENCE_END.search(self.para[-1]))
            consumed = self._try_heading(i, at_start)
            if consumed:
                prev = lines[i + consumed - 1]
                i += consumed
                continue
            run_end = self._equation_run(i)
            if run_end > i:
                numbers = [m.group(1) for j in range(i, run_end) if (m := _EQ_NUMBER.search(lines[j].text))]
                label = "[equation]"
                if numbers:
                    word = "equation" if len(numbers) == 1 else "equations"
                    label = f"[{word} " + ", ".join(f"({n})" for n in numbers) + "]"
                if self.para and self.para_page == line.page:
                    self.para.append(label)
                else:
                    self._add(_Line(label, line.page))
                self._flush()
                prev = lines[run_end - 1]
                i = run_end
                continue
            if self.para and _LIST_START.match(text):
                self._flush()
            self._add(line)
            self.last_was_heading = False
            if self._ends_paragraph(i):
                self._flush()
            prev = line
            i += 1
        self._flush()
        return self.blocks

    def _ends_paragraph(self, i: int) -> bool:
        text = self.lines[i].text
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if len(text) < 0.72 * self.width or _EQ_NUMBER.search(text):
            return True
        if nxt is None or not nxt.text:
            return True
        return bool(_SENTENCE_END.search(text) and len(text) < 0.85 * self.width and nxt.text[:1].isupper())

    def _equation_run(self, i: int) -> int:
        """End of the run of prose-free lines starting at ``i`` when it holds a garbled equation."""
        j = i
        garbled = mathy = False
        while j < len(self.lines):
            line = self.lines[j]
            if not line.text and not line.pua:
                break
            if line.page != self.lines[i].page or _prose_words(line.text) > 0:
                break
            if match_heading(line.text):
                break
            garbled = garbled or line.pua
            mathy = mathy or bool(_EQ_NUMBER.search(line.text)) or any(c in _MATH_OPS for c in line.text)
            j += 1
        # One stray symbol-font glyph ("©" in a copyright line) is not an equation.
        return j if garbled and (mathy or j - i >= 2) else i

    def _try_heading(self, i: int, at_start: bool) -> int:
        """Emit a heading for line ``i`` if it is one; the number of lines it took (0: not one)."""
        text = self.lines[i].text
        low = text.lower().rstrip(",:;.")
        if low in ITU_R_PREAMBLE and len(text) <= 40:
            self._heading(low, low, 1)
            return 1
        if low in _FRONT and len(text) <= 30:
            self._heading(None, text, 1)
            return 1
        if low == "scope" and self.state.container is None and self.state.last is None:
            self._heading("Scope", "Scope", 1)
            return 1
        if low in KEPT_SECTIONS and text[:1].isupper():
            self._heading(KEPT_SECTIONS[low], KEPT_SECTIONS[low], 1)
            return 1
        at_start = at_start or self.last_was_heading
        if at_start:
            taken = self._try_container(i)
            if taken:
                return taken
        if not at_start and len(text) > 0.6 * self.width:
            # Mid-paragraph only a short line can be a heading ("4 Considerations" after a table).
            return 0
        return self._try_numbered(i)

    def _try_container(self, i: int) -> int:
        text = self.lines[i].text
        m = _CONTAINER.match(text)
        if not m:
            return 0
        word, ident, to_annex, title, to_annex2 = m.groups()
        word = word.capitalize()
        to_annex = to_annex or to_annex2
        if word == "Section" and not ident.isdigit():
            return 0
        if ident in ("A", "I") and word == "Annex" and title and title[:1].islower():
            return 0
        taken = 1
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if not to_annex and nxt is not None and (m2 := _TO_ANNEX.match(nxt.text)):
            to_annex, title = m2.group(1), m2.group(2) or title
            taken = 2
        number = f"{word} {ident}" + (f" to Annex {to_annex}" if to_annex else "")
        title = (title or "").strip()
        if title and not title[:1].isupper():
            return 0
        if not title:
            # ITU-R prints the annex title on the following line(s).
            parts: list[str] = []
            j = i + taken
            while j < len(self.lines) and len(parts) < 3:
                cand = self.lines[j].text
                if not cand:
                    if parts:
                        break
                    j += 1
                    continue
                if (
                    cand.startswith("(")
                    or _CONTAINER.match(cand)
                    or match_heading(cand)
                    or _SENTENCE_END.search(cand)
                    or len(cand) > 0.9 * self.width
                    or not (cand[:1].isupper() or parts)
                ):
                    break
                parts.append(cand)
                j += 1
                if len(cand) < 0.72 * self.width and j < len(self.lines) and self.lines[j].text[:1].isupper():
                    break
            if parts and len(" ".join(parts)) <= 200:
                title = " ".join(parts)
                taken = j - i
        if number in self.seen_containers:
            # A second "Annex 1" is a wrapped reference or table text, not a new annex.
            return 0
        series = f"{word} to Annex {to_annex}" if to_annex else word
        order = _ordinal(word, ident)
        last = self.container_order.get(series, 0)
        if order is None or not last < order <= last + 2:
            # Annexes come in order (1, 2 or A, B; a letter may be skipped): "Annex V" in a table is not one.
            return 0
        style = "digit" if ident.isdigit() else "letter"
        if self.container_style.setdefault(word, style) != style:
            # A Recommendation with "Annex 1" has no "Annex C": that is a table naming another text's.
            return 0
        self.container_order[series] = order
        self.seen_containers.add(number)
        self.state = _State(container=number, letter=ident if not ident.isdigit() else None)
        self._heading(number, title or number, 1)
        return taken

    def _wrapped_sentence(self, i: int, title: str) -> bool:
        """A numbered list item whose sentence goes on in lower case on the next line."""
        nxt = self.lines[i + 1].text if i + 1 < len(self.lines) else ""
        return len(title.split()) >= 8 and nxt[:1].islower()

    def _try_numbered(self, i: int) -> int:
        text = self.lines[i].text
        if len(text) > 0.92 * self.width:
            return 0
        m = _LETTERED.match(text)
        if m:
            letter, rest, title = m.groups()
            if not _title_ok(title, self.width) or self._wrapped_sentence(i, title):
                return 0
            numbers = tuple(int(p) for p in rest.split("."))
            if self.state.letter not in (None, letter) or not _plausible(numbers, self.state.last_lettered):
                return 0
            self.state.last_lettered = numbers
            number = f"{letter}.{rest}"
            self._heading(number, title, len(numbers) + 1)
            return 1
        m = _NUMBERED.match(text)
        if not m:
            return 0
        raw, title = m.groups()
        if not _title_ok(title, self.width) or self._wrapped_sentence(i, title):
            return 0
        if self.state.last_lettered is not None:
            # Inside an annex numbered "A.1", "A.2": a bare "1 ..." is a list item.
            return 0
        numbers = tuple(int(p) for p in raw.split("."))
        if numbers[0] == 0 or not _plausible(numbers, self.state.last):
            return 0
        self.state.last = numbers
        if self.state.container:
            number = f"{self.state.container} § {raw}"
            level = len(numbers) + 1
        else:
            number, level = raw, len(numbers)
        self._heading(number, title, level)
        return 1

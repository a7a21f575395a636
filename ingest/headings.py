"""Clause numbers and headings as ITU documents print them, shared by every parser.

A heading's number is one of: a dotted clause number (``3.2.1``), ``Annex A``, ``Appendix I``,
a lettered sub-clause (``A.1``, ``II.3``), or a kept unnumbered section (``Summary``, ``Keywords``,
``Bibliography``, ``Introduction``). Front matter (Foreword, table of contents, IPR notice) is named
here so the tree builder can leave it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROMAN = re.compile(r"^(?=[IVXLC]+$)M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")

KEPT_SECTIONS = {
    "summary": "Summary",
    "keywords": "Keywords",
    "bibliography": "Bibliography",
    "introduction": "Introduction",
}
# The parts of an ITU-R (and WTSA) preamble, printed alone on a line: "considering", "recommends" ...
ITU_R_PREAMBLE = (
    "considering",
    "considering further",
    "further considering",
    "recognizing",
    "further recognizing",
    "noting",
    "noting further",
    "further noting",
    "noting also",
    "bearing in mind",
    "taking into account",
    "having regard",
    "emphasizing",
    "recommends",
    "further recommends",
    "decides",
    "resolves",
    "invites",
    "instructs",
    "requests",
    "unanimously declares the view",
    "unanimously recommends",
)
FRONT_MATTER = {
    "foreword",
    "table of contents",
    "contents",
    "intellectual property rights",
    "history",
    "list of tables",
    "list of figures",
}

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){0,6})\.?[ \t\u00a0]+(\S.*)$")
_ANNEX = re.compile(
    r"^(Annex|Appendix|Attachment)[ \t\u00a0]+([A-Z]{1,2}|[IVXLC]+|\d{1,2})\b\.?"
    r"[ \t\u00a0]*[-–—:.]?[ \t\u00a0]*(.*)$"
)
_LETTERED = re.compile(r"^([A-Z]|[IVXLC]{1,5})\.(\d{1,3}(?:\.\d{1,3}){0,5})\.?[ \t\u00a0]+(\S.*)$")
_TOC_LINE = re.compile(r"(\t|\.{3,}|\s{2,})\s*\d{1,4}\s*$")


@dataclass(frozen=True)
class HeadingMatch:
    number: str
    title: str
    level: int


def clause_level(number: str) -> int:
    """Depth in the tree: ``3`` -> 1, ``3.2.1`` -> 3, ``Annex A`` -> 1, ``A.1`` -> 2, ``Summary`` -> 1.

    ITU-R numbers restart inside annexes and are cited as ``Annex 1 § 4.2`` (level 3).
    """
    container, _, local = number.partition(" § ")
    if local:
        return clause_level(container) + clause_level(local)
    if number.split(" ")[0] in ("Annex", "Appendix", "Attachment"):
        return 1
    return number.count(".") + 1


def parent_number(number: str, appendices: set[str] | None = None) -> str | None:
    """The enclosing clause: ``3.2.1`` -> ``3.2``, ``A.1`` -> ``Annex A``, ``I.2`` -> ``Appendix I``,
    ``Annex 1 § 4.2`` -> ``Annex 1 § 4``, ``Annex 1 § 4`` -> ``Annex 1``."""
    container, _, local = number.partition(" § ")
    if local:
        inner = parent_number(local, appendices)
        return f"{container} § {inner}" if inner else container
    if "." not in number or " " in number:
        return None
    head, _, _ = number.rpartition(".")
    if "." in head or head.isdigit():
        return head
    if ROMAN.match(head) and (appendices is None or head in appendices):
        return f"Appendix {head}"
    return f"Annex {head}"


def _looks_like_title(title: str) -> bool:
    title = title.strip()
    if not title or len(title) > 160:
        return False
    if _TOC_LINE.search(title):
        return False
    first = title[0]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘("):
        return False
    colon = title.find(":")
    # "3.2.1 physical machine: A ..." is a definition, "3.1 Cloud: definition" is rare as a heading.
    return not (0 <= colon < len(title) - 1 and len(title) > 60)


def match_heading(line: str) -> HeadingMatch | None:
    """Recognise a heading line in plain text (PDF, .doc text, Markdown body); None for body text."""
    text = line.strip().replace("\u00a0", " ")
    if not text:
        return None
    lowered = text.rstrip(".:").lower()
    if lowered in KEPT_SECTIONS:
        return HeadingMatch(KEPT_SECTIONS[lowered], KEPT_SECTIONS[lowered], 1)
    preamble = lowered.rstrip(",;")
    if preamble in ITU_R_PREAMBLE and len(text) <= 40:
        return HeadingMatch(preamble, preamble, 1)
    m = _ANNEX.match(text)
    if m:
        word, ident, title = m.groups()
        if word == "Attachment" and not title:
            return None
        return HeadingMatch(f"{word} {ident}", title.strip(), 1)
    m = _LETTERED.match(text)
    if m and _looks_like_title(m.group(3)):
        number = f"{m.group(1)}.{m.group(2)}"
        return HeadingMatch(number, m.group(3).strip(), clause_level(number))
    m = _NUMBERED.match(text)
    if m and _looks_like_title(m.group(2)):
        number = m.group(1)
        title = m.group(2).strip()
        if re.fullmatch(r"[\d.,\s%]+", title):
            return None
        return HeadingMatch(number, title, clause_level(number))
    return None


def split_number(heading: str) -> tuple[str | None, str]:
    """Split a heading paragraph's text into (number, title); number None when it has none."""
    found = match_heading(heading)
    if found is None:
        return None, heading.strip()
    return found.number, found.title


def is_front_matter(title: str) -> bool:
    return title.strip().rstrip(".:").lower() in FRONT_MATTER

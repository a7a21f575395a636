"""Structured records from a clause tree: definitions, abbreviations and references.

Where they are looked for:

- Definitions: every clause whose heading names definitions or terms ("Definitions", "Terms and
  definitions", "Terms defined elsewhere", ITU-R "Definitions" in an annex), with the clauses under it.
  An entry is a paragraph "3.2.1<TAB>physical machine: A type of ..." or "term [ITU-T Y.3500]: text"
  (number optional). A following paragraph that is not itself an entry (a "NOTE – ..." line, a list item
  continuing the definition) is appended to the definition after a newline, so the record holds
  the definition as printed. ``defined_here`` is False under a "defined elsewhere" heading or when the
  entry carries a source tag. ``clause`` is the entry's own number when printed; when Word
  numbered the entries automatically and the parser did not write the number out, it is computed
  from the entry's position (the k-th entry of clause 3.2 is 3.2.k); a section without a number (a kept
  section such as "Definitions" in a document without clause numbers) gives its own name.
  Short definitions that a parser took for headings ("3.5 Bit: A binary digit.") are recognised too.
- Abbreviations: clauses whose heading says abbreviations or acronyms; one entry per line,
  "AC<TAB><TAB>Alternating Current", "AC  Alternating Current", "AC: Alternating Current",
  "AC – Alternating Current". Lines without an abbreviation (Y.1543's "<TAB><TAB>Service Level
  Agreement") are skipped, and the rest kept.
- References: the "References" clause (normative) and "Bibliography" / "Informative references"
  (not normative). "[ITU-T Y.3100]<TAB>Recommendation ITU-T Y.3100 (2017), Terms and definitions ..." gives
  tag "[ITU-T Y.3100]", cited_id "ITU-T Y.3100" (``normalize_rec_id`` of the tag, else of the text; for
  non-ITU texts the tag without brackets and "b-", e.g. "IETF RFC 7679"), edition_year "2017" and the
  title after the year. A tag missing its opening bracket ("IETF RFC 7679]") is repaired. The standard
  opening sentence ("The following ITU-T Recommendations and other references contain provisions ...")
  and "None." are not entries. Entries without a tag keep ``tag`` empty when they cite an ITU text.
"""

from __future__ import annotations

import re

from ingest.metadata import normalize_rec_id
from ingest.models import Abbreviation, Clause, Definition, DocumentMeta, Records, Reference
from ingest.structure import ClauseTree

_DEF_HEADING = re.compile(
    r"\b(?:definitions?|terms|terminology|vocabulary|définitions|termes|definiciones|términos|определения"
    r"|термины)\b",
    re.I,
)
_SOURCE_SUFFIX = re.compile(r"\s*\[[^\]\n]{2,80}\]\s*$")
_DEF_SECTION = re.compile(
    r"(?:(?:general|basic|some|list\s+of)\s+)?(?:terms|terminology|vocabulary|definitions?)\b"
    r"|définitions|termes\s+définis|definiciones|términos\s+definidos|определения|термины",
    re.I,
)
_ELSEWHERE = re.compile(
    r"defined\s+elsewhere|defined\s+in\s+other|imported|définis\s+ailleurs|definidos\s+en\s+otr|"
    r"определенные\s+в\s+других",
    re.I,
)
_ABBR_HEADING = re.compile(
    r"\b(?:abbreviations?|acronyms?|abréviations|acronymes|abreviaturas|acrónimos|сокращения|аббревиатуры)\b",
    re.I,
)
_GLOSSARY_TITLE = re.compile(r"\bAbbreviations\s*/\s*Glossary\s*$", re.I)
_GLOSSARY_END = re.compile(r"^\s*Related\s+ITU", re.I)
_REF_HEADING = re.compile(r"^(?:normative\s+)?references?$|^références$|^referencias$|^справочные", re.I)
_BIB_HEADING = re.compile(
    r"bibliography|informative\s+references|bibliographie|bibliografía|библиография", re.I
)

_ENTRY_NUM = r"(?P<num>(?:\d{1,2}|[A-Z]|[IVX]{1,4})(?:\.\d{1,4}){1,5}(?:bis|ter|quater)?)\.?"
# A numbered line ("3.1.3\tdisaster relief [ITU-T E.108].", "6.796bis\t...") starts another entry even
# where it cannot be read as one; it must never run into the previous definition.
_NUMBERED_LINE = re.compile(r"^(?:\d{1,2}|[A-Z])(?:\.\d{1,4}){1,5}(?:bis|ter|quater)?\.?[\s\u00a0]")
DEFINITION_HEAD = (
    r"(?P<term>[^:\[\]\n\t]{1,160}?)[\s\u00a0]*"
    r"(?P<tag>\[[^\]\n]{2,80}\](?:\s*,\s*\[[^\]\n]{2,80}\])*)?[\s\u00a0]*:"
)
"""A definition entry up to its colon: the term and its source tags (the checker reads drafts' entries
with it too)."""
DEFINITION_ENTRY = re.compile(
    rf"^(?:{_ENTRY_NUM}[\s\u00a0]+)?{DEFINITION_HEAD}[\s\u00a0]*(?P<defn>\S.*)$", re.S
)
_NOT_TERM = re.compile(
    r"^(?:this|these|the following|in this|for the purposes|note|none|where|example|figure|table)\b", re.I
)

_ABBR_PATTERNS = (
    re.compile(r"^(?P<abbr>\S[^\t]{0,29}?)[ \u00a0]*\t+[\t \u00a0]*(?P<exp>\S.*)$"),
    re.compile(r"^(?P<abbr>[^\s:]{1,24})(?:[ \u00a0]{2,})(?P<exp>\S.*)$"),
    re.compile(r"^(?P<abbr>[^\s:]{1,24}(?: [^\s:]{1,10})?)[ \u00a0]*(?::|–|—|=|\s-)[ \u00a0]+(?P<exp>\S.*)$"),
    re.compile(r"^(?P<abbr>[^\s:]{1,24})[ \u00a0](?P<exp>\S.*)$"),
)

_REF_TAG = re.compile(r"^(?P<open>\[)?(?P<inner>[^\[\]\t\n]{2,80})\](?P<body>.*)$", re.S)
_REF_SKIP = re.compile(
    r"^(?:the following|at the time of publication|the reference to a document|none\.?$|"
    r"this recommendation (?:does not|has no)|all recommendations and other references are subject)",
    re.I,
)
_YEAR_PAREN = re.compile(r"\((?P<y>(?:19|20)\d\d)(?:[-/]\d{1,2})?\)")
_YEAR_ANY = re.compile(r"(?<![\d.:/-])(?P<y>(?:19|20)\d\d)(?![\d/])")


class RecordExtractor:
    """Definitions, abbreviations and references of one document (see the module docstring)."""

    def extract(self, tree: ClauseTree, meta: DocumentMeta) -> Records:
        records = Records()
        records.definitions = self.definitions(tree, meta)
        records.abbreviations = self.abbreviations(tree, meta)
        records.references = self.references(tree, meta)
        return records

    # ----------------------------------------------------------------------------- definitions

    def definitions(self, tree: ClauseTree, meta: DocumentMeta) -> list[Definition]:
        out: list[Definition] = []
        seen: set[int] = set()
        for clause in tree.clauses:
            if clause.ordinal in seen or not _is_definitions_heading(clause.heading):
                continue
            for sub in tree.subtree(clause):
                if sub.ordinal in seen:
                    continue
                seen.add(sub.ordinal)
                if _ABBR_HEADING.search(sub.heading) and not _DEF_HEADING.search(sub.heading):
                    continue
                elsewhere = bool(_ELSEWHERE.search(sub.heading)) or bool(
                    sub.parent and any(_ELSEWHERE.search(c.heading) for c in tree.find(sub.parent))
                )
                out.extend(self._definitions_in(sub, elsewhere, meta))
        return out

    def _definitions_in(self, clause: Clause, elsewhere: bool, meta: DocumentMeta) -> list[Definition]:
        out: list[Definition] = []
        current: Definition | None = None
        position = 0
        texts: list[tuple[str, str | None]] = []
        heading_entry = DEFINITION_ENTRY.match(clause.heading)
        if heading_entry and _good_term(heading_entry.group("term")) and ":" in clause.heading:
            texts.append((clause.heading, clause.number))  # a short entry a parser took for a heading
        texts.extend((p, None) for p in clause.paragraphs)
        for text, forced_number in texts:
            stripped = text.strip()
            if not stripped:
                continue
            m = DEFINITION_ENTRY.match(stripped)
            if m and _good_term(m.group("term")) and not (current is not None and _is_note(stripped)):
                position += 1
                term = _clean_term(m.group("term"))
                if (
                    forced_number is None
                    and not m.group("num")
                    and term.lower() == clause.heading.strip().lower()
                ):
                    forced_number = clause.number  # one clause per term (Metanorma/AsciiDoc re-typesets)
                number = forced_number or m.group("num") or _position_number(clause.number, position)
                tag = _first_tag(m.group("tag"))
                current = Definition(
                    term=term,
                    definition=m.group("defn").strip(),
                    source_tag=tag,
                    defined_here=not elsewhere and tag is None,
                    clause=number,
                    rec_id=meta.rec_id,
                    doc_id=meta.doc_id,
                )
                out.append(current)
            elif _NUMBERED_LINE.match(stripped):
                current = None
            elif current is not None:
                current.definition = f"{current.definition}\n{stripped}"
        if not out and clause.paragraphs and _good_term(clause.heading) and clause.heading[:1].islower():
            # A term as the clause heading and its definition as the body.
            out.append(
                Definition(
                    term=_clean_term(clause.heading),
                    definition="\n".join(p.strip() for p in clause.paragraphs if p.strip()),
                    defined_here=not elsewhere,
                    clause=clause.number,
                    rec_id=meta.rec_id,
                    doc_id=meta.doc_id,
                )
            )
        return out

    # --------------------------------------------------------------------------- abbreviations

    def abbreviations(self, tree: ClauseTree, meta: DocumentMeta) -> list[Abbreviation]:
        found: list[tuple[str, str]] = []
        seen_clauses: set[int] = set()
        for clause in tree.clauses:
            if clause.ordinal in seen_clauses or not _ABBR_HEADING.search(clause.heading):
                continue
            for sub in tree.subtree(clause):
                if sub.ordinal in seen_clauses:
                    continue
                seen_clauses.add(sub.ordinal)
                for paragraph in sub.paragraphs:
                    found.extend(e for line in paragraph.split("\n") if (e := _abbreviation(line)))
        for clause in tree.clauses:
            if clause.ordinal not in seen_clauses:
                found.extend(_glossary_entries(clause.paragraphs))
        return [
            Abbreviation(abbreviation=abbr, expansion=expansion, rec_id=meta.rec_id, doc_id=meta.doc_id)
            for abbr, expansion in found
        ]

    # ------------------------------------------------------------------------------ references

    def references(self, tree: ClauseTree, meta: DocumentMeta) -> list[Reference]:
        out: list[Reference] = []
        seen: set[int] = set()
        sector = meta.sector
        for clause in tree.clauses:
            heading = clause.heading.strip().rstrip(".:")
            if clause.ordinal in seen:
                continue
            if _BIB_HEADING.search(heading) or clause.number == "Bibliography":
                normative = False
            elif _REF_HEADING.search(heading):
                normative = True
            else:
                continue
            for sub in tree.subtree(clause):
                if sub.ordinal in seen:
                    continue
                seen.add(sub.ordinal)
                for paragraph in sub.paragraphs:
                    for line in paragraph.split("\n"):
                        ref = _reference(line, normative, sector)
                        if ref is not None:
                            ref.rec_id, ref.doc_id = meta.rec_id, meta.doc_id
                            out.append(ref)
        return out


# --------------------------------------------------------------------------------------- helpers


def _is_definitions_heading(heading: str) -> bool:
    """A section of terms and definitions, not any heading that mentions a definition: "Definitions",
    "Terms defined elsewhere", "Definitions, abbreviations and symbols" are; "SDL-2010 formal
    definition", "Semantic definition of fields", "Terms of reference" are not."""
    if not _DEF_HEADING.search(heading) or re.search(r"terms\s+of\s+reference", heading, re.I):
        return False
    return bool(_DEF_SECTION.match(heading.strip()))


def _is_note(text: str) -> bool:
    return bool(re.match(r"^NOTE\b|^EXAMPLE\b|^[–—-]\s|^[a-z]\)\s", text))


def _good_term(term: str | None) -> bool:
    if not term:
        return False
    term = term.strip()
    if not term or len(term.split()) > 14 or _NOT_TERM.match(term):
        return False
    return not term.endswith((".", ";")) and not re.fullmatch(r"[\d.\s]+", term)


def _clean_term(term: str) -> str:
    return re.sub(r"\s+", " ", term.replace("\u00a0", " ")).strip().strip("\"“”'")


def _first_tag(tags: str | None) -> str | None:
    if not tags:
        return None
    return re.sub(r"\s+", " ", tags.replace("\u00a0", " ")).strip()


def _position_number(section: str, position: int) -> str:
    if section[:1].isdigit() or re.match(r"^(?:[A-Z]|[IVX]{1,4})\.\d", section):
        return f"{section}.{position}"
    return section


def _abbreviation(line: str) -> tuple[str, str] | None:
    text = line.replace("\u00a0", " ").rstrip()
    if not text.strip() or text[:1] in "\t " and not text.strip():
        return None
    if text[:1] == "\t":
        return None  # "<TAB><TAB>Service Level Agreement": the abbreviation itself is missing
    text = text.strip()
    for pattern in _ABBR_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        abbr, expansion = m.group("abbr").strip(), m.group("exp").strip()
        if pattern is _ABBR_PATTERNS[-1] and sum(1 for c in abbr if c.isupper()) < 2:
            return None
        if not _looks_like_abbreviation(abbr) or not expansion or len(expansion) > 250:
            return None
        # J.1 tags each expansion with its source: "ML<TAB>Main Level<TAB><TAB>[b-ITU-T J.388]".
        expansion = re.sub(r"\s+", " ", _SOURCE_SUFFIX.sub("", expansion)).strip()
        return abbr, expansion.rstrip(" ;,")
    return None


def _glossary_entries(paragraphs: list[str]) -> list[tuple[str, str]]:
    """Entries of an ITU-R "Abbreviations/Glossary" table: the lines after that title (which ends the
    Keywords line of the cover page), up to "Related ITU Recommendations" or two lines in a row that
    are not entries."""
    lines = [line for paragraph in paragraphs for line in paragraph.split("\n")]
    start = next((i for i, line in enumerate(lines) if _GLOSSARY_TITLE.search(line)), None)
    if start is None:
        return []
    entries = []
    misses = 0
    for line in lines[start + 1 :]:
        if _GLOSSARY_END.match(line) or misses > 1:
            break
        entry = _abbreviation(line)
        misses = 0 if entry else misses + 1  # one odd entry ("r.m.s. Root mean square") is stepped over
        if entry:
            entries.append(entry)
    return entries


def _looks_like_abbreviation(abbr: str) -> bool:
    if len(abbr) > 30 or not any(c.isalnum() for c in abbr):
        return False
    if abbr.lower() in {"this", "the", "these", "in", "none", "none.", "for", "note"}:
        return False
    return any(c.isupper() or c.isdigit() for c in abbr)


def _reference(line: str, normative: bool, sector: str | None) -> Reference | None:
    text = re.sub(r"[ \u00a0]+", " ", line).strip()
    if len(text) < 6 or _REF_SKIP.match(text):
        return None
    m = _REF_TAG.match(text)
    tag = ""
    body = text
    if m and (m.group("open") or re.match(r"^(?:b-)?[A-Z]", m.group("inner"))):
        inner = m.group("inner").strip()
        if not re.search(r"[A-Za-z]", inner) or len(inner.split()) > 8:
            return None
        tag = f"[{inner}]"
        body = m.group("body").strip()
    elif not re.search(r"\b(?:ITU|UIT|CCITT|CCIR)-?[TR]?\b.*\d", text):
        return None
    cited: str | None
    if tag:
        cited = normalize_rec_id(tag, sector) or re.sub(r"^b-", "", tag.strip("[]")).strip()
    else:
        cited = normalize_rec_id(body[:120], sector)
    if not cited:
        return None
    year, title = _year_and_title(body)
    return Reference(tag=tag, cited_id=cited, edition_year=year, title=title, normative=normative)


def _year_and_title(body: str) -> tuple[str | None, str | None]:
    m = _YEAR_PAREN.search(body) or _YEAR_ANY.search(body)
    year = m.group("y") if m else None
    start = m.end() if m else 0
    comma = body.find(", ", start)
    title: str | None = None
    if comma >= 0:
        title = body[comma + 2 :].strip()
    elif m is None:
        title = body.strip()  # "[b-XYZ 1] Some specification title."
    if title:
        title = title.replace("\u2011", "-")
        title = re.sub(r"\s*<?https?://\S+>?\s*\.?$", "", title).strip().rstrip(".").strip()
    return year, title or None


__all__ = ["RecordExtractor"]

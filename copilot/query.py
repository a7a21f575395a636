"""Query understanding: what a rapporteur's question names before any ranking happens.

- Identifiers and clause references ("Y.3507 clause 7.2", "[ITU-T Y.3100]", "P.452-18 §4", "Annex A of
  G.698.2") become canonical ids (via :func:`ingest.metadata.normalize_rec_id`) and clause numbers, so
  retrieval can go straight to a clause or stay inside one document.
- Acronyms are expanded with the abbreviations that the indexed Recommendations themselves define.
- "define X" / "what is X" / "where is X defined" questions yield the term X, to be looked up in the
  definitions records before any ranking.
- "which Recommendation covers X" questions ask for a document, not a passage.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from ingest.metadata import normalize_rec_id
from ingest.models import Abbreviation
from ingest.store import RecordStore

MAX_EXPANSIONS = 2

_REC_ID = re.compile(
    r"\[?\b(?:(?:Rec(?:ommendation)?\.?\s+)?(?:ITU-[TR]|CCITT|CCIR)\s+)?"
    r"(?:[A-Z]{1,3}\.(?:Imp|Sup)?\d{1,5}(?:\.\d{1,3})*(?:-\d{1,2}(?![\d.]))?)"
    r"(?:\s*(?:Amd|Cor|Err)\.?\s*\d{1,2})?\]?"
)
_CLAUSE_NUMBER = r"(?:\d{1,2}(?:\.\d{1,3})*|[A-Z]\d?\.\d{1,3}(?:\.\d{1,3})*)"
_CLAUSE_REF = re.compile(
    rf"(?:\b(?:clause|clauses|section|sub-?clause|paragraph|para\.?)\s+|§\s*)(?P<num>{_CLAUSE_NUMBER})\b"
    rf"|\b(?P<annex>(?:Annex|Appendix)\s+(?:[A-Z]\d?|[IVX]{{1,5}}))\b",
    re.I,
)
_BARE_CLAUSE_AFTER_ID = re.compile(r"^\s*,?\s*(?P<num>\d{1,2}(?:\.\d{1,3})+)\b")
_ACRONYM = re.compile(r"\b[a-z]?[A-Z](?:[A-Za-z0-9]*[A-Z0-9])?(?:-[A-Z0-9]+)?s?\b")
_FORM = r"(?:full|long|short)\s+forms?"
ASKING_FORM = re.compile(rf"\b{_FORM}\b", re.I)
"""Words that ask for an acronym or its expansion ("the full form of PSI") without naming a subject."""
_EXPANSION_NOUN = rf"(?:abbreviation|acronym|expansion|{_FORM})"
"""What an acronym's meaning, or an acronym, is called: "the full form of ECMWF", "ECMWF's
abbreviation", "the acronym for registration authority"."""
_DEFINITION = [
    re.compile(p, re.I)
    for p in (
        r"^\s*(?:please\s+)?define\s+(?:the\s+term\s+)?(?P<t>.+)$",
        r"^\s*(?:what\s+is\s+the\s+)?definition\s+of\s+(?:the\s+term\s+)?(?P<t>.+)$",
        r"^\s*where\s+is\s+(?:the\s+term\s+)?(?P<t>.+?)\s+defined\b.*$",
        r"^\s*how\s+is\s+(?:the\s+term\s+)?(?P<t>.+?)\s+defined\b.*$",
        r"^\s*how\s+(?:does|do)\s+.+?\s+define\s+(?:the\s+term\s+)?(?P<t>.+)$",
        r"^\s*what\s+(?:is|are)\s+meant\s+by\s+(?P<t>.+)$",
        r"^\s*what\s+(?:does|do)\s+(?:the\s+term\s+)?(?P<t>.+?)\s+mean\b.*$",
        r"^\s*(?:the\s+)?meaning\s+of\s+(?P<t>.+)$",
        r"^\s*explain\s+(?:the\s+)?(?:term|word|phrase|abbreviation|acronym)\s+(?P<t>.+)$",
        rf"^\s*(?:what\s+is\s+)?(?:the\s+)?{_EXPANSION_NOUN}\s+(?:of\s+|for\s+)?(?P<t>.+)$",
        rf"^\s*(?:which|what)\s+{_EXPANSION_NOUN}\s+(?:stands\s+for|means|is\s+used\s+for)\s+(?P<t>.+)$",
        rf"^\s*(?:what\s+is\s+)?(?:the\s+)?(?P<t>.+?)(?:'s|’s)?\s+{_EXPANSION_NOUN}$",
        r"^\s*what\s+(?:is|are)\s+(?:a|an|the)?\s*(?P<t>.+)$",
    )
]
_LEADING_CONTEXT = re.compile(r"^\s*(?:in|according\s+to|per|under|within)\s+(?:the\s+)?[^,]{1,80},\s*", re.I)
""""In ITU-T L.314, what is FTTx?": where to look, written before the question."""
_TERM_TAIL = re.compile(
    r"\s+(?:in|according\s+to|as\s+used\s+in|per|under|within|for)\s+(?:the\s+)?"
    r"(?:ITU|Rec|Recommendation|Resolution|Res\.|WTSA|[A-Z]{1,3}\.\d|this|that|these|cloud|IMT).*$",
    re.I,
)
_WHICH_DOCUMENT = re.compile(
    r"\b(?:which|what)\s+(?:ITU(?:-[TR])?\s+)?(?:Recommendations?|standards?|documents?|texts?|Recs?\.?)\b"
    r"|\bis\s+there\s+(?:an?\s+|any\s+)?(?:ITU(?:-[TR])?\s+)?"
    r"(?:Recommendations?|standards?|texts?|documents?|guidance|guidelines?)\b"
    r"|\bwhere\s+(?:can|do|should)\s+(?:I|we|one)\s+find\b|\b(?:need|want|looking\s+for)\s+guidance\b",
    re.I,
)
_ASKS_SCOPE = re.compile(
    r"\bscope\b|\b(?:field|area|domain|sphere)\s+of\s+application\b|\bapplication\s+(?:domain|area|field)\b"
    r"|\bcover(?:s|ed)?\b|\bapplies\s+to\b|\bpurposes?\s+of\b|\bwhat\s+is\s+\S+\s+about\b"
    r"|\b(?:standard|Recommendation|text|document)\s+(?:for|on|about|that|which)\b"
    r"|\bwhat\b[^?]{0,60}\bspecif(?:y|ies)\W*$",
    re.I,
)
_ASKS_REFERENCES = re.compile(
    r"\breferences\b|\breferenc(?:ed|ing)\b|\breference\s+lists?\b"
    r"|(?<!\bof\s)(?<!\bthe\s)(?<!\ba\s)\breference\b(?-i:(?!\s+[a-z]))"
    r"|\bcit(?:e|es|ed|ing)\b|\brefers?\s+to\b|\bbibliograph",
    re.I,
)
"""What a document cites; not "reference" naming a thing ("the reference C code", "frame of reference")."""
_ASKS_EXPANSION = re.compile(rf"\bstands?\s+for\b|\babbreviat|\bacronym|\bexpan(?:d|sion)|\b{_FORM}\b", re.I)
_ASKS_RECORD = re.compile(
    r"\b(?:term|defin\w*|meaning|glossary|abbreviat\w*|acronyms?|stands?\s+for)\b", re.I
)
_RECORD_TERM_WORDS = 4
"""A definition question's term of more words (not counting "of", "the"...: "the diameter of the mode
field" is a term) is a topic ("what is the spacing between adjacent subchannel carrier frequencies"),
not a term to look up in a glossary; words after "in", "for"... are where the term is used ("an audio
alert in audio-based network navigation")."""
_TERM_SETTING = re.compile(r"\s+(?:in|for|within|under|used\s+in)\s+", re.I)
_SPELLING_GLUE = frozenset(["of", "and", "for", "the", "a", "an", "in", "on", "to", "with", "as"])
"""Words an acronym may skip when it is spelled out ("Quality of Service", QoS)."""
_SOURCE_LABELS = re.compile(r"\[(?:b-)?(?:ITU-[TR]|CCITT|CCIR|IETF|ISO|IEC)[^\]]*\]")
_NOT_ACRONYMS = frozenset({"ITU", "ITU-T", "ITU-R", "CCITT", "CCIR", "I", "A", "NOTE", "WHAT", "WHICH"})


class ParsedQuery(BaseModel):
    """A question as retrieval sees it; ``text`` is what the user typed."""

    text: str
    rec_ids: list[str] = Field(default_factory=list)
    """Canonical ids named in the question ("ITU-T Y.3507", "ITU-R P.452-18")."""
    clauses: list[str] = Field(default_factory=list)
    """Clause references ("7.2", "Annex A", "Appendix II")."""
    expansions: dict[str, list[str]] = Field(default_factory=dict)
    """Acronym -> the expansions the corpus defines for it."""
    term: str | None = None
    """The term of a definition question."""
    abbreviation: str | None = None
    """The acronym a "what does X stand for" (or "what is X") question asks to expand."""
    wants_document: bool = False
    """A "which Recommendation ..." question: the answer is a document."""
    asks_scope: bool = False
    """What a document covers: its Scope answers."""
    asks_references: bool = False
    """What a document cites: its References clause answers."""
    asks_expansion: bool = False
    """"stands for", "abbreviation", "acronym", "expand": the abbreviations list answers first."""

    @property
    def term_head(self) -> str | None:
        """The asked term without where it is used: "audio alert" of "audio alert in audio-based network
        navigation"."""
        return _TERM_SETTING.split(self.term, 1)[0] if self.term else None

    @property
    def asks_record(self) -> bool:
        """Whether a definition or an abbreviation list may be the answer: a short term asked for, an
        acronym to expand, or words such as "term", "defined", "abbreviation"."""
        return bool(
            (self.term_head and len(_words_of_term(self.term_head)) <= _RECORD_TERM_WORDS)
            or self.abbreviation
            or self.asks_expansion
            or _ASKS_RECORD.search(self.text)
        )

    def expanded(self) -> str:
        """The question with each known acronym followed by its expansions, for both retrievers."""
        extra = [" ".join(values) for values in self.expansions.values()]
        return " ".join([self.text, *extra])


def _words_of_term(term: str) -> list[str]:
    return [w for w in term.lower().split() if w not in _SPELLING_GLUE]


def without_identifiers(text: str) -> str:
    """``text`` with its Recommendation identifiers blanked: words to match clauses by, since the
    clauses of the document it names rarely repeat its identifier and others' do by chance."""
    return _REC_ID.sub(" ", text)


def find_rec_ids(text: str) -> list[tuple[str, int, int]]:
    """(canonical id, start, end) for each ITU identifier written in ``text``."""
    found: list[tuple[str, int, int]] = []
    for match in _REC_ID.finditer(text):
        canonical = normalize_rec_id(match.group(0))
        if canonical:
            found.append((canonical, match.start(), match.end()))
    return found


def find_clauses(text: str, ids: list[tuple[str, int, int]]) -> list[str]:
    """Clause numbers after "clause"/"§"/"section", Annex/Appendix labels, and bare numbers after an id."""
    clauses: list[str] = []
    for match in _CLAUSE_REF.finditer(text):
        if match.group("num"):
            clauses.append(match.group("num"))
        else:
            word, label = match.group("annex").split(None, 1)
            clauses.append(f"{word.capitalize()} {label.upper()}")
    for _, _, end in ids:
        bare = _BARE_CLAUSE_AFTER_ID.match(text[end:])
        if bare and bare.group("num") not in clauses:
            clauses.append(bare.group("num"))
    return clauses


def definition_term(text: str) -> str | None:
    """The term a definition question asks about, without quotes, articles and "in Y.3507" tails."""
    question = _LEADING_CONTEXT.sub("", text.strip().rstrip("?.! "))
    for pattern in _DEFINITION:
        match = pattern.match(question)
        if match:
            term = _TERM_TAIL.sub("", match.group("t"))
            term = re.sub(r"^(?:a|an|the)\s+", "", term.strip(), flags=re.I)
            term = term.strip(" '\"‘’“”`")
            return term if 0 < len(term) <= 80 and len(term.split()) <= 8 else None
    return None


def acronyms(text: str) -> list[str]:
    """Candidate acronyms: words with two or more capitals (IPPM, IMT-2020, CSCs), ids excluded."""
    out: list[str] = []
    for match in _ACRONYM.finditer(text):
        word = match.group(0)
        if sum(ch.isupper() for ch in word) < 2 or word.upper() in _NOT_ACRONYMS:
            continue
        out.append(word)
    return list(dict.fromkeys(out))


def spelling_before(before: str, letters: list[str]) -> str | None:
    """The fewest last words of ``before`` whose initials spell ``letters`` (:func:`_initials_spell`;
    up to three glue or extra words), or None."""
    words = re.findall(r"[A-Za-z0-9][\w'/-]*", before)
    for size in range(1, min(len(words), len(letters) + 3) + 1):
        if _initials_spell(words[-size:], letters):
            return " ".join(words[-size:])
    return None


def written_out(text: str, acronym: str) -> bool:
    """Whether the words just before ``acronym`` spell it ("temporary documents TDs", "differential
    group delay (DGD)"): the question says what it means, and another document's expansion
    ("Transmit Degrade") would only mislead."""
    letters = [ch.lower() for ch in acronym if ch.isalpha()]
    if acronym.endswith("s") and acronym[:-1].isupper():
        letters = letters[:-1]
    at = text.find(acronym)
    return at > 0 and spelling_before(text[:at], letters) is not None


def _initials_spell(words: list[str], letters: list[str]) -> bool:
    """Whether the words, first to last, give the letters: each word gives its initial (or one per
    hyphen/slash part, or the letters of an all-capital part), a glue word may give none."""
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    options = [[word[0].lower()]]
    parts = [p for p in re.split(r"[-/]", word) if p]
    if len(parts) > 1:
        options.append([p[0].lower() for p in parts])
    if word.isupper() and len(word) > 1:
        options.append([ch.lower() for ch in word if ch.isalpha()])
    if word.lower() in _SPELLING_GLUE:
        options.append([])
    return any(
        letters[: len(option)] == option and _initials_spell(rest, letters[len(option) :])
        for option in options
    )


def expansion_text(expansion: str) -> str:
    """An expansion without the source labels some glossaries append ("Time Division Multiplex
    [b-ITU-T J.83], [b-ITU-T J.84]"): they are not what the acronym means, and their identifiers
    would pull the glossary itself into the results."""
    return " ".join(_SOURCE_LABELS.sub(" ", expansion).split()).strip(" ,;")


def expand_acronyms(store: RecordStore, words: list[str]) -> dict[str, list[str]]:
    """The most common expansions the corpus gives each acronym (plural 's' tried off as well),
    counted without source labels or case ("Type-Length-Value" and "Type Length Value" are one)."""
    expansions: dict[str, list[str]] = {}
    for word in words:
        rows = store.abbreviations(word)
        if not rows and word.endswith("s"):
            rows = store.abbreviations(word[:-1])
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for row in rows:
            text = expansion_text(row.expansion)
            key = " ".join(re.findall(r"\w+", text.lower()))
            if key:
                counts[key] += 1
                spelling.setdefault(key, text)
        if counts:
            expansions[word] = [spelling[k] for k, _ in counts.most_common(MAX_EXPANSIONS)]
    return expansions


def abbreviating(store: RecordStore, phrase: str) -> dict[str, list[Abbreviation]]:
    """The acronyms that abbreviations lists expand to ``phrase``, with their entries ("What is the
    acronym for registration authority?": RA), compared word by word, whatever the case and hyphens."""
    asked = _spelling(phrase)
    longest = max(asked, key=len, default="")
    if len(asked) < 2 or len(longest) < 3:
        return {}
    found: dict[str, list[Abbreviation]] = {}
    for entry in store.abbreviations_mentioning(longest):
        if _spelling(expansion_text(entry.expansion)) == asked:
            found.setdefault(entry.abbreviation, []).append(entry)
    return found


def _spelling(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def parse_query(text: str, store: RecordStore | None = None) -> ParsedQuery:
    """Everything a question names; acronyms are expanded only when a store is given."""
    ids = find_rec_ids(text)
    id_spans = [(s, e) for _, s, e in ids]
    words = [w for w in acronyms(text) if not any(s <= text.find(w) < e for s, e in id_spans)]
    term = definition_term(text)
    asked = None
    if words and (_ASKS_EXPANSION.search(text) or (term and term.split()[0] in words)):
        asked = words[0]
    return ParsedQuery(
        text=text,
        rec_ids=list(dict.fromkeys(i for i, _, _ in ids)),
        clauses=find_clauses(text, ids),
        expansions=expand_acronyms(store, [w for w in words if not written_out(text, w)])
        if store is not None
        else {},
        term=term,
        abbreviation=asked,
        wants_document=bool(_WHICH_DOCUMENT.search(text)),
        asks_scope=bool(_ASKS_SCOPE.search(text)),
        asks_references=bool(_ASKS_REFERENCES.search(text)),
        asks_expansion=bool(_ASKS_EXPANSION.search(text)),
    )

"""The deterministic consistency judge: a draft's restatements of indexed Recommendations, compared on
facts that can be read without a model.

A sentence of the draft *restates* something when it cites a Recommendation or shares most of its key
terms with a sentence of an indexed one. Its facts (quantities with units, deadlines, formula
coefficients, named methods, requirement keywords) are aligned with those of the closest sentences
of that Recommendation: the same fact with another value, and the draft's value nowhere in the close
sentences, is a contradiction, reported with both values and the clause quoted. Small models guess;
this does not, so it says "could not be judged" rather than guess.
"""

from __future__ import annotations

import logging
import math
import re
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from copilot.checker.draft import Paragraph
from copilot.checker.models import Citation
from copilot.checker.rules.base import CheckContext, Contradiction
from ingest.store import RecordStore

logger = logging.getLogger(__name__)

COVERAGE = 0.6
"""Share of the draft sentence's key-term weight a Recommendation sentence holds when it says the same."""
UNCITED_COVERAGE = 0.75
"""The same, for a sentence that cites no Recommendation (any indexed one may be meant)."""
KEYWORD_COVERAGE = 0.85
"""Requirement keywords are compared only between sentences that are nearly the same words."""
MIN_TERMS = 4
"""Key terms a sentence needs to be matched at all (fewer match headings and list items by chance)."""
NEAR = 0.1
"""Sentences within this much of the closest one count as stating the same thing too."""
LOOSE_COVERAGE = 0.35
"""Below COVERAGE, down to this, a chooser (a model) may still name the sentence that says the same."""
CHOICES = 5
"""Loose candidates a chooser is shown, closest first."""

_UNITS: dict[str, tuple[str, float]] = {
    **{u: ("length", s) for u, s in {"nm": 1e-9, "µm": 1e-6, "μm": 1e-6, "mm": 1e-3, "cm": 1e-2,
                                      "m": 1.0, "km": 1e3}.items()},
    **{u: ("frequency", s) for u, s in {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9, "THz": 1e12}.items()},
    **{u: ("rate", s) for u, s in {"bit/s": 1.0, "kbit/s": 1e3, "Mbit/s": 1e6, "Gbit/s": 1e9}.items()},
    **{u: ("time", s) for u, s in {"ps": 1e-12, "ns": 1e-9, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                                    "seconds": 1.0, "second": 1.0, "minutes": 60.0, "minute": 60.0,
                                    "min": 60.0, "hours": 3600.0, "hour": 3600.0}.items()},
    **{u: ("period", s) for u, s in {"days": 1.0, "day": 1.0, "calendar days": 1.0, "working days": 1.0,
                                      "weeks": 7.0, "week": 7.0, "months": 30.0, "month": 30.0,
                                      "years": 365.0, "year": 365.0}.items()},
    **{u: ("voltage", s) for u, s in {"V": 1.0, "kV": 1e3, "mV": 1e-3}.items()},
    **{u: ("power", s) for u, s in {"W": 1.0, "kW": 1e3, "mW": 1e-3}.items()},
    "dB": ("dB", 1.0), "dBm": ("dBm", 1.0), "dB/km": ("dB/km", 1.0), "%": ("percent", 1.0),
    "bytes": ("bytes", 1.0), "octets": ("bytes", 1.0), "bits": ("bits", 1.0), "°C": ("celsius", 1.0),
}  # fmt: skip
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "thirty": 30}  # fmt: skip
_NUMBER = r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?|" + "|".join(_WORDS)
_UNIT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w.\-/])(?P<sign>[-–−])?(?P<a>{_NUMBER})"
    rf"(?:\s*(?:to|-|–|and)\s*(?P<sign2>[-–−])?(?P<b>{_NUMBER}))?\s?(?P<unit>{_UNIT})(?![\w/]|\.\d)",
    re.I,
)
_DEADLINE = re.compile(r"\b(?:before|after|within|prior|later|earlier|at least|no later|in advance)\b", re.I)
_COEFFICIENT = re.compile(r"(?<![\w.])[-–−]?\d\.\d{2,}(?![\w.]|\s?(?:" + _UNIT + r")\b)")
_METHODS: dict[str, tuple[str, ...]] = {
    "modulation": ("BPSK", "QPSK", "DQPSK", "DP-QPSK", "DP-DQPSK", "8PSK", "16-QAM", "16QAM", "32-QAM",
                   "64-QAM", "64QAM", "256-QAM", "256QAM", "OFDM", "FSK", "GMSK"),
    "line code": ("NRZ", "RZ", "Manchester", "AMI", "HDB3", "2B1Q", "8B/10B", "64B/66B"),
    "filter": ("Butterworth", "Bessel-Thomson", "Chebyshev", "raised-cosine"),
    "entropy coding": ("Huffman", "arithmetic coding", "arithmetic encoding", "arithmetic decoding"),
    "hash": ("MD5", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA3-256"),
    "cipher": ("DES", "3DES", "AES", "AES-128", "AES-192", "AES-256", "RC4", "RSA"),
    "checksum": ("CRC-8", "CRC-16", "CRC-32", "CRC-4", "CRC-6"),
    "transform": ("DCT", "DFT", "FFT", "wavelet"),
    "multiplexing": ("TDM", "FDM", "CDM", "WDM", "DWDM", "CWDM"),
}  # fmt: skip
_METHOD = {name.lower(): family for family, names in _METHODS.items() for name in names}
_METHOD_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(_METHOD, key=len, reverse=True)) + r")(?![\w-])",
    re.I,
)
_HEX = re.compile(r"\b0x[0-9A-Fa-f]+\b")
_MODALS = (
    ("prohibited", r"shall not|must not|is prohibited from|are prohibited from"),
    ("mandatory", r"shall|must|is required to|are required to"),
    ("not recommended", r"should not|is not recommended|are not recommended"),
    ("recommended", r"should|is recommended|are recommended"),
    ("optional", r"may|can optionally"),
)
_MODAL = re.compile("|".join(rf"(?P<{k.replace(' ', '_')}>\b(?:{p})\b)" for k, p in _MODALS), re.I)
_CITATION = re.compile(
    r"(?:\[|Recommendation\s+|Rec\.\s*|\b)(?P<org>ITU-[TR])\s+(?P<id>[A-Z]{1,3}\.(?:Imp|Sup)?\d+(?:\.\d+)*)"
    r"(?:-\d+)?"
)
_REFERENCE_ENTRY = re.compile(r"^(?:\[[^\]]+\]\s*)?(?:Recommendation|Report) ITU-[TR] \S+\s*(?:\(|–|-)")
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z(\[])")
_WORD = re.compile(r"[a-zα-ω][a-zα-ω\-]{2,}", re.I)
_STOP = frozenset([
    "the", "and", "for", "with", "that", "this", "these", "those", "are", "was", "were", "been",
    "being", "from", "into", "onto", "which", "where", "when", "what", "who", "whom", "than", "then",
    "there", "their", "its", "shall", "should", "must", "may", "can", "not", "any", "all", "each",
    "other", "such", "also", "only", "more", "less", "most", "least", "same", "both", "either", "neither",
    "between", "under", "over", "above", "below", "about", "used", "use", "using", "value", "values",
    "recommendation", "itu-t", "itu-r", "clause", "annex", "table", "figure", "see", "specified",
    "defined", "given", "following", "accordance", "described", "per", "has", "have", "had", "will",
    "would", "could",
])  # fmt: skip


@dataclass(frozen=True)
class Fact:
    """One checkable fact of a sentence: ``slot`` says what is measured or named (a unit's dimension,
    a method family, 'formula', 'keyword'), ``value`` is comparable and ``shown`` is as written."""

    kind: str
    slot: str
    value: str
    shown: str


def _number(text: str) -> float:
    word = _WORDS.get(text.lower())
    return float(word) if word is not None else float(re.sub(r"[ \u00a0\u202f]", "", text))


def _canonical(number: float) -> str:
    return f"{number:.6g}"


def facts(sentence: str) -> list[Fact]:
    """The facts of one sentence, without the identifiers of cited Recommendations."""
    text = _CITATION.sub(" ", sentence.replace("−", "-"))
    found: list[Fact] = []
    for m in _QUANTITY.finditer(text):
        unit = next(u for u in _UNITS if u.lower() == m.group("unit").lower())
        if m.group("unit") != unit and unit not in ("calendar days", "working days"):
            continue  # unit symbols are case-sensitive ("M" is not "m", "s" is not "S")
        dimension, scale = _UNITS[unit]
        kind = "deadline" if dimension == "period" and _DEADLINE.search(text) else "value"
        for sign, part in (("sign", "a"), ("sign2", "b")):
            if m.group(part):
                number = _number(m.group(part)) * scale * (-1 if m.group(sign) else 1)
                found.append(Fact(kind, dimension, _canonical(number), m.group(0).strip()))
    coefficients = [m.group(0) for m in _COEFFICIENT.finditer(text)]
    if len(coefficients) >= 2:
        value = " ".join(sorted(_canonical(abs(float(c.replace("–", "-")))) for c in coefficients))
        found.append(Fact("formula", "coefficients", value, ", ".join(coefficients)))
    for m in _METHOD_PATTERN.finditer(text):
        name = m.group(1)
        found.append(Fact("name", _METHOD[name.lower()], name.lower().replace("-", ""), name))
    for m in _HEX.finditer(text):
        found.append(Fact("identifier", "code", m.group(0).lower(), m.group(0)))
    modal = _MODAL.search(text)
    if modal is not None and modal.lastgroup is not None:
        found.append(Fact("keyword", "requirement", modal.lastgroup.replace("_", " "), modal.group(0)))
    return found


def cited(sentence: str) -> set[str]:
    """The Recommendations a sentence cites, as 'ITU-T G.650.1' (ITU-R editions left out)."""
    return {f"{m.group('org')} {m.group('id')}" for m in _CITATION.finditer(sentence)}


def recommendation_key(rec_id: str | None) -> str:
    """'ITU-R P.838-3' -> 'ITU-R P.838'; 'ITU-T P.340 Amd.1' -> 'ITU-T P.340': amendments, corrigenda
    and editions of one Recommendation are one Recommendation here."""
    if not rec_id:
        return ""
    base = re.split(r"\s+(?:Amd|Cor|Err|Annex|Suppl|Sup)\b", rec_id)[0]
    return re.sub(r"^(ITU-R \S+?)-\d+$", r"\1", base)


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(paragraph) if len(s.strip()) > 20]


def _terms(sentence: str) -> set[str]:
    text = _CITATION.sub(" ", _QUANTITY.sub(" ", sentence))
    return {w.lower() for w in _WORD.findall(text)} - _STOP


@dataclass
class _Sentence:
    doc_id: str
    rec_id: str | None
    key: str
    clause: str
    text: str
    terms: frozenset[str]
    facts: tuple[Fact, ...]


@dataclass
class LibrarySentences:
    """Every sentence of the indexed English documents with its key terms and facts, and an inverted
    index from term to sentences: the retrieval the judge needs, read from the record store."""

    rows: list[_Sentence] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_store(cls, store: RecordStore) -> LibrarySentences:
        index = cls()
        for doc in store.documents():
            if doc.language != "en":
                continue
            key = recommendation_key(doc.rec_id)
            for clause in store.clauses(doc.doc_id):
                for paragraph in clause.paragraphs:
                    if " | " in paragraph:
                        continue  # table rows: values without the sentence that says what they are
                    for text in sentences(paragraph):
                        row = _Sentence(
                            doc.doc_id, doc.rec_id, key, clause.number, text, frozenset(_terms(text)),
                            tuple(facts(text)),
                        )  # fmt: skip
                        position = len(index.rows)
                        index.rows.append(row)
                        index.by_key[key].append(position)
                        for term in row.terms:
                            index.postings[term].append(position)
        logger.info("consistency: %d sentences of %d documents indexed", len(index.rows), len(index.by_key))
        return index

    def idf(self, term: str) -> float:
        return math.log((1 + len(self.rows)) / (1 + len(self.postings.get(term, ()))))


_CACHE: weakref.WeakKeyDictionary[RecordStore, tuple[int, LibrarySentences]] = weakref.WeakKeyDictionary()


def library_sentences(store: RecordStore) -> LibrarySentences:
    """The store's sentences, built once per store and generation (a check run reuses them)."""
    generation = store.generation()
    cached = _CACHE.get(store)
    if cached is None or cached[0] != generation:
        cached = (generation, LibrarySentences.from_store(store))
        _CACHE[store] = cached
    return cached[1]


class CandidateChooser(Protocol):
    """Names which of the candidate sentences states the same thing as the draft's sentence (its
    index), or None: where the words alone do not tie a restatement to its source, a model may.
    It never decides a contradiction: the aligned values of the chosen sentence do."""

    def choose(self, sentence: str, candidates: list[str]) -> int | None: ...


@dataclass
class Judgement:
    """What the judge did: restated statements found, compared (consistent or not), contradictions."""

    restated: int = 0
    compared: int = 0
    chosen: int = 0
    """Comparisons whose source sentence a chooser (a model) named among loose candidates."""
    contradictions: list[Contradiction] = field(default_factory=list)

    @property
    def note(self) -> str:
        chosen = f" ({self.chosen} with the source sentence a model chose)" if self.chosen else ""
        return (
            f"consistency: {self.restated} restated statements compared with the indexed Recommendations "
            f"on quantities, deadlines, formulas, named methods and requirement keywords{chosen}; "
            f"{self.restated - self.compared} could not be judged; {len(self.contradictions)} contradicted"
        )


class EvidenceJudge:
    """The :class:`ConsistencyJudge` that needs no model: aligned facts decide, or nothing does."""

    def __init__(
        self, context: CheckContext, own_key: str = "", chooser: CandidateChooser | None = None
    ) -> None:
        assert context.store is not None
        self.context = context
        self.own_key = own_key
        self.chooser = chooser
        self.library = library_sentences(context.store)
        self.last = Judgement()

    def contradictions(self, statements: list[Paragraph]) -> list[Contradiction]:
        self.last = self.judge(statements)
        return self.last.contradictions

    def judge(self, statements: list[Paragraph]) -> Judgement:
        result = Judgement()
        by_clause: dict[str, set[str]] = defaultdict(set)
        for paragraph in statements:
            by_clause[paragraph.clause] |= cited(paragraph.text)
        for paragraph in statements:
            if paragraph.table:
                continue
            for sentence in sentences(paragraph.text):
                if _REFERENCE_ENTRY.match(sentence):
                    continue  # a reference entry restates a title: the references rules check it
                tied = cited(sentence) or cited(paragraph.text) or by_clause[paragraph.clause]
                verdict = self._judge_sentence(paragraph, sentence, tied, result)
                if verdict is None:
                    continue
                result.restated += 1
                if verdict is not False:
                    result.compared += 1
                if isinstance(verdict, Contradiction):
                    result.contradictions.append(verdict)
        return result

    def _candidates(
        self, terms: set[str], tied: set[str], floor: float | None = None, min_terms: int = MIN_TERMS
    ) -> list[tuple[float, _Sentence]]:
        """Indexed sentences stating the same thing, closest first, with their coverage of ``terms``:
        in the Recommendations ``tied`` names, or in any indexed one when it names none."""
        library = self.library
        weights = {t: library.idf(t) for t in terms}
        total = sum(weights.values())
        keys = {recommendation_key(c) for c in tied} - {self.own_key, ""}
        floor = floor or (COVERAGE if keys else UNCITED_COVERAGE)
        if total <= 0 or len(terms) < min_terms:
            return []
        allowed = {i for key in keys for i in library.by_key.get(key, ())} if keys else None
        scores: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            for i in library.postings.get(term, ()):
                if allowed is None or i in allowed:
                    scores[i] += weight
        found = []
        for i, score in scores.items():
            row = library.rows[i]
            coverage = score / total
            if coverage < floor or row.key == self.own_key or self.context.is_own(row.doc_id, row.rec_id):
                continue
            shared = len(row.terms & terms)
            if shared < min_terms - 1 or shared / max(1, len(row.terms)) < 0.3:
                continue  # a long sentence that happens to contain the words
            found.append((coverage, row))
        found.sort(key=lambda pair: -pair[0])
        return found[:20]

    def _judge_sentence(
        self, paragraph: Paragraph, sentence: str, tied: set[str], result: Judgement
    ) -> Contradiction | bool | None:
        """None: restates nothing indexed; False: restates, cannot say; True: consistent.

        A sentence is compared only with the Recommendations it, its paragraph or its clause cites:
        published texts state similar things with other values in other procedures, so a sentence
        tied to none is counted as restated but not judged."""
        terms = _terms(sentence)
        candidates = self._candidates(terms, tied)
        slots = {f.slot for f in facts(sentence)}
        near = [row for c, row in candidates if c >= candidates[0][0] - NEAR] if candidates else []
        if not any(slots & {f.slot for f in row.facts} for row in near):
            candidates = self._chosen(sentence, terms, result) or candidates
        if not candidates:
            return (
                False if {recommendation_key(c) for c in tied} - {self.own_key} and facts(sentence) else None
            )
        if not tied:
            return False
        best = candidates[0][0]
        close = [(c, row) for c, row in candidates if c >= best - NEAR]
        agreed = False
        mine = facts(sentence)
        for fact in mine:
            if fact.kind == "keyword":
                close_words = [(c, r) for c, r in close if c >= KEYWORD_COVERAGE]
                same_slot = [(c, r) for c, r in close_words if any(f.slot == fact.slot for f in r.facts)]
            else:
                same_slot = [(c, r) for c, r in close if any(f.slot == fact.slot for f in r.facts)]
            if not same_slot:
                continue
            if any(f.slot == fact.slot and f.value == fact.value for _, r in same_slot for f in r.facts):
                agreed = True
                continue
            if any(_within(fact, mine, sentence, r) for _, r in same_slot):
                agreed = True  # "above about 700 MHz" against a scope of "100 MHz to 50 GHz"
                continue
            return self._contradiction(paragraph, sentence, fact, same_slot[0][1])
        return agreed

    def _chosen(self, sentence: str, terms: set[str], result: Judgement) -> list[tuple[float, _Sentence]]:
        """Where no close sentence holds a fact of the same kind (or none is close, a formula's
        sentence having few words beside its symbols), the loose candidate the chooser names as the
        source of a sentence that cites its Recommendation itself; only candidates holding a fact of
        the same kind are shown."""
        slots = {f.slot for f in facts(sentence)}
        if self.chooser is None or not slots or not cited(sentence):
            return []
        loose = [
            (c, row)
            for c, row in self._candidates(terms, cited(sentence), LOOSE_COVERAGE, min_terms=1)
            if slots & {f.slot for f in row.facts}
        ][:CHOICES]
        pick = self.chooser.choose(sentence, [row.text for _, row in loose]) if loose else None
        if pick is None or not 0 <= pick < len(loose):
            return []
        logger.info("consistency: the chooser tied %r to %s clause %s", _clip(sentence, 60),
                    loose[pick][1].rec_id, loose[pick][1].clause)  # fmt: skip
        result.chosen += 1
        return [loose[pick]]

    def _contradiction(
        self, paragraph: Paragraph, sentence: str, fact: Fact, row: _Sentence
    ) -> Contradiction:
        theirs = [f for f in row.facts if f.slot == fact.slot]
        their_shown = ", ".join(dict.fromkeys(f.shown for f in theirs))
        source = f"[{row.rec_id}]" if row.rec_id else row.doc_id
        logger.info(
            "consistency: %r contradicts %s clause %s (%s)", fact.shown, source, row.clause, their_shown
        )
        restored = sentence.replace(fact.shown, theirs[0].shown, 1) if len(theirs) == 1 else row.text
        if restored == sentence:  # a formula's coefficients are not written as one string
            restored = row.text
        if not cited(restored):
            restored = restored.rstrip(".") + f" (see {source}, clause {row.clause})."
        evidence: list[Citation] = [self.context.cite(row.doc_id, row.rec_id, row.clause, row.text)]
        return Contradiction(
            paragraph=paragraph,
            explanation=(
                f'"{fact.shown}" ({fact.kind}) where {source} clause {row.clause} says "{their_shown}": '
                f'"{_clip(sentence)}".'
            ),
            evidence=evidence,
            suggestion=f'Restore the Recommendation\'s wording: "{restored}"',
        )


def _ranges(found: Sequence[Fact], text: str) -> list[tuple[Fact, Fact]]:
    """Pairs of facts that are the two ends of one range ("1260-1360 nm", "100 MHz to 50 GHz")."""
    pairs = []
    for low, high in zip(found, found[1:], strict=False):
        if low.slot != high.slot or low.kind != high.kind:
            continue
        if low.shown == high.shown or re.search(
            rf"{re.escape(low.shown)}\s*(?:to|-|–)\s*{re.escape(high.shown)}", text
        ):
            pairs.append((low, high))
    return pairs


def _within(fact: Fact, mine: Sequence[Fact], sentence: str, row: _Sentence) -> bool:
    """A single value (not itself a range's end) inside a range the other sentence states says
    nothing against it: "above about 700 MHz" against a scope of "100 MHz to 50 GHz"."""
    if fact.kind not in ("value", "deadline") or any(fact in pair for pair in _ranges(mine, sentence)):
        return False
    value = float(fact.value)
    return any(
        low.slot == fact.slot and min(float(low.value), float(high.value)) <= value
        and value <= max(float(low.value), float(high.value))
        for low, high in _ranges(row.facts, row.text)
    )  # fmt: skip


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."

"""Records as retrieval signals: the spans of a question that the index's records know.

Any span of the question that is a defined term, an abbreviation the library expands, or a named
Recommendation brings its records in, however the question is phrased ("what is X", "X?", "meaning
of X", "how does ... define X", "X stands for"), and a question whose words are exactly a term's in
another order ("a service provider in the cloud") names that term. A record is the question's *focus*
when nothing else in the question needs explaining: every other content word is a question word
("define", "meaning", "stands for"...) or a word of the defining document's title or identifier
("In Y.1543, what is OWAMP?", "How does the oneM2M testing framework Recommendation define IXIT?").
A focus is pinned to the top; other matches join the fused lists as the ``records`` producer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.lexical import tokenize
from copilot.query import ASKING_FORM, ParsedQuery, abbreviating
from copilot.retrieval.index import Snapshot, singular, term_key
from ingest.models import Abbreviation, Definition
from ingest.store import RecordStore

MAX_SPAN_WORDS = 8
_PLAIN = re.compile(r"[a-z0-9]+")
_SPAN_WORD = re.compile(r"[\w]+(?:[./'’][\w]+)*", re.UNICODE)
_QUESTION_WORDS = (
    # English
    "define defined defining definition meaning mean meant term explain stand abbreviation acronym "
    "expand expansion recommendation itu rec t r used short say says given means text standard "
    "document please tell describe word phrase concept "
    # French and Spanish, as the ASCII tokenizer cuts them ("qu'est-ce" -> qu est ce)
    "que qu est ce une un le la les de du des signifie veut dire quoi finition signification "
    "acronyme sigle abr viation recommandation significa sigla qu es el lo los una del finici "
    "abreviatura recomendaci n norma"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
"""Words that ask for a record rather than name one (English, French and Spanish)."""
NAMING_SHARE = 0.5
"""A name-like question word found mostly in one document names it (chosen on the dev split)."""
NAME_LIKE = re.compile(r"\b(?=[\w-]*(?:\d|[A-Z][\w-]*[A-Z]))[A-Za-z][\w-]*\b")
"""Words written as names ('JBIG2', 'IMT-2000', 'oneM2M', 'OTDR'): a digit or two capitals."""


def content_words(text: str) -> set[str]:
    """Plain word tokens (stopwords dropped, plurals folded), without the question words."""
    return {t for t in tokenize(text) if _PLAIN.fullmatch(t) and t not in QUESTION_WORDS}


@dataclass
class TermMatch:
    """A span of the question that names a defined term."""

    key: str
    words: set[str]
    definitions: list[Definition]
    start: int
    """Word position of the span: the asked term usually closes the question ("... define X")."""


@dataclass
class AcronymMatch:
    """An acronym of the question that abbreviations lists expand."""

    acronym: str
    entries: list[Abbreviation]
    spelled_out: set[str] = field(default_factory=set)
    """The expansion's content words when the question wrote them out and asked for the acronym."""


@dataclass
class RecordSignals:
    terms: list[TermMatch] = field(default_factory=list)
    acronyms: list[AcronymMatch] = field(default_factory=list)
    content: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    """Content words the question writes as names (:data:`NAME_LIKE`)."""
    spelled: dict[str, list[set[str]]] = field(default_factory=dict)
    """Acronyms of the question (as content words) -> the content words of each expansion the corpus
    gives them ('ip' -> [{'internet', 'protocol'}])."""

    def unexplained(self, words: set[str], doc_id: str, snap: Snapshot) -> set[str]:
        """Content words left once a record's own words, its document's title and id, acronyms the
        title spells out ('IP' for "Internet protocol ..."), and name-like words that name its document
        (mostly found there: 'In JBIG2, ...' for T.88) are removed; plain words ('reserved values')
        never name a document, however few documents use them."""
        doc = snap.documents.get(doc_id)
        explained = content_words(f"{doc.rec_id or ''} {doc.title or ''}") if doc else set()
        left = self.content - words - explained
        left = {w for w in left if not any(e and e <= explained | words for e in self.spelled.get(w, ()))}
        return {w for w in left if w not in self.names or snap.lexical.share_in(w, doc_id) < NAMING_SHARE}


def find_signals(parsed: ParsedQuery, snap: Snapshot, store: RecordStore) -> RecordSignals:
    """Longest-first, non-overlapping term spans (one-word terms only when they could be the focus),
    listed with the asked term first: the term of a definition question, else the last span."""
    content = content_words(ASKING_FORM.sub(" ", parsed.text))
    names = content & content_words(" ".join(NAME_LIKE.findall(parsed.text)))
    spelled = {
        word: [content_words(e) for e in expansions]
        for acronym, expansions in (parsed.expansions or {}).items()
        for word in content_words(acronym)
    }
    signals = RecordSignals(content=content, names=names, spelled=spelled)
    written = _SPAN_WORD.findall(parsed.text.lower().replace("-", " "))
    words = [singular(w) for w in written]
    taken: set[int] = set()
    for n in range(min(MAX_SPAN_WORDS, len(words)), 0, -1):
        for start in range(len(words) - n + 1):
            span = range(start, start + n)
            if taken.intersection(span):
                continue
            key = " ".join(words[start : start + n])
            found = snap.terms.get(key)
            if not found or (n == 1 and (len(key) < 3 or key in QUESTION_WORDS)):
                continue
            taken.update(span)
            said = content_words(" ".join(written[start : start + n]))  # "status", not the key's "statu"
            signals.terms.append(TermMatch(key, said, found, start))
    asked = term_key(parsed.term) if parsed.term else None
    signals.terms.sort(key=lambda m: (m.key != asked, -m.start))
    spans = {m.key for m in signals.terms}
    reordered = [key for key in snap.terms_by_words.get(frozenset(content), []) if key not in spans]
    if reordered:  # the question's words, in another order, are exactly a term: that term is asked
        signals.terms[:0] = [TermMatch(key, content_words(key), snap.terms[key], -1) for key in reordered]
    for acronym in parsed.expansions or {}:
        entries = store.abbreviations(acronym)
        if not entries and acronym.endswith("s"):
            entries = store.abbreviations(acronym[:-1])
        if entries:
            signals.acronyms.append(AcronymMatch(acronym, entries))
    if parsed.asks_expansion and parsed.abbreviation is None and parsed.term:  # "the acronym for X"
        spelled_out = content_words(parsed.term)
        for acronym, entries in abbreviating(store, parsed.term).items():
            signals.acronyms.append(AcronymMatch(acronym, entries, spelled_out))
    return signals

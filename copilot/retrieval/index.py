"""The read side of an index: what retrieval, answers, drafting and checking need, without ingest's writer.

:class:`IndexView` is the structural type they depend on (ingest's ``Library`` satisfies it, so a
process that also ingests can share one open store); :class:`IndexReader` opens an index read-only in
spirit: it never ingests, removes or locks. :class:`Snapshot` is what retrieval keeps in memory about
the index (BM25, documents, titles, the definitions table), rebuilt only when the store changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import bm25s

from copilot.lexical import LexicalIndex, store_fingerprint, tokenize
from ingest.embedding import Embedder
from ingest.index_parts import IndexParts
from ingest.models import Definition, DocumentSummary
from ingest.store import RecordStore
from ingest.vectors import VectorIndex
from rapporteur.settings import Settings

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
_PLAIN_TOKEN = re.compile(r"[a-z0-9]+")
_TERM_WORD = re.compile(r"[\w]+(?:[-./'’][\w]+)*", re.UNICODE)
_GLOSSARY_HEADING = re.compile(
    r"^\s*(?:list\s+of\s+)?(?:terms|definitions?|abbreviations?|acronyms|symbols|glossary)"
    r"(?:\s*(?:and|,)\s*(?:terms|definitions|abbreviations|acronyms|symbols))*"
    r"(?:\s+(?:defined\s+.*|for\s+.*|used\s+.*|from\s+.*))?\s*$",
    re.I,
)
"""Headings of the clauses that list terms or abbreviations ("Terms defined elsewhere", "Abbreviations
and acronyms", J.1's "Terms for television ..."), not those that define one thing ("Definition of
parameters")."""
_HEADING_NUMBER = re.compile(r"^\s*(?:(?:Annex|Appendix)\s+\S+|[A-Z]?\d+(?:\.\d+)*)\s+")


class IndexView(Protocol):
    """An open index as its readers see it: records, vectors and the embedder that made them."""

    settings: Settings

    @property
    def store(self) -> RecordStore: ...

    @property
    def vectors(self) -> VectorIndex: ...

    @property
    def existing_windows(self) -> VectorIndex | None: ...

    @property
    def embedder(self) -> Embedder: ...


class IndexReader(IndexParts):
    """One index directory opened for reading (records in SQLite, vectors in Chroma)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        super().__init__(settings, embedder)
        self._store = RecordStore(settings.index / "records.sqlite3")

    @property
    def store(self) -> RecordStore:
        return self._store

    def close(self) -> None:
        self._store.close()


def sector_of(rec_id: str | None) -> str | None:
    if not rec_id:
        return None
    if rec_id.startswith(("ITU-T", "CCITT")):
        return "ITU-T"
    if rec_id.startswith(("ITU-R", "CCIR")):
        return "ITU-R"
    return None


def singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def term_key(text: str) -> str:
    """How a term and a span of a question are compared: lower case, plurals folded, hyphens as spaces."""
    words = _TERM_WORD.findall(text.lower().replace("-", " "))
    return " ".join(singular(w) for w in words)


def term_keys(term: str) -> list[str]:
    """A defined term's keys: as written, without its parenthesised abbreviation, and that abbreviation
    ("interworking function (IWF)" -> "interworking function (iwf)", "interworking function", "iwf")."""
    keys = [term_key(term)]
    bare = _PARENTHESIS.sub(" ", term).strip()
    if bare and bare != term:
        keys.append(term_key(bare))
        keys.extend(term_key(inner) for inner in _PARENTHESIS.findall(term) if inner.strip())
    return [k for k in dict.fromkeys(keys) if k]


def _in_glossary(headings: list[str]) -> bool:
    """Whether a clause is, or is under, a list of terms or abbreviations: a definition split into its
    own clause ("3.2.1 play log" under "3.2 Terms defined in this Recommendation") is one too."""
    return any(_GLOSSARY_HEADING.match(_HEADING_NUMBER.sub("", heading)) for heading in headings)


@dataclass
class Snapshot:
    """What the retriever holds in memory about the index; replaced when the store changes."""

    fingerprint: str
    lexical: LexicalIndex
    documents: dict[str, DocumentSummary]
    titles: bm25s.BM25 | None
    title_docs: list[str]
    sectors: dict[str, str | None] = field(default_factory=dict)
    terms: dict[str, list[Definition]] = field(default_factory=dict)
    """Definitions by :func:`term_keys`; the longest key is 8 words at most."""
    terms_by_words: dict[frozenset[str], list[str]] = field(default_factory=dict)
    """Keys of terms of two or more words by their set of word tokens, whatever the order: "service
    provider in the cloud" names "cloud service provider"."""
    glossary: frozenset[str] = frozenset()
    """Chunks of clauses listing terms or abbreviations (:data:`_GLOSSARY_HEADING`)."""
    heading_words: dict[str, frozenset[str]] = field(default_factory=dict)
    """Each chunk's own heading as word tokens ("Resource fault management")."""
    doc_titles: dict[str, str] = field(default_factory=dict)
    """Each document's title by doc id ("" without one): what a clause is read with."""

    @classmethod
    def load(cls, index: IndexView, lexical_dir: Path) -> Snapshot:
        store = index.store
        lexical = LexicalIndex.open(store, lexical_dir)
        documents = {d.doc_id: d for d in store.documents()}
        title_docs = [d.doc_id for d in documents.values() if d.title]
        titles: bm25s.BM25 | None = None
        if title_docs:
            titles = bm25s.BM25()
            titles.index(
                [tokenize(f"{documents[d].rec_id or ''} {documents[d].title}") or [""] for d in title_docs],
                show_progress=False,
            )
        terms: dict[str, list[Definition]] = {}
        for definition in store.definitions(""):
            for key in term_keys(definition.term):
                if len(key.split()) <= 8:
                    terms.setdefault(key, []).append(definition)
        headings = store.chunk_headings()
        by_words: dict[frozenset[str], list[str]] = {}
        for key in terms:
            words = frozenset(t for t in tokenize(key) if _PLAIN_TOKEN.fullmatch(t))
            if len(words) >= 2:
                by_words.setdefault(words, []).append(key)
        return cls(
            store_fingerprint(store),
            lexical,
            documents,
            titles,
            title_docs,
            {d: sector_of(s.rec_id) for d, s in documents.items()},
            terms,
            by_words,
            frozenset(c for c, path in headings.items() if _in_glossary(path)),
            {
                c: frozenset(t for t in tokenize(path[-1]) if _PLAIN_TOKEN.fullmatch(t))
                for c, path in headings.items()
            },
            {d: s.title or "" for d, s in documents.items()},
        )

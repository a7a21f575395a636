"""The retriever: filters, the stages of :mod:`copilot.retrieval.stages`, clause-level citations."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from copilot.citation import Citation
from copilot.lexical import store_fingerprint, tokenize
from copilot.query import ParsedQuery, parse_query
from copilot.retrieval.clauses import Candidate, ClauseKey, ClauseLocator, RankedList
from copilot.retrieval.filters import allowed_documents, named_documents
from copilot.retrieval.index import IndexReader, IndexView, Snapshot
from copilot.retrieval.signals import RecordSignals, find_signals
from copilot.retrieval.stages import (
    DenseProducer,
    DocumentVote,
    FrontMatterPrior,
    GlossaryPrior,
    HeadingPrior,
    LexicalProducer,
    PinningStage,
    Prior,
    Producer,
    RecordsProducer,
    SearchRequest,
    TitlesProducer,
    WeightedFuser,
)
from copilot.retrieval.term_vectors import TermVectorFile, TermVectorsProducer
from ingest.catalog import ReferenceCatalog
from ingest.models import Chunk, DocumentSummary
from ingest.store import RecordStore
from rapporteur.settings import Settings

if TYPE_CHECKING:  # the translator (and its prompt machinery) is only loaded by callers that use one
    from copilot.retrieval.translation import QueryTranslation, QueryTranslator

Mode = Literal["hybrid", "lexical", "dense"]
RRF_K = 60
WEIGHTS = {
    "lexical": 1.0,
    "dense": 1.0,
    "records": 0.3,
    "titles": 1.0,
    "documents": 1.0,
    "scope_documents": 0.5,
    "term_vectors": 2.0,
}
"""Fusion weights per producer, chosen on the dev split (eval/retrieval/RESULTS.md); the document vote
is "documents" for a question asking which document, "scope_documents" for one asking what a text it
does not name covers."""
FRONT_MATTER_FACTOR = 0.6
"""Scale of the fused score of Summary, Introduction, Keywords... (chosen on the dev split)."""
GLOSSARY_FACTOR = 0.6
"""Scale of the fused score of terms and abbreviations clauses for a question not asking for a term
(chosen on the dev split)."""
HEADING_FACTOR = 0.15
"""Raise of the fused score of a clause whose heading the question's words fill (chosen on the dev
split)."""
SIMILARITY_CHARS = 1200
"""Characters of a clause compared in meaning with a question: more than the embedder reads."""
_NUMBERED_PARAGRAPH = re.compile(r"^(?P<num>(?:\d{1,2}|[A-Z])(?:\.\d{1,3})+)\s")


class Retriever(Protocol):
    """What the assistant, the drafter and the checker need from retrieval."""

    catalog: ReferenceCatalog | None

    @property
    def store(self) -> RecordStore: ...

    def documents(self) -> dict[str, DocumentSummary]: ...

    def document_titles(self) -> dict[str, str]: ...

    def search(self, query: str, k: int = 10, filters: dict[str, str] | None = None) -> list[Citation]: ...

    def similarity(self, text: str, hits: Sequence[Citation]) -> list[float]: ...


class HybridRetriever:
    """Search one index by lexical, dense or hybrid ranking, with filters and record signals."""

    def __init__(
        self,
        index: IndexView,
        catalog: ReferenceCatalog | None = None,
        depth: int = 100,
        rrf_k: int = RRF_K,
        weights: dict[str, float] | None = None,
        translator: QueryTranslator | None = None,
    ) -> None:
        """``translator``: non-English questions are searched in English too (none: as they are)."""
        self.index = index
        self.translator = translator
        self.catalog = catalog
        self.depth = depth
        self.fuser = WeightedFuser(weights or WEIGHTS, rrf_k)
        self.priors: list[Prior] = [
            FrontMatterPrior(FRONT_MATTER_FACTOR),
            GlossaryPrior(GLOSSARY_FACTOR),
            HeadingPrior(HEADING_FACTOR),
        ]
        self.pinning = PinningStage()
        self.lexical: Producer = LexicalProducer()
        self.dense: Producer = DenseProducer(index, windows=index.settings.ingest.dense_windows)
        self.records: Producer = RecordsProducer()
        self.titles: Producer = TitlesProducer()
        self.term_vectors = TermVectorsProducer(
            index, TermVectorFile(index.settings.index / "term_vectors.npz")
        )
        self.vote = DocumentVote(rrf_k)
        self._snapshot: Snapshot | None = None
        self._refreshing = threading.Lock()
        """Held while the snapshot is read: a server's background preparation and its first requests
        read it (and build the BM25 index) once."""

    @classmethod
    def from_settings(cls, settings: Settings, translator: QueryTranslator | None = None) -> HybridRetriever:
        return cls(IndexReader(settings), ReferenceCatalog.from_settings(settings), translator=translator)

    @property
    def store(self) -> RecordStore:
        return self.index.store

    @property
    def lexical_dir(self) -> Path:
        return self.index.settings.index / "bm25"

    def refresh(self) -> Snapshot:
        """The in-memory view of the index, reloaded (BM25 rebuilt) only when the store has changed."""
        fingerprint = store_fingerprint(self.index.store)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.fingerprint == fingerprint:  # each search: no lock taken
            return snapshot
        with self._refreshing:
            if self._snapshot is None or self._snapshot.fingerprint != fingerprint:
                self._snapshot = Snapshot.load(self.index, self.lexical_dir)
            return self._snapshot

    def prepare(self) -> Snapshot:
        """Build or load now what a first search would wait for: the snapshot with its BM25 index, the
        defined terms' vectors and the vector index (on the whole corpus, 2 cores: ~8 s after an ingest,
        ~1.2 s when they are saved, 0.7 s of it the vector index's first query)."""
        snap = self.refresh()
        self.term_vectors.prepare(snap)
        self.search("scope", k=1, mode="dense", understand=False)
        return snap

    def documents(self) -> dict[str, DocumentSummary]:
        return self.refresh().documents

    def document_titles(self) -> dict[str, str]:
        """Each document's title by doc id ("" without one)."""
        return self.refresh().doc_titles

    def similarity(self, text: str, hits: Sequence[Citation]) -> list[float]:
        """How close in meaning each hit is to ``text`` (cosine, -1 to 1), by the index's embedder: a
        question and a clause that share few words may still say the same thing. Each hit is read with
        its document's title and its heading (the title, as in its stored vector, names the subject a
        short clause does not), up to what the embedder sees (256 tokens, roughly 1,200 characters)."""
        if not hits:
            return []
        titles = self.document_titles()
        passages = [f"{titles.get(h.doc_id, '')} {h.heading or ''} {h.text[:SIMILARITY_CHARS]}" for h in hits]
        vectors = self.index.embedder.embed([text, *passages])
        return [float(v @ vectors[0]) for v in vectors[1:]]

    def search(
        self,
        query: str,
        k: int = 10,
        filters: dict[str, str] | None = None,
        mode: Mode = "hybrid",
        understand: bool = True,
    ) -> list[Citation]:
        """The ``k`` best clauses for ``query``, best first.

        ``understand=False`` turns query understanding off (no pinned clauses, no record signals, no
        acronym expansion, no narrowing to a named Recommendation, no translation): the plain ranking,
        for evaluation. A question the translator renders in English is ranked by its English: what
        either the English or the original pins comes first (the English query's first); the
        original's other hits are not fused in (on the dev split they were the asker's-language
        E.119 matched by common words). Each clause is cited from the library's copy in the asker's
        language where there is one.
        """
        translation = self.translate(query) if understand else None
        if translation is None or translation.english is None:
            found = self._rank(query, filters, mode, understand)
            return self._citations(_ordered(found[1], found[0]), found[2], found[3], k) if found else []
        english = self._rank(translation.english, filters, mode, understand)
        original = self._rank(query, filters, mode, understand, pins_only=True)
        if english is None or original is None:
            return []
        pinned = dict(english[1])
        for key, candidate in original[1].items():
            pinned.setdefault(key, candidate)
        locate = english[3]
        ranked = (locate.in_language(c, translation.language) for c in _ordered(pinned, english[0]))
        return self._citations(ranked, english[2], locate, k)

    def translate(self, query: str) -> QueryTranslation | None:
        """How the translator renders ``query`` (cached: asking again costs nothing); None without one."""
        return self.translator.translate(query) if self.translator is not None else None

    def _rank(
        self,
        query: str,
        filters: dict[str, str] | None,
        mode: Mode,
        understand: bool,
        pins_only: bool = False,
    ) -> tuple[RankedList, dict[ClauseKey, Candidate], ParsedQuery, ClauseLocator] | None:
        """One query's fused list and pinned clauses; None when the filters leave no document.
        ``pins_only``: the pinned clauses alone (an empty list), for a translated question's original."""
        snap = self.refresh()
        allowed = allowed_documents(filters, snap, self.catalog)
        parsed = parse_query(query, self.index.store) if understand else ParsedQuery(text=query)
        named, parsed = named_documents(parsed, snap, allowed)
        if named:
            allowed = named
        if allowed is not None and not allowed:
            return None
        locate = ClauseLocator(self.index.store, snap)
        signals = find_signals(parsed, snap, self.index.store) if understand else RecordSignals()
        request = SearchRequest(parsed, parsed.expanded(), allowed, named, signals, locate)
        pinned = self.pinning.pin(request) if understand else {}
        if pins_only:
            return [], pinned, parsed, locate
        producers = [
            p for name, p in (("lexical", self.lexical), ("dense", self.dense)) if mode in (name, "hybrid")
        ]
        if understand and mode == "hybrid":
            producers.append(self.records)
            if parsed.asks_record:
                producers.append(self.term_vectors)
            if parsed.wants_document or parsed.asks_scope or parsed.asks_references:
                producers.append(self.titles)
        lists = [(p.name, p.produce(request, self.depth)) for p in producers]
        if understand and mode == "hybrid" and (parsed.wants_document or (parsed.asks_scope and not named)):
            # "what does the standard on X cover?" asks which document as well as its Scope
            vote = self.vote.name if parsed.wants_document else f"scope_{self.vote.name}"
            lists.append((vote, self.vote.produce(request, lists)))
        fused = self.fuser.fuse(lists)
        if understand and mode == "hybrid":
            for prior in self.priors:
                fused = prior.apply(fused, request)
        return fused, pinned, parsed, locate

    def _citations(
        self, candidates: Iterable[Candidate], parsed: ParsedQuery, locate: ClauseLocator, k: int
    ) -> list[Citation]:
        """The first ``k`` distinct clauses as citations (a clause refined to a numbered paragraph
        can coincide with a pinned one, so distinctness is checked on what is finally cited)."""
        by_doc: dict[str, dict[str, Chunk]] = {}
        words = set(tokenize(parsed.expanded()))
        seen: set[ClauseKey] = set()
        out: list[Citation] = []
        for candidate in candidates:
            if len(out) >= k:
                break
            doc_id = locate.doc_of(candidate.chunk_id)
            if doc_id not in by_doc:
                by_doc[doc_id] = {c.chunk_id: c for c in self.index.store.chunks(doc_id)}
            chunk = by_doc[doc_id].get(candidate.chunk_id)
            if chunk is None:
                continue
            clause, text = candidate.clause, candidate.text
            if clause is None:
                clause, text = _refine(chunk, words)
            key = locate.key(doc_id, clause)
            if key in seen:
                continue
            seen.add(key)
            doc = locate.snap.documents.get(doc_id)
            out.append(
                Citation(
                    doc_id=doc_id,
                    rec_id=chunk.rec_id,
                    clause=clause,
                    heading=chunk.heading,
                    page=chunk.page_start,
                    text=text or chunk.text,
                    score=round(candidate.score, 6),
                    path=doc.path if doc else "",
                )
            )
        return out


def _ordered(pinned: dict[ClauseKey, Candidate], fused: RankedList) -> list[Candidate]:
    """Pinned clauses first, in their order, then the fused list without them."""
    return [*pinned.values(), *(c for key, c in fused if key not in pinned)]


def _refine(chunk: Chunk, words: set[str]) -> tuple[str, str]:
    """Cite a numbered paragraph ("3.2.1 physical machine: ...") instead of its clause ("3.2") when the
    question's words match that paragraph clearly better than any other."""
    body = chunk.text.split("\n", 1)[1] if "\n" in chunk.text else chunk.text
    best: tuple[int, str, str] | None = None
    runner_up = 0
    for paragraph in body.split("\n"):
        match = _NUMBERED_PARAGRAPH.match(paragraph)
        if not match or not match["num"].startswith(chunk.clause + "."):
            continue
        overlap = len(words & set(tokenize(paragraph.split(":", 1)[0])))
        if best is None or overlap > best[0]:
            runner_up = best[0] if best else 0
            best = (overlap, match["num"], paragraph)
        else:
            runner_up = max(runner_up, overlap)
    if best is not None and best[0] >= 1 and best[0] > runner_up:
        return best[1], best[2]
    return chunk.clause, chunk.text

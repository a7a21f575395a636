"""The stages of a search: list producers, the pinning stage and the weighted fuser.

Each producer turns a :class:`SearchRequest` into a ranked list of clauses; the fuser merges the
lists by weighted reciprocal rank; the pinning stage puts what the question names exactly (a clause
of a named Recommendation, the focus term's definitions, the focus acronym's list, a named document's
Scope or References) before everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from copilot.lexical import tokenize
from copilot.query import ParsedQuery
from copilot.retrieval.clauses import Candidate, ClauseKey, ClauseLocator, RankedList
from copilot.retrieval.index import IndexView, Snapshot
from copilot.retrieval.signals import QUESTION_WORDS, RecordSignals, content_words
from ingest.embedding import Embedder
from ingest.index_parts import chunk_of_window
from ingest.models import Definition

PINNED_SCORE = 1.0
TITLE_DEPTH = 20


@dataclass
class SearchRequest:
    """One question as every stage sees it."""

    parsed: ParsedQuery
    text: str
    """The question with known acronyms expanded: what the text producers rank by."""
    allowed: set[str] | None
    named: set[str]
    signals: RecordSignals
    locate: ClauseLocator
    _vectors: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @property
    def snap(self) -> Snapshot:
        return self.locate.snap

    def admits(self, doc_id: str) -> bool:
        return self.allowed is None or doc_id in self.allowed

    def vector(self, embedder: Embedder, text: str) -> np.ndarray:
        """``text`` embedded once per request, however many producers rank by it."""
        if text not in self._vectors:
            self._vectors[text] = embedder.embed([text])[0]
        return self._vectors[text]

    def definition_hits(self, definitions: Iterable[Definition]) -> list[tuple[str, str, Candidate]]:
        """The clauses holding ``definitions``, in order, each quoting its definition; those of
        documents the request does not admit left out."""
        return [
            (d.doc_id, d.clause, candidate)
            for d in definitions
            if self.admits(d.doc_id) and (candidate := self.locate.definition(d))
        ]


class Producer(Protocol):
    """A ranked list of clauses for a request; ``name`` keys its weight in the fuser."""

    name: str

    def produce(self, request: SearchRequest, depth: int) -> RankedList: ...


class LexicalProducer:
    name = "lexical"

    def produce(self, request: SearchRequest, depth: int) -> RankedList:
        lex = request.snap.lexical
        hits = lex.search(request.text, depth, request.allowed)
        return request.locate.dedupe(
            (
                lex.doc_ids[h.position],
                lex.clauses[h.position],
                Candidate(lex.chunk_ids[h.position], score=h.score),
            )
            for h in hits
        )


class DenseProducer:
    """Chunks by cosine similarity, a long chunk scored by its best window (max-pooled): its own vector
    is its first window, the windows collection holds the rest, so text past the embedder's token limit
    is seen too. Off unless ``ingest.dense_windows`` (which also makes ingest embed the windows): on the
    dev split windows lowered dense R@5 0.614 -> 0.596 and hybrid 0.940 -> 0.928 (English,
    eval/retrieval/RESULTS.md)."""

    name = "dense"

    def __init__(self, index: IndexView, windows: bool = False) -> None:
        self.index = index
        self.windows = windows

    def produce(self, request: SearchRequest, depth: int) -> RankedList:
        vector = request.vector(self.index.embedder, request.text)
        where = {"doc_id": {"$in": sorted(request.allowed)}} if request.allowed is not None else None
        best: dict[str, float] = {}
        windows = self.index.existing_windows if self.windows else None
        found = self.index.vectors.query(vector, depth, where)
        if windows is not None:
            found += [(chunk_of_window(w), d) for w, d in windows.query(vector, depth, where)]
        for chunk_id, distance in found:
            best[chunk_id] = max(best.get(chunk_id, -1.0), 1.0 - distance)
        lex = request.snap.lexical
        ranked = []
        for chunk_id, score in sorted(best.items(), key=lambda item: -item[1]):
            position = lex.position.get(chunk_id)
            if position is not None:
                candidate = Candidate(chunk_id, score=score)
                ranked.append((lex.doc_ids[position], lex.clauses[position], candidate))
        return request.locate.dedupe(ranked)


class RecordsProducer:
    """Clauses of the records the question's spans name: definitions of its terms (longest span
    first, defining documents before those quoting), the lists expanding its acronyms."""

    name = "records"

    def produce(self, request: SearchRequest, depth: int) -> RankedList:
        found = []
        for match in sorted(request.signals.terms, key=lambda m: -len(m.key)):
            found += request.definition_hits(sorted(match.definitions, key=lambda d: not d.defined_here))
        for acronym in request.signals.acronyms:
            for doc_id in dict.fromkeys(e.doc_id for e in acronym.entries):
                if request.admits(doc_id) and (
                    candidate := request.locate.abbreviation(doc_id, acronym.acronym)
                ):
                    found.append((doc_id, candidate.clause or "", candidate))
        return request.locate.dedupe(found[:depth])


class TitlesProducer:
    """Documents ranked by how well their title matches, each represented by its Scope, or by its
    References when the question asks what a document cites."""

    name = "titles"

    def produce(self, request: SearchRequest, depth: int) -> RankedList:
        snap = request.snap
        if snap.titles is None:
            return []
        vocab = snap.titles.vocab_dict or {}
        tokens = [t for t in dict.fromkeys(tokenize(request.text)) if t in vocab]
        if not tokens:
            return []
        scores = np.asarray(snap.titles.get_scores(tokens))
        found = []
        for i in np.argsort(-scores)[:TITLE_DEPTH]:
            doc_id = snap.title_docs[int(i)]
            if scores[i] <= 0 or not request.admits(doc_id):
                continue
            found.extend(_represented(request, doc_id))
        return request.locate.dedupe(found)


def _represented(request: SearchRequest, doc_id: str) -> list[tuple[str, str, Candidate]]:
    """A document as a clause: its References when the question asks what it cites, else its Scope."""
    locate = request.locate
    candidate = locate.references(doc_id) if request.parsed.asks_references else locate.scope(doc_id)
    if candidate is None:
        return []
    lex = request.snap.lexical
    return [(doc_id, candidate.clause or lex.clauses[lex.position[candidate.chunk_id]], candidate)]


class DocumentVote:
    """Documents ranked by how much of the text lists they hold (reciprocal ranks summed over each
    list's best ``per_list`` clauses of the document), each represented by its Scope (References when
    the question asks what it cites): for a question asking which document, or what a text it does not
    name covers, a Recommendation whose clauses fill the lists answers, though its Scope, which the
    words do not match, ranks nowhere."""

    name = "documents"
    voters = ("lexical", "dense")

    def __init__(self, rrf_k: int, per_list: int = 3) -> None:
        self.rrf_k = rrf_k
        self.per_list = per_list

    def produce(self, request: SearchRequest, lists: Sequence[tuple[str, RankedList]]) -> RankedList:
        votes: dict[str, float] = {}
        for name, ranked in lists:
            if name not in self.voters:
                continue
            counted: dict[str, int] = {}
            for rank, (_, hit) in enumerate(ranked, start=1):
                doc_id = request.locate.doc_of(hit.chunk_id)
                seen = counted.get(doc_id, 0)
                if seen < self.per_list:
                    counted[doc_id] = seen + 1
                    votes[doc_id] = votes.get(doc_id, 0.0) + 1.0 / (self.rrf_k + rank)
        found = [
            entry
            for doc_id in sorted(votes, key=lambda d: -votes[d])
            for entry in _represented(request, doc_id)
        ]
        return request.locate.dedupe(found)


class PinningStage:
    """What the question names exactly, in this order: named clauses of named documents; a named
    document's References or Scope when asked; the focus term's definitions; the focus acronym's list."""

    SETTING_PINS = 2

    def pin(self, request: SearchRequest) -> dict[ClauseKey, Candidate]:
        snap, locate, parsed = request.snap, request.locate, request.parsed
        pinned: list[tuple[str, str, Candidate]] = []
        named = sorted(request.named, key=lambda d: (snap.documents[d].language != "en", d))
        for doc_id in named:
            for ref in parsed.clauses:
                if (candidate := locate.clause(doc_id, ref)) is not None:
                    pinned.append((doc_id, ref, candidate))
        if not parsed.clauses:
            each: dict[str, str] = {}  # each named Recommendation once ("scopes of X and Y"), English first
            for doc_id in named:
                each.setdefault(snap.documents[doc_id].rec_id or doc_id, doc_id)
            for doc_id in each.values():
                part = (
                    locate.references(doc_id)
                    if parsed.asks_references
                    else locate.scope(doc_id)
                    if parsed.asks_scope
                    else None
                )
                if part is not None:
                    pinned.append(
                        (
                            doc_id,
                            part.clause or snap.lexical.clauses[snap.lexical.position[part.chunk_id]],
                            part,
                        )
                    )
        pinned.extend(self._focus(request))
        out: dict[ClauseKey, Candidate] = {}
        for i, (doc_id, clause, candidate) in enumerate(pinned):
            candidate.score = PINNED_SCORE - i * 1e-3
            out.setdefault(locate.key(doc_id, clause), candidate)
        return out

    def _focus(self, request: SearchRequest) -> list[tuple[str, str, Candidate]]:
        """Definitions and abbreviation lists whose record explains every content word of the question."""
        signals, snap, locate = request.signals, request.snap, request.locate
        terms: list[tuple[str, str, Candidate]] = []
        for match in signals.terms:
            definitions = [
                d
                for d in match.definitions
                if request.admits(d.doc_id) and not signals.unexplained(match.words, d.doc_id, snap)
            ]
            for definition in sorted(definitions, key=lambda d: not d.defined_here):
                if (candidate := locate.definition(definition)) is not None:
                    terms.append((definition.doc_id, definition.clause, candidate))
        lists: list[tuple[str, str, Candidate]] = []
        for acronym in signals.acronyms:
            words = set(tokenize(acronym.acronym)) | acronym.spelled_out
            for doc_id in dict.fromkeys(e.doc_id for e in acronym.entries):
                if not request.admits(doc_id) or signals.unexplained(words, doc_id, snap):
                    continue
                if (candidate := locate.abbreviation(doc_id, acronym.acronym)) is not None:
                    lists.append((doc_id, candidate.clause or "", candidate))
        if not terms and not lists:
            return self._asked_in_setting(request)
        # "what does X stand for", "the abbreviation X": the list that expands it before a definition
        return [*lists, *terms] if request.parsed.asks_expansion else [*terms, *lists]

    def _asked_in_setting(self, request: SearchRequest) -> list[tuple[str, str, Candidate]]:
        """For "what is X in Y" when no record explains the whole question: X's definitions or
        abbreviations lists (a defined term covering all but one of X's words will do) from the
        documents holding most of Y's words ("What is a CWG in resistibility testing?": K.20's list)."""
        parsed, signals, locate, lexical = (
            request.parsed,
            request.signals,
            request.locate,
            request.snap.lexical,
        )
        head = content_words(parsed.term_head or "")
        if not head:
            return []
        found: list[tuple[str, str, Candidate]] = []
        for match in signals.terms:
            if match.words and match.words <= head and len(match.words) >= len(head) - 1:
                for definition in sorted(match.definitions, key=lambda d: not d.defined_here):
                    if request.admits(definition.doc_id) and (candidate := locate.definition(definition)):
                        found.append((definition.doc_id, definition.clause, candidate))
        for acronym in signals.acronyms:
            if content_words(acronym.acronym) == head:
                for doc_id in dict.fromkeys(e.doc_id for e in acronym.entries):
                    if request.admits(doc_id) and (candidate := locate.abbreviation(doc_id, acronym.acronym)):
                        found.append((doc_id, candidate.clause or "", candidate))
        setting = signals.content - head

        def fit(doc_id: str) -> tuple[int, float]:
            shares = [lexical.share_in(word, doc_id) for word in setting]
            return sum(share > 0 for share in shares), sum(shares)

        fits = {doc_id: fit(doc_id) for doc_id, _, _ in found}
        best = max(fits.values(), default=None)
        return [entry for entry in found if fits[entry[0]] == best][: self.SETTING_PINS]


class Prior(Protocol):
    """Rescales the fused list for what a kind of clause is worth to the question."""

    def apply(self, ranked: RankedList, request: SearchRequest) -> RankedList: ...


def _rescaled(
    ranked: RankedList, demoted: Callable[[ClauseKey, Candidate], bool], factor: float
) -> RankedList:
    """The fused scores of the demoted clauses scaled by ``factor``, the list sorted again."""
    rescored = [
        (key, Candidate(c.chunk_id, c.clause, c.text, c.score * factor)) if demoted(key, c) else (key, c)
        for key, c in ranked
    ]
    return sorted(rescored, key=lambda item: -item[1].score)


class FrontMatterPrior:
    """Summary, Introduction, Keywords, Bibliography and the like restate a whole document in brief, so
    they match many questions a little; their fused score is scaled by ``factor`` unless the question
    names them ("summary of ...", "keywords of ...") or asks which document says something: then the
    document is the answer, and an ITU-R text without a Scope is represented by its "considering"."""

    PARTS = ("summary", "introduction", "keywords", "bibliography", "considering", "history", "foreword")

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def apply(self, ranked: RankedList, request: SearchRequest) -> RankedList:
        asked = request.parsed.text.lower()
        demoted = {p for p in self.PARTS if p[:7] not in asked}
        if self.factor == 1.0 or not demoted or request.parsed.wants_document:
            return ranked
        return _rescaled(ranked, lambda key, _: key[2].lower() in demoted, self.factor)


class GlossaryPrior:
    """A clause listing terms or abbreviations holds many of a field's words, so it matches a question
    on the field ("maximum differential group delay DGD between SS and RS") above the clause that
    answers; its fused score is scaled by ``factor`` unless the question asks for a term or an
    acronym, where the list may be the answer."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def apply(self, ranked: RankedList, request: SearchRequest) -> RankedList:
        glossary = request.snap.glossary
        if self.factor == 1.0 or request.parsed.asks_record or not glossary:
            return ranked
        return _rescaled(ranked, lambda _, c: c.chunk_id in glossary, self.factor)


class HeadingPrior:
    """A clause whose own heading the question's words fill ("resource fault ... requirements" and
    "Resource fault management") is likely the one asked about, more than its parent's overview or a
    sibling that mentions the same words: among the first ``depth`` clauses, the fused score is raised
    by ``factor`` times the share of the heading's words the question holds. Not for a question asking
    which document, where each document stands as its Scope."""

    def __init__(self, factor: float, depth: int = 30) -> None:
        self.factor = factor
        self.depth = depth

    def apply(self, ranked: RankedList, request: SearchRequest) -> RankedList:
        asked = request.signals.content
        if self.factor == 0.0 or not asked or request.parsed.wants_document:
            return ranked
        headings = request.snap.heading_words
        rescored = []
        for i, (key, c) in enumerate(ranked):
            words = headings.get(c.chunk_id, frozenset()) - QUESTION_WORDS if i < self.depth else None
            if words:
                share = len(words & asked) / len(words)
                c = Candidate(c.chunk_id, c.clause, c.text, c.score * (1 + self.factor * share))
            rescored.append((key, c))
        return sorted(rescored, key=lambda item: -item[1].score)


class WeightedFuser:
    """Weighted reciprocal-rank fusion; a clause is represented by its chunk from the list ranking it
    highest. Weights are per producer name (chosen on the dev split of the retrieval eval)."""

    def __init__(self, weights: dict[str, float], rrf_k: int) -> None:
        self.weights = weights
        self.rrf_k = rrf_k

    def fuse(self, lists: Sequence[tuple[str, RankedList]]) -> RankedList:
        if len(lists) == 1:
            return lists[0][1]
        scores: dict[ClauseKey, float] = {}
        best: dict[ClauseKey, tuple[int, Candidate]] = {}
        for name, ranked in lists:
            weight = self.weights.get(name, 1.0)
            for rank, (key, candidate) in enumerate(ranked, start=1):
                scores[key] = scores.get(key, 0.0) + weight / (self.rrf_k + rank)
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, candidate)
        order = sorted(scores, key=lambda key: -scores[key])
        return [
            (key, Candidate(best[key][1].chunk_id, best[key][1].clause, best[key][1].text, scores[key]))
            for key in order
        ]

"""Hybrid retrieval with clause-level citations: BM25 + dense (Chroma), fused by reciprocal rank.

Order of a result list:

1. Pinned hits, from query understanding: a named clause of a named Recommendation ("Y.3507 clause
   7.2"), then the definitions records for a definition question ("what is a physical machine?").
2. Everything else by reciprocal-rank fusion (RRF) of the lexical list, the dense list, definitions that
   merely contain the term, and, for "which Recommendation ..." questions, documents ranked by title.

Lists are deduplicated to clauses *before* fusion (a clause split into several chunks, or printed in
several copies of the same Recommendation, counts once), so a hit is a clause, never a fragment.
Numbered paragraphs inside a clause (definitions "3.2.1 physical machine: ...") are cited by their own
number when the question matches that paragraph best.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

from copilot.citation import Citation
from copilot.lexical import LexicalIndex, store_fingerprint, tokenize
from copilot.query import ParsedQuery, parse_query
from ingest.catalog import RecStatus, ReferenceCatalog
from ingest.library import Library
from ingest.metadata import normalize_rec_id
from ingest.models import Chunk, Definition, DocumentSummary
from rapporteur.settings import Settings

Mode = Literal["hybrid", "lexical", "dense"]
FILTER_KEYS = ("sector", "series", "rec_id", "exclude_rec_id", "kind", "language", "in_force", "doc_id")
RRF_K = 60
PINNED_SCORE = 1.0
_SERIES = re.compile(r"^(?:ITU-[TR]|CCITT|CCIR)\s+(?P<series>[A-Z]{1,3})(?:\.|\s)")
_NUMBERED_PARAGRAPH = re.compile(r"^(?P<num>(?:\d{1,2}|[A-Z])(?:\.\d{1,3})+)\s")
_TRUE = {"1", "true", "yes", "y", "on"}


class FilterError(ValueError):
    """A filter key or value retrieval cannot apply."""


ClauseKey = tuple[str, str, str]
"""(Recommendation or doc id, edition, clause): copies of one Recommendation share their keys."""


@dataclass
class _Candidate:
    """A clause on its way to becoming a citation: the chunk that represents it, and its score."""

    chunk_id: str
    clause: str | None = None
    text: str | None = None
    score: float = 0.0


@dataclass
class _Snapshot:
    """What the retriever holds in memory about the index; replaced when the store changes."""

    fingerprint: str
    lexical: LexicalIndex
    documents: dict[str, DocumentSummary]
    titles: bm25s.BM25 | None
    title_docs: list[str]
    sectors: dict[str, str | None] = field(default_factory=dict)


def _sector(rec_id: str | None) -> str | None:
    if not rec_id:
        return None
    if rec_id.startswith(("ITU-T", "CCITT")):
        return "ITU-T"
    if rec_id.startswith(("ITU-R", "CCIR")):
        return "ITU-R"
    return None


def _designation(rec_id: str) -> str:
    """What a bare id in a question matches: "ITU-R P.452-18" -> "P.452", "ITU-T Y.3507" -> "Y.3507"."""
    body = re.sub(r"^(?:ITU-[TR]|CCITT|CCIR)\s+", "", rec_id)
    body = re.sub(r"\s+(?:Amd|Cor|Err|Add)\.\d+$|\s+Annex\s+\w+$", "", body)
    return re.sub(r"-\d{1,2}$", "", body)


def _singular(term: str) -> str:
    return term[:-1] if term.endswith("s") and not term.endswith("ss") else term


class HybridRetriever:
    """Search one index (a :class:`Library`) by lexical, dense or hybrid ranking, with filters."""

    def __init__(
        self, library: Library, catalog: ReferenceCatalog | None = None, depth: int = 100, rrf_k: int = RRF_K
    ) -> None:
        self.library = library
        self.catalog = catalog
        self.depth = depth
        self.rrf_k = rrf_k
        self._snapshot: _Snapshot | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> HybridRetriever:
        return cls(Library(settings), ReferenceCatalog.from_settings(settings))

    @property
    def lexical_dir(self) -> Path:
        return self.library.settings.index / "bm25"

    # -- index state ---------------------------------------------------------------------------------

    def refresh(self) -> _Snapshot:
        """The in-memory view of the index, reloaded (BM25 rebuilt) only when the store has changed."""
        store = self.library.store
        fingerprint = store_fingerprint(store)
        if self._snapshot is not None and self._snapshot.fingerprint == fingerprint:
            return self._snapshot
        lexical = LexicalIndex.open(store, self.lexical_dir)
        documents = {d.doc_id: d for d in store.documents()}
        title_docs = [d.doc_id for d in documents.values() if d.title]
        titles: bm25s.BM25 | None = None
        if title_docs:
            titles = bm25s.BM25()
            titles.index(
                [tokenize(f"{documents[d].rec_id or ''} {documents[d].title}") or [""] for d in title_docs],
                show_progress=False,
            )
        self._snapshot = _Snapshot(
            fingerprint,
            lexical,
            documents,
            titles,
            title_docs,
            {d: _sector(s.rec_id) for d, s in documents.items()},
        )
        return self._snapshot

    # -- filters -------------------------------------------------------------------------------------

    def allowed_documents(self, filters: dict[str, str] | None, snap: _Snapshot) -> set[str] | None:
        """Doc ids passing every filter; None when there is no filter (everything passes)."""
        if not filters:
            return None
        unknown = set(filters) - set(FILTER_KEYS)
        if unknown:
            raise FilterError(f"unknown filter {sorted(unknown)}; use {', '.join(FILTER_KEYS)}")
        docs = list(snap.documents.values())
        for key, raw in filters.items():
            value = raw.strip()
            if key == "sector":
                wanted = value.upper() if value.upper().startswith("ITU-") else f"ITU-{value.upper()}"
                docs = [d for d in docs if snap.sectors.get(d.doc_id) == wanted]
            elif key == "series":
                docs = [
                    d for d in docs if (m := _SERIES.match(d.rec_id or "")) and m["series"] == value.upper()
                ]
            elif key == "rec_id":
                docs = [d for d in docs if self._names(d, value)]
            elif key == "exclude_rec_id":
                docs = [d for d in docs if not self._names(d, value)]
            elif key == "kind":
                docs = [d for d in docs if d.kind.lower() == value.lower()]
            elif key == "language":
                docs = [d for d in docs if d.language.lower() == value.lower()]
            elif key == "doc_id":
                docs = [d for d in docs if d.doc_id == value]
            elif key == "in_force" and value.lower() in _TRUE:
                docs = [d for d in docs if self._in_force(d)]
        return {d.doc_id for d in docs}

    @staticmethod
    def _names(doc: DocumentSummary, rec_id: str) -> bool:
        """Whether a question's id means this document: exact canonical id, or the same designation
        when the question gives no revision ("P.452" means "ITU-R P.452-18")."""
        if not doc.rec_id:
            return False
        canonical = normalize_rec_id(rec_id) or rec_id
        if doc.rec_id.lower() == canonical.lower():
            return True
        asked = _designation(canonical)
        return asked == canonical.split(" ", 1)[-1] and _designation(doc.rec_id) == asked

    def _in_force(self, doc: DocumentSummary) -> bool:
        if self.catalog is None:
            raise FilterError("the in_force filter needs a catalog (set RAPPORTEUR_CATALOG)")
        if not doc.rec_id:
            return False
        return self.catalog.status_of(doc.rec_id, doc.edition) == RecStatus.IN_FORCE

    # -- search --------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 10,
        filters: dict[str, str] | None = None,
        mode: Mode = "hybrid",
        understand: bool = True,
    ) -> list[Citation]:
        """The ``k`` best clauses for ``query``, best first.

        ``understand=False`` turns query understanding off (no pinned clauses or definitions, no
        acronym expansion, no narrowing to a named Recommendation): the plain ranking, for evaluation.
        """
        snap = self.refresh()
        allowed = self.allowed_documents(filters, snap)
        parsed = parse_query(query, self.library.store) if understand else ParsedQuery(text=query)
        named = {
            d.doc_id
            for rec_id in parsed.rec_ids
            for d in snap.documents.values()
            if (allowed is None or d.doc_id in allowed) and self._names(d, rec_id)
        }
        if named:
            allowed = named
        if allowed is not None and not allowed:
            return []
        pinned = self._pinned(parsed, named, allowed, snap) if understand else {}
        text = parsed.expanded()
        lists: list[list[tuple[ClauseKey, _Candidate]]] = []
        if mode in ("hybrid", "lexical"):
            lists.append(self._lexical(text, allowed, snap))
        if mode in ("hybrid", "dense"):
            lists.append(self._dense(text, allowed, snap))
        if understand and mode == "hybrid":
            if parsed.term:
                lists.append(self._definition_list(parsed.term, allowed, snap, exclude=set(pinned)))
            if parsed.wants_document:
                lists.append(self._title_list(text, allowed, snap))
        fused = lists[0] if len(lists) == 1 else self._fuse(lists)
        candidates = [*pinned.values(), *(c for key, c in fused if key not in pinned)]
        return self._citations(candidates, parsed, snap, k)

    # -- ranked lists --------------------------------------------------------------------------------

    def _key(self, doc_id: str, clause: str, snap: _Snapshot) -> ClauseKey:
        doc = snap.documents.get(doc_id)
        if doc is None or not doc.rec_id:
            return (doc_id, "", clause)
        return (doc.rec_id, doc.edition or "", clause)

    def _dedupe(
        self, candidates: Iterable[tuple[str, str, _Candidate]], snap: _Snapshot
    ) -> list[tuple[ClauseKey, _Candidate]]:
        out: dict[ClauseKey, _Candidate] = {}
        for doc_id, clause, candidate in candidates:
            out.setdefault(self._key(doc_id, clause, snap), candidate)
        return list(out.items())

    def _lexical(
        self, text: str, allowed: set[str] | None, snap: _Snapshot
    ) -> list[tuple[ClauseKey, _Candidate]]:
        lex = snap.lexical
        hits = lex.search(text, self.depth, allowed)
        return self._dedupe(
            (
                (
                    lex.doc_ids[h.position],
                    lex.clauses[h.position],
                    _Candidate(lex.chunk_ids[h.position], score=h.score),
                )
                for h in hits
            ),
            snap,
        )

    def _dense(
        self, text: str, allowed: set[str] | None, snap: _Snapshot
    ) -> list[tuple[ClauseKey, _Candidate]]:
        vector = self.library.embedder.embed([text])[0]
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
        lex = snap.lexical
        found = []
        for chunk_id, distance in self.library.vectors.query(vector, self.depth, where):
            position = lex.position.get(chunk_id)
            if position is not None:
                found.append(
                    (lex.doc_ids[position], lex.clauses[position], _Candidate(chunk_id, score=1.0 - distance))
                )
        return self._dedupe(found, snap)

    def _definition_list(
        self, term: str, allowed: set[str] | None, snap: _Snapshot, exclude: set[ClauseKey]
    ) -> list[tuple[ClauseKey, _Candidate]]:
        """Definitions whose term contains the question's term, shortest terms first."""
        found = []
        for definition in self.library.store.definitions(term)[: self.depth]:
            if allowed is not None and definition.doc_id not in allowed:
                continue
            candidate = self._definition_candidate(definition, snap)
            if candidate is not None:
                found.append((definition.doc_id, definition.clause, candidate))
        return [(key, c) for key, c in self._dedupe(found, snap) if key not in exclude]

    def _title_list(
        self, text: str, allowed: set[str] | None, snap: _Snapshot
    ) -> list[tuple[ClauseKey, _Candidate]]:
        """Documents ranked by how well their title matches, each represented by its scope clause."""
        if snap.titles is None:
            return []
        vocab = snap.titles.vocab_dict or {}
        tokens = [t for t in dict.fromkeys(tokenize(text)) if t in vocab]
        if not tokens:
            return []
        scores = np.asarray(snap.titles.get_scores(tokens))
        found = []
        for i in np.argsort(-scores)[:20]:
            doc_id = snap.title_docs[int(i)]
            if scores[i] <= 0 or (allowed is not None and doc_id not in allowed):
                continue
            scope = self._scope_chunk(doc_id, snap)
            if scope is not None:
                found.append((doc_id, snap.lexical.clauses[scope], _Candidate(snap.lexical.chunk_ids[scope])))
        return self._dedupe(found, snap)

    def _scope_chunk(self, doc_id: str, snap: _Snapshot) -> int | None:
        lex = snap.lexical
        positions = lex.positions_of(doc_id)
        for i in positions:
            if lex.clauses[i] == "1" or lex.clauses[i].lower() == "scope":
                return i
        return positions[0] if positions else None

    def _fuse(self, lists: list[list[tuple[ClauseKey, _Candidate]]]) -> list[tuple[ClauseKey, _Candidate]]:
        """Reciprocal-rank fusion; a clause is represented by its chunk from the list ranking it highest."""
        scores: dict[ClauseKey, float] = {}
        best: dict[ClauseKey, tuple[int, _Candidate]] = {}
        for ranked in lists:
            for rank, (key, candidate) in enumerate(ranked, start=1):
                scores[key] = scores.get(key, 0.0) + 1.0 / (self.rrf_k + rank)
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, candidate)
        order = sorted(scores, key=lambda key: -scores[key])
        out = []
        for key in order:
            candidate = best[key][1]
            out.append((key, _Candidate(candidate.chunk_id, candidate.clause, candidate.text, scores[key])))
        return out

    # -- pinned hits ---------------------------------------------------------------------------------

    def _pinned(
        self, parsed: ParsedQuery, named: set[str], allowed: set[str] | None, snap: _Snapshot
    ) -> dict[ClauseKey, _Candidate]:
        """Named clauses of named documents, then exact definitions of the asked term, then the
        abbreviations clauses that expand the asked acronym."""
        pinned: list[tuple[str, str, _Candidate]] = []
        for doc_id in sorted(named, key=lambda d: (snap.documents[d].language != "en", d)):
            for ref in parsed.clauses:
                candidate = self._clause_candidate(doc_id, ref, snap)
                if candidate is not None:
                    pinned.append((doc_id, ref, candidate))
        if parsed.term:
            wanted = _singular(parsed.term.lower())
            exact = [
                d
                for d in self.library.store.definitions(parsed.term)
                if _singular(d.term.lower()) == wanted and (allowed is None or d.doc_id in allowed)
            ]
            for definition in sorted(exact, key=lambda d: not d.defined_here):
                candidate = self._definition_candidate(definition, snap)
                if candidate is not None:
                    pinned.append((definition.doc_id, definition.clause, candidate))
        if parsed.abbreviation:
            pinned.extend(self._abbreviation_candidates(parsed.abbreviation, allowed, snap))
        out: dict[ClauseKey, _Candidate] = {}
        for i, (doc_id, clause, candidate) in enumerate(pinned):
            candidate.score = PINNED_SCORE - i * 1e-3
            out.setdefault(self._key(doc_id, clause, snap), candidate)
        return out

    def _clause_candidate(self, doc_id: str, ref: str, snap: _Snapshot) -> _Candidate | None:
        """The first chunk of clause ``ref``, of its first sub-clause, or of the clause holding it as a
        numbered paragraph ("3.2.1" inside clause "3.2")."""
        lex = snap.lexical
        positions = lex.positions_of(doc_id)
        child_prefix = (ref.split(None, 1)[1] + ".") if ref.startswith(("Annex ", "Appendix ")) else ref + "."
        for match in (
            lambda c: c.lower() == ref.lower(),
            lambda c: c.startswith(child_prefix),
        ):
            for i in positions:
                if match(lex.clauses[i]):
                    return _Candidate(lex.chunk_ids[i], clause=lex.clauses[i])
        parents = [i for i in positions if ref.startswith(lex.clauses[i] + ".")]
        if parents:
            i = max(parents, key=lambda p: len(lex.clauses[p]))
            return _Candidate(lex.chunk_ids[i], clause=ref)
        return None

    def _abbreviation_candidates(
        self, acronym: str, allowed: set[str] | None, snap: _Snapshot
    ) -> list[tuple[str, str, _Candidate]]:
        """The abbreviations clause of each document that defines ``acronym``."""
        doc_ids = dict.fromkeys(a.doc_id for a in self.library.store.abbreviations(acronym))
        found = []
        pattern = re.compile(rf"(?m)^\s*{re.escape(acronym)}\b")
        for doc_id in doc_ids:
            if allowed is not None and doc_id not in allowed:
                continue
            for chunk in self.library.store.chunks(doc_id):
                if "abbreviation" in chunk.heading.lower() and pattern.search(chunk.text):
                    found.append((doc_id, chunk.clause, _Candidate(chunk.chunk_id, clause=chunk.clause)))
                    break
        return found

    def _definition_candidate(self, definition: Definition, snap: _Snapshot) -> _Candidate | None:
        """The chunk holding a definition (its clause, or the clause it is a numbered paragraph of)."""
        lex = snap.lexical
        positions = lex.positions_of(definition.doc_id)
        holders = [i for i in positions if definition.clause == lex.clauses[i]] or [
            i for i in positions if definition.clause.startswith(lex.clauses[i] + ".")
        ]
        if not holders:
            return None
        tag = f" {definition.source_tag}" if definition.source_tag else ""
        text = f"{definition.clause} {definition.term}{tag}: {definition.definition}"
        return _Candidate(lex.chunk_ids[holders[0]], clause=definition.clause, text=text)

    # -- citations -----------------------------------------------------------------------------------

    def _citations(
        self, candidates: list[_Candidate], parsed: ParsedQuery, snap: _Snapshot, k: int
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
            doc_id = snap.lexical.doc_ids[snap.lexical.position[candidate.chunk_id]]
            if doc_id not in by_doc:
                by_doc[doc_id] = {c.chunk_id: c for c in self.library.store.chunks(doc_id)}
            chunk = by_doc[doc_id].get(candidate.chunk_id)
            if chunk is None:
                continue
            clause, text = candidate.clause, candidate.text
            if clause is None:
                clause, text = _refine(chunk, words)
            key = self._key(doc_id, clause, snap)
            if key in seen:
                continue
            seen.add(key)
            doc = snap.documents.get(doc_id)
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

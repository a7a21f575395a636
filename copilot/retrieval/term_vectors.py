"""Defined terms by meaning: the definitions whose term is nearest the asked term.

A question that names a term in other words than the Recommendation ("aggregated loss rate" for
"aggregate loss ratio", "proportional directional guidance" for "proportional directions", most often
a translated question) matches no record exactly, and the dense list seldom finds the definition, which
shares its chunk with dozens of others. Each defined term is embedded on its own (by the index's
embedder); the question's asked term, or the question, is compared with them, and the definitions of
the nearest terms form a ranked list for the fuser. A term the records know lists its own definitions
alone, and within a document the question names its nearest terms are listed however far.

The term vectors are kept in the index folder beside the BM25 index (``term_vectors.npz``), keyed by
embedder and term, so only terms new since the last search are embedded (~5 s for the whole corpus's
2,400 terms once on 2 cores); an index folder that cannot be written only costs embedding them again
in each process.
"""

from __future__ import annotations

import logging
import os
import threading
import zipfile
from pathlib import Path

import numpy as np

from copilot.retrieval.clauses import RankedList
from copilot.retrieval.index import IndexView, Snapshot, term_key
from copilot.retrieval.signals import NAME_LIKE
from copilot.retrieval.stages import SearchRequest
from ingest.embedding import Embedder
from ingest.lock import staging_path
from ingest.models import Definition

log = logging.getLogger(__name__)

EMBED_BATCH = 128
"""Terms per call of the embedder: one call for thousands would pad them all into one huge tensor."""
NEAREST = 10
MIN_SIMILARITY = 0.5
"""Cosine below which a term is not near. Chosen on the dev split with ``NEAREST`` and the fusion
weight (2.0): 0.4 gained one translated question at R@5 and lost four at R@1, 0.6 lost three; five
nearest lost two, twenty changed nothing (eval/retrieval/RESULTS.md)."""


class TermVectorFile:
    """Vectors of term texts by one embedder, saved in one ``.npz`` (written aside, then swapped in)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def vectors(self, terms: list[str], embedder: Embedder) -> np.ndarray:
        """One unit vector per term, in order: the saved ones reused, the others embedded (and saved)."""
        known = self._load(embedder.name)
        missing = [t for t in dict.fromkeys(terms) if t not in known]
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            known.update(zip(batch, embedder.embed(batch), strict=True))
        if missing:
            log.info("embedded %d defined terms for the term-vector list", len(missing))
            self._save(embedder.name, known)
        if not terms:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        return np.vstack([known[t] for t in terms]).astype(np.float32)

    def _load(self, model: str) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                if str(saved["model"]) != model:
                    return {}
                return dict(zip(saved["terms"].tolist(), saved["vectors"], strict=True))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return {}  # absent, cut short or of another layout: embedded again

    def _save(self, model: str, known: dict[str, np.ndarray]) -> None:
        # a name of this writer's own: a server's preparation and its first request may both save
        staging = staging_path(self.path, ".npz")
        try:
            vectors = np.vstack(list(known.values()))
            np.savez(staging, model=np.array(model), terms=np.array(list(known)), vectors=vectors)
            os.replace(staging, self.path)
        except OSError as exc:
            log.warning("term vectors not saved in %s: %s", self.path, exc)
            staging.unlink(missing_ok=True)


class TermVectorsProducer:
    """The definitions of the asked term, or of the terms nearest it (a ``term_vectors`` list)."""

    name = "term_vectors"

    def __init__(self, index: IndexView, saved: TermVectorFile) -> None:
        self.index = index
        self.saved = saved
        self._table: tuple[str | None, list[Definition], np.ndarray] = (
            None,
            [],
            np.zeros((0, 0), dtype=np.float32),
        )
        """The snapshot's fingerprint, its definitions and their terms' vectors, replaced as one."""
        self._preparing = threading.Lock()

    def prepare(self, snap: Snapshot) -> tuple[list[Definition], np.ndarray]:
        """The snapshot's definitions and their terms' vectors (those not saved yet are embedded, by
        one thread at a time): done by the first question asking for a term otherwise."""
        fingerprint, definitions, vectors = self._table
        if fingerprint == snap.fingerprint:  # each question asking for a term: no lock taken
            return definitions, vectors
        with self._preparing:
            fingerprint, definitions, vectors = self._table
            if fingerprint != snap.fingerprint:
                unique = {(d.doc_id, d.clause, d.term): d for found in snap.terms.values() for d in found}
                definitions = list(unique.values())
                vectors = self.saved.vectors([d.term for d in definitions], self.index.embedder)
                self._table = (snap.fingerprint, definitions, vectors)
            return definitions, vectors

    def produce(self, request: SearchRequest, depth: int) -> RankedList:
        head = request.parsed.term_head
        if head and (own := request.snap.terms.get(term_key(head))):
            # a term the records know lists its own definitions: its neighbours would crowd out text
            chosen = sorted(own, key=lambda d: not d.defined_here)
        else:
            chosen = self._nearest(request)
        return request.locate.dedupe(request.definition_hits(chosen)[: min(depth, NEAREST)])

    def _nearest(self, request: SearchRequest) -> list[Definition]:
        definitions, vectors = self.prepare(request.snap)
        if not definitions:
            return []
        term = request.parsed.term
        similarity = vectors @ request.vector(self.index.embedder, term or request.text)
        # Within a named document the few terms it defines are a fair guess however far ("the
        # Directory" for X.500 asked as "guideline"), but not for a name such as "FTTx", which the
        # embedder cannot place.
        floor = -1.0 if request.named and term and not NAME_LIKE.search(term) else MIN_SIMILARITY
        chosen: list[Definition] = []
        for i in np.argsort(-similarity):
            if similarity[i] < floor or len(chosen) >= NEAREST:
                break
            if request.admits((definition := definitions[int(i)]).doc_id):
                chosen.append(definition)
        return chosen

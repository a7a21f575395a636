"""Lexical retrieval: BM25 (bm25s) over the store's chunks, persistent under ``<index>/bm25/``.

Standards text is full of identifiers ("Y.3507", "P.452-18", "IMT-2020", "3.2.1") that a dense
embedding blurs and a plain word tokenizer splits into noise; the tokenizer here keeps each one whole
*and* emits its parts, so "P.452" finds "P.452-18" and "452" still finds both.

Incremental by change detection: a bm25s index is immutable, so instead of patching it the saved index
carries a fingerprint of the store's chunk set (each document's id, content hash and chunk count) and
is rebuilt only when that fingerprint changes. Opening a current index costs a file read; a rebuild of
the whole corpus is measured by ``bench/retrieval_latency.py``.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import unicodedata
from pathlib import Path

import bm25s
import numpy as np
from pydantic import BaseModel

from ingest.embedding import passage
from ingest.lock import staging_path
from ingest.store import RecordStore

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
"""2: each chunk indexed below its document's title."""

_COMPOUND = re.compile(r"[a-z0-9]+(?:[./\-][a-z0-9]+)+")
_WORD = re.compile(r"[a-z0-9]+")
_ID_WITH_REVISION = re.compile(r"^([a-z]{1,3}\.\d[\d.]*)-\d{1,2}$")
_STOPWORDS = frozenset(
    re.split(
        r"\s+",
        "a an and any are as at be been being but by can could did do does for from has have how if in into "
        "is it its itself may might must no of on or our shall should so such than that the their them then "
        "there these they this those to under was we were what when where which while who whom why will "
        "with within would you your",
    )
)


def _stem(word: str) -> str:
    """Plural folding only: enough for 'requirements' ~ 'requirement' without mangling acronyms."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word.isalpha():
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens: words (stopwords dropped, plurals folded) plus whole identifiers.

    "ITU-R P.452-18 clause 4.2" -> itu, r, p, 452, 18, clause, 4, 2, itu-r, p.452-18, p.452, 4.2.
    """
    lowered = unicodedata.normalize("NFKC", text).lower().replace("\u2011", "-")
    tokens = [_stem(w) for w in _WORD.findall(lowered) if w not in _STOPWORDS]
    for compound in _COMPOUND.findall(lowered):
        tokens.append(compound)
        bare = _ID_WITH_REVISION.match(compound)
        if bare:
            tokens.append(bare.group(1))
    return tokens


class LexicalHit(BaseModel):
    """One chunk's BM25 score; ``position`` indexes the index's chunk arrays."""

    position: int
    score: float


class LexicalIndex:
    """BM25 over every chunk of a store, with the chunk ids, doc ids and clauses needed to filter and cite."""

    def __init__(
        self,
        retriever: bm25s.BM25,
        chunk_ids: list[str],
        doc_ids: list[str],
        clauses: list[str],
        fingerprint: str,
    ) -> None:
        self._bm25 = retriever
        self.chunk_ids = chunk_ids
        self.doc_ids = doc_ids
        self.clauses = clauses
        self.fingerprint = fingerprint
        self.position = {chunk_id: i for i, chunk_id in enumerate(chunk_ids)}
        self._spans: dict[str, tuple[int, int]] = {}
        for i, doc_id in enumerate(doc_ids):
            start, _ = self._spans.get(doc_id, (i, i))
            self._spans[doc_id] = (start, i + 1)
        # an unindexed BM25 (empty library) has no vocabulary attribute at all
        self._vocab: dict[str, int] = dict(getattr(retriever, "vocab_dict", None) or {})
        self._doc_codes, self._doc_names = _encode(doc_ids)

    # -- building and loading ------------------------------------------------------------------------

    @classmethod
    def build(cls, store: RecordStore, fingerprint: str | None = None) -> LexicalIndex:
        """Tokenize and index every chunk of the store below its document's title, as the embedder sees
        it (:func:`ingest.embedding.passage`): a short clause of O.173 never repeats "OTN jitter test
        equipment", so every longer sibling outranked it for a question naming that subject (dev R@1
        English 0.864 -> 0.883, translated R@5 0.817 -> 0.833; eval/retrieval/RESULTS.md)."""
        chunks = store.chunks()
        titles = store.titles()
        corpus = [tokenize(passage(titles.get(c.doc_id), c.text)) or [""] for c in chunks]
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(
            retriever,
            [c.chunk_id for c in chunks],
            [c.doc_id for c in chunks],
            [c.clause for c in chunks],
            fingerprint if fingerprint is not None else store_fingerprint(store),
        )

    @classmethod
    def open(cls, store: RecordStore, directory: Path) -> LexicalIndex:
        """The saved index when it matches the store's chunk set, else a fresh one (saved for next time)."""
        fingerprint = store_fingerprint(store)
        saved = cls.load(directory)
        if saved is not None and saved.fingerprint == fingerprint:
            return saved
        index = cls.build(store, fingerprint)
        index.save(directory)
        return index

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The index saved in ``directory``; None when absent, unreadable or of another format."""
        meta_path = directory / "chunks.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("version") != FORMAT_VERSION:
                return None
            retriever = (
                bm25s.BM25()
                if not meta["chunk_ids"]
                else bm25s.BM25.load(str(directory), show_progress=False, mmap=False)
            )
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, meta["chunk_ids"], meta["doc_ids"], meta["clauses"], meta["fingerprint"])

    def save(self, directory: Path) -> None:
        """Write to a sibling folder of this writer's own, then swap it in, so a reader never sees half
        an index and two writers at once (a server preparing while it answers) never share a folder."""
        staging = staging_path(directory)
        shutil.rmtree(staging, ignore_errors=True)  # left by a writer of this name that was killed
        staging.mkdir(parents=True)
        if self.chunk_ids:
            self._bm25.save(str(staging), show_progress=False)
        meta = {
            "version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "chunk_ids": self.chunk_ids,
            "doc_ids": self.doc_ids,
            "clauses": self.clauses,
        }
        (staging / "chunks.json").write_text(json.dumps(meta), encoding="utf-8")
        shutil.rmtree(directory, ignore_errors=True)
        try:
            staging.rename(directory)
        except OSError as exc:  # another writer swapped its copy in first; a stale one is rebuilt on open
            log.info("BM25 index %s saved by another writer meanwhile (%s); copy dropped", directory, exc)
            shutil.rmtree(staging, ignore_errors=True)

    # -- querying ------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def positions_of(self, doc_id: str) -> range:
        """A document's chunks, in reading order (the store lists chunks by document, then ordinal)."""
        start, end = self._spans.get(doc_id, (0, 0))
        return range(start, end)

    def share_in(self, token: str, doc_id: str) -> float:
        """The share of the chunks holding ``token`` that belong to ``doc_id``: near 1 for a word that
        names a document without being in its title ('jbig2' in T.88), small for common words."""
        if token not in self._vocab or not self.chunk_ids:
            return 0.0
        holding = np.asarray(self._bm25.get_scores([token])) > 0
        start, end = self._spans.get(doc_id, (0, 0))
        total = int(holding.sum())
        return float(holding[start:end].sum()) / total if total else 0.0

    def search(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[LexicalHit]:
        """The ``k`` best chunks for ``query``, restricted to ``doc_ids`` when given; zero scores dropped."""
        tokens = [t for t in dict.fromkeys(tokenize(query)) if t in self._vocab]
        if not tokens or not self.chunk_ids:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        if doc_ids is not None:
            allowed = np.isin(self._doc_codes, [i for i, d in enumerate(self._doc_names) if d in doc_ids])
            scores = np.where(allowed, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(position=int(i), score=float(scores[i])) for i in top if scores[i] > 0]


def _encode(values: list[str]) -> tuple[np.ndarray, list[str]]:
    names = sorted(set(values))
    code = {name: i for i, name in enumerate(names)}
    return np.fromiter((code[v] for v in values), dtype=np.int32, count=len(values)), names


def store_fingerprint(store: RecordStore) -> str:
    """Changes whenever a document's chunks can have changed: added, removed or re-ingested content."""
    return f"v{FORMAT_VERSION}-g{store.generation()}"

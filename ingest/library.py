"""The library: ingest, list, show and remove documents. The CLI and the UI are thin shells over it.

Per file: hash -> skip if unchanged -> parse -> clause tree -> chunks + records -> embed (cached by
text) -> mark pending -> replace vectors -> write records and mark complete. A failure on one file is
recorded with its reason and never touches what is already indexed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunker import ClauseChunker
from ingest.embedding import Embedder, MiniLMEmbedder
from ingest.extract import RecordExtractor
from ingest.metadata import doc_id_for, identify, normalize_rec_id
from ingest.models import Chunk, Clause, DocumentMeta, DocumentSummary, IngestFailure, IngestReport, Records
from ingest.parsers import Limits, ParseError, parse_file
from ingest.store import RecordStore, file_hash, text_hash
from ingest.structure import ClauseTree, ClauseTreeBuilder
from ingest.vectors import ChromaIndex, VectorIndex
from rapporteur.settings import Settings

ProgressCallback = Callable[[int, int, str], None]
"""Called as (files done, files total, current file) while ingesting."""

PIPELINE_VERSION = "3"
"""Bump when parsing, chunking or extraction changes: every file is then read again on the next ingest
(embeddings of unchanged chunk texts are reused from the cache)."""

IGNORED_NAMES = ("README*", "MANIFEST*", "*.gz", "*.tsv", "*.jsonl", ".*", "~$*")


@dataclass
class PreparedDocument:
    """Everything derived from one file before anything is written."""

    meta: DocumentMeta
    clauses: list[Clause]
    chunks: list[Chunk]
    records: Records


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every file under named folders except corpus bookkeeping files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(fnmatch.fnmatch(child.name, p) for p in IGNORED_NAMES):
                    found.append(child)
        else:
            found.append(path)
    return found


def prepare_document(
    path: Path, doc_id: str, limits: Limits, chunker: ClauseChunker, content_hash: str
) -> PreparedDocument:
    """Parse one file into its metadata, clause tree, chunks and records (no side effects)."""
    parsed = parse_file(path, limits)
    tree: ClauseTree = ClauseTreeBuilder().build(parsed.blocks)
    if not tree.clauses:
        raise ParseError("no clauses or text found in the document")
    meta = identify(parsed, tree, path)
    meta.doc_id = doc_id
    meta.path = str(path.resolve())
    meta.content_hash = content_hash
    meta.format = parsed.meta.format
    chunks = chunker.chunk(tree, meta)
    if not chunks:
        raise ParseError("no text found in the document's clauses")
    records = RecordExtractor().extract(tree, meta)
    return PreparedDocument(meta, tree.clauses, chunks, records)


class Library:
    """One index directory: a record store (SQLite) and a vector index (Chroma)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = RecordStore(settings.index / "records.sqlite3")
        self._vectors: VectorIndex | None = None
        self._embedder = embedder
        self.limits = Limits(settings.max_file_bytes, settings.max_unzipped_bytes)
        self.chunker = ClauseChunker(settings.chunk_chars)

    @property
    def vectors(self) -> VectorIndex:
        if self._vectors is None:
            s = self.settings
            self._vectors = ChromaIndex(s.index / "chroma", s.collection, s.chroma_host, s.chroma_port)
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = MiniLMEmbedder()
        return self._embedder

    def close(self) -> None:
        self.store.close()

    # -- ingest ------------------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[Path], prune: bool = False, on_progress: ProgressCallback | None = None
    ) -> IngestReport:
        roots = [Path(p) for p in paths]
        files = expand_paths(roots)
        report = IngestReport()
        for done, path in enumerate(files):
            if on_progress:
                on_progress(done, len(files), str(path))
            self._ingest_one(path, report)
        if prune:
            self._prune(roots, {str(self._key(f)) for f in files}, report)
        if on_progress:
            on_progress(len(files), len(files), "")
        report.chunks = self.store.chunk_count()
        return report

    @staticmethod
    def _key(path: Path) -> Path:
        return path.resolve() if path.exists() else path.absolute()

    def _ingest_one(self, path: Path, report: IngestReport) -> None:
        key = str(self._key(path))
        try:
            if not path.exists():
                raise ParseError("no such file or directory")
            content_hash = file_hash(path)
        except PermissionError as exc:
            report.failed.append(IngestFailure(path=str(path), error=f"cannot read file: {exc.strerror}"))
            return
        except (ParseError, OSError) as exc:
            report.failed.append(IngestFailure(path=str(path), error=str(exc)))
            return
        previous = self.store.file_state(key)
        if (
            previous
            and previous.content_hash == content_hash
            and previous.state == "complete"
            and previous.pipeline == PIPELINE_VERSION
        ):
            report.unchanged.append(key)
            return
        try:
            doc_id = previous.doc_id if previous else self._unique_doc_id(path, key)
            doc = prepare_document(path, doc_id, self.limits, self.chunker, content_hash)
        except ParseError as exc:
            report.failed.append(IngestFailure(path=str(path), error=str(exc)))
            return
        except Exception as exc:  # a parser bug must not stop the other files
            report.failed.append(
                IngestFailure(path=str(path), error=f"parser error: {type(exc).__name__}: {exc}")
            )
            return
        vectors = self._embed([c.text for c in doc.chunks])
        self.store.mark_pending(key, doc.meta.doc_id, content_hash, PIPELINE_VERSION)
        self.vectors.delete_document(doc.meta.doc_id)
        self.vectors.upsert(doc.chunks, vectors)
        self.store.replace_document(doc.meta, doc.clauses, doc.chunks, doc.records)
        (report.updated if previous else report.added).append(key)

    def _unique_doc_id(self, path: Path, key: str) -> str:
        base = doc_id_for(path)
        candidate, n = base, 1
        while (owner := self.store.doc_id_owner(candidate)) is not None and owner != key:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed in batches, reusing vectors of texts seen before (unchanged clauses of a changed file)."""
        model = self.embedder.name
        hashes = [text_hash(t) for t in texts]
        cached = self.store.cached_embeddings(hashes, model)
        # Length-sorted batches pad less: the transformer's cost follows the longest text in a batch.
        missing = sorted((i for i, h in enumerate(hashes) if h not in cached), key=lambda i: len(texts[i]))
        fresh: dict[str, np.ndarray] = {}
        batch = self.settings.embed_batch
        for start in range(0, len(missing), batch):
            idx = missing[start : start + batch]
            for i, vector in zip(idx, self.embedder.embed([texts[i] for i in idx]), strict=True):
                fresh[hashes[i]] = vector
        if fresh:
            self.store.cache_embeddings(fresh, model)
        cached.update(fresh)
        return np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, self.embedder.dimension))

    def _prune(self, roots: list[Path], seen: set[str], report: IngestReport) -> None:
        """Drop documents whose files were under the given folders but are gone now."""
        folders = [str(self._key(r)) for r in roots if r.is_dir()]
        for known in self.store.known_paths():
            inside = any(known.startswith(f.rstrip("/") + "/") for f in folders)
            if inside and known not in seen and not Path(known).exists():
                self.remove(known)
                report.removed.append(known)

    # -- queries and removal -----------------------------------------------------------------------

    def remove(self, key: str) -> list[str]:
        """Remove documents by doc_id, path or rec_id; returns the removed doc_ids."""
        candidates = self.store.find_documents(key)
        if not candidates:
            state = self.store.file_state(str(self._key(Path(key))))
            candidates = [d for d in self.store.documents() if state and d.doc_id == state.doc_id]
        removed = []
        for doc in candidates:
            self.vectors.delete_document(doc.doc_id)
            self.store.remove_document(doc.doc_id)
            removed.append(doc.doc_id)
        return removed

    def documents(self) -> list[DocumentSummary]:
        return self.store.documents()

    def resolve(self, key: str, language: str | None = None) -> DocumentSummary | None:
        """The document a user means by a doc_id, path or Recommendation id ('Y.3507' works too)."""
        matches = self.store.find_documents(key)
        if not matches:
            canonical = normalize_rec_id(key)
            matches = self.store.find_documents(canonical) if canonical else []
        if language:
            matches = [d for d in matches if d.language == language] or matches
        preferred = sorted(matches, key=lambda d: (d.language != "en", -(d.chunks or 0)))
        return preferred[0] if preferred else None

    def clause(self, doc_id: str, number: str) -> list[Clause]:
        """The clause(s) numbered ``number`` with everything nested under them, in order."""
        tree = ClauseTree(clauses=self.store.clauses(doc_id))
        out: list[Clause] = []
        for found in tree.find(number):
            out.extend(tree.subtree(found))
        return out

"""The record store: documents, clauses, chunk texts and structured records in SQLite.

It is the source of truth for what is indexed. A file's row is marked ``pending`` before its vectors
change and ``complete`` in the same transaction that writes its records, so a run killed at any
point leaves the previous records readable and the next run redoes the pending file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.models import (
    Abbreviation,
    Chunk,
    Clause,
    Definition,
    DocumentMeta,
    DocumentSummary,
    Records,
    Reference,
)
from rapporteur.errors import IndexDamaged

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, content_hash TEXT NOT NULL, state TEXT NOT NULL,
    pipeline TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, rec_id TEXT, title TEXT, edition TEXT, kind TEXT, language TEXT,
    sector TEXT, path TEXT, format TEXT, content_hash TEXT, pages INTEGER, chunks INTEGER
);
CREATE TABLE IF NOT EXISTS clauses (
    doc_id TEXT, ordinal INTEGER, number TEXT, heading TEXT, level INTEGER, parent TEXT,
    page_start INTEGER, page_end INTEGER, text TEXT, PRIMARY KEY (doc_id, ordinal)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT, ordinal INTEGER, rec_id TEXT, edition TEXT, clause TEXT,
    heading TEXT, heading_path TEXT, text TEXT, page_start INTEGER, page_end INTEGER, language TEXT,
    kind TEXT, sector TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS definitions (
    doc_id TEXT, rec_id TEXT, clause TEXT, term TEXT, definition TEXT, source_tag TEXT, defined_here INTEGER
);
CREATE INDEX IF NOT EXISTS definitions_term ON definitions(term COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS abbreviations (doc_id TEXT, rec_id TEXT, abbreviation TEXT, expansion TEXT);
CREATE INDEX IF NOT EXISTS abbreviations_abbr ON abbreviations(abbreviation COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS refs (
    doc_id TEXT, rec_id TEXT, tag TEXT, cited_id TEXT, edition_year TEXT, title TEXT, normative INTEGER
);
CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL);
INSERT OR IGNORE INTO generation VALUES (0, 0);
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash TEXT, model TEXT, vector BLOB, PRIMARY KEY (text_hash, model)
);
"""

PER_DOCUMENT_TABLES = ("documents", "clauses", "chunks", "definitions", "abbreviations", "refs")


@dataclass(frozen=True)
class FileState:
    """A file's row: its document, content hash, pending/complete, and the pipeline version that read it."""

    doc_id: str
    content_hash: str
    state: str
    pipeline: str


class NotRegularFile(OSError):
    """A FIFO, device or socket: reading one may block forever or never end (``/dev/zero``)."""


def file_hash(path: Path, max_bytes: int | None = None) -> str:
    """sha256 of a regular file's bytes, read in blocks; :class:`NotRegularFile` for anything else,
    found without blocking (the file is opened non-blocking and checked before a byte is read), and
    ``OSError`` when it holds more than ``max_bytes``."""
    handle = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")
    with handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegularFile(f"not a regular file (a FIFO, device or socket): {path}")
        digest = hashlib.sha256()
        size = 0
        for block in iter(lambda: handle.read(1 << 20), b""):
            size += len(block)
            if max_bytes is not None and size > max_bytes:
                raise OSError(f"file too large (over the limit of {max_bytes} bytes)")
            digest.update(block)
    return digest.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class RecordStore:
    """SQLite database beside the vectors; one connection per store, WAL for concurrent readers."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store; a file cut short, emptied or otherwise unreadable is refused with
        :class:`IndexDamaged` (SQLite's quick check on open) rather than read as an empty index."""
        if path.is_file() and path.stat().st_size == 0:
            raise IndexDamaged(path.parent, f"{path.name} is empty (0 bytes)")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            self._db.row_factory = sqlite3.Row
            verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise IndexDamaged(path.parent, f"{path.name} cannot be read ({exc})") from None

    def _migrate(self) -> None:
        """Bring an index written by an earlier version up to this schema."""
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(files)")}
        if "pipeline" not in columns:
            with self._transaction() as db:
                db.execute("ALTER TABLE files ADD COLUMN pipeline TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # -- files -------------------------------------------------------------------------------------

    def file_state(self, path: str) -> FileState | None:
        """What the store knows of a file seen before, else None."""
        row = self._db.execute(
            "SELECT doc_id, content_hash, state, pipeline FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileState(**dict(row)) if row else None

    def doc_id_owner(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT path FROM files WHERE doc_id = ?", (doc_id,)).fetchone()
        return row["path"] if row else None

    def known_paths(self) -> list[str]:
        return [r["path"] for r in self._db.execute("SELECT path FROM files ORDER BY path")]

    def pending_documents(self) -> list[str]:
        return [r["doc_id"] for r in self._db.execute("SELECT doc_id FROM files WHERE state = 'pending'")]

    def mark_pending(self, path: str, doc_id: str, content_hash: str, pipeline: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO files(path, doc_id, content_hash, state, pipeline) "
                "VALUES (?, ?, ?, 'pending', ?) "
                "ON CONFLICT(path) DO UPDATE SET doc_id=excluded.doc_id, "
                "content_hash=excluded.content_hash, state='pending', pipeline=excluded.pipeline",
                (path, doc_id, content_hash, pipeline),
            )

    # -- documents ---------------------------------------------------------------------------------

    def replace_document(
        self, meta: DocumentMeta, clauses: list[Clause], chunks: list[Chunk], records: Records
    ) -> None:
        """Write everything about one document and mark its file complete, atomically."""
        with self._transaction() as db:
            for table in PER_DOCUMENT_TABLES:
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (meta.doc_id,))
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    meta.doc_id,
                    meta.rec_id,
                    meta.title,
                    meta.edition,
                    meta.kind.value,
                    meta.language,
                    meta.sector,
                    meta.path,
                    meta.format,
                    meta.content_hash,
                    meta.pages,
                    len(chunks),
                ),
            )
            db.executemany(
                "INSERT INTO clauses VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        meta.doc_id,
                        c.ordinal,
                        c.number,
                        c.heading,
                        c.level,
                        c.parent,
                        c.page_start,
                        c.page_end,
                        c.text,
                    )
                    for c in clauses
                ],
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        c.chunk_id,
                        c.doc_id,
                        c.ordinal,
                        c.rec_id,
                        c.edition,
                        c.clause,
                        c.heading,
                        c.heading_path,
                        c.text,
                        c.page_start,
                        c.page_end,
                        c.language,
                        c.kind,
                        c.sector,
                    )
                    for c in chunks
                ],
            )
            db.executemany(
                "INSERT INTO definitions VALUES (?,?,?,?,?,?,?)",
                [
                    (meta.doc_id, d.rec_id, d.clause, d.term, d.definition, d.source_tag, int(d.defined_here))
                    for d in records.definitions
                ],
            )
            db.executemany(
                "INSERT INTO abbreviations VALUES (?,?,?,?)",
                [(meta.doc_id, a.rec_id, a.abbreviation, a.expansion) for a in records.abbreviations],
            )
            db.executemany(
                "INSERT INTO refs VALUES (?,?,?,?,?,?,?)",
                [
                    (meta.doc_id, r.rec_id, r.tag, r.cited_id, r.edition_year, r.title, int(r.normative))
                    for r in records.references
                ],
            )
            db.execute("UPDATE files SET state = 'complete' WHERE path = ?", (meta.path,))
            db.execute("UPDATE generation SET value = value + 1")

    def remove_document(self, doc_id: str) -> None:
        with self._transaction() as db:
            for table in PER_DOCUMENT_TABLES:
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM files WHERE doc_id = ?", (doc_id,))
            db.execute("UPDATE generation SET value = value + 1")

    def generation(self) -> int:
        """A counter bumped by every change of the indexed content: cheap staleness checks for caches."""
        return int(self._db.execute("SELECT value FROM generation").fetchone()[0])

    def documents(self) -> list[DocumentSummary]:
        rows = self._db.execute(
            "SELECT doc_id, rec_id, title, edition, kind, language, path, chunks, content_hash "
            "FROM documents ORDER BY rec_id, language, doc_id"
        )
        return [DocumentSummary(**dict(r)) for r in rows]

    def titles(self) -> dict[str, str | None]:
        """Each document's title by doc_id: what every passage is embedded and BM25-indexed below."""
        return {r["doc_id"]: r["title"] for r in self._db.execute("SELECT doc_id, title FROM documents")}

    def find_documents(self, key: str) -> list[DocumentSummary]:
        """Documents whose doc_id, path or rec_id equals ``key`` (rec_id case-insensitively)."""
        return [
            d
            for d in self.documents()
            if key in (d.doc_id, d.path) or (bool(d.rec_id) and str(d.rec_id).lower() == key.lower())
        ]

    def clauses(self, doc_id: str) -> list[Clause]:
        rows = self._db.execute(
            "SELECT ordinal, number, heading, level, parent, page_start, page_end, text FROM clauses "
            "WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        )
        return [
            Clause(
                number=r["number"],
                heading=r["heading"],
                level=r["level"],
                parent=r["parent"],
                page_start=r["page_start"],
                page_end=r["page_end"],
                ordinal=r["ordinal"],
                paragraphs=r["text"].split("\n") if r["text"] else [],
            )
            for r in rows
        ]

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        query = "SELECT * FROM chunks" + (" WHERE doc_id = ?" if doc_id else "") + " ORDER BY doc_id, ordinal"
        return [Chunk(**dict(r)) for r in self._db.execute(query, (doc_id,) if doc_id else ())]

    def chunk_headings(self) -> dict[str, list[str]]:
        """Each chunk's heading path below its document, then its own heading, by chunk id (without the
        texts): "3 Definitions", "3.2 Terms defined in this Recommendation", "3.2.1 play log", "play log"."""
        rows = self._db.execute("SELECT chunk_id, heading, heading_path FROM chunks")
        return {
            r["chunk_id"]: [*(r["heading_path"] or "").split(" > ")[1:], r["heading"] or ""] for r in rows
        }

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def settled_chunks(self) -> dict[str, list[str]]:
        """Chunk ids by document, for documents whose file is not pending: what must have vectors."""
        rows = self._db.execute(
            "SELECT doc_id, chunk_id FROM chunks WHERE doc_id NOT IN "
            "(SELECT doc_id FROM files WHERE state = 'pending') ORDER BY doc_id, ordinal"
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["doc_id"], []).append(row["chunk_id"])
        return found

    # -- structured records ------------------------------------------------------------------------

    def definitions(self, query: str) -> list[Definition]:
        """Definitions whose term matches ``query`` exactly first, then those containing it."""
        rows = self._db.execute(
            "SELECT * FROM definitions WHERE term LIKE ? ORDER BY (lower(term) = lower(?)) DESC, "
            "length(term), rec_id",
            (f"%{query}%", query),
        )
        return [Definition(**{**dict(r), "defined_here": bool(r["defined_here"])}) for r in rows]

    def abbreviations(self, abbreviation: str) -> list[Abbreviation]:
        rows = self._db.execute(
            "SELECT * FROM abbreviations WHERE abbreviation = ? COLLATE NOCASE ORDER BY rec_id",
            (abbreviation,),
        )
        return [Abbreviation(**dict(r)) for r in rows]

    def abbreviations_mentioning(self, word: str) -> list[Abbreviation]:
        """Entries whose expansion contains ``word`` (any case): candidates for "the acronym for X"."""
        rows = self._db.execute(
            "SELECT * FROM abbreviations WHERE expansion LIKE ? ORDER BY rec_id", (f"%{word}%",)
        )
        return [Abbreviation(**dict(r)) for r in rows]

    def references(self, doc_ids: list[str]) -> list[Reference]:
        marks = ",".join("?" * len(doc_ids))
        rows = self._db.execute(f"SELECT * FROM refs WHERE doc_id IN ({marks}) ORDER BY rowid", doc_ids)
        return [Reference(**{**dict(r), "normative": bool(r["normative"])}) for r in rows]

    # -- embedding cache ---------------------------------------------------------------------------

    def cached_embeddings(self, hashes: list[str], model: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                [model, *part],
            )
            for r in rows:
                found[r["text_hash"]] = np.frombuffer(r["vector"], dtype=np.float32)
        return found

    def cache_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
                [(h, model, v.astype(np.float32).tobytes()) for h, v in vectors.items()],
            )

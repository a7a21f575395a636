"""The corpus as the checker sees it: every document parsed through the library's own ingestion steps
into a record store (definitions, abbreviations, references), without vectors, which the
deterministic rules never read. Used by the seeded-defect scorer, the false-alarm run and the tests.
"""

from __future__ import annotations

from pathlib import Path

from ingest.catalog import ReferenceCatalog
from ingest.chunker import ClauseChunker
from ingest.library import expand_paths, prepare_document
from ingest.metadata import doc_id_for
from ingest.parsers import Limits, ParseError
from ingest.store import RecordStore, file_hash


def build_record_store(folders: list[Path], db_path: Path) -> tuple[RecordStore, list[str]]:
    """Index the records of every readable file under ``folders``; returns the store and the failures."""
    store = RecordStore(db_path)
    failures: list[str] = []
    chunker = ClauseChunker()
    for path in expand_paths(folders):
        try:
            doc = prepare_document(path, doc_id_for(path), Limits(), chunker, file_hash(path))
        except (ParseError, ValueError, OSError) as exc:
            failures.append(f"{path.name}: {exc}")
            continue
        store.replace_document(doc.meta, doc.clauses, doc.chunks, doc.records)
    return store, failures


DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def corpus_store(corpus: Path, db_path: Path) -> RecordStore:
    """The record store at ``db_path``, built from ``<corpus>/itu-t`` first when it does not exist."""
    if db_path.is_file():
        return RecordStore(db_path)
    return build_record_store([corpus / "itu-t"], db_path)[0]


def corpus_catalog(corpus: Path) -> ReferenceCatalog | None:
    path = corpus / "catalog" / "itu-recommendations.jsonl.gz"
    return ReferenceCatalog.shared(path) if path.is_file() else None

"""Clause-level chunking: one chunk per clause, long clauses split at paragraph boundaries."""

from __future__ import annotations

import re

from ingest.models import Chunk, Clause, DocumentMeta
from ingest.structure import ClauseTree

_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z(\[])")


class ClauseChunker:
    """Each chunk's text starts with its heading path so it reads, and embeds, in context."""

    def __init__(self, max_chars: int = 1800) -> None:
        self.max_chars = max_chars

    def chunk(self, tree: ClauseTree, meta: DocumentMeta) -> list[Chunk]:
        by_number = {c.number: c for c in tree.clauses}
        chunks: list[Chunk] = []
        for clause in tree.clauses:
            if not clause.paragraphs:
                continue
            path = self._heading_path(clause, by_number, meta)
            for part in self._split(clause.paragraphs):
                chunks.append(
                    Chunk(
                        chunk_id=f"{meta.doc_id}:{len(chunks):05d}",
                        doc_id=meta.doc_id,
                        rec_id=meta.rec_id,
                        edition=meta.edition,
                        clause=clause.number,
                        heading=clause.heading,
                        heading_path=path,
                        text=f"{path}\n{part}",
                        page_start=clause.page_start,
                        page_end=clause.page_end,
                        language=meta.language,
                        kind=meta.kind.value,
                        sector=meta.sector,
                        ordinal=len(chunks),
                    )
                )
        return chunks

    @staticmethod
    def _heading_path(clause: Clause, by_number: dict[str, Clause], meta: DocumentMeta) -> str:
        parts: list[str] = []
        node: Clause | None = clause
        seen: set[str] = set()
        while node is not None and node.number not in seen:
            seen.add(node.number)
            label = node.number if node.heading == node.number else f"{node.number} {node.heading}"
            parts.append(label.strip())
            node = by_number.get(node.parent) if node.parent else None
        if meta.rec_id:
            parts.append(meta.rec_id)
        return " > ".join(reversed(parts))

    def _split(self, paragraphs: list[str]) -> list[str]:
        pieces: list[str] = []
        for paragraph in paragraphs:
            if len(paragraph) <= self.max_chars:
                pieces.append(paragraph)
            else:
                pieces.extend(self._split_long(paragraph))
        parts: list[str] = []
        current: list[str] = []
        size = 0
        for piece in pieces:
            if current and size + len(piece) + 1 > self.max_chars:
                parts.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
        if current:
            parts.append("\n".join(current))
        return parts

    def _split_long(self, paragraph: str) -> list[str]:
        """A paragraph (or table) longer than a chunk: cut at line, then sentence, then hard limits."""
        units = paragraph.split("\n") if "\n" in paragraph else _SENTENCE_END.split(paragraph)
        out: list[str] = []
        current = ""
        for unit in units:
            while len(unit) > self.max_chars:
                out.append(unit[: self.max_chars])
                unit = unit[self.max_chars :]
            if current and len(current) + len(unit) + 1 > self.max_chars:
                out.append(current)
                current = unit
            else:
                current = (
                    f"{current}\n{unit}" if current and "\n" in paragraph else f"{current} {unit}".strip()
                )
        if current:
            out.append(current)
        return out

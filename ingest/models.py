"""Records that cross module boundaries: what parsers emit, what the store keeps, what the CLI prints."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"


class Block(BaseModel):
    """One element of a document in reading order, as a parser sees it.

    Headings carry the clause number as printed (or as Word computes it) in ``number``
    and the heading text without it in ``text``; ``level`` is the heading depth when known.
    """

    kind: BlockKind
    text: str
    number: str | None = None
    level: int | None = None
    page: int | None = None
    style: str | None = None


class DocKind(StrEnum):
    RECOMMENDATION = "Recommendation"
    AMENDMENT = "Amendment"
    CORRIGENDUM = "Corrigendum"
    ERRATUM = "Erratum"
    SUPPLEMENT = "Supplement"
    IMPLEMENTERS_GUIDE = "Implementers' guide"
    ANNEX = "Annex"
    RESOLUTION = "Resolution"
    CONTRIBUTION = "Contribution"
    DRAFTING_GUIDE = "Drafting guide"
    OTHER = "Document"


class DocumentMeta(BaseModel):
    """What identifies a document: from its content first, its file name second."""

    doc_id: str = ""
    rec_id: str | None = None
    title: str | None = None
    edition: str | None = None
    kind: DocKind = DocKind.OTHER
    language: str = "en"
    sector: str | None = None
    path: str = ""
    format: str = ""
    content_hash: str = ""
    pages: int | None = None


class ParsedDocument(BaseModel):
    """A parser's whole output: metadata hints found in the content, and the blocks."""

    meta: DocumentMeta
    blocks: list[Block]


class Clause(BaseModel):
    """A node of the clause tree: numbered clause, annex, appendix or a kept unnumbered section."""

    number: str
    heading: str
    level: int
    paragraphs: list[str] = Field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None
    parent: str | None = None
    ordinal: int = 0

    @property
    def label(self) -> str:
        """How people cite it: 'clause 3.2.1', 'Annex A', 'Appendix I', 'Summary'."""
        if self.number[:1].isdigit() or (len(self.number) > 1 and self.number[1] == "."):
            return f"clause {self.number}"
        return self.number

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


class Chunk(BaseModel):
    """The unit that is embedded and retrieved: a clause or a paragraph-aligned part of one."""

    chunk_id: str
    doc_id: str
    rec_id: str | None
    edition: str | None
    clause: str
    heading: str
    heading_path: str
    text: str
    page_start: int | None = None
    page_end: int | None = None
    language: str = "en"
    kind: str = DocKind.OTHER.value
    sector: str | None = None
    ordinal: int = 0

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata: scalar values only, no None."""
        raw: dict[str, str | int | None] = {
            "doc_id": self.doc_id,
            "rec_id": self.rec_id,
            "edition": self.edition,
            "clause": self.clause,
            "heading": self.heading,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "language": self.language,
            "kind": self.kind,
            "sector": self.sector,
            "ordinal": self.ordinal,
        }
        return {k: v for k, v in raw.items() if v is not None}


class Definition(BaseModel):
    term: str
    definition: str
    source_tag: str | None = None
    defined_here: bool = True
    clause: str
    rec_id: str | None = None
    doc_id: str = ""


class Abbreviation(BaseModel):
    abbreviation: str
    expansion: str
    rec_id: str | None = None
    doc_id: str = ""


class Reference(BaseModel):
    tag: str
    cited_id: str
    edition_year: str | None = None
    title: str | None = None
    normative: bool = True
    rec_id: str | None = None
    doc_id: str = ""


class Records(BaseModel):
    """Structured records extracted from one document."""

    definitions: list[Definition] = Field(default_factory=list)
    abbreviations: list[Abbreviation] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)


class ClauseText(BaseModel):
    """One clause with everything nested under it: ``rapporteur show REC --clause C --json`` and the UI's
    citation panel."""

    doc_id: str
    rec_id: str | None
    clause: str
    heading: str
    page_start: int | None
    page_end: int | None
    text: str


class IngestFailure(BaseModel):
    path: str
    error: str


class IngestReport(BaseModel):
    """The stable JSON contract of ``rapporteur ingest --json``."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    failed: list[IngestFailure] = Field(default_factory=list)
    chunks: int = 0

    def summary(self) -> str:
        """The one line people read: counts per outcome and the index's size."""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}; {self.chunks} chunks in the index"
        )


class DocumentSummary(BaseModel):
    """One row of ``rapporteur docs --json``."""

    doc_id: str
    rec_id: str | None
    title: str | None
    edition: str | None
    kind: str
    language: str
    path: str
    chunks: int
    content_hash: str | None = None

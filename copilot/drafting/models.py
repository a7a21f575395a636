"""The records drafting hands across the boundary: what was asked and what was written."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from copilot.citation import Citation
from copilot.llm import GenerationStats


class DraftKind(StrEnum):
    SCOPE = "scope"
    DEFINITIONS = "definitions"
    ABBREVIATIONS = "abbreviations"
    REFERENCES = "references"
    CONVENTIONS = "conventions"
    REQUIREMENTS = "requirements"
    SUMMARY = "summary"
    KEYWORDS = "keywords"
    SKELETON = "skeleton"

    @property
    def needs_model(self) -> bool:
        """Whether the kind has prose for a model to write (the others are exact)."""
        return self not in (
            DraftKind.ABBREVIATIONS, DraftKind.REFERENCES, DraftKind.CONVENTIONS, DraftKind.KEYWORDS
        )  # fmt: skip


class ClauseDraft(BaseModel):
    """A drafted clause (or whole skeleton) in ITU layout: headings carry a tab after the number.

    ``citations`` are the clauses the text reuses or drew on; ``notices`` say what is left for the
    rapporteur (placeholders, terms without a known expansion, the model being unavailable)."""

    kind: DraftKind
    topic: str
    rec_id: str | None = None
    title: str | None = None
    text: str
    citations: list[Citation] = []
    model: str | None = None
    prompts: list[str] = []
    notices: list[str] = []
    unsupported: list[str] = []
    stats: list[GenerationStats] = []

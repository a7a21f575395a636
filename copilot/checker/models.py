"""What the checker reports: findings with a location, evidence and a fix (``rapporteur check --json``)."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, Field

from copilot.citation import Citation


class Category(StrEnum):
    STRUCTURE = "structure"
    DEFINITIONS = "definitions"
    ABBREVIATIONS = "abbreviations"
    REFERENCES = "references"
    REQUIREMENTS = "requirements"
    CONSISTENCY = "consistency"
    STYLE = "style"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Location(BaseModel):
    """Where a finding is: the clause number as printed ("3.2", "Annex A", "Summary"), the paragraph's
    1-based position in it (None for the clause as a whole or for something missing) and the page."""

    clause: str | None = None
    paragraph: int | None = None
    page: int | None = None


class Finding(BaseModel):
    rule: str
    category: Category
    severity: Severity
    location: Location = Field(default_factory=Location)
    message: str
    evidence: list[Citation] = Field(default_factory=list)
    suggestion: str | None = None


class CheckSummary(BaseModel):
    """Counts an editor reads first; ``notes`` say what was not checked and why."""

    findings: int = 0
    by_severity: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)
    rules_run: int = 0
    rec_id: str | None = None
    pages: int | None = None
    seconds: float = 0.0
    notes: list[str] = Field(default_factory=list)


class CheckReport(BaseModel):
    """The stable JSON contract of ``rapporteur check --json``."""

    file: str
    findings: list[Finding] = Field(default_factory=list)
    summary: CheckSummary = Field(default_factory=CheckSummary)

    @classmethod
    def build(cls, file: str, findings: list[Finding], summary: CheckSummary) -> CheckReport:
        """A report whose counts are computed from ``findings`` (the rest of ``summary`` kept)."""
        severities = Counter(f.severity.value for f in findings)
        categories = Counter(f.category.value for f in findings)
        summary.findings = len(findings)
        summary.by_severity = {s.value: severities.get(s.value, 0) for s in Severity}
        summary.by_category = {c.value: categories[c.value] for c in Category if categories.get(c.value)}
        return cls(file=file, findings=findings, summary=summary)

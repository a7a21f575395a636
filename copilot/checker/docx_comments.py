"""A copy of a .docx draft with one Word comment per finding, anchored where the finding is.

Editors work in Word with comments; this puts the check there. A finding is anchored on the paragraph
it names (found by its text), else on its clause heading, else on the document's first paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph

from copilot.checker.draft import Draft
from copilot.checker.models import CheckReport, Finding, Location, Severity
from copilot.checker.report import cite

AUTHOR = "Rapporteur check"
_LEADING_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,3})+|[A-Z]\.\d[\d.]*)\.?\s+")


def comparable_text(text: str) -> str:
    """A paragraph's text as the parser and Word both give it: no leading clause number, spaces folded."""
    text = text.replace("\u00a0", " ").replace("|", " ")
    return re.sub(r"\s+", " ", _LEADING_NUMBER.sub("", text.strip())).strip().lower()


def _targets(document: docx.document.Document) -> Iterator[tuple[str, WordParagraph]]:
    """Every anchorable paragraph in reading order with its comparable text; a table is one target
    (its cells' text, anchored on its first non-empty cell paragraph)."""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            cells = [p for row in item.rows for cell in row.cells for p in cell.paragraphs if p.text.strip()]
            if cells:
                yield comparable_text(" ".join(p.text for p in cells)), cells[0]
        elif item.text.strip():
            yield comparable_text(item.text), item


def comment_text(finding: Finding) -> str:
    lines = [f"[{finding.severity.value}] {finding.rule}: {finding.message}"]
    if finding.suggestion:
        lines.append(f"Fix: {finding.suggestion}")
    lines += [f"Evidence: {cite(c)}" for c in finding.evidence[:3]]
    return "\n".join(lines)


class Anchors:
    """Finds the Word paragraph for a finding's location, scanning forward from its clause heading."""

    def __init__(self, draft: Draft, targets: list[tuple[str, WordParagraph]]) -> None:
        self.draft = draft
        self.targets = targets
        self.texts = {(p.clause, p.index): p.text for p in draft.paragraphs}

    def heading(self, number: str) -> int | None:
        clause = self.draft.clause(number)
        if clause is None:
            return None
        want = comparable_text(clause.heading)
        for i, (text, _) in enumerate(self.targets):
            if text.endswith(want) and len(text) <= len(want) + 16:
                return i
        return None

    def paragraph(self, location: Location) -> WordParagraph | None:
        """The Word paragraph holding the draft paragraph at ``location``, or None when not found."""
        start = self.heading(location.clause) if location.clause else None
        text = self.texts.get((location.clause or "", location.paragraph or 0))
        if text:
            want = comparable_text(text)[:60]
            order = list(range(start or 0, len(self.targets))) + list(range(0, start or 0))
            for i in order:
                got = self.targets[i][0]
                if got and (got.startswith(want) or want.startswith(got[:60])):
                    return self.targets[i][1]
        return None

    def find(self, finding: Finding) -> WordParagraph:
        """The finding's paragraph, else its clause heading, else the document's first paragraph."""
        found = self.paragraph(finding.location)
        if found is not None:
            return found
        start = self.heading(finding.location.clause) if finding.location.clause else None
        return self.targets[start][1] if start is not None else self.targets[0][1]


def write_commented_copy(source: Path, draft: Draft, report: CheckReport, dest: Path) -> int:
    """Write ``dest``: ``source`` with a comment per finding; returns the number of comments."""
    document = docx.Document(str(source))
    targets = list(_targets(document))
    if not targets:
        document.add_paragraph("")
        targets = [("", document.paragraphs[-1])]
    anchors = Anchors(draft, targets)
    count = 0
    for finding in report.findings:
        if finding.severity is Severity.INFO and finding.location.clause is None:
            continue  # notes about the check itself ("not checked: no model"), not about the text
        paragraph = anchors.find(finding)
        runs = paragraph.runs or [paragraph.add_run("")]
        document.add_comment(runs, text=comment_text(finding), author=AUTHOR, initials="RC")
        count += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return count

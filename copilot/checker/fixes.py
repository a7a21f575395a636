"""Fixes as Word tracked changes: every finding with a mechanical fix becomes a revision the editor
accepts or rejects, with a comment beside it saying the rule, the reason and the evidence.

``plan_fixes`` turns findings into edits of the draft's paragraphs (what to replace, insert, move or
delete), reading what each rule reported; ``write_fixed_copy`` applies them to a copy of the .docx
with :mod:`copilot.redline`. Findings without a mechanical fix stay comments, as in the commented copy.
"""

from __future__ import annotations

import copy
import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as WordParagraph

from copilot.checker.docx_comments import Anchors, comment_text, comparable_text
from copilot.checker.draft import Draft
from copilot.checker.models import CheckReport, Finding, Location, Severity
from copilot.checker.restatements import sentences
from copilot.checker.rules import references, skeleton
from copilot.checker.rules.abbreviations import AlphabeticalOrder, listed
from copilot.checker.rules.definitions import entry_paragraphs
from copilot.redline import RevisionWriter, body_paragraphs, visible_text

logger = logging.getLogger(__name__)

Action = Literal["replace", "insert_before", "insert_after", "delete", "move_before", "move_after"]


@dataclass
class PlannedFix:
    """One edit: at ``at`` (a draft paragraph), replace ``old`` by ``new`` in it, insert a paragraph
    ``new`` next to it, delete it, move it in front of the paragraph at ``to``, or move it after the
    paragraph at ``to`` rewritten as ``new`` (one paragraph per line)."""

    finding: Finding
    action: Action
    at: Location
    old: str = ""
    new: str = ""
    to: Location | None = None


def plan_fixes(draft: Draft, report: CheckReport) -> list[PlannedFix]:
    """The mechanical fixes of a report's findings (those of other rules, or unsure, are left out)."""
    planned: list[PlannedFix] = []
    for finding in report.findings:
        for planners in (_PLANNERS, _COMPANIONS):
            planner = planners.get(finding.rule)
            fix = planner(draft, finding) if planner else None
            if fix is not None:
                planned.append(fix)
    # Entries inserted at one place land in alphabetical order: each goes right before (or after)
    # its anchor, so those before it are applied A to Z and those after it Z to A.
    planned.sort(key=lambda f: f.new.casefold() if f.action == "insert_before" else "")
    planned.sort(key=lambda f: f.new.casefold() if f.action == "insert_after" else "", reverse=True)
    return _numbered_moves(planned)


def _text_at(draft: Draft, location: Location) -> str | None:
    return next(
        (p.text for p in draft.paragraphs if (p.clause, p.index) == (location.clause, location.paragraph)),
        None,
    )


def _quoted(pattern: str, text: str | None) -> re.Match[str] | None:
    return re.search(pattern, text or "", re.S)


def _contradiction(draft: Draft, finding: Finding) -> PlannedFix | None:
    """The sentence that restates the Recommendation wrongly, replaced by the restored wording."""
    m = _quoted(r'wording: "(.*)"$', finding.suggestion)
    text = _text_at(draft, finding.location)
    if m is None or text is None:
        return None
    restored = m.group(1)
    sentence = max(sentences(text), key=lambda s: difflib.SequenceMatcher(None, s, restored).ratio())
    return PlannedFix(finding, "replace", finding.location, sentence, restored)


def _to_elsewhere(draft: Draft, finding: Finding) -> PlannedFix | None:
    """A term 3.2 redefines, moved to the end of 3.1 as the library defines it: the whole definition
    quoted verbatim with its source tag, numbered after 3.1's last entry (a 3.1 that says "None."
    gets its opening sentence; the "None." itself is deleted when the move is applied)."""
    m = _quoted(r'verbatim: "(.*)"$', finding.suggestion)
    elsewhere = skeleton.find(draft, skeleton.ELSEWHERE)
    if m is None or elsewhere is None or finding.location.paragraph is None:
        return None
    region = [p for p in draft.paragraphs if p.clause in draft.subtree_numbers(elsewhere)]
    numbers = [_ENTRY_NUMBER.match(p.text.strip()) for p in entry_paragraphs(draft, skeleton.ELSEWHERE)]
    last = [int(n.group(2)) for n in numbers if n]
    lines = [f"{elsewhere.number}.{max(last, default=0) + 1}\t{m.group(1).strip()}"]
    if len(region) == 1 and skeleton.NONE_TEXT.match(region[0].text.strip()) and skeleton.ELSEWHERE.opening:
        lines.insert(0, skeleton.ELSEWHERE.opening)
    to = region[-1].location if region else Location(clause=elsewhere.number)
    return PlannedFix(finding, "move_after", finding.location, new="\n".join(lines), to=to)


def _source_listed(draft: Draft, finding: Finding) -> PlannedFix | None:
    """The quoted source of a moved term, listed after clause 2's last entry (a clause 2 without
    entries is left to the editor: it needs its opening paragraph first)."""
    m = _quoted(r'listing it in clause 2 as "(\[[^\]]+\]) ([^"]+)"', finding.suggestion)
    normative = [e for e in references.entries(draft) if e.normative]
    if m is None or not normative:
        return None
    entry = f"{m.group(1)}\t{m.group(2)}"
    return PlannedFix(finding, "insert_after", normative[-1].paragraph.location, new=entry)


_ENTRY_NUMBER = re.compile(r"^(\d+\.\d+)\.(\d+)\b", re.M)


def _numbered_moves(planned: list[PlannedFix]) -> list[PlannedFix]:
    """Several terms moved to the end of one 3.1 get consecutive numbers, and are applied last one
    first, so that each lands after the anchor in number order."""
    moves = [f for f in planned if f.action == "move_after"]
    for k, fix in enumerate(moves):
        fix.new = _ENTRY_NUMBER.sub(_renumber(k), fix.new)
    return [f for f in planned if f.action != "move_after"] + moves[::-1]


def _renumber(by: int) -> Callable[[re.Match[str]], str]:
    return lambda n: f"{n.group(1)}.{int(n.group(2)) + by}"


def _title(draft: Draft, finding: Finding) -> PlannedFix | None:
    m = _quoted(r"catalog's: '(.*)' vs '(.*)'\.$", finding.message)
    return PlannedFix(finding, "replace", finding.location, m.group(1), m.group(2)) if m else None


def _edition(draft: Draft, finding: Finding) -> PlannedFix | None:
    """A superseded edition: the entry after its tag becomes the catalog's identifier, year and title;
    an edition that does not exist: its year becomes the latest edition's."""
    text = _text_at(draft, finding.location)
    entry = _quoted(r"^(\[[^\]]+\]\s*)(Recommendation .+)$", text)
    replacement = _quoted(r"^Cite (Recommendation .+\(\d{4}\), .+)$", finding.suggestion)
    if entry is not None and replacement is not None:
        return PlannedFix(finding, "replace", finding.location, entry.group(2), replacement.group(1))
    missing = _quoted(r"has no (\d{4}) edition", finding.message)
    latest = _quoted(r"^Cite .*\((?:\d{2}/)?(\d{4})\)\.$", finding.suggestion)
    if text is None or missing is None or latest is None or f"({missing.group(1)})" not in text:
        return None
    return PlannedFix(finding, "replace", finding.location, f"({missing.group(1)})", f"({latest.group(1)})")


def _expansion(draft: Draft, finding: Finding) -> PlannedFix | None:
    text = _text_at(draft, finding.location)
    if not finding.suggestion or text is None:
        return None
    abbreviation = finding.suggestion.split("\t", 1)[0]
    if not text.startswith(abbreviation):
        return None
    return PlannedFix(finding, "replace", finding.location, text, _SOURCE_TAGS.sub("", finding.suggestion))


_SOURCE_TAGS = re.compile(r"(?:[\s,]*\[[^\]]*\])+\s*$")


def _entry_at(draft: Draft, abbreviation: str) -> Location | None:
    """The clause 4 paragraph of exactly this entry ('TC', not the 'TCS' after it)."""
    clause = skeleton.find(draft, skeleton.ABBREVIATIONS)
    pattern = re.compile(rf"^{re.escape(abbreviation)}(?:\s|$)")
    texts = draft.paragraphs_of(clause) if clause is not None else []
    return next((p.location for p in texts if pattern.match(p.text.strip())), None)


def _unlisted(draft: Draft, finding: Finding) -> PlannedFix | None:
    """A missing abbreviation, inserted where the order rule wants it, with the library's expansion."""
    m = _quoted(r"^Add '(.+)<TAB>(.+)' to clause 4\.$", finding.suggestion)
    if m is None or m.group(2) == "<expansion>":
        return None
    expansion = _SOURCE_TAGS.sub("", m.group(2))  # a vocabulary's "[b-ITU-T J.260]" tags stay there
    token, line = m.group(1), f"{m.group(1)}\t{expansion}"
    entries = [(a.abbreviation, _entry_at(draft, a.abbreviation)) for a in listed(draft)]
    located = [(name, where) for name, where in entries if where is not None]
    if not located:
        return None
    for name, where in located:
        if AlphabeticalOrder.out_of_order(name, token):
            return PlannedFix(finding, "insert_before", where, new=line)
    return PlannedFix(finding, "insert_after", located[-1][1], new=line)


def _unused(draft: Draft, finding: Finding) -> PlannedFix | None:
    m = _quoted(r"^'(.+)' is listed in clause 4", finding.message)
    at = _entry_at(draft, m.group(1)) if m else None
    return PlannedFix(finding, "delete", at) if at is not None else None


def _order(draft: Draft, finding: Finding) -> PlannedFix | None:
    m = _quoted(r"^Move '(.+)' before '(.+)'\.$", finding.suggestion)
    at, to = (_entry_at(draft, m.group(1)), _entry_at(draft, m.group(2))) if m else (None, None)
    if at is None or to is None:
        return None
    return PlannedFix(finding, "move_before", at, to=to)


def _opening(draft: Draft, finding: Finding) -> PlannedFix | None:
    m = _quoted(r'with: "(.+)"$', finding.suggestion)
    return PlannedFix(finding, "insert_before", finding.location, new=m.group(1)) if m else None


def _empty(draft: Draft, finding: Finding) -> PlannedFix | None:
    """'None.' after the clause's last paragraph (its opening sentence), or after its heading."""
    clause = draft.clause(finding.location.clause or "")
    if clause is None:
        return None
    texts = draft.paragraphs_of(clause)
    at = texts[-1].location if texts else Location(clause=clause.number)
    return PlannedFix(finding, "insert_after", at, new="None.")


def _definition(draft: Draft, finding: Finding) -> PlannedFix | None:
    """Definition format: a missing final period added, a capitalized term put in lower case."""
    text = _text_at(draft, finding.location)
    if text is None:
        return None
    new = text
    term = _quoted(r"the term '(.+?)' is capitalized", finding.message)
    if term:
        new = new.replace(term.group(1), term.group(1).lower(), 1)
    if "does not end with a period" in finding.message:
        new = new.rstrip() + "."
    if "no colon" in finding.message or new == text:
        return None
    return PlannedFix(finding, "replace", finding.location, text, new)


_SHALL = re.compile(r"\b(?:shall|must)\b(?!\s+not\b)")


def _shall(draft: Draft, finding: Finding) -> PlannedFix | None:
    """'shall'/'must' becomes the keyword the Conventions define ('are required to' after a plural)."""
    text = _text_at(draft, finding.location)
    m = _SHALL.search(text or "")
    if text is None or m is None:
        return None
    before = text[: m.start()].split()
    plural = bool(before) and (before[-1].lower() in ("they", "both") or re.search(r"[^s]s$", before[-1]))
    keyword = "are required to" if plural else "is required to"
    return PlannedFix(
        finding, "replace", finding.location, text, text[: m.start()] + keyword + text[m.end() :]
    )


_PLANNERS = {
    "consistency.contradiction": _contradiction,
    "definitions.already-defined": _to_elsewhere,
    "references.title": _title,
    "references.edition": _edition,
    "abbreviations.expansion": _expansion,
    "abbreviations.unlisted": _unlisted,
    "abbreviations.unused": _unused,
    "abbreviations.order": _order,
    "structure.opening-sentence": _opening,
    "structure.empty-clause": _empty,
    "definitions.format": _definition,
    "requirements.shall": _shall,
}
_COMPANIONS = {"definitions.already-defined": _source_listed}
"""Second edits of one finding (the moved term's source added to clause 2)."""


# -- the tracked-changes copy ------------------------------------------------------------------------


class _Locator(Anchors):
    """Word paragraphs (those in table cells too) for draft locations; a clause heading for a clause."""

    def __init__(self, draft: Draft, document: docx.document.Document) -> None:
        targets = [(comparable_text(p.text), p) for p in body_paragraphs(document) if p.text.strip()]
        super().__init__(draft, targets)

    def at(self, location: Location) -> WordParagraph | None:
        if location.paragraph:
            return self.paragraph(location)
        start = self.heading(location.clause) if location.clause else None
        return self.targets[start][1] if start is not None else None


@dataclass
class FixedCopy:
    """What the tracked-changes copy holds: the findings fixed as revisions, and how many comments."""

    fixed: list[Finding]
    comments: int


def write_fixed_copy(
    source: Path, draft: Draft, report: CheckReport, dest: Path, date: datetime | None = None
) -> FixedCopy:
    """Write ``dest``: ``source`` with each mechanical fix as a tracked revision commented with its
    finding, and every other finding (a fix whose text is not found too) as a comment."""
    document = docx.Document(str(source))
    writer = RevisionWriter(document, date=date)
    locator = _Locator(draft, document)
    fixed: list[Finding] = []
    for fix in plan_fixes(draft, report):
        paragraph = locator.at(fix.at)
        changed = _apply(writer, locator, fix, paragraph) if paragraph is not None else None
        if changed is None:
            logger.info("fix not applied (%s at %s): its text is not in the .docx", fix.finding.rule, fix.at)
            continue
        if any(fix.finding is f for f in fixed):
            continue  # one comment per finding, beside its first edit
        writer.comment(changed, comment_text(fix.finding))
        fixed.append(fix.finding)
    comments = 0
    for finding in report.findings:
        if any(finding is f for f in fixed) or (
            finding.severity is Severity.INFO and finding.location.clause is None
        ):
            continue
        writer.comment(locator.find(finding), comment_text(finding))
        comments += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(dest))
    return FixedCopy(fixed, comments)


def _apply(
    writer: RevisionWriter, locator: _Locator, fix: PlannedFix, paragraph: WordParagraph
) -> WordParagraph | None:
    """Apply one fix at ``paragraph``; returns the paragraph to comment, or None when it cannot be."""
    if fix.action == "replace":
        shown = visible_text(paragraph._p)
        spaced = r"[\s\u00a0]+".join(re.escape(word) for word in fix.old.split())
        found = re.search(spaced, shown) if spaced else None
        if found is None:
            return None
        writer.edit(paragraph, shown[: found.start()] + fix.new + shown[found.end() :])
        return paragraph
    if fix.action == "delete":
        writer.mark_deleted(paragraph)
        return paragraph
    if fix.action in ("insert_before", "insert_after"):
        if fix.at.paragraph is None and fix.action == "insert_after":  # after a heading: body text
            return writer.insert_paragraph(paragraph, fix.new, before=False)
        inserted = writer.insert_paragraph(paragraph, fix.new, before=fix.action == "insert_before")
        _same_layout(inserted, paragraph)
        return inserted
    target = locator.at(fix.to) if fix.to is not None else None
    if target is None:
        return None
    if fix.action == "move_after":
        lines = [target]
        for line in fix.new.split("\n"):
            lines.append(writer.insert_paragraph(lines[-1], line, before=False))
            _same_layout(lines[-1], paragraph)
        if skeleton.NONE_TEXT.match(visible_text(target._p).strip()):
            writer.mark_deleted(target)
        writer.mark_deleted(paragraph)
        return next(p for p in lines[1:] if _ENTRY_NUMBER.match(visible_text(p._p)))
    _same_layout(writer.insert_paragraph(target, visible_text(paragraph._p), before=True), paragraph)
    writer.mark_deleted(paragraph)
    return paragraph


def _same_layout(inserted: WordParagraph, model: WordParagraph) -> None:
    """The inserted paragraph takes the model's style, tab stops and indents (an abbreviation entry
    lines up with its neighbours), keeping its own tracked-insertion mark."""
    ppr = model._p.find(qn("w:pPr"))
    if ppr is None:
        return
    layout = copy.deepcopy(ppr)
    for tag in ("w:rPr", "w:sectPr", "w:pPrChange"):
        for found in layout.findall(qn(tag)):
            layout.remove(found)
    mine = inserted._p.find(qn("w:pPr"))
    mark = mine.find(qn("w:rPr")) if mine is not None else None
    if mark is not None:
        layout.append(mark)
    if mine is not None:
        inserted._p.replace(mine, layout)
    else:
        inserted._p.insert(0, layout)


__all__ = ["FixedCopy", "PlannedFix", "plan_fixes", "write_fixed_copy"]

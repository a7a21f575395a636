"""One draft Recommendation that grows clause by clause, in skeleton order.

A rapporteur's conversation has at most one draft. Each clause added is drafted knowing the others:
the requirements are told the terms clause 3.2 defines (and which of them they use is listed), and
the lists the code can make exactly (4 Abbreviations, 2 References) are re-made from the whole draft
whenever another clause changes, unless the rapporteur edited them by hand. The draft is plain text
by clause (headings as Rapporteur prints them), exported to .docx with the ITU-T styles and read back
from one, so a file can be grown by successive ``rapporteur draft KIND --into FILE`` runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from pydantic import BaseModel

from copilot.citation import Citation
from copilot.drafting.docx_export import export_docx
from copilot.drafting.models import ClauseDraft, DraftKind
from copilot.query import find_rec_ids
from rapporteur.errors import RapporteurError, UsageError

if TYPE_CHECKING:
    from copilot.checker.models import CheckReport
    from copilot.drafting.drafter import Drafter
    from copilot.retrieval import IndexView
    from rapporteur.settings import Settings

log = logging.getLogger(__name__)

FRONT = "Front"
"""The key of the cover lines ("Recommendation ITU-T X.xxx" and the title), kept apart from the clauses."""
_NAMED = {"Summary": 1, "Keywords": 2, "Bibliography": 900}
_CLAUSE = re.compile(r"^(?P<num>\d{1,2})\t(?P<title>[^:\t]+)$")
_ANNEX = re.compile(r"^Annex (?P<label>[A-Z])\b")
_APPENDIX = re.compile(r"^Appendix (?P<label>[IVX]+)\b")
_ROMAN = {"I": 1, "V": 5, "X": 10}
_BIBLIOGRAPHY_TAG = re.compile(r"\[b-[^\]\n]{2,60}\]")
_REC_LINE = re.compile(r"^Recommendation (?P<rec>ITU-[TR] \S+)$")
_DEFINED = re.compile(r"^3\.[12]\.\d+\t(?P<term>[^:\[\n]+?)\s*(?:\[[^\]]*\])?\s*:", re.M)
_DEFINED_HERE = re.compile(r"^3\.2\.\d+\t(?P<term>[^:\[\n]+?)\s*:", re.M)
KIND_KEYS = {
    DraftKind.SUMMARY: "Summary",
    DraftKind.KEYWORDS: "Keywords",
    DraftKind.SCOPE: "1",
    DraftKind.REFERENCES: "2",
    DraftKind.DEFINITIONS: "3",
    DraftKind.ABBREVIATIONS: "4",
    DraftKind.CONVENTIONS: "5",
}
"""Where each kind's clause sits; requirements go to the body clause titled so (6 when new)."""
DERIVED = (DraftKind.ABBREVIATIONS, DraftKind.REFERENCES, DraftKind.KEYWORDS)
"""Clauses that are lists of what the rest of the draft uses or defines: re-made whenever it changes."""
_NOT_CONTEXT = {
    "2": "its references",
    "4": "its abbreviations",
    "Keywords": "its keywords",
    "Bibliography": "its bibliography",
}
"""Lists left out of the text another clause is drafted from, so that a stale list never feeds itself."""
REQUIREMENTS_TITLE = "Requirements"
NOT_DRAFTED = "<Not drafted yet>"
FIRST_BODY = 6


class DraftUnreadable(RapporteurError):
    """A file given as a draft that cannot be read as one."""


def section_key(line: str) -> str | None:
    """The key of the clause a line starts ("Summary", "1", "6", "Annex A", "Bibliography"), or None when
    it is not a top-level heading."""
    line = line.strip("\n")
    if line in _NAMED:
        return line
    if match := _CLAUSE.match(line):
        return match["num"]
    if match := _ANNEX.match(line):
        return f"Annex {match['label']}"
    if match := _APPENDIX.match(line):
        return f"Appendix {match['label']}"
    return None


def _roman(label: str) -> int:
    values = [_ROMAN[ch] for ch in label]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def order_of(key: str) -> tuple[int, int]:
    """Skeleton order: cover, Summary, Keywords, clauses 1.., Annexes A.., Appendices I.., Bibliography."""
    if key == FRONT:
        return (0, 0)
    if key in _NAMED:
        return (_NAMED[key], 0)
    if key.isdigit():
        return (10, int(key))
    if key.startswith("Annex "):
        return (20, ord(key[-1]))
    return (30, _roman(key.split()[-1]))


class DraftSection(BaseModel):
    """One clause of the draft as printed (its heading line first); ``kind`` is what drafted it (None
    when it was read from a file) and ``edited`` says the rapporteur changed it by hand."""

    key: str
    text: str
    kind: DraftKind | None = None
    topic: str = ""
    edited: bool = False
    citations: list[Citation] = []
    notices: list[str] = []

    @property
    def heading(self) -> str:
        return self.text.split("\n", 1)[0]


class DraftDocument(BaseModel):
    """The growing draft: its cover (identifier, title), its topic and its clauses in skeleton order."""

    rec_id: str | None = None
    title: str | None = None
    topic: str = ""
    sections: list[DraftSection] = []

    # -- reading ---------------------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    def section(self, key: str) -> DraftSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def key_for(self, kind: DraftKind) -> str:
        """The clause ``kind`` writes: its skeleton number, or for requirements the body clause titled
        so, else the first free body number."""
        if kind in KIND_KEYS:
            return KIND_KEYS[kind]
        if kind != DraftKind.REQUIREMENTS:
            raise UsageError(f"a {kind.value} is a whole draft, not one clause of it")
        for section in self.sections:
            match = _CLAUSE.match(section.heading)
            if match and int(match["num"]) >= FIRST_BODY and match["title"].strip() == REQUIREMENTS_TITLE:
                return section.key
        body = [int(k) for k in self.keys() if k.isdigit() and int(k) >= FIRST_BODY]
        return str(max(body, default=FIRST_BODY - 1) + 1)

    def kind_of(self, key: str) -> DraftKind | None:
        """The kind that (re)drafts clause ``key``: the one that drafted it, else the one its place and
        title say; None for a clause only the rapporteur writes (an annex, a body clause of their own)."""
        section = self.section(key)
        if section is not None and section.kind not in (None, DraftKind.SKELETON):
            return section.kind
        by_key = {k: kind for kind, k in KIND_KEYS.items()}
        if key in by_key:
            return by_key[key]
        title = _CLAUSE.match(section.heading) if section else None
        return DraftKind.REQUIREMENTS if title and title["title"].strip() == REQUIREMENTS_TITLE else None

    def front_lines(self) -> list[str]:
        lines = [f"Recommendation {self.rec_id}"] if self.rec_id else []
        return lines + ([self.title] if self.title else [])

    def text(self) -> str:
        """The whole draft as Rapporteur prints it (what the .docx export writes)."""
        parts = ["\n\n".join(self.front_lines())] if self.front_lines() else []
        parts += [s.text.strip("\n") for s in self.sections]
        return "\n\n".join(parts) + "\n"

    def context_for(self, key: str) -> str:
        """The rest of the draft, which a clause is drafted from: every other clause but the lists. For
        clause 2, without bibliography tags ("[b-ITU-T H.760]" in a quoted note): an informative
        document is listed in the Bibliography, not among the references."""
        rest = "\n\n".join(s.text for s in self.sections if s.key != key and s.key not in _NOT_CONTEXT)
        return _BIBLIOGRAPHY_TAG.sub(" ", rest) if key == KIND_KEYS[DraftKind.REFERENCES] else rest

    def defined_terms(self, here_only: bool = False) -> list[str]:
        """The terms clause 3 defines (3.2 only with ``here_only``), as written."""
        section = self.section("3")
        if section is None:
            return []
        return terms_defined_here(section.text) if here_only else terms_defined(section.text)

    def cited_recommendations(self) -> list[str]:
        """The Recommendations the draft cites outside its references and bibliography, first seen first."""
        text = self.context_for(FRONT)
        return list(dict.fromkeys(rec for rec, _, _ in find_rec_ids(text) if rec != self.rec_id))

    # -- changing ----------------------------------------------------------------------------------------

    def put(self, section: DraftSection) -> DraftSection:
        """Add ``section`` in skeleton order, replacing the clause with its key."""
        kept = [s for s in self.sections if s.key != section.key]
        self.sections = sorted([*kept, section], key=lambda s: order_of(s.key))
        return section

    def put_draft(self, draft: ClauseDraft) -> list[DraftSection]:
        """A drafted clause (or every clause of a drafted skeleton) into its place."""
        key = self.key_for(draft.kind) if draft.kind != DraftKind.SKELETON else None
        text = draft.text
        if key is not None and key != section_key(text.split("\n", 1)[0]):
            text = _renumbered(text, key)
        front, found = split_sections(text)
        if draft.kind == DraftKind.SKELETON:
            self._take_front(front)
        placed = []
        for found_key, section_text in found:
            section = DraftSection(
                key=found_key,
                text=section_text,
                kind=draft.kind if draft.kind != DraftKind.SKELETON else None,
                topic=draft.topic,
                citations=draft.citations if draft.kind != DraftKind.SKELETON else [],
                notices=draft.notices if draft.kind != DraftKind.SKELETON else [],
            )
            placed.append(self.put(section))
        self.topic = self.topic or draft.topic
        return placed

    def edit(self, key: str, text: str) -> DraftSection:
        """The rapporteur's own text for clause ``key``; its heading is kept when the text drops it."""
        section = self.section(key)
        if section is None:
            raise UsageError(f"the draft has no clause {key}")
        text = text.strip("\n")
        if section_key(text.split("\n", 1)[0]) != key:
            text = f"{section.heading}\n\n{text}"
        section.text, section.edited = text + "\n", True
        return section

    def remove(self, key: str) -> None:
        if self.section(key) is None:
            raise UsageError(f"the draft has no clause {key}")
        self.sections = [s for s in self.sections if s.key != key]

    def _take_front(self, lines: list[str]) -> None:
        for line in lines:
            if match := _REC_LINE.match(line):
                self.rec_id = self.rec_id or match["rec"]
            elif line.strip():
                self.title = self.title or line.strip()

    def with_edits_from(self, read: DraftDocument) -> DraftDocument:
        """``read`` (the draft's file as it is now) with what this stored draft knows of each clause: an
        unchanged clause keeps its kind, topic and sources; a changed or new one is the rapporteur's."""
        for section in read.sections:
            known = self.section(section.key)
            if known is not None and _lines(known.text) == _lines(section.text):
                read.put(known.model_copy(update={"text": section.text}))
            else:
                section.edited = True
        read.topic = self.topic or read.topic
        return read

    # -- files -----------------------------------------------------------------------------------------

    @classmethod
    def from_text(cls, text: str) -> DraftDocument:
        front, found = split_sections(text)
        document = cls(sections=[DraftSection(key=k, text=t) for k, t in found])
        document._take_front(front)
        document.topic = document.title or ""  # the title is what a file says the draft is about
        document.sections.sort(key=lambda s: order_of(s.key))
        return document

    @classmethod
    def from_docx(cls, path: Path) -> DraftDocument:
        """A draft read back from a .docx (one paragraph per line, as :func:`export_docx` writes it)."""
        if path.suffix.lower() != ".docx":
            raise DraftUnreadable(f"{path}: a draft file must be a .docx")
        try:
            paragraphs = [p.text for p in Document(str(path)).paragraphs]
        except Exception as exc:  # python-docx raises several kinds on a file that is not a .docx
            raise DraftUnreadable(f"{path}: not a readable .docx ({type(exc).__name__}: {exc})") from exc
        return cls.from_text("\n\n".join(p for p in paragraphs if p.strip()))

    def framed(self) -> DraftDocument:
        """The draft with each mandatory clause it lacks as the skeleton has it before anything is
        written (Summary, Keywords and Scope to be drafted, the others "None."): what is exported and
        checked, so that a draft of three clauses already has a Recommendation's shape."""
        from copilot.drafting.drafter import load_skeleton  # drafter imports this module

        fixed = load_skeleton()
        headings, none = fixed["headings"], fixed["none"]
        frame = {
            "Summary": f"{headings['summary']}\n\n{NOT_DRAFTED}",
            "Keywords": f"{headings['keywords']}\n\n{NOT_DRAFTED}",
            "1": f"{headings['scope']}\n\n{NOT_DRAFTED}",
            "2": f"{headings['references']}\n\n{none}",
            "3": f"{headings['definitions']}\n\n{none}",
            "4": f"{headings['abbreviations']}\n\n{none}",
            "5": f"{headings['conventions']}\n\n{none}",
        }
        copy = self.model_copy(deep=True)
        for key, text in frame.items():
            if copy.section(key) is None:
                copy.put(DraftSection(key=key, text=f"{text}\n"))
        return copy

    def to_docx(self, path: Path, template: Path | None = None) -> Path:
        """The framed draft as a .docx in the ITU-T styles (``template``: the official skeleton file)."""
        return export_docx(self.framed().text(), path, template)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def terms_defined(text: str) -> list[str]:
    """The terms a draft's clause 3 defines or reuses ("3.1.2\tcloud computing [ITU-T Y.3500]: ...")."""
    return [m["term"].strip() for m in _DEFINED.finditer(text) if not m["term"].startswith("<")]


def terms_defined_here(text: str) -> list[str]:
    """The terms a draft's clause 3.2 defines ("3.2.1\tquality report: ..."), placeholders left out."""
    terms = [m["term"].strip() for m in _DEFINED_HERE.finditer(text)]
    return [t for t in terms if not t.startswith("<")]


def clause_key(number: str | None) -> str | None:
    """The draft clause a checker location lies in: "6.1.2" -> "6", "A.1" -> "Annex A", "I.2" ->
    "Appendix I", "Summary" -> "Summary"; None for the whole document."""
    if not number:
        return None
    if number in _NAMED or section_key(number) is not None:
        return section_key(number) or number
    head = number.split(".", 1)[0]
    if head.isdigit():
        return head
    if re.fullmatch(r"[IVX]+", head):  # as the checker reads them, I.1 is in an appendix
        return f"Appendix {head}"
    if re.fullmatch(r"[A-Z]", head):
        return f"Annex {head}"
    return None


def check_whole_draft(
    document: DraftDocument, path: Path, settings: Settings, library: IndexView | None = None
) -> CheckReport:
    """The framed draft written to ``path`` (.docx) and checked as ``rapporteur check`` checks a file."""
    from copilot.checker import run_check  # the checker's rules load only when a draft is checked

    document.to_docx(path, settings.docx_template)
    return run_check(path, settings, library)[1]


def split_sections(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The cover lines before the first clause, then (key, text) for each clause in the order written;
    a clause repeated later replaces the earlier one."""
    front: list[str] = []
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        key = section_key(line)
        if key is not None:
            current = found[key] = []
        if current is None:
            front.extend([line] if line.strip() else [])
        else:
            current.append(line)
    return front, [(k, "\n".join(lines).strip("\n") + "\n") for k, lines in found.items()]


def _renumbered(text: str, key: str) -> str:
    """A body clause moved to number ``key``: its heading and its sub-clause numbers follow."""
    first = section_key(text.split("\n", 1)[0])
    if first is None or not first.isdigit():
        return text
    return re.sub(rf"^{first}(?=[.\t])", key, text, flags=re.M)


def requirement_terms_note(document: DraftDocument, text: str) -> list[str]:
    """Which terms of 3.2 the requirements use, and which they leave unused (code, not the model)."""
    terms = document.defined_terms(here_only=True)
    if not terms:
        return []
    used = [t for t in terms if re.search(rf"\b{re.escape(t)}", text, re.I)]
    notes = [f"Uses the terms defined in 3.2: {', '.join(used)}."] if used else []
    unused = [t for t in terms if t not in used]
    if unused:
        notes.append(f"Defined in 3.2 but not used in the requirements: {', '.join(unused)}.")
    return notes


def draft_into(
    document: DraftDocument,
    drafter: Drafter,
    kind: DraftKind | str,
    topic: str | None = None,
    exclude_rec_id: str | None = None,
) -> Iterator[str | ClauseDraft]:
    """Draft one clause (or a skeleton) from the rest of ``document`` and put it there: the text as it
    is written, then the :class:`ClauseDraft`. The lists (4, 2) are then made from the whole draft."""
    kind = DraftKind(kind)
    topic = (topic or document.topic).strip()
    if not topic:
        raise UsageError("say what the draft is about (a topic) for its first clause")
    document.title = document.title or topic[:1].upper() + topic[1:].rstrip(".")
    key = document.key_for(kind) if kind != DraftKind.SKELETON else FRONT
    events = drafter.draft_stream(
        kind,
        topic,
        rec_id=document.rec_id,
        title=document.title,
        draft_text=document.context_for(key),
        exclude_rec_id=exclude_rec_id,
    )
    for event in events:
        if not isinstance(event, ClauseDraft):
            yield event
            continue
        if kind == DraftKind.REQUIREMENTS:
            event.notices.extend(requirement_terms_note(document, event.text))
        document.put_draft(event)
        log.info("draft: %s clause put at %s", kind.value, key)
        remade = refresh_lists(document, drafter, changed=kind, exclude_rec_id=exclude_rec_id)
        notes = [f"Clause {k} made from the whole draft." for k in remade]
        yield event.model_copy(update={"notices": [*event.notices, *notes]})


def refresh_lists(
    document: DraftDocument,
    drafter: Drafter,
    changed: DraftKind | None = None,
    exclude_rec_id: str | None = None,
) -> list[str]:
    """Make the Abbreviations and References clauses from the whole draft (they are exact, so no
    model is asked), unless the rapporteur edited them; the keys made or re-made."""
    remade = []
    for kind in DERIVED:
        key = KIND_KEYS[kind]
        section = document.section(key)
        if kind == changed or (section is not None and section.edited):
            continue
        draft = drafter.draft(
            kind,
            (section.topic if section else "") or document.topic,
            rec_id=document.rec_id,
            draft_text=document.context_for(key),
            exclude_rec_id=exclude_rec_id,
        )
        if section is None or draft.text != section.text:
            document.put_draft(draft)
            remade.append(key)
    if remade:
        log.info("draft: lists re-made from the whole draft: %s", ", ".join(remade))
    return remade

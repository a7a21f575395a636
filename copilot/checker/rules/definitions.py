"""Definitions: entry format, duplicates, and agreement with the terms the corpus already defines
(Author's guide 8.3 and Annex B: "already-existing terms should not be redefined")."""

from __future__ import annotations

import re
from collections import defaultdict

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Citation, Finding, Location, Severity
from copilot.checker.rules import references, skeleton
from copilot.checker.rules.base import CheckContext, Need, Rule, draft_citation, normalized
from ingest.extract import DEFINITION_HEAD
from ingest.models import Definition

_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,3}){2,4})\.?[\s\u00a0]+(?P<rest>\S.*)$", re.S)
_ENTRY = re.compile(rf"^{DEFINITION_HEAD}\s*(?P<defn>.*)$", re.S)
"""As the index reads an entry, but with the definition allowed to be missing, which is reported."""
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "or",
        "and",
        "to",
        "in",
        "for",
        "by",
        "which",
        "that",
        "is",
        "are",
        "be",
        "with",
        "as",
        "on",
        "from",
        "its",
        "it",
        "this",
    ]
)


def entry_paragraphs(draft: Draft, element: skeleton.Element) -> list[Paragraph]:
    """Numbered definition entries ("3.2.1 term: ...") of clause 3.1 or 3.2."""
    clause = skeleton.find(draft, element)
    if clause is None:
        return []
    numbers = draft.subtree_numbers(clause)
    return [p for p in draft.paragraphs if p.clause in numbers and _NUMBERED.match(p.text.strip())]


def entry_paragraph(draft: Draft, definition: Definition) -> Paragraph | None:
    """The paragraph a definition record came from (by its number, else its term)."""
    for element in skeleton.SUB:
        for p in entry_paragraphs(draft, element):
            m = _NUMBERED.match(p.text.strip())
            if m and (m.group("num") == definition.clause or m.group("rest").startswith(definition.term)):
                return p
    return None


def similarity(a: str, b: str) -> float:
    """Share of the shorter definition's content words that the other one has too: 1.0 for the same
    wording or a quotation of its first part, near 0 for unrelated definitions."""
    wa = {w for w in re.findall(r"[a-z0-9]+", normalized(a)) if w not in _STOPWORDS}
    wb = {w for w in re.findall(r"[a-z0-9]+", normalized(b)) if w not in _STOPWORDS}
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def _capitalized(term: str) -> bool:
    """'Release Path' or 'SCREEN LAYOUT': a term in capitals where the guide writes terms in lower
    case. A name carrying its abbreviation ('Goal-oriented Requirement Language (GRL)'), a single
    capitalized word ('Peer', a sentence-style start) and acronyms ('OTU4-SC') are left alone."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", term)
    if "(" in term or len(words) < 2 or any(w.isupper() and len(w) <= 5 for w in words):
        return term.isupper() and len(term) > 12 and "(" not in term
    return all(w[0].isupper() for w in words if len(w) > 3) and sum(len(w) > 3 for w in words) >= 2


def _first_sentence(definition: str) -> str:
    return definition.split("\n", 1)[0].strip()


class DefinitionFormat(Rule):
    id = "definitions.format"
    category = Category.DEFINITIONS
    severity = Severity.WARNING
    rationale = "An entry is: number, term, [source] if defined elsewhere, colon, definition, period."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for p, elsewhere in self._entries(draft):
            problems = self._problems(p.text.strip(), elsewhere)
            if problems:
                out.append(
                    self.finding(
                        f"Definition entry is malformed: {'; '.join(problems)}.",
                        p.location,
                        [draft_citation(draft, p.location, p.text)],
                        suggestion="In 3.1: '3.1.n term [ITU-T X.n]: definition.'; "
                        "in 3.2: '3.2.n term: definition.'",
                    )
                )
        return out

    @staticmethod
    def _entries(draft: Draft) -> list[tuple[Paragraph, bool | None]]:
        """Entries of 3.1 (defined elsewhere) and 3.2 (defined here); a clause 3 laid out before the
        skeleton ('3.1 General definitions', '3.3 Glass geometry') has its entries checked for what
        does not depend on where the term comes from (None)."""
        found: list[tuple[Paragraph, bool | None]] = [
            (p, element is skeleton.ELSEWHERE)
            for element in skeleton.SUB
            for p in entry_paragraphs(draft, element)
        ]
        return found or [(p, None) for p in entry_paragraphs(draft, skeleton.DEFINITIONS)]

    @staticmethod
    def _problems(text: str, elsewhere: bool | None) -> list[str]:
        numbered = _NUMBERED.match(text)
        assert numbered is not None
        m = _ENTRY.match(numbered.group("rest"))
        if m is None:
            return ["no colon after the term"]
        problems = []
        if _capitalized(m.group("term")):
            problems.append(
                f"the term '{m.group('term').strip()}' is capitalized; terms are written in lower case"
            )
        if elsewhere is True and not m.group("tag"):
            problems.append("a term defined elsewhere needs its source tag, e.g. [ITU-T Y.3500]")
        if elsewhere is False and m.group("tag"):
            problems.append("a term defined in this Recommendation carries a source tag; move it to 3.1")
        first = m.group("defn").split("\n", 1)[0].rstrip()
        if not first:
            if not elsewhere:
                problems.append("no definition after the colon")
        elif not first.endswith((".", ":")):
            problems.append("the definition does not end with a period")
        return problems


class DuplicateDefinition(Rule):
    id = "definitions.duplicate"
    category = Category.DEFINITIONS
    severity = Severity.ERROR
    rationale = "A term is defined once; two entries for it leave readers to guess which one applies."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        clause = skeleton.find(draft, skeleton.DEFINITIONS)
        if clause is None:
            return []
        by_term: dict[str, list[Definition]] = defaultdict(list)
        for d in draft.records.definitions:
            if d.clause.startswith(f"{clause.number}."):  # clause 3 only: annexes define formal symbols
                by_term[normalized(d.term)].append(d)
        out: list[Finding] = []
        for entries in by_term.values():
            first = entries[0]
            for again in entries[1:]:
                p = entry_paragraph(draft, again)
                out.append(
                    self.finding(
                        f"'{again.term}' is defined twice: in {first.clause} and again in {again.clause}.",
                        p.location if p else None,
                        [
                            draft_citation(draft, Location(clause=d.clause), f"{d.term}: {d.definition}")
                            for d in (first, again)
                        ],
                        suggestion=f"Keep one definition of '{again.term}' and delete the other.",
                    )
                )
        return out


Match = tuple[Definition, list[Definition], float]
"""(own definition, the corpus's definitions of the term, best wording overlap)."""


class _CorpusRule(Rule):
    """Compares the draft's own definitions (3.2) with the definitions other indexed documents give."""

    needs = frozenset({Need.CORPUS})
    AGREE = 0.5
    """Definitions sharing at least this share of content words say the same thing."""

    def matches(self, draft: Draft, context: CheckContext) -> list[Match]:
        out: list[Match] = []
        for d in draft.records.definitions:
            if not d.defined_here:
                continue
            corpus = context.definitions(d.term)
            if corpus:
                mine = _first_sentence(d.definition)
                best = max(similarity(mine, _first_sentence(c.definition)) for c in corpus)
                out.append((d, corpus, best))
        return out

    def evidence(self, context: CheckContext, corpus: list[Definition]) -> list[Citation]:
        """Each definition whole (its notes too), as its Recommendation gives it, with its source tag."""
        return [context.cite(c.doc_id, c.rec_id, c.clause, quoted_entry(c, None)) for c in corpus[:3]]


def quoted_entry(definition: Definition, tag: str | None) -> str:
    """'term [ITU-T X.n]: definition' with the whole definition text of the record (notes on their
    own lines); ``tag`` is the draft's citation tag for the source, else the source's identifier."""
    source = tag or definition.rec_id or definition.doc_id
    return f"{definition.term} [{source}]: {definition.definition.strip()}"


def _reference_entry(draft: Draft, context: CheckContext, rec_id: str | None) -> str | None:
    """The clause 2 entry a quoted source needs when the draft does not list it: the catalog's
    edition in force at the draft's date, with its title."""
    if context.catalog is None or not rec_id:
        return None
    by = draft.meta.edition or "9999"
    valid = [e for e in context.catalog.editions(rec_id) if e.edition and e.edition <= by and e.title]
    if not valid:
        return None
    edition = max(valid, key=lambda e: e.edition or "")
    return f"[{rec_id}] Recommendation {edition.rec_id} ({edition.year}), {edition.title}."


def _source_tag(draft: Draft, rec_id: str | None) -> str | None:
    """The tag under which the draft already lists ``rec_id`` (clause 2 first, then the Bibliography)."""
    listed = [e for e in references.entries(draft) if e.tag and e.record and e.record.cited_id == rec_id]
    listed.sort(key=lambda e: not e.normative)
    return listed[0].tag if rec_id and listed else None


class AlreadyDefined(_CorpusRule):
    id = "definitions.already-defined"
    category = Category.DEFINITIONS
    severity = Severity.WARNING
    rationale = "New terms are not developed where an acceptable definition already exists (Annex B.3.1)."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for d, corpus, best in self.matches(draft, context):
            if best < self.AGREE:
                continue
            p = entry_paragraph(draft, d)
            mine = _first_sentence(d.definition)
            closest = sorted(corpus, key=lambda c: -similarity(mine, _first_sentence(c.definition)))
            source = closest[0].rec_id or closest[0].doc_id
            tag = _source_tag(draft, closest[0].rec_id)
            listing = None if tag else _reference_entry(draft, context, closest[0].rec_id)
            where = f' (listing it in clause 2 as "{listing}")' if listing else ""
            quote = quoted_entry(closest[0], tag)
            out.append(
                self.finding(
                    f"'{d.term}' (clause {d.clause}) is already defined in {source}.",
                    p.location if p else None,
                    self.evidence(context, closest),
                    suggestion=f'Move it to clause 3.1{where}, quoting {source} verbatim: "{quote}"',
                )
            )
        return out


class ConflictingDefinition(_CorpusRule):
    id = "definitions.conflict"
    category = Category.DEFINITIONS
    severity = Severity.WARNING
    rationale = "A new term does not reuse the name of an already-defined term (Annex B.3.1)."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for d, corpus, best in self.matches(draft, context):
            if best >= self.AGREE:
                continue
            p = entry_paragraph(draft, d)
            here = draft_citation(draft, p.location, p.text) if p else None
            out.append(
                self.finding(
                    f"'{d.term}' (clause {d.clause}) is defined differently in "
                    f"{corpus[0].rec_id or corpus[0].doc_id}.",
                    p.location if p else None,
                    ([here] if here else []) + self.evidence(context, corpus),
                    suggestion="Reuse the existing definition (clause 3.1), or name the concept differently.",
                )
            )
        return out


RULES = (DefinitionFormat(), DuplicateDefinition(), AlreadyDefined(), ConflictingDefinition())

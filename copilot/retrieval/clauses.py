"""Finding the clause that answers for a record: a definition's paragraph, a document's Scope or
References, the abbreviations list that expands an acronym, a named clause."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from copilot.retrieval.index import Snapshot
from ingest.models import Definition
from ingest.store import RecordStore

ClauseKey = tuple[str, str, str]
"""(Recommendation or doc id, edition, clause): copies of one Recommendation share their keys."""

_ABBREVIATIONS_HEADING = re.compile(r"abbreviation|acronym|glossary|symbols", re.I)
_REFERENCES_HEADING = re.compile(r"^\s*(?:normative\s+)?references\s*$", re.I)
_GLOSSARY_MARK = "Abbreviations/Glossary"


@dataclass
class Candidate:
    """A clause on its way to becoming a citation: the chunk that represents it, and its score."""

    chunk_id: str
    clause: str | None = None
    text: str | None = None
    score: float = 0.0


RankedList = list[tuple[ClauseKey, Candidate]]


class ClauseLocator:
    """Maps records and document parts to the chunks that hold them, in one snapshot of the index."""

    def __init__(self, store: RecordStore, snap: Snapshot) -> None:
        self.store = store
        self.snap = snap

    def key(self, doc_id: str, clause: str) -> ClauseKey:
        doc = self.snap.documents.get(doc_id)
        if doc is None or not doc.rec_id:
            return (doc_id, "", clause)
        return (doc.rec_id, doc.edition or "", clause)

    def dedupe(self, found: Iterable[tuple[str, str, Candidate]]) -> RankedList:
        """One entry per clause (a clause split into chunks, or printed in several copies, counts once)."""
        out: dict[ClauseKey, Candidate] = {}
        for doc_id, clause, candidate in found:
            out.setdefault(self.key(doc_id, clause), candidate)
        return list(out.items())

    def clause(self, doc_id: str, ref: str) -> Candidate | None:
        """The first chunk of clause ``ref``, of its first sub-clause, or of the clause holding it as a
        numbered paragraph ("3.2.1" inside clause "3.2")."""
        lex = self.snap.lexical
        positions = lex.positions_of(doc_id)
        child_prefix = (ref.split(None, 1)[1] + ".") if ref.startswith(("Annex ", "Appendix ")) else ref + "."
        for match in (lambda c: c.lower() == ref.lower(), lambda c: c.startswith(child_prefix)):
            for i in positions:
                if match(lex.clauses[i]):
                    return Candidate(lex.chunk_ids[i], clause=lex.clauses[i])
        parents = [i for i in positions if ref.startswith(lex.clauses[i] + ".")]
        if parents:
            i = max(parents, key=lambda p: len(lex.clauses[p]))
            return Candidate(lex.chunk_ids[i], clause=ref)
        return None

    def definition(self, definition: Definition) -> Candidate | None:
        """The chunk holding a definition (its clause, or the clause it is a numbered paragraph of),
        carrying the definition itself as the text to quote."""
        lex = self.snap.lexical
        positions = lex.positions_of(definition.doc_id)
        holders = [i for i in positions if definition.clause == lex.clauses[i]] or [
            i for i in positions if definition.clause.startswith(lex.clauses[i] + ".")
        ]
        if not holders:
            return None
        tag = f" {definition.source_tag}" if definition.source_tag else ""
        text = f"{definition.clause} {definition.term}{tag}: {definition.definition}"
        return Candidate(lex.chunk_ids[holders[0]], clause=definition.clause, text=text)

    def scope(self, doc_id: str) -> Candidate | None:
        """A document's Scope (clause 1, or its first sub-clause when 1 has no text of its own), else
        its first clause."""
        lex = self.snap.lexical
        positions = lex.positions_of(doc_id)
        for accept in (lambda c: c == "1" or c.lower() == "scope", lambda c: c.startswith("1.")):
            for i in positions:
                if accept(lex.clauses[i]):
                    return Candidate(lex.chunk_ids[i])
        return Candidate(lex.chunk_ids[positions[0]]) if positions else None

    def references(self, doc_id: str) -> Candidate | None:
        """The clause listing a document's references (clause 2 "References" in ITU-T texts)."""
        for chunk in self.store.chunks(doc_id):
            if _REFERENCES_HEADING.match(chunk.heading):
                return Candidate(chunk.chunk_id, clause=chunk.clause)
        return None

    def abbreviation(self, doc_id: str, acronym: str) -> Candidate | None:
        """The clause of ``doc_id`` that lists ``acronym``: the one with an ITU-R "Abbreviations/Glossary"
        table (where ITU-R records come from), else an abbreviations (or glossary, symbols) clause."""
        pattern = re.compile(rf"(?m)^\s*{re.escape(acronym)}(?:\s|$)")
        chunks = [c for c in self.store.chunks(doc_id) if pattern.search(c.text)]
        ranked = [c for c in chunks if _GLOSSARY_MARK in c.text]
        ranked += [c for c in chunks if _ABBREVIATIONS_HEADING.search(c.heading)]
        return Candidate(ranked[0].chunk_id, clause=ranked[0].clause) if ranked else None

    def doc_of(self, chunk_id: str) -> str:
        return self.snap.lexical.doc_ids[self.snap.lexical.position[chunk_id]]

    def in_language(self, candidate: Candidate, language: str) -> Candidate:
        """The same clause in the library's copy of the document in ``language`` (E.119 is held in six
        languages), else ``candidate``: one Recommendation's copies share their clause numbers."""
        lex = self.snap.lexical
        doc = self.snap.documents.get(self.doc_of(candidate.chunk_id))
        copy = self._copies.get((doc.rec_id, doc.edition, language)) if doc and doc.rec_id else None
        if doc is None or copy is None or doc.language == language:
            return candidate
        clause = candidate.clause or lex.clauses[lex.position[candidate.chunk_id]]
        for i in lex.positions_of(copy):
            if lex.clauses[i] == clause:
                return Candidate(lex.chunk_ids[i], clause, None, candidate.score)
        return candidate

    @cached_property
    def _copies(self) -> dict[tuple[str | None, str | None, str], str]:
        """Each document by (Recommendation, edition, language): where a clause's other copies are."""
        copies: dict[tuple[str | None, str | None, str], str] = {}
        for d in self.snap.documents.values():
            copies.setdefault((d.rec_id, d.edition, d.language), d.doc_id)
        return copies

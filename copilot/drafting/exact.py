"""The parts of a draft that can be exact, taken verbatim from the library without a model: reused
definitions with their source tags, reference entries from the catalog, abbreviations expanded from
the corpus, the series' requirement keywords and the standard References introduction."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from copilot.checker.rules.base import normalized
from copilot.citation import Citation
from copilot.lexical import tokenize
from copilot.query import acronyms, find_rec_ids, spelling_before
from copilot.retrieval.signals import content_words
from ingest.catalog import ReferenceCatalog
from ingest.models import Abbreviation, Clause, Definition, DocumentSummary, Reference
from ingest.store import RecordStore

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_DEFINED_TERM = re.compile(r"^\d+(?:\.\d+)+\s+(?P<term>[^:\[\n]{2,60}?)\s*(?:\[[^\]]*\])?\s*:", re.MULTILINE)
_PLAIN_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_TRAILING_TAGS = re.compile(r"(?:\s*,?\s*\[[^\]]*\])+\s*$")
_SERIES = re.compile(r"^(?P<sector>ITU-[TR])\s+(?P<series>[A-Z]{1,3})[.\s]")
_OTHER_BODY_TAG = re.compile(r"^\[?(?:b-)?(?P<id>(?:IETF|ISO|IEC|IEEE|ETSI|3GPP|W3C)\b[^\[\]]{1,40}?)\s*\]?$")
_OTHER_BODY_NAMED = re.compile(
    r"\b(?:IETF\s+)?RFC\s?(?P<rfc>\d{3,5})\b|\b(?P<iso>ISO(?:/IEC)?(?:\s+TR)?\s+\d{3,5}(?:-\d+)*)\b"
)
RELATED_VOCABULARIES = 2  # Recommendations retrieved for the topic whose 3.1 terms are candidates
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "to",
        "with",
        "by",
        "its",
        "their",
        "this",
        "that",
        "as",
        "at",
        "from",
        "be",
        "is",
        "are",
    ]
)
MAX_NGRAM = 4
MAX_EXPANSION_WORDS = 8


@dataclass
class Piece:
    """Lines of exact text plus the clauses they came from and what is left to do."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReusedTerm:
    """A definition to quote verbatim in clause 3.1, tagged with the Recommendation that defines it;
    ``citation`` is the indexed clause it was read from (which may quote it from that source)."""

    term: str
    definition: str
    source: str
    citation: Citation


def _untagged(expansion: str) -> str:
    """An expansion without the source tags some glossaries append ("... [b-ITU-T J.111], [...]")."""
    return _TRAILING_TAGS.sub("", expansion).strip()


def _fit(row: Abbreviation, text: str, vocabulary: set[str], counts: Counter[str]) -> tuple[bool, float, int]:
    """How well an expansion fits a text: whether the text spells it out, the share of its words the
    text uses, then how common it is."""
    expansion = normalized(_untagged(row.expansion))
    words = set(tokenize(expansion))
    share = len(words & vocabulary) / len(words) if words else 0.0
    return expansion in text, share, counts[expansion]


_IN_PARENTHESES = re.compile(r"\((?P<abbr>[A-Za-z][A-Za-z0-9/&-]{0,10}[A-Z0-9])s?\)")


def spelled_out(text: str) -> dict[str, str]:
    """Expansions the text itself writes at first use, "Intelligent Platform Management Interface
    (IPMI)": the fewest words before the parentheses whose initials (small glue words may be skipped,
    a hyphenated or slashed word may give one letter per part) spell the acronym. A draft's own
    expansion is the author's choice and outranks any in the library."""
    found: dict[str, str] = {}
    for match in _IN_PARENTHESES.finditer(text):
        abbr = match["abbr"]
        letters = [ch.lower() for ch in abbr if ch.isalpha()]
        if sum(ch.isupper() for ch in abbr) < 2 or abbr in found or len(letters) < 2:
            continue
        spelling = spelling_before(text[max(0, match.start() - 200) : match.start()], letters)
        if spelling is not None:
            found[abbr] = spelling
    return found


def _in_clause_3_of(citation: Citation, doc_ids: set[str]) -> bool:
    """Whether a definition was read from the definitions clause of one of the documents: a lone word
    is reused from a Recommendation retrieved for the topic, never from a glossary's other senses."""
    return citation.doc_id in doc_ids and (citation.clause or "").startswith("3")


def series_of(rec_id: str | None) -> tuple[str, str] | None:
    match = _SERIES.match(rec_id or "")
    return (match["sector"], match["series"]) if match else None


def _ngrams(text: str) -> list[str]:
    words = _WORD.findall(text)
    grams = []
    for size in range(MAX_NGRAM, 0, -1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram[0].lower() in _FILLER or gram[-1].lower() in _FILLER:
                continue
            grams.append(" ".join(gram))
    return grams


class ExactPieces:
    """Looks things up in the library; ``exclude_rec_id`` keeps a held-out Recommendation out."""

    def __init__(
        self, store: RecordStore, catalog: ReferenceCatalog | None, exclude_rec_id: str | None = None
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.exclude = normalized(exclude_rec_id) if exclude_rec_id else None
        self._documents: dict[str, DocumentSummary] | None = None
        self._headed: dict[str, list[tuple[DocumentSummary, Clause]]] = {}
        self._quoted: dict[str, list[Definition]] | None = None
        self._cited: dict[str, Reference] | None = None

    def allowed(self, rec_id: str | None) -> bool:
        return not (self.exclude and rec_id and normalized(rec_id) == self.exclude)

    def documents(self) -> dict[str, DocumentSummary]:
        if self._documents is None:
            self._documents = {d.doc_id: d for d in self.store.documents() if self.allowed(d.rec_id)}
        return self._documents

    def cite(self, doc_id: str, rec_id: str | None, clause: str | None, text: str) -> Citation:
        doc = self.documents().get(doc_id)
        return Citation(
            doc_id=doc_id, rec_id=rec_id, clause=clause, text=text, path=doc.path if doc else None
        )

    # -- definitions ------------------------------------------------------------------------------

    def definition_of(self, term: str) -> ReusedTerm | None:
        """The corpus's definition of exactly ``term`` (or its singular): a Recommendation's own
        definition first (ITU-T before ITU-R), else one quoted from elsewhere, tagged with its source."""
        for wanted in dict.fromkeys([term, term[:-1] if term.endswith("s") else term]):
            key = normalized(wanted)
            found = [
                d
                for d in self.store.definitions(wanted)
                if normalized(d.term) == key and self.allowed(d.rec_id)
            ]
            own = sorted(
                (d for d in found if d.defined_here and d.rec_id),
                key=lambda d: (not (d.rec_id or "").startswith("ITU-T"), d.rec_id or ""),
            )
            if own:
                return self._reused(own[0], own[0].rec_id or "")
            for d in found:
                source = self.defining_source(d.source_tag or "")
                if source and self.allowed(source):
                    return self._reused(d, source)
        return None

    def defining_source(self, tag: str) -> str | None:
        """The document a quoted definition's source tag names: the ITU Recommendation (in the
        catalog's spelling where it has one), else a standard of another body as tagged ("ISO/IEC TR
        20002"); None for a tag that names neither or was misread ("[(b-...)...]")."""
        if tag.startswith("[("):
            return None
        named = self.named_recommendations(tag)
        if named:
            canonical = self.catalog.canonical(named[0]) if self.catalog else None
            return canonical or named[0]
        other = _OTHER_BODY_TAG.match(tag.split("],")[0].strip())
        return other["id"] if other else None

    def _reused(self, definition: Definition, source: str) -> ReusedTerm:
        text = definition.definition.strip()
        text = text if text.endswith(".") else f"{text}."
        citation = self.cite(
            definition.doc_id, definition.rec_id, definition.clause, f"{definition.term}: {text}"
        )
        return ReusedTerm(term=definition.term, definition=text, source=source, citation=citation)

    def reused_definitions(self, topic: str, hits: list[Citation], limit: int = 8) -> list[ReusedTerm]:
        """Terms the topic names or the retrieved definition clauses define, with their definitions. A
        lone word ("network", "system") has many senses across the series: it is reused only when a
        document retrieved for the topic defines it, never from an unrelated vocabulary."""
        related = {hit.doc_id for hit in hits}
        candidates = _ngrams(topic)
        for hit in hits:
            if (hit.clause or "").startswith("3"):
                candidates += [m["term"].strip() for m in _DEFINED_TERM.finditer(hit.text)]
        candidates += self.related_vocabulary(topic, hits)
        chosen: dict[str, ReusedTerm] = {}
        covered: set[str] = set()
        for term in candidates:
            key = normalized(term)
            if key in covered or any(key in longer for longer in covered):
                continue
            reused = self.definition_of(term)
            if reused is not None and " " not in key and not _in_clause_3_of(reused.citation, related):
                continue
            if reused is not None:
                chosen.setdefault(normalized(reused.term), reused)
                covered.add(key)
            if len(chosen) >= limit:
                break
        return list(chosen.values())

    def related_vocabulary(self, topic: str, hits: list[Citation]) -> list[str]:
        """The terms that the Recommendations most related to the topic quote in their 3.1: a sibling
        Recommendation's borrowed vocabulary is what a new one in its area borrows too ("overlay network
        [ITU-T X.1162]" for any managed P2P protocol). A sibling is retrieved for the topic (first ones
        first) and its title shares a word with the topic: a document retrieved for one generic word
        ("interfaces", "testing") is no sibling."""
        documents, wanted = self.documents(), set(content_words(topic))
        siblings: dict[str, list[str]] = {}
        for doc_id in dict.fromkeys(hit.doc_id for hit in hits):
            doc = documents.get(doc_id)
            if doc is None or doc.kind.lower() != "recommendation" or not doc.rec_id:
                continue
            if not wanted & content_words(doc.title or ""):
                continue
            if doc.rec_id not in siblings and len(siblings) >= RELATED_VOCABULARIES:
                break
            siblings.setdefault(doc.rec_id, []).append(doc_id)
        return [
            d.term
            for doc_ids in siblings.values()
            for doc_id in doc_ids
            for d in self._quoted_definitions().get(doc_id, [])
            if (d.clause or "").startswith("3.1")
        ]

    def _quoted_definitions(self) -> dict[str, list[Definition]]:
        """Every definition the library quotes from elsewhere, by document (read once)."""
        if self._quoted is None:
            self._quoted = {}
            for d in self.store.definitions(""):
                if not d.defined_here and self.allowed(d.rec_id):
                    self._quoted.setdefault(d.doc_id, []).append(d)
        return self._quoted

    def defined_elsewhere(self, terms: list[ReusedTerm], number: str = "3.1") -> Piece:
        piece = Piece()
        for i, reused in enumerate(terms, 1):
            piece.lines.append(f"{number}.{i}\t{reused.term} [{reused.source}]: {reused.definition}")
            piece.citations.append(reused.citation)
        if not terms:
            piece.notices.append("No term of the topic is defined in the library; 3.1 reads 'None.'")
        return piece

    # -- references --------------------------------------------------------------------------------

    def references(self, rec_ids: list[str]) -> Piece:
        """One skeleton-style entry per Recommendation: identifier, edition year and title."""
        piece = Piece()
        for rec_id in dict.fromkeys(r for r in rec_ids if self.allowed(r)):
            if _OTHER_BODY_TAG.match(rec_id):
                self._other_body_entry(rec_id, piece)
                continue
            entry = self.catalog.latest(rec_id) if self.catalog else None
            if entry is not None and entry.title:
                piece.lines.append(
                    f"[{rec_id}]\tRecommendation {entry.rec_id} ({entry.year}), {entry.title}."
                )
                piece.citations.append(Citation(rec_id=entry.rec_id, text=entry.title, path=entry.url))
                continue
            doc = next((d for d in self.documents().values() if d.rec_id == rec_id), None)
            if doc is not None and doc.title:
                year = (doc.edition or "")[:4] or "<date>"
                piece.lines.append(f"[{rec_id}]\tRecommendation {rec_id} ({year}), {doc.title}.")
                piece.citations.append(self.cite(doc.doc_id, rec_id, None, doc.title))
            else:
                piece.lines.append(f"[{rec_id}]\tRecommendation {rec_id} (<date>), <title>.")
                piece.notices.append(f"{rec_id}: not in the catalog or the library; complete its entry")
        return piece

    def _other_body_entry(self, tag: str, piece: Piece) -> None:
        """A standard of another body (IETF, ISO...), as another Recommendation's references list it."""
        record = self._cited_records().get(normalized(tag))
        if record is None or not record.title:
            piece.lines.append(f"[{tag}]\t{tag} (<date>), <title>.")
            piece.notices.append(f"{tag}: not in any indexed reference list; complete its entry")
            return
        piece.lines.append(f"[{tag}]\t{tag} ({record.edition_year or '<date>'}), {record.title}.")
        piece.citations.append(self.cite(record.doc_id, record.rec_id, None, f"{tag}: {record.title}"))

    def _cited_records(self) -> dict[str, Reference]:
        """The reference entries of the indexed documents, by what they cite (read once)."""
        if self._cited is None:
            self._cited = {}
            for ref in self.store.references(list(self.documents())):
                self._cited.setdefault(normalized(ref.cited_id), ref)
        return self._cited

    @staticmethod
    def named_recommendations(text: str) -> list[str]:
        return [rec_id for rec_id, _, _ in find_rec_ids(text)]

    @staticmethod
    def named_documents(text: str) -> list[str]:
        """The Recommendations and the standards of other bodies ("RFC 5357" as "IETF RFC 5357") that
        ``text`` names, in the order it names them."""
        found = [(start, rec_id) for rec_id, start, _ in find_rec_ids(text)]
        for m in _OTHER_BODY_NAMED.finditer(text):
            found.append((m.start(), f"IETF RFC {m['rfc']}" if m["rfc"] else re.sub(r"\s+", " ", m["iso"])))
        return list(dict.fromkeys(name for _, name in sorted(found)))

    # -- abbreviations -----------------------------------------------------------------------------

    def expansions(self, abbreviation: str) -> list[Abbreviation]:
        """The library's expansions of exactly ``abbreviation``; a "expansion" of more than eight words
        is a definition misread as one and is left out."""
        return [
            a
            for a in self.store.abbreviations(abbreviation)
            if a.abbreviation == abbreviation
            and self.allowed(a.rec_id)
            and len(_untagged(a.expansion).split()) <= MAX_EXPANSION_WORDS
        ]

    def used_acronyms(self, text: str) -> list[str]:
        """The acronyms of ``text``: a plural folds into its singular, and a token with digits or
        lowercase (CPU0, DDR4, CentOS) counts only when the library knows it as an abbreviation."""
        found = set(acronyms(text))
        kept = set()
        for token in found:
            if token.endswith("s") and (token[:-1] in found or self.expansions(token[:-1])):
                token = token[:-1]
            if _PLAIN_ACRONYM.match(token) or self.expansions(token):
                kept.add(token)
        return sorted(kept, key=str.lower)

    def abbreviations(self, text: str) -> Piece:
        """The acronyms ``text`` uses, alphabetically, each with the expansion the text itself gives at
        first use, else the library's expansion that best fits the text (spelled out there, else most
        of its words appear there), then the most common one."""
        piece = Piece()
        vocabulary, spelled, own = set(tokenize(text)), normalized(text), spelled_out(text)
        for abbreviation in self.used_acronyms(text):
            if abbreviation in own:
                piece.lines.append(f"{abbreviation}\t{own[abbreviation]}")
                continue
            rows = self.expansions(abbreviation)
            if not rows:
                piece.lines.append(f"{abbreviation}\t<expansion>")
                piece.notices.append(f"{abbreviation}: no expansion in the library; write it out")
                continue
            counts = Counter(normalized(_untagged(a.expansion)) for a in rows)

            best = max(rows, key=partial(_fit, text=spelled, vocabulary=vocabulary, counts=counts))
            expansion = _untagged(best.expansion)
            piece.lines.append(f"{abbreviation}\t{expansion}")
            piece.citations.append(self.cite(best.doc_id, best.rec_id, None, f"{abbreviation}: {expansion}"))
        return piece

    # -- standard clauses quoted from the library ----------------------------------------------------

    def _clauses_headed(self, heading: str) -> list[tuple[DocumentSummary, Clause]]:
        """Clauses titled ``heading`` in the indexed ITU-T Recommendations (read once per heading)."""
        if heading not in self._headed:
            self._headed[heading] = self._read_headed(heading)
        return self._headed[heading]

    def _read_headed(self, heading: str) -> list[tuple[DocumentSummary, Clause]]:
        return [
            (d, c)
            for d in self.documents().values()
            if d.kind.lower() == "recommendation" and (d.rec_id or "").startswith("ITU-T")
            for c in self.store.clauses(d.doc_id)
            if c.heading.strip().lower() == heading
        ]

    def conventions(self, rec_id: str | None) -> Piece:
        """The requirement keywords, quoted from the Conventions clause most Recommendations share;
        the series' own wording wins when at least two of its Recommendations use it."""
        piece = Piece()
        found = []
        for doc, clause in self._clauses_headed("conventions"):
            lines = [
                p.strip().replace("“", '"').replace("”", '"') for p in clause.text.split("\n") if p.strip()
            ]
            start = next((i for i, line in enumerate(lines) if line.startswith("The keywords")), None)
            if start is not None:
                found.append((tuple(lines[start:]), doc, clause))
        if not found:
            piece.notices.append(
                "No Conventions clause with requirement keywords in the library; 5 reads 'None.'"
            )
            return piece
        counts = Counter(paragraphs for paragraphs, _, _ in found)
        wanted = series_of(rec_id)
        same = [f for f in found if series_of(f[1].rec_id) == wanted and counts[f[0]] >= 2]
        paragraphs, doc, clause = max(same or found, key=lambda f: counts[f[0]])
        piece.lines.extend(paragraphs)
        piece.citations.append(self.cite(doc.doc_id, doc.rec_id, clause.number, "\n".join(paragraphs)))
        return piece

    def keywords(self, rec_id: str | None) -> list[str]:
        """The quoted keywords of the series ("is required to", "is recommended", ...)."""
        return [m for line in self.conventions(rec_id).lines for m in re.findall(r'"([^"]+)"', line)]

    def references_intro(self) -> Piece:
        """The standard first paragraph of clause 2, as most indexed ITU-T Recommendations print it."""
        piece = Piece()
        firsts: Counter[str] = Counter()
        where: dict[str, tuple[DocumentSummary, Clause]] = {}
        for doc, clause in self._clauses_headed("references"):
            first = clause.text.strip().split("\n", 1)[0].strip()
            if first.startswith("The following ITU-T Recommendations"):
                firsts[first] += 1
                where.setdefault(first, (doc, clause))
        if firsts:
            text = firsts.most_common(1)[0][0]
            doc, clause = where[text]
            piece.lines.append(text)
            piece.citations.append(self.cite(doc.doc_id, doc.rec_id, clause.number, text))
        return piece

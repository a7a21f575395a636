"""References: entry format, every entry cited and every citation listed, and each ITU entry checked
against the catalog for its identifier, edition and title (Author's guide 8.2, 8.10 and Annex D)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Citation, Finding, Severity
from copilot.checker.rules import skeleton
from copilot.checker.rules.base import CheckContext, Need, Rule, draft_citation, normalized
from ingest.catalog import CatalogEntry, RecStatus
from ingest.metadata import normalize_rec_id
from ingest.models import Reference

_TAG = re.compile(r"\[([^\[\]\n]{2,80})\]")
_TAG_START = (
    r"(?:b-|(?:ITU-[TR]|CCITT|ISO|IEC|IETF|IEEE|ETSI|3GPP|ATIS|ANSI|W3C|OMA|BBF|MEF|ONF|OIF|ECMA|CEN|NIST)\b)"
)
_REFERENCE_TAG = re.compile(f"^{_TAG_START}")
# Several tags in one bracket: "[b-ITU-T J.89, b-ITU-T J.187]" (a comma then another tag), or "A; B".
_TAG_SEPARATOR = re.compile(rf";\s*|,\s*(?={_TAG_START})")
# A tag, or a standards body's designation with a year: prose that strayed into the clause is not an entry.
_ENTRY_LIKE = re.compile(r"^\[|\b(?:ITU-[TR]|CCITT|ISO|IEC|IETF|RFC|IEEE|ETSI|3GPP)\b.*\b(?:19|20)\d\d\b")
_SUPPLEMENT = re.compile(r"\b([A-Z])[-.\s]?Sup(?:p|pl)?\.?\s*(\d+)")
_ITU_ENTRY = re.compile(
    r"^Recommendations?\s+(?:ITU-[TR]|CCITT)\s+[A-Z]{1,3}[.\s][^\s,(]*(?:\s*\|[^,(]*)?"
    r"(?:,\s*Annex\s+\w+)?\s*\((?:\d{1,2}/)?(?:19|20)\d\d\)[^,]*,\s*\S"
)


def tag_key(tag: str) -> str:
    """'[ITU-T\u00a0Y.3510]' and '[ITU-T Y.3510]' are one tag, and so are '[b- OCP BS]' and '[b-OCP BS]'."""
    key = re.sub(r"\s+", " ", tag.replace("\u00a0", " ").replace("\u2011", "-")).strip().strip("[]").strip()
    return re.sub(r"^b-\s+", "b-", key)


@dataclass
class Entry:
    """A line of clause 2 or the Bibliography, with its position and the record extracted from it."""

    paragraph: Paragraph
    line: str
    normative: bool
    record: Reference | None

    @property
    def tag(self) -> str | None:
        """The citation tag, also when its opening bracket is missing ("IETF RFC 7679] ...")."""
        m = re.match(r"^\[?([^\[\]\n]{2,80})\]", self.line)
        return tag_key(m.group(1)) if m else None


def entries(draft: Draft) -> list[Entry]:
    clause = skeleton.find(draft, skeleton.REFERENCES)
    regions = [(draft.subtree_numbers(clause), True), (skeleton.bibliography(draft), False)]
    by_tag = {tag_key(r.tag): r for r in draft.records.references if r.tag}
    out: list[Entry] = []
    for numbers, normative in regions:
        for p in draft.paragraphs:
            if p.clause not in numbers:
                continue
            for line in p.text.split("\n"):
                text = re.sub(r"[ \t\u00a0]+", " ", line).strip()
                if not _ENTRY_LIKE.search(text) or _is_opening(text):
                    continue
                entry = Entry(p, text, normative, None)
                entry.record = by_tag.get(entry.tag or "")
                out.append(entry)
    return out


def _is_opening(text: str) -> bool:
    return normalized(skeleton.REFERENCES_OPENING)[:60] in normalized(text) or bool(
        re.match(r"^(?:This Recommendation|The following|For the purposes)", text)
    )


def cited_tags(draft: Draft) -> dict[str, Paragraph]:
    """Reference-like tags cited outside clause 2 and the Bibliography, with their first paragraph."""
    exclude = skeleton.region(draft, skeleton.REFERENCES) | skeleton.bibliography(draft)
    found: dict[str, Paragraph] = {}
    for p in draft.body(exclude):
        for m in _TAG.finditer(p.text):
            for part in _TAG_SEPARATOR.split(m.group(1)):
                key = tag_key(part)
                if _REFERENCE_TAG.match(key) and "(" not in key and len(key.split()) <= 5:
                    found.setdefault(key, p)
    return found


class EntryFormat(Rule):
    id = "references.format"
    category = Category.REFERENCES
    severity = Severity.WARNING
    rationale = "An entry reads '[ITU-T X.n] Recommendation ITU-T X.n (yyyy), Title' (Author's guide 8.2)."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        for entry in entries(draft):
            problem = self._problem(entry)
            if problem:
                out.append(
                    self.finding(
                        f"Reference entry is malformed: {problem}.",
                        entry.paragraph.location,
                        [draft_citation(draft, entry.paragraph.location, entry.line)],
                        suggestion="[ITU-T X.n] Recommendation ITU-T X.n (yyyy), Title.",
                    )
                )
        return out

    @staticmethod
    def _problem(entry: Entry) -> str | None:
        tag = entry.tag
        if tag is None:
            return "no citation tag in square brackets"
        if not entry.line.startswith("["):
            return f"the tag [{tag}] misses its opening bracket"
        if not entry.normative and not tag.startswith("b-"):
            return f"a bibliography tag starts with 'b-' ([b-{tag}])"
        if entry.normative and tag.startswith("b-"):
            return f"'[{tag}]' is a bibliography tag in the normative references"
        tag_id = normalize_rec_id(tag)
        if tag_id is None or not re.match(r"^(?:b-)?ITU-[TR] ", tag):
            return None
        body = entry.line[entry.line.index("]") + 1 :].strip()
        if not re.match(r"^Recommendations?\s", body):
            itu_rec = entry.normative and "Suppl" not in tag_id
            return "an ITU entry starts 'Recommendation ITU-T'" if itu_rec else None
        if not _ITU_ENTRY.match(body):
            return "expected 'Recommendation ITU-T X.n (yyyy), Title'"
        body_id = normalize_rec_id(body[:80])
        if body_id and body_id.split(" Annex")[0] != tag_id.split(" Annex")[0]:
            return f"the tag names {tag_id} but the entry {body_id}"
        return None


class Uncited(Rule):
    id = "references.uncited"
    category = Category.REFERENCES
    severity = Severity.WARNING
    rationale = "The normative part makes use of all references in clause 2 (Author's guide Annex D)."
    skeleton_only = True

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        cited = cited_tags(draft)
        exclude = skeleton.region(draft, skeleton.REFERENCES) | skeleton.bibliography(draft)
        body = normalized("\n".join(p.text for p in draft.body(exclude)))
        out: list[Finding] = []
        for entry in entries(draft):
            tag = entry.tag
            if tag is None or not entry.normative or tag in cited or self._mentioned(entry, body):
                continue
            out.append(
                self.finding(
                    f"[{tag}] is listed in clause 2 but never cited in the text.",
                    entry.paragraph.location,
                    suggestion=f"Cite [{tag}] where its provisions apply, or move it to the Bibliography.",
                )
            )
        return out

    @staticmethod
    def _mentioned(entry: Entry, body: str) -> bool:
        """Cited without its tag ("Recommendation ITU-T Y.3510 specifies ..."): counts as used."""
        rec_id = entry.record.cited_id if entry.record else None
        if not rec_id or not rec_id.startswith("ITU-"):
            return False
        return re.search(rf"(?<!b-){re.escape(rec_id.lower())}(?![\d.])", body) is not None


class Unlisted(Rule):
    id = "references.unlisted"
    category = Category.REFERENCES
    severity = Severity.ERROR
    rationale = "Each cited document is introduced in clause 2 (or the Bibliography) with its citation tag."
    skeleton_only = True  # an amendment's or annex's references are listed in its Recommendation

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        listed = {e.tag for e in entries(draft) if e.tag}
        by_document = {self.document_key(tag): tag for tag in listed}
        out: list[Finding] = []
        for tag, p in cited_tags(draft).items():
            if tag in listed or (draft.meta.rec_id and normalize_rec_id(tag) == draft.meta.rec_id):
                continue  # a Recommendation citing itself ("as in [ITU-T X.609.7]") lists nothing
            where = "the Bibliography" if tag.startswith("b-") else "clause 2"
            same = by_document.get(self.document_key(tag))
            out.append(
                self.finding(
                    f"[{tag}] is cited but not listed in {where}.",
                    p.location,
                    [draft_citation(draft, p.location, p.text)],
                    suggestion=f"Cite it as [{same}], the tag its entry has."
                    if same
                    else f"Add [{tag}] to {where}, or correct the citation.",
                )
            )
        return out

    @staticmethod
    def document_key(tag: str) -> str:
        """'[ITU-T J.94]', '[b-ITU-T J. 94]' and '[ITU-T Rec. J.94]' name one document: an entry
        listed under another spelling of the tag is a citation to correct, not an entry to add."""
        return re.sub(r"[^a-z0-9.]|\brec\.", "", tag.lower().removeprefix("b-"))


class _CatalogRule(Rule):
    """Looks each ITU entry up in the catalog (editions, status, titles)."""

    needs = frozenset({Need.CATALOG})

    @staticmethod
    def itu_entries(draft: Draft) -> list[tuple[Entry, Reference]]:
        return [
            (e, e.record)
            for e in entries(draft)
            if e.record is not None
            and re.match(r"^(?:b-)?ITU-[TR] ", e.tag or "")
            and "x" not in e.line.split(",")[0]  # a series ("Q.4xx-series"), not one Recommendation
        ]

    @staticmethod
    def catalog_citation(entry: CatalogEntry) -> Citation:
        text = f"{entry.label}, {entry.title or ''} [{entry.status.value}]"
        return Citation(doc_id="catalog", rec_id=entry.rec_id, text=text, path=entry.url)


class UnknownIdentifier(_CatalogRule):
    id = "references.unknown"
    category = Category.REFERENCES
    severity = Severity.ERROR
    rationale = "A referenced ITU Recommendation exists: its number is in ITU's catalog."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        assert context.catalog is not None
        out: list[Finding] = []
        for entry, ref in self.itu_entries(draft):
            tag = re.sub(r"^b-", "", entry.tag or "")
            supplement = _SUPPLEMENT.sub(r"\1.Sup\2", tag)  # "G-Sup.39", "A.Supp3" -> "G.Sup39", "A.Sup3"
            if any(context.catalog.editions(key) for key in (ref.cited_id, tag, supplement)):
                continue
            out.append(
                self.finding(
                    f"{ref.cited_id} ([{entry.tag}]) is not in the ITU catalog.",
                    entry.paragraph.location,
                    [draft_citation(draft, entry.paragraph.location, entry.line)],
                    suggestion="Check the Recommendation number.",
                )
            )
        return out


class EditionStatus(_CatalogRule):
    id = "references.edition"
    category = Category.REFERENCES
    severity = Severity.WARNING
    rationale = "References cite editions valid at approval, not superseded or withdrawn ones (guide 8.2)."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        catalog = context.catalog
        assert catalog is not None
        out: list[Finding] = []
        for entry, ref in self.itu_entries(draft):
            if not ref.edition_year or not catalog.editions(ref.cited_id):
                continue
            cited = catalog.entry(ref.cited_id, ref.edition_year)
            newer = self.newer_edition(catalog.editions(ref.cited_id), cited, draft.meta.edition)
            message: str | None = None
            suggestion = None
            if cited is None or (cited.year and cited.year != ref.edition_year):
                message = f"The catalog has no {ref.edition_year} edition of {ref.cited_id}."
                latest = catalog.latest(ref.cited_id)
                suggestion = f"Cite {latest.label}." if latest else None
                cited = latest
            elif cited.status is RecStatus.WITHDRAWN:
                message = f"{cited.label} is withdrawn."
                suggestion = "Remove the reference or cite the text that replaces it."
            elif newer is not None:
                message = f"{cited.label} was superseded by {newer.label}."
                newer = catalog.latest(ref.cited_id) or newer
                suggestion = f"Cite Recommendation {newer.rec_id} ({newer.year}), {newer.title}."
            if message:
                evidence = [self.catalog_citation(e) for e in (cited, newer) if e is not None]
                out.append(self.finding(message, entry.paragraph.location, evidence, suggestion))
        return out

    @staticmethod
    def newer_edition(
        editions: list[CatalogEntry], cited: CatalogEntry | None, draft_date: str | None
    ) -> CatalogEntry | None:
        """The first edition that replaced ``cited`` by the draft's date (today for a draft): one
        published after the draft does not make its reference wrong ("the editions indicated were
        valid" at publication)."""
        if cited is None or not cited.edition:
            return None
        by = draft_date or "9999"
        later = [e for e in editions if e.edition and cited.edition < e.edition <= by]
        return min(later, key=lambda e: e.edition or "") if later else None


class TitleDiffers(_CatalogRule):
    id = "references.title"
    category = Category.REFERENCES
    severity = Severity.WARNING
    rationale = "ITU Recommendations are cited by their full title as published."
    SIMILAR = 0.9

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        catalog = context.catalog
        assert catalog is not None
        out: list[Finding] = []
        for entry, ref in self.itu_entries(draft):
            cited = catalog.entry(ref.cited_id, ref.edition_year)
            if cited is None or not cited.title or not ref.title:
                continue
            if self.same(ref.title, cited.title):
                continue
            where = entry.paragraph.location
            out.append(
                self.finding(
                    f"The title of {ref.cited_id} differs from the catalog's: "
                    f"'{ref.title}' vs '{cited.title}'.",
                    where,
                    [draft_citation(draft, where, entry.line), self.catalog_citation(cited)],
                    suggestion=f"Use the published title: {cited.title}.",
                )
            )
        return out

    def same(self, mine: str, theirs: str) -> bool:
        a = re.sub(r"[^0-9a-z]+", " ", normalized(mine)).strip()
        b = re.sub(r"[^0-9a-z]+", " ", normalized(theirs)).strip()
        return a == b or a.startswith(b) or difflib.SequenceMatcher(None, a, b).ratio() >= self.SIMILAR


RULES = (EntryFormat(), Uncited(), Unlisted(), UnknownIdentifier(), EditionStatus(), TitleDiffers())

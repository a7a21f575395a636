"""Abbreviations: clause 4 lists, in alphabetical order, every abbreviation the text uses and no other,
expanded as the rest of ITU-T expands it (Author's guide 8.4)."""

from __future__ import annotations

import re
from collections import Counter

from copilot.checker.draft import Draft, Paragraph
from copilot.checker.models import Category, Finding, Location, Severity
from copilot.checker.rules import skeleton
from copilot.checker.rules.base import CheckContext, Need, Rule, draft_citation, normalized
from ingest.models import Abbreviation

# Two or more capitals (letters or digits after the first), optional plural "s": ATM, QoS, IMT-2020, VNFs.
_TOKEN = re.compile(r"(?<![\w\-/.&])([A-Z][A-Za-z0-9]*[A-Z0-9](?:-[A-Z0-9]+)*)(?:s)?(?![\w\-/&])")
_BRACKETS = re.compile(r"\[[^\]\n]{1,80}\]")
_ROMAN = re.compile(r"^[IVXLC]+$")
# Not to be listed: ITU and other major SDOs (guide 8.4 NOTE 2), SI units (NOTE 1), document words.
_EXEMPT = frozenset(
    [
        "ITU",
        "ITU-T",
        "ITU-R",
        "ITU-D",
        "CCITT",
        "CCIR",
        "TSB",
        "BR",
        "BDT",
        "ISO",
        "IEC",
        "JTC",
        "IETF",
        "IEEE",
        "ETSI",
        "3GPP",
        "3GPP2",
        "ANSI",
        "ATIS",
        "W3C",
        "NOTE",
        "NOTES",
        "TABLE",
        "FIGURE",
        "ANNEX",
        "APPENDIX",
        "SI",
        "RFC",
        "ASN",
        "OK",
        "ID",
        "ON",
        "OFF",
        "AND",
        "OR",
        "NOT",
        "TRUE",
        "FALSE",
        "NULL",
        "MHz",
        "GHz",
        "kHz",
        "THz",
        "Hz",
        "dB",
        "dBm",
        "dBW",
        "dBi",
        "Gbit",
        "Mbit",
        "kbit",
        "GB",
        "MB",
        "KB",
        "TB",
        "PB",
        "kbps",
        "Mbps",
        "Gbps",
    ]
)


def listed(draft: Draft) -> list[Abbreviation]:
    return draft.records.abbreviations


def used_abbreviations(draft: Draft) -> dict[str, Paragraph]:
    """Abbreviation-like tokens of the running text (not tables, clauses 2 and 4 or the Bibliography),
    each with the paragraph of its first use. A capitalised word the text also writes in lower case
    ("MAY", "KEY") is emphasis, not an acronym."""
    lists = skeleton.region(draft, skeleton.REFERENCES, skeleton.ABBREVIATIONS)
    exclude = lists | skeleton.bibliography(draft)
    paragraphs = draft.body(exclude)
    words = set(re.findall(r"\b[a-z]{2,}\b", "\n".join(p.text for p in paragraphs)))
    first: dict[str, Paragraph] = {}
    for p in paragraphs:
        if p.table:
            continue
        for m in _TOKEN.finditer(_BRACKETS.sub(" ", p.text)):
            token = m.group(1)
            if token in _EXEMPT or _ROMAN.match(token) or len(token) > 12 or token.lower() in words:
                continue
            if token.isupper() and len(token) > 6:  # an all-capitals word (ASN.1 keyword), not an acronym
                continue
            first.setdefault(token, p)
    return first


def entry_location(draft: Draft, abbreviation: Abbreviation) -> Location | None:
    clause = skeleton.find(draft, skeleton.ABBREVIATIONS)
    if clause is None:
        return None
    for p in draft.paragraphs_of(clause):
        if p.text.strip().startswith(abbreviation.abbreviation):
            return p.location
    return draft.location_of(clause)


class AlphabeticalOrder(Rule):
    id = "abbreviations.order"
    category = Category.ABBREVIATIONS
    severity = Severity.WARNING
    rationale = "Clause 4 lists the abbreviations and acronyms in alphabetical order."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        entries = listed(draft)
        for before, entry in zip(entries, entries[1:], strict=False):
            if self.out_of_order(before.abbreviation, entry.abbreviation):
                out.append(
                    self.finding(
                        f"'{entry.abbreviation}' is listed after '{before.abbreviation}', "
                        "out of alphabetical order.",
                        entry_location(draft, entry),
                        suggestion=f"Move '{entry.abbreviation}' before '{before.abbreviation}'.",
                    )
                )
        return out

    @staticmethod
    def out_of_order(before: str, after: str) -> bool:
        """Out of order both letter by letter ignoring case and punctuation, and as Word sorts
        (capitals first): lists follow either convention, so only what both reject is wrong."""
        folded = re.sub(r"[^0-9a-z]", "", after.casefold()) < re.sub(r"[^0-9a-z]", "", before.casefold())
        return folded and after < before


class Unlisted(Rule):
    id = "abbreviations.unlisted"
    category = Category.ABBREVIATIONS
    severity = Severity.WARNING
    rationale = "Clause 4 includes all abbreviations and acronyms used in the Recommendation."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        if skeleton.find(draft, skeleton.ABBREVIATIONS) is None:
            return []  # no list to compare with: structure.required-clauses reports that
        known = {a.abbreviation for a in listed(draft)}
        known |= {a.abbreviation.rstrip("s") for a in listed(draft)}
        terms = " ".join(d.term for d in draft.records.definitions)
        out: list[Finding] = []
        for token, p in used_abbreviations(draft).items():
            if token in known or token in terms:
                continue
            expansions = context.abbreviations(token)
            expansion = expansions[0].expansion if expansions else None
            hint = f" (elsewhere in ITU-T: {expansion})" if expansion else ""
            out.append(
                self.finding(
                    f"'{token}' is used but not listed in clause 4{hint}.",
                    p.location,
                    suggestion=f"Add '{token}<TAB>{expansion or '<expansion>'}' to clause 4.",
                )
            )
        return out


class Unused(Rule):
    id = "abbreviations.unused"
    category = Category.ABBREVIATIONS
    severity = Severity.WARNING
    rationale = "Clause 4 lists the abbreviations used in the Recommendation, not others."

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        exclude = skeleton.region(draft, skeleton.ABBREVIATIONS)
        text = "\n".join(p.text for p in draft.body(exclude))
        out: list[Finding] = []
        for entry in listed(draft):
            pattern = rf"(?<![\w-]){re.escape(entry.abbreviation)}(?![\w-])"
            if re.search(pattern, text) or re.search(pattern.replace(r"(?![\w-])", r"s(?![\w-])"), text):
                continue
            out.append(
                self.finding(
                    f"'{entry.abbreviation}' is listed in clause 4 but never used.",
                    entry_location(draft, entry),
                    suggestion=f"Delete '{entry.abbreviation}' from clause 4.",
                )
            )
        return out


class ExpansionDiffers(Rule):
    id = "abbreviations.expansion"
    category = Category.ABBREVIATIONS
    severity = Severity.WARNING
    rationale = "An abbreviation is expanded the way other ITU-T Recommendations expand it."
    needs = frozenset({Need.CORPUS})
    CONSENSUS = 2 / 3

    def run(self, draft: Draft, context: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        text = "\n".join(p.text for p in draft.body(skeleton.region(draft, skeleton.ABBREVIATIONS)))
        for entry in listed(draft):
            corpus = context.abbreviations(entry.abbreviation)
            if not corpus or self.spelled_out(entry, text):
                continue
            mine = self.key(entry.expansion)
            by_document = {
                (a.doc_id, self.key(a.expansion)) for a in corpus
            }  # a vocabulary lists each meaning once
            counts = Counter(key for _, key in by_document)
            if mine in counts:
                continue
            common, n = counts.most_common(1)[0]
            if n / len({doc for doc, _ in by_document}) < self.CONSENSUS:
                continue  # the corpus itself does not agree: several meanings
            agreeing = [a for a in corpus if self.key(a.expansion) == common]
            where = entry_location(draft, entry)
            out.append(
                self.finding(
                    f"'{entry.abbreviation}' is expanded as '{entry.expansion}'; "
                    f"{len(agreeing)} indexed Recommendation(s) expand it as '{agreeing[0].expansion}'.",
                    where,
                    [draft_citation(draft, where or Location(), f"{entry.abbreviation}\t{entry.expansion}")]
                    + [
                        context.cite(a.doc_id, a.rec_id, "4", f"{a.abbreviation}\t{a.expansion}")
                        for a in agreeing[:3]
                    ],
                    suggestion=f"{entry.abbreviation}\t{agreeing[0].expansion}",
                )
            )
        return out

    @classmethod
    def spelled_out(cls, entry: Abbreviation, text: str) -> bool:
        """The draft's own text introduces the abbreviation with this expansion ("an optical
        demultiplexer (OD)"): the draft means that sense, even where the library's consensus is
        another one (J.1's "OD  Output Device")."""
        mine = cls.key(entry.expansion)
        reach = 3 * len(entry.expansion)
        introduced = re.finditer(rf"\(\s*{re.escape(entry.abbreviation)}s?\s*\)", text)
        before = (cls.key(text[max(0, m.start() - reach) : m.start()]) for m in introduced)
        return bool(mine) and any(words.endswith(mine) for words in before)

    @staticmethod
    def key(expansion: str) -> str:
        """The expansion's words only: vocabularies such as [ITU-T J.1] append the source tags
        ("Wide Area Network [b-ITU-T J.126]") and plural marks ("System(s)") to an entry, and
        British and American spellings ("Virtualised", "Virtualized") name the same thing."""
        text = re.sub(r"\[[^\]]*\]|\((?:s|see [^)]*)\)", " ", normalized(expansion))
        text = re.sub(r"is(?=(?:e|ed|es|ing|ation)\b)", "iz", text)
        return re.sub(r"[^0-9a-z]", "", text)


RULES = (AlphabeticalOrder(), Unlisted(), Unused(), ExpansionDiffers())

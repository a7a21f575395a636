"""The draft under check: its clause tree, its records, and every paragraph with where it sits.

Rules read the draft only through this object, so each sees the same parse (done once) and can
point at a clause, a paragraph and a page. The skeleton's clauses are found by number *and*
heading ("2 References"), since a draft may misnumber them and the rules must say so.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.checker.models import Location
from ingest.extract import RecordExtractor
from ingest.headings import is_front_matter
from ingest.metadata import identify
from ingest.models import Block, BlockKind, Clause, DocKind, DocumentMeta, Records
from ingest.parsers import parse_file
from ingest.structure import ClauseTree, ClauseTreeBuilder

PREAMBLE = "Preamble"
"""The pseudo-clause of text before clause 1 (cover, title, Summary and Keywords when unheaded)."""

_FRONT = re.compile(r"^(?P<name>Summary|Keywords)\b[\s:.\u00a0]*(?P<rest>.*)$", re.S)
_INFORMATIVE = re.compile(r"^(?:Appendix\s|Bibliography$|[IVXLC]+\.\d)")
_NOTE = re.compile(r"^NOTE(?:\s+\d+)?\s*[–—-]")
_COMMON_TEXT = re.compile(
    r"INTERNATIONAL STANDARD ISO/IEC|\|\s*ISO/IEC \d|^\W*INFORMATION TECHNOLOGY\s*[–—-]|ISO/IEC \d{4,5}",
    re.IGNORECASE | re.MULTILINE,
)
SKELETON_SINCE = "2002"
"""Recommendations published before this year predate the skeleton's mandatory clauses 1-5."""
_BACK_COVER = re.compile(r"^SERIES OF ITU-[TR] RECOMMENDATIONS\b")


class Paragraph(BaseModel):
    """One paragraph (or table) of the draft, with its position."""

    clause: str
    index: int
    """1-based position among the clause's paragraphs."""
    text: str
    page: int | None = None
    table: bool = False

    @property
    def location(self) -> Location:
        return Location(clause=self.clause, paragraph=self.index, page=self.page)

    @property
    def is_note(self) -> bool:
        return bool(_NOTE.match(self.text))


class Draft(BaseModel):
    """A parsed draft: metadata, clause tree, extracted records and positioned paragraphs."""

    path: str
    meta: DocumentMeta
    tree: ClauseTree
    records: Records
    paragraphs: list[Paragraph] = Field(default_factory=list)
    front: dict[str, Paragraph] = Field(default_factory=dict)
    """"Summary" / "Keywords": their (first) text paragraph, headed or run into the preamble."""

    # -- finding clauses ------------------------------------------------------------------------------

    def clause(self, number: str) -> Clause | None:
        found = self.tree.find(number)
        return found[0] if found else None

    def clause_named(self, pattern: str) -> Clause | None:
        """The first top-level clause whose heading matches ``pattern`` (case-insensitive)."""
        regex = re.compile(pattern, re.I)
        return next((c for c in self.tree.clauses if c.level == 1 and regex.search(c.heading)), None)

    def paragraphs_of(self, clause: Clause) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.clause == clause.number]

    def subtree_numbers(self, clause: Clause | None) -> set[str]:
        return {c.number for c in self.tree.subtree(clause)} if clause else set()

    def is_informative(self, number: str) -> bool:
        """Appendices (and their sub-clauses) and the Bibliography are not part of the Recommendation."""
        return bool(_INFORMATIVE.match(number))

    @property
    def skeleton_exemption(self) -> str | None:
        """Why the Recommendation skeleton does not apply, or None when it does: amendments,
        corrigenda, supplements, guides and resolutions have other layouts, and common texts with
        ISO/IEC follow [ITU-T A.23] instead of the Author's guide."""
        if self.meta.kind not in (DocKind.RECOMMENDATION, DocKind.OTHER):
            return f"{self.meta.kind.value}: the Recommendation skeleton does not apply"
        summary = [p for c in self.tree.clauses if c.number == "Summary" for p in c.paragraphs]
        if any(_COMMON_TEXT.search(p) for p in (*self.tree.preamble, *summary)):
            return "common text with ISO/IEC: [ITU-T A.23] applies instead of the skeleton"
        rec_id, edition = self.meta.rec_id or "", self.meta.edition or "9999"
        if re.match(r"^ITU-T [AD]\.", rec_id):
            return (
                "A- and D-series Recommendations (working methods, tariff principles) have their own layout"
            )
        if edition[:4] < SKELETON_SINCE:
            return f"published {edition[:4]}, before the Recommendation skeleton ({SKELETON_SINCE})"
        return None

    # -- the text a rule searches ---------------------------------------------------------------------

    def body(self, exclude: set[str]) -> list[Paragraph]:
        """Paragraphs of the Recommendation proper (clauses, annexes, appendices) outside ``exclude``."""
        return [p for p in self.paragraphs if p.clause != PREAMBLE and p.clause not in exclude]

    def location_of(self, clause: Clause | None) -> Location:
        if clause is None:
            return Location()
        return Location(clause=clause.number, page=clause.page_start)


def load_draft(path: Path) -> Draft:
    """Parse ``path`` (any format the library reads) into a Draft; ParseError when it cannot be read."""
    parsed = parse_file(path)
    tree = ClauseTreeBuilder().build(parsed.blocks)
    meta = identify(parsed, tree, path)
    records = RecordExtractor().extract(tree, meta)
    paragraphs = _positioned(tree, parsed.blocks)
    return Draft(
        path=str(path),
        meta=meta,
        tree=tree,
        records=records,
        paragraphs=paragraphs,
        front=_front(parsed.blocks),
    )


def _positioned(tree: ClauseTree, blocks: list[Block]) -> list[Paragraph]:
    """Number each clause's paragraphs and give each the page and kind of the block it came from.

    The tree keeps texts, not blocks; they are recovered by walking the blocks in the same order
    (every tree paragraph is some block's stripped text), so no parsing is repeated. The back cover
    ("SERIES OF ITU-T RECOMMENDATIONS"), which the tree leaves in the last clause, is dropped.
    """
    texts = [b for b in blocks if b.kind is not BlockKind.HEADING or not b.number]
    cursor = 0

    def block_of(text: str) -> Block | None:
        nonlocal cursor
        for i in range(cursor, min(cursor + 400, len(texts))):
            if texts[i].text.strip() == text:
                cursor = i + 1
                return texts[i]
        return None

    out: list[Paragraph] = []
    sections: list[tuple[str, int | None, list[str]]] = [(PREAMBLE, None, tree.preamble)]
    sections += [(c.number, c.page_start, c.paragraphs) for c in tree.clauses]
    for number, first_page, paragraphs in sections:
        for i, text in enumerate(paragraphs, 1):
            if _BACK_COVER.match(text):
                return out
            block = block_of(text)
            page = block.page if block is not None and block.page is not None else first_page
            table = block is not None and block.kind is BlockKind.TABLE
            out.append(Paragraph(clause=number, index=i, text=text, page=page, table=table))
    return out


def _front(blocks: list[Block]) -> dict[str, Paragraph]:
    """Summary and Keywords with their first text paragraph, read from the parser's blocks (headed, in a
    plain paragraph of their own, or run into their text), since the tree may file them under front
    matter it drops."""
    found: dict[str, Paragraph] = {}
    texts = [b for b in blocks if b.text.strip()]
    for i, block in enumerate(texts):
        m = _FRONT.match(block.text.strip())
        if m is None or m.group("name") in found or len(block.text) > 4000:
            continue
        name, rest = m.group("name"), m.group("rest").strip()
        following = texts[i + 1] if i + 1 < len(texts) else None
        if not rest and following is not None and _is_text(following):
            rest, block = following.text.strip(), following
        found[name] = Paragraph(clause=name, index=1, text=rest, page=block.page)
    return found


def _is_text(block: Block) -> bool:
    """A paragraph of text, not the next heading or front-matter title."""
    title = block.text.strip()
    return block.kind is not BlockKind.HEADING and not _FRONT.match(title) and not is_front_matter(title)

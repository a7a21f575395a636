"""Tracked changes in Word files: insertions and deletions written as OOXML revisions (``<w:ins>``,
``<w:del>``) with an author and a date, so that Word's Accept and Reject work on them.

Shared by everything that proposes text to an editor (edition redlines, the checker's fixes): a
change keeps the formatting of the run it falls in, whole paragraphs can be inserted or deleted with
their paragraph mark tracked, and a comment can sit next to a revision. ``accept_all`` and
``reject_all`` apply the revisions to the XML as Word would, for tests and previews.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from copilot.editions.textdiff import token_opcodes

AUTHOR = "Rapporteur"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_W_T, _W_DEL_TEXT = qn("w:t"), qn("w:delText")
_W_R, _W_P, _W_PPR, _W_RPR = qn("w:r"), qn("w:p"), qn("w:pPr"), qn("w:rPr")
_W_INS, _W_DEL = qn("w:ins"), qn("w:del")
_CHAR = {
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_SKIPPED = {_W_PPR, _W_DEL, qn("w:moveFrom")}
"""Children of a paragraph whose text is not shown once revisions are accepted."""


# -- reading ----------------------------------------------------------------------------------------


def _child_text(child: etree._Element) -> str:
    if child.tag in (_W_T, _W_DEL_TEXT):
        return child.text or ""
    return _CHAR.get(child.tag, "")


def _runs(p: etree._Element) -> Iterator[etree._Element]:
    """The visible runs of a paragraph in order (inside hyperlinks, fields and insertions too, not in
    deletions nor in text boxes, which are paragraphs of their own)."""
    for child in p:
        if child.tag == _W_R:
            yield child
        elif child.tag not in _SKIPPED and child.tag != _W_P:
            yield from _runs(child)


def visible_text(p: etree._Element) -> str:
    """A paragraph's text as Word shows it with all revisions accepted (tabs and breaks included)."""
    return "".join(_child_text(c) for r in _runs(p) for c in r)


def body_paragraphs(document: DocxDocument) -> list[Paragraph]:
    """Every paragraph of the body in reading order, those in table cells included."""
    body = document.element.body
    return [Paragraph(p, document) for p in body.iter(_W_P) if not _in_text_box(p)]


def _in_text_box(p: etree._Element) -> bool:
    parent = p.getparent()
    while parent is not None:
        if parent.tag == qn("w:txbxContent"):
            return True
        parent = parent.getparent()
    return False


# -- writing ----------------------------------------------------------------------------------------


class RevisionWriter:
    """Writes tracked revisions into one document; ids are unique across the document."""

    def __init__(self, document: DocxDocument, author: str = AUTHOR, date: datetime | None = None) -> None:
        self.document = document
        self.author = author
        self.date = (date or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        used = [int(v) for v in document.element.body.xpath("//w:ins/@w:id | //w:del/@w:id") if v.isdigit()]
        self._next_id = max(used, default=0) + 1

    def _mark(self, tag: str) -> etree._Element:
        element = etree.Element(tag)
        element.set(qn("w:id"), str(self._next_id))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        self._next_id += 1
        return element

    # paragraphs whose text changes -----------------------------------------------------------------

    def edit(self, paragraph: Paragraph, new_text: str) -> bool:
        """Change the paragraph's text to ``new_text`` as tracked word changes (accepting gives
        ``new_text``, rejecting the text it had); False when there was nothing to change."""
        return self._rewrite(paragraph._p, visible_text(paragraph._p), new_text, holds_new=False)

    def show_old(self, paragraph: Paragraph, old_text: str) -> bool:
        """Mark the paragraph's text as the new version of ``old_text`` (rejecting gives ``old_text``,
        accepting the text it has); False when they are the same."""
        return self._rewrite(paragraph._p, old_text, visible_text(paragraph._p), holds_new=True)

    def _rewrite(self, p: etree._Element, old: str, new: str, holds_new: bool) -> bool:
        if old == new:
            return False
        a, b, ops = token_opcodes(old, new)
        # Where each change lies in the text the paragraph holds now, and what text it brings.
        held: list[tuple[int, int, str]] = []  # (start, end, "keep" | "wrap") over the held text
        added: list[tuple[int, str]] = []  # (offset in the held text, text to add)
        position = 0
        for op, i1, i2, j1, j2 in ops:
            old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
            present, absent = (new_part, old_part) if holds_new else (old_part, new_part)
            if op == "equal":
                held.append((position, position + len(present), "keep"))
            elif present:
                held.append((position, position + len(present), "wrap"))
            if op != "equal" and absent:
                # A deletion goes before the insertion that replaces it, as Word writes it.
                added.append((position if holds_new else position + len(present), absent))
            position += len(present)
        cuts = sorted({x for s, e, _ in held for x in (s, e)} | {o for o, _ in added})
        pieces = _split_runs(p, cuts)
        for start, end, what in held:
            if what == "wrap":
                for run in (r for s, e, r in pieces if s >= start and e <= end and e > s):
                    self._wrap(run, deleted=not holds_new)
        for offset, text in reversed(added):
            self._add_text(p, pieces, offset, text, deleted=holds_new)
        return True

    def _wrap(self, run: etree._Element, deleted: bool) -> None:
        mark = self._mark(_W_DEL if deleted else _W_INS)
        run.addprevious(mark)
        mark.append(run)
        if deleted:
            for t in run.iter(_W_T):
                t.tag = _W_DEL_TEXT
            for t in run.iter(qn("w:instrText")):
                t.tag = qn("w:delInstrText")

    def _add_text(
        self,
        p: etree._Element,
        pieces: list[tuple[int, int, etree._Element]],
        offset: int,
        text: str,
        deleted: bool,
    ) -> None:
        """A new run with ``text`` at ``offset``, formatted like the run it touches."""
        before = [r for s, e, r in pieces if e <= offset and e > s]
        after = [r for s, e, r in pieces if s >= offset and e > s]
        model = before[-1] if before else (after[0] if after else None)
        run = _make_run(text, model.find(_W_RPR) if model is not None else None, deleted)
        mark = self._mark(_W_DEL if deleted else _W_INS)
        mark.append(run)
        anchor = after[0] if after else None
        if anchor is not None:
            _outermost(anchor, p).addprevious(mark)
        elif before:
            _outermost(before[-1], p).addnext(mark)
        else:
            p.append(mark)

    # whole paragraphs ------------------------------------------------------------------------------

    def insert_paragraph(
        self,
        anchor: Paragraph,
        text: str,
        *,
        before: bool = True,
        style: str | None = None,
        deleted: bool = False,
    ) -> Paragraph:
        """A new paragraph next to ``anchor`` as a tracked insertion, or with ``deleted`` as tracked
        removed text (an old paragraph the document no longer has). ``style`` is a style id."""
        p = etree.Element(_W_P)
        ppr = etree.SubElement(p, _W_PPR)
        if style is not None:
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style)
        etree.SubElement(ppr, _W_RPR).append(self._mark(_W_DEL if deleted else _W_INS))
        if text:
            mark = self._mark(_W_DEL if deleted else _W_INS)
            mark.append(_make_run(text, None, deleted))
            p.append(mark)
        if before:
            anchor._p.addprevious(p)
        else:
            anchor._p.addnext(p)
        return Paragraph(p, anchor._parent)

    def mark_inserted(self, paragraph: Paragraph) -> None:
        """The whole paragraph, mark included, is new (rejecting removes it)."""
        self._mark_whole(paragraph._p, deleted=False)

    def mark_deleted(self, paragraph: Paragraph) -> None:
        """The whole paragraph, mark included, is removed (accepting removes it)."""
        self._mark_whole(paragraph._p, deleted=True)

    def _mark_whole(self, p: etree._Element, deleted: bool) -> None:
        for run in list(_runs(p)):
            self._wrap(run, deleted)
        ppr = p.find(_W_PPR)
        if ppr is None:
            ppr = etree.Element(_W_PPR)
            p.insert(0, ppr)
        rpr = ppr.find(_W_RPR)
        if rpr is None:
            rpr = etree.SubElement(ppr, _W_RPR)
        rpr.append(self._mark(_W_DEL if deleted else _W_INS))

    def comment(self, paragraph: Paragraph, text: str) -> None:
        """A comment on the paragraph's revised runs (all its runs when none is revised)."""
        p = paragraph._p
        revised = [
            r for r in p.iter(_W_R) if r.getparent() is not None and r.getparent().tag in (_W_INS, _W_DEL)
        ]
        runs = revised or list(_runs(p))
        if not runs:
            return
        from docx.text.run import Run

        wrapped = [Run(r, paragraph) for r in runs]
        self.document.add_comment(wrapped, text=text, author=self.author, initials=self.author[:2])


def _outermost(run: etree._Element, p: etree._Element) -> etree._Element:
    """The run, or the revision mark wrapping it, that is a direct neighbour in the paragraph's content."""
    node = run
    while node.getparent() is not None and node.getparent().tag in (_W_INS, _W_DEL):
        node = node.getparent()
    return node


def _make_run(text: str, rpr: etree._Element | None, deleted: bool) -> etree._Element:
    run = etree.Element(_W_R)
    if rpr is not None:
        run.append(_clean_rpr(rpr))
    text_tag = _W_DEL_TEXT if deleted else _W_T
    chunk = ""
    for char in text + "\x00":
        special = {"\t": qn("w:tab"), "\n": qn("w:br")}.get(char)
        if special or char == "\x00":
            if chunk:
                t = etree.SubElement(run, text_tag)
                t.text = chunk
                t.set(_XML_SPACE, "preserve")
                chunk = ""
            if special:
                etree.SubElement(run, special)
        else:
            chunk += char
    return run


def _clean_rpr(rpr: etree._Element) -> etree._Element:
    """Run properties to copy, without revision marks of their own."""
    out = copy.deepcopy(rpr)
    for tag in (_W_INS, _W_DEL, qn("w:rPrChange")):
        for found in out.findall(tag):
            out.remove(found)
    return out


def _split_runs(p: etree._Element, cuts: list[int]) -> list[tuple[int, int, etree._Element]]:
    """Split the paragraph's runs so that every cut offset falls between runs; returns each run
    with the span of the visible text it holds (runs holding no text have an empty span)."""
    out: list[tuple[int, int, etree._Element]] = []
    offset = 0
    for run in list(_runs(p)):
        length = sum(len(_child_text(c)) for c in run)
        inner = [c - offset for c in cuts if offset < c < offset + length]
        parts = _split_run(run, inner) if inner else [run]
        for part in parts:
            size = sum(len(_child_text(c)) for c in part)
            out.append((offset, offset + size, part))
            offset += size
    return out


def _split_run(run: etree._Element, cuts: list[int]) -> list[etree._Element]:
    """``run`` cut at the given offsets into runs with the same properties, in place."""
    rpr = run.find(_W_RPR)
    content = [c for c in run if c.tag != _W_RPR]
    pieces: list[list[etree._Element]] = [[]]
    position = 0
    bounds = list(cuts)
    for child in content:
        if child.tag in (_W_T, _W_DEL_TEXT) and child.text:
            text = child.text
            while bounds and position < bounds[0] < position + len(text):
                head = bounds.pop(0) - position
                piece = copy.deepcopy(child)
                piece.text = text[:head]
                piece.set(_XML_SPACE, "preserve")
                pieces[-1].append(piece)
                pieces.append([])
                text, position = text[head:], position + head
            child.text = text
            child.set(_XML_SPACE, "preserve")
        pieces[-1].append(child)
        position += len(_child_text(child))
        if bounds and bounds[0] == position:
            bounds.pop(0)
            pieces.append([])
    runs: list[etree._Element] = []
    for children in (c for c in pieces if c):
        new = etree.Element(_W_R)
        if rpr is not None:
            new.append(copy.deepcopy(rpr))
        new.extend(children)
        runs.append(new)
    for new in runs:
        run.addprevious(new)
    run.getparent().remove(run)
    return runs


# -- applying revisions (tests, previews) -------------------------------------------------------------


def accept_all(root: etree._Element) -> None:
    """Apply every insertion and deletion under ``root`` as Word's Accept All does."""
    _resolve(root, keep=_W_INS, drop=_W_DEL)


def reject_all(root: etree._Element) -> None:
    """Undo every insertion and deletion under ``root`` as Word's Reject All does."""
    _resolve(root, keep=_W_DEL, drop=_W_INS)


def _resolve(root: etree._Element, keep: str, drop: str) -> None:
    # Paragraph marks first: a paragraph whose mark goes merges into the next one.
    for p in list(root.iter(_W_P)):
        rpr = p.find(f"{_W_PPR}/{_W_RPR}")
        if rpr is None:
            continue
        for mark in rpr.findall(keep):
            rpr.remove(mark)
        dropped = rpr.findall(drop)
        for mark in dropped:
            rpr.remove(mark)
        if dropped:
            _merge_into_next(p)
    for mark in list(root.iter(drop)):
        if mark.getparent() is not None and mark.getparent().tag != _W_RPR:
            mark.getparent().remove(mark)
    for mark in list(root.iter(keep)):
        parent = mark.getparent()
        if parent is None or parent.tag == _W_RPR:
            continue
        for child in list(mark):
            if keep == _W_DEL:
                for t in child.iter(_W_DEL_TEXT):
                    t.tag = _W_T
                for t in child.iter(qn("w:delInstrText")):
                    t.tag = qn("w:instrText")
            mark.addprevious(child)
        parent.remove(mark)


def _merge_into_next(p: etree._Element) -> None:
    following = p.getnext()
    content = [c for c in p if c.tag != _W_PPR]
    if following is not None and following.tag == _W_P:
        ppr = following.find(_W_PPR)
        for child in reversed(content):
            if ppr is not None:
                ppr.addnext(child)
            else:
                following.insert(0, child)
        p.getparent().remove(p)
        return
    siblings = [c for c in p.getparent() if c.tag == _W_P]
    if len(siblings) > 1 or p.getparent().tag == qn("w:body"):
        p.getparent().remove(p)
    else:  # the last paragraph of a table cell stays, empty
        for child in content:
            p.remove(child)

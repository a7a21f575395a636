"""Edition comparison on real ITU texts: the published pairs in ../shared/corpus, and Word
Recommendations with scripted edits where every edit must be found in its clause and nothing else."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from copilot.checker.draft import load_draft
from copilot.editions.compare import compare, compare_files
from copilot.editions.models import ChangeKind, EditionDiff, RecordKind
from copilot.editions.redline_docx import write_redline
from copilot.redline import accept_all, body_paragraphs, reject_all, visible_text
from eval.checking.inject import Edit, apply
from ingest.models import Clause

WORD_RECS = [
    "itu-t/T-REC-T.621-201703-I!!MSW-E.docx",
    "itu-t/T-REC-H.782-201811-I!!MSW-E.docx",
    "itu-t/G.650.1-201803.docx",
    "itu-t/T-REC-Y.4500.15-201803-I!!MSW-E.docx",
    "itu-t/T-REC-G.698.2-201811-I!!MSW-E.docx",
]


def _by_clause(diff: EditionDiff) -> dict[tuple[str | None, str | None], ChangeKind]:
    return {(c.old_clause, c.new_clause): c.kind for c in diff.changes}


def test_j1108_draft_against_published(corpus_dir: Path) -> None:
    diff = compare_files(
        corpus_dir / "asciidoc/T-REC-J.1108-201901-P-draft.adoc",
        corpus_dir / "asciidoc/T-REC-J.1108-201901-P.adoc",
    )
    assert {c.kind for c in diff.changes} == {ChangeKind.CHANGED}  # same clauses, edited text
    scope = next(c for c in diff.changes if c.clause == "1")
    assert any("Draft" in w.old for p in scope.paragraphs for w in p.words)
    abbreviations = next(c for c in diff.changes if c.clause == "4")
    fibre = [r for r in abbreviations.records if r.key == "FTTH"]
    assert fibre and fibre[0].field == "expansion" and fibre[0].new == "Fibre To The Home"


def test_p_imp863_2018_against_2019(corpus_dir: Path) -> None:
    diff = compare_files(
        corpus_dir / "asciidoc/T-REC-P.Imp863-201805-I.adoc",
        corpus_dir / "asciidoc/T-REC-P.Imp863-201912-I.adoc",
    )
    kinds = _by_clause(diff)
    assert kinds[("6.7", "6.2")] is ChangeKind.RENUMBERED  # "Annex A, subfolder Results Ed. 3" kept
    assert {k for k, v in kinds.items() if v is ChangeKind.REMOVED} == {
        ("6.2", None), ("6.3", None), ("6.4", None), ("6.5", None), ("6.6", None), ("6.8", None)
    }  # fmt: skip
    summary = next(c for c in diff.changes if c.clause == "Summary")
    assert any(w.old == "May" and w.new == "November" for p in summary.paragraphs for w in p.words)
    assert diff.summary.unchanged >= 1 and ("5", "5") not in kinds  # Nomenclature untouched


def test_ccit_tutorial_2015_against_2017(corpus_dir: Path) -> None:
    diff = compare_files(
        corpus_dir / "asciidoc/T-TUT-CCIT-2015.adoc", corpus_dir / "asciidoc/T-TUT-CCIT-2017.adoc"
    )
    kinds = _by_clause(diff)
    # The 2017 edition is a rewrite: its abbreviation list is new, most 2015 clauses are gone, and the
    # definition of counterfeiting (2015 clause 2) survives under the new background clause as 3.1.
    assert kinds[(None, "2")] is ChangeKind.ADDED
    assert kinds[("2", "3.1")] is ChangeKind.MOVED
    assert diff.summary.records.get("abbreviation added", 0) >= 10
    assert sum(1 for k in kinds.values() if k is ChangeKind.REMOVED) > 40


# -- scripted edits on Word Recommendations ---------------------------------------------------------------


def _leaf_siblings(clauses: list[Clause]) -> list[Clause]:
    """The first run of at least two leaf sub-clauses of one parent below clause 4 (typed numbers)."""
    children: dict[str, list[Clause]] = {}
    for c in clauses:
        if c.parent and c.parent[:1].isdigit() and int(c.parent.split(".")[0]) > 4:
            children.setdefault(c.parent, []).append(c)
    parents = {c.parent for c in clauses}
    for group in children.values():
        if len(group) >= 2 and not any(c.number in parents for c in group):
            return group
    raise AssertionError("no group of leaf sub-clauses")


@dataclass(frozen=True)
class _Scripted:
    """What the scripted edits must be reported as."""

    value_clause: str
    number: str
    """The value changed (to number + 7) in ``value_clause``."""
    reference: str
    """The cited document whose edition year went one back."""
    renumbered: set[tuple[str, str]]
    added: str


def _script(source: Path, dest: Path) -> _Scripted:
    """Apply five edits to a copy of ``source``; returns what each must be reported as."""
    draft = load_draft(source)
    clauses = draft.tree.clauses
    siblings = _leaf_siblings(clauses)
    touched = {c.number for c in siblings}
    value_clause, value_paragraph, number = next(
        (c, p, m.group(0))
        for c in clauses
        if c.number[:1].isdigit() and c.number.split(".")[0] not in ("2", "3") and c.number not in touched
        for p in c.paragraphs
        for m in re.finditer(r"(?<![\w.])\d{1,4}(?![\w.])", p)
        if len(p) > 40 and p.count(m.group(0)) == 1
    )
    reference = next(r for r in draft.records.references if r.edition_year and r.tag)
    ref_paragraph = next(p for c in clauses for p in c.paragraphs if p.startswith(reference.tag or ""))
    year = reference.edition_year or ""
    terms = next(c for c in clauses if c.number == "3.2")
    anchor = (terms.paragraphs or [terms.heading])[-1]
    edits = [
        Edit(op="replace", find=value_paragraph[:60], old=number, new=str(int(number) + 7)),
        Edit(
            op="replace",
            find=ref_paragraph[:25],
            old=f"({year}",
            new=f"({int(year) - 1}",
        ),
        Edit(
            op="insert_after",
            find=anchor[:60],
            text="3.2.99\tscripted widget: A device added by the edition test.",
        ),
    ]
    for k in range(len(siblings) - 1, -1, -1):
        c = siblings[k]
        renumbered = f"{c.parent}.{int(c.number.rsplit('.', 1)[1]) + 1}"
        edits.append(
            Edit(op="replace", find=f"{c.number}\t{c.heading}", exact=True, old=c.number, new=renumbered)
        )
    first = siblings[0]
    first_now = f"{first.parent}.{int(first.number.rsplit('.', 1)[1]) + 1}\t{first.heading}"
    edits += [
        Edit(op="insert_after", find=first_now, exact=True, text=f"{first.number}\tScripted new clause"),
        Edit(op="move_before", find=f"{first.number}\tScripted new clause", exact=True, target=first_now),
    ]
    document = docx.Document(str(source))
    for edit in edits:
        apply(edit, document)
    document.save(str(dest))
    return _Scripted(
        value_clause=value_clause.number,
        number=number,
        reference=reference.cited_id,
        renumbered={(c.number, f"{c.parent}.{int(c.number.rsplit('.', 1)[1]) + 1}") for c in siblings},
        added=first.number,
    )


@pytest.mark.parametrize("name", WORD_RECS)
def test_scripted_edits_found_where_they_are_and_nowhere_else(
    corpus_dir: Path, tmp_path: Path, name: str
) -> None:
    source = corpus_dir / name
    edited = tmp_path / "edited.docx"
    expected = _script(source, edited)
    diff = compare(load_draft(source), load_draft(edited))
    kinds = _by_clause(diff)

    value_clause, number = expected.value_clause, expected.number
    value = next(c for c in diff.changes if c.clause == value_clause)
    assert value.kind is ChangeKind.CHANGED
    assert [(w.old, w.new) for p in value.paragraphs for w in p.words] == [(number, str(int(number) + 7))]

    references = next(c for c in diff.changes if c.clause == "2")
    [edition] = [r for r in references.records if r.record is RecordKind.REFERENCE]
    assert (edition.key, edition.kind, edition.field) == (
        expected.reference,
        ChangeKind.CHANGED,
        "edition_year",
    )

    terms = next(c for c in diff.changes if c.clause == "3.2")
    assert [(r.key, r.kind) for r in terms.records] == [("scripted widget", ChangeKind.ADDED)]

    renumbered = expected.renumbered
    assert all(kinds[pair] is ChangeKind.RENUMBERED for pair in renumbered)
    assert kinds[(None, expected.added)] is ChangeKind.ADDED
    reported = set(kinds)
    allowed: set[tuple[str | None, str | None]] = {
        (value_clause, value_clause),
        ("2", "2"),
        ("3.2", "3.2"),
        (None, expected.added),
        *renumbered,
    }
    assert reported == allowed, f"changes reported in untouched clauses: {reported - allowed}"


def _leaf_children(clauses: list[Clause]) -> dict[str, list[Clause]]:
    """Per parent clause below clause 4, its children when all are leaves (typed numbers)."""
    parents = {c.parent for c in clauses}
    children: dict[str, list[Clause]] = {}
    for c in clauses:
        if c.parent and c.parent[:1].isdigit() and int(c.parent.split(".")[0]) > 4:
            children.setdefault(c.parent, []).append(c)
    return {p: group for p, group in children.items() if not any(c.number in parents for c in group)}


def _starts_clause(text: str, number: str) -> bool:
    rest = text[len(number) :]
    return text.startswith(number) and (not rest or rest[0].isspace())


def _clause_span(body: Any, clause: Clause, next_number: str) -> list[Any]:
    """The body elements of a leaf clause: its heading (as typed, not its table-of-contents line) up
    to the clause numbered ``next_number``."""
    typed = f"{clause.number}\t{clause.heading}"
    span = [next(e for e in body if e.tag == qn("w:p") and visible_text(e) == typed)]
    while (following := span[-1].getnext()) is not None and not (
        following.tag == qn("w:p") and _starts_clause(visible_text(following), next_number)
    ):
        span.append(following)
    return span


def _script_move(source: Path, dest: Path) -> tuple[str, str, str]:
    """Move the last sub-clause of one parent, with its paragraphs and tables, to the end of another
    parent's sub-clauses (renumbered there), and delete one definition with no note after it; returns
    (old number, new number, removed term)."""
    draft = load_draft(source)
    clauses = draft.tree.clauses
    order = {c.number: k for k, c in enumerate(clauses)}
    groups = _leaf_children(clauses)
    moving, home = next(
        (from_group[-1], to_group)
        for from_group in groups.values()
        for to_group in groups.values()
        if from_group is not to_group
        and len(from_group) >= 2
        and order[to_group[-1].number] + 1 < len(clauses)
        and clauses[order[to_group[-1].number] + 1] is not from_group[-1]
        and order[from_group[-1].number] + 1 < len(clauses)
    )
    moved_to = f"{home[-1].parent}.{int(home[-1].number.rsplit('.', 1)[1]) + 1}"
    after_moving = clauses[order[moving.number] + 1].number
    after_home = clauses[order[home[-1].number] + 1]

    terms = next(c for c in clauses if c.number == "3.2")
    definitions = [r for r in draft.records.definitions if r.clause.startswith("3.2.")]
    removed = next(
        r
        for r in reversed(definitions)
        for k, text in enumerate(terms.paragraphs)
        if _starts_clause(text, r.clause)
        and (k + 1 == len(terms.paragraphs) or terms.paragraphs[k + 1].startswith("3.2."))
    )

    document = docx.Document(str(source))
    span = _clause_span(document.element.body, moving, after_moving)
    target = _clause_span(document.element.body, home[-1], after_home.number)[-1].getnext()
    for element in span:
        target.addprevious(element)
    for edit in (
        Edit(
            op="replace",
            find=f"{moving.number}\t{moving.heading}",
            exact=True,
            old=moving.number,
            new=moved_to,
        ),
        Edit(op="delete", find=next(t for t in terms.paragraphs if _starts_clause(t, removed.clause))[:60]),
    ):
        apply(edit, document)
    document.save(str(dest))
    return moving.number, moved_to, removed.term


@pytest.mark.parametrize("name", WORD_RECS)
def test_a_clause_moved_under_another_parent_and_a_removed_definition(
    corpus_dir: Path, tmp_path: Path, name: str
) -> None:
    source = corpus_dir / name
    edited = tmp_path / "edited.docx"
    old_number, new_number, term = _script_move(source, edited)
    diff = compare(load_draft(source), load_draft(edited))

    assert _by_clause(diff) == {
        ("3.2", "3.2"): ChangeKind.CHANGED,
        (old_number, new_number): ChangeKind.MOVED,
    }
    terms = next(c for c in diff.changes if c.clause == "3.2")
    assert [(r.record, r.key, r.kind) for r in terms.records] == [
        (RecordKind.DEFINITION, term, ChangeKind.REMOVED)
    ]
    moved = next(c for c in diff.changes if c.kind is ChangeKind.MOVED)
    assert moved.paragraphs == [] and moved.old_heading is None  # same text, new place and number


def _texts(root: object) -> list[str]:
    return [t for p in root.iter(qn("w:p")) if (t := visible_text(p)).strip()]  # type: ignore[attr-defined]


def test_redline_accepts_to_new_rejects_to_old_and_opens_in_libreoffice(
    corpus_dir: Path, tmp_path: Path
) -> None:
    source = corpus_dir / WORD_RECS[1]
    edited = tmp_path / "edited.docx"
    _script(source, edited)
    apply(Edit(op="delete", find="Scripted new clause"), doc := docx.Document(str(edited)))
    doc.save(str(edited))
    redline = tmp_path / "redline.docx"
    counts = write_redline(source, edited, redline)
    assert counts.edited >= 3 and counts.inserted >= 1

    body = docx.Document(str(redline)).element.body
    assert body.xpath(".//w:ins[@w:author='Rapporteur']") and body.xpath(".//w:del[@w:author='Rapporteur']")
    accepted, rejected = copy.deepcopy(body), copy.deepcopy(body)
    accept_all(accepted)
    reject_all(rejected)
    assert _texts(accepted) == [
        t for p in body_paragraphs(docx.Document(str(edited))) if (t := visible_text(p._p)).strip()
    ]
    assert _texts(rejected) == [
        t for p in body_paragraphs(docx.Document(str(source))) if (t := visible_text(p._p)).strip()
    ]

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(redline)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "redline.pdf").stat().st_size > 10_000

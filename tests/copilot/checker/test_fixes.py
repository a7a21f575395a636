"""The tracked-changes copy: every mechanical fix is a Word revision by "Rapporteur" commented with its
finding; accepting all of them leaves a draft the checker no longer faults for those findings, and
rejecting all of them gives back the draft's text exactly."""

from __future__ import annotations

import copy
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.fixes import plan_fixes, write_fixed_copy
from copilot.checker.models import Category, CheckReport
from copilot.checker.rules.base import CheckContext
from copilot.redline import accept_all, reject_all, visible_text
from eval.checking.corpus import build_record_store, corpus_catalog
from eval.checking.inject import SPLITS, Defect, Edit, inject, load_defects
from ingest.catalog import ReferenceCatalog
from ingest.store import RecordStore

DATE = datetime(2026, 1, 15, tzinfo=UTC)
SEEDED = {d.id: d for d in load_defects(SPLITS["test"])}
DEV = {d.id: d for d in load_defects(SPLITS["dev"])}
CASES = [
    SEEDED["t18"],  # L.314: a skeleton clause left empty -> "None." inserted
    SEEDED["t39"],  # Z.151: two abbreviations swapped -> moved back
    SEEDED["t45"],  # H.782: abbreviations used but not listed -> added in order with their expansion
    SEEDED["t46"],  # K.20: an abbreviation listed but unused -> deleted
    SEEDED["t68"],  # G.650.1: a superseded reference edition -> the catalog's edition and title
    SEEDED["t77"],  # J.1108: "shall" where the Conventions define "is required to"
    SEEDED["t32"],  # H.782: 3.2 redefines F.921's term -> moved to 3.1 quoting F.921, F.921 listed in 2
    Defect(
        id="contradiction",
        doc="itu-t/T-REC-G.698.2-201811-I!!MSW-E.docx",
        category=Category.CONSISTENCY,
        rule="consistency.contradiction",
        what="a wrong value restated from G.650.1",
        edits=[
            Edit(
                op="insert_after",
                find="N pairs of in-phase (I) and quadrature (Q) samples are acquired",
                text="As required by [ITU-T G.650.1], the optical time domain reflectometer source "
                "wavelength shall be known to be within 5 nm.",
            )
        ],
    ),
]
MOVED = DEV["d06"]  # X.609.5: 3.2 redefines Y.3507's "physical machine", whose definition has a NOTE
LIBRARY = sorted(
    {d.doc for d in [*CASES, MOVED]}
    | {
        "itu-t/G.650.1-201803.docx",
        "itu-t/T-REC-J.1-201901-P!!MSW-E.docx",
        "itu-t/T-REC-F.921-201808-I!!MSW-E.docx",
        "itu-t/Y.3507-201812.docx",
    }
)


@pytest.fixture(scope="module")
def library(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RecordStore, ReferenceCatalog | None]:
    store, failures = build_record_store(
        [corpus_dir / doc for doc in LIBRARY], tmp_path_factory.mktemp("fix-records") / "records.sqlite3"
    )
    assert not failures
    return store, corpus_catalog(corpus_dir)


def _check(path: Path, library: tuple[RecordStore, ReferenceCatalog | None]) -> CheckReport:
    store, catalog = library
    draft = load_draft(path)
    return check_draft(draft, CheckContext.for_file(path, draft, catalog=catalog, store=store))


def _texts(path: Path) -> list[str]:
    return [visible_text(p) for p in docx.Document(str(path)).element.body.iter(qn("w:p"))]


def _resolved(fixed: Path, dest: Path, accept: bool) -> Path:
    document = docx.Document(str(fixed))
    (accept_all if accept else reject_all)(document.element.body)
    assert not document.element.body.xpath(".//w:ins | .//w:del")
    document.save(str(dest))
    return dest


@pytest.mark.parametrize("defect", CASES, ids=[d.id for d in CASES])
def test_fixes_are_revisions_that_accept_and_reject_as_word_does(
    defect: Defect,
    corpus_dir: Path,
    tmp_path: Path,
    library: tuple[RecordStore, ReferenceCatalog | None],
) -> None:
    seeded = inject(defect, corpus_dir / defect.doc, tmp_path / "seeded.docx")
    draft = load_draft(seeded)
    report = _check(seeded, library)
    planned = plan_fixes(draft, report)
    assert defect.rule in {f.finding.rule for f in planned}

    fixed = tmp_path / "fixed.docx"
    written = write_fixed_copy(seeded, draft, report, fixed, date=DATE)
    seeded_findings = {(f.rule, f.message) for f in report.findings if f.rule == defect.rule}
    seeded_findings -= {(f.rule, f.message) for f in _check(corpus_dir / defect.doc, library).findings}
    assert seeded_findings <= {(f.rule, f.message) for f in written.fixed}
    document = docx.Document(str(fixed))
    marks = document.element.body.xpath(".//w:ins | .//w:del")
    assert marks and {m.get(qn("w:author")) for m in marks} == {"Rapporteur"}
    assert {m.get(qn("w:date")) for m in marks} == {"2026-01-15T00:00:00Z"}
    comments = [c.text for c in document.comments]
    assert any(defect.rule in text and "Fix:" in text for text in comments)

    assert _texts(_resolved(fixed, tmp_path / "rejected.docx", accept=False)) == _texts(seeded)
    accepted = _check(_resolved(fixed, tmp_path / "accepted.docx", accept=True), library)
    still = {(f.rule, f.message) for f in accepted.findings}
    assert seeded_findings and not [f for f in written.fixed if (f.rule, f.message) in still]

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(fixed)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pdf" / "fixed.pdf").stat().st_size > 10_000


def test_findings_without_a_mechanical_fix_stay_comments(
    corpus_dir: Path, tmp_path: Path, library: tuple[RecordStore, ReferenceCatalog | None]
) -> None:
    source = corpus_dir / SEEDED["t46"].doc
    draft = load_draft(source)
    report = copy.deepcopy(_check(source, library))
    written = write_fixed_copy(source, draft, report, tmp_path / "fixed.docx")
    commentable = [f for f in report.findings if f.location.clause is not None or f.severity.value != "info"]
    assert written.fixed and len(written.fixed) + written.comments == len(commentable)
    assert len(docx.Document(str(tmp_path / "fixed.docx")).comments) == len(commentable)


def test_a_redefined_term_moves_to_3_1_quoting_the_whole_definition_with_its_source_tag(
    corpus_dir: Path, tmp_path: Path, library: tuple[RecordStore, ReferenceCatalog | None]
) -> None:
    seeded = inject(MOVED, corpus_dir / MOVED.doc, tmp_path / "seeded.docx")
    draft = load_draft(seeded)
    report = _check(seeded, library)
    fixed = tmp_path / "fixed.docx"
    written = write_fixed_copy(seeded, draft, report, fixed, date=DATE)
    assert "definitions.already-defined" in {f.rule for f in written.fixed}

    source = next(d for d in library[0].definitions("physical machine") if d.rec_id == "ITU-T Y.3507")
    first, *notes = source.definition.split("\n")
    assert notes, "the library's definition has a NOTE, which the quote keeps"
    accepted = load_draft(_resolved(fixed, tmp_path / "accepted.docx", accept=True))
    elsewhere = [p.text for p in accepted.paragraphs if p.clause == "3.1"]
    assert elsewhere[-1 - len(notes) :] == [f"3.1.6\tphysical machine [ITU-T Y.3507]: {first}", *notes]
    assert not [p for p in accepted.paragraphs if p.clause == "3.2" and "physical machine" in p.text]
    assert _texts(_resolved(fixed, tmp_path / "rejected.docx", accept=False)) == _texts(seeded)

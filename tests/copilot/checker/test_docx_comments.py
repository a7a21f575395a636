"""The commented copy: one Word comment per finding, anchored on the paragraph the finding names."""

from __future__ import annotations

from pathlib import Path

import docx

from copilot.checker import check_draft
from copilot.checker.docx_comments import AUTHOR, write_commented_copy
from copilot.checker.draft import load_draft
from copilot.checker.rules.base import CheckContext
from eval.checking.inject import inject
from tests.copilot.checker.seeded import DEFECTS


def test_each_finding_becomes_a_comment_on_its_paragraph(corpus_dir: Path, tmp_path: Path) -> None:
    defect = next(d for d in DEFECTS if d.id == "d01")  # "physical machine –" lost its colon
    path = inject(defect, corpus_dir / defect.doc, tmp_path / "draft.docx")
    draft = load_draft(path)
    report = check_draft(draft, CheckContext())
    located = [f for f in report.findings if f.location.clause is not None]
    out = tmp_path / "commented.docx"
    assert write_commented_copy(path, draft, report, out) == len(located)
    comments = list(docx.Document(str(out)).comments)
    assert len(comments) == len(located) and all(c.author == AUTHOR for c in comments)
    body = out.read_bytes()
    assert body.startswith(b"PK")
    xml = docx.Document(str(out)).element.xml
    anchored = xml.split("physical machine –")[0]
    assert anchored.rfind("commentRangeStart") > anchored.rfind("<w:p ")

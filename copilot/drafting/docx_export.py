"""Export a draft to .docx with the paragraph styles of the ITU-T skeleton (Rec_No, Rec_title,
Heading_b, Heading 1-3, Ref_text...), so an editor can paste it into the official template unchanged.

With ``template`` (e.g. ITUT-Recs-Skelet.docx) the document starts from that file's styles; otherwise
the styles are created here with the skeleton's sizes, indents and spacing.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

_HEADING = re.compile(r"^(?P<num>\d+(?:\.\d+){0,2})\t(?P<title>[^:]+)$")
_REFERENCE = re.compile(r"^\[[^\]]+\]\t")
_ANNEX = re.compile(r"^(?:Annex [A-Z]|Appendix [IVX]+)\b")
_BOLD_HEADINGS = {"Summary", "Keywords", "Introduction"}
ITU_FONT = "Times New Roman"


def paragraph_style(line: str, first: bool, after_rec_no: bool) -> str:
    """The skeleton style a line of draft text takes."""
    if first and line.startswith("Recommendation ITU-"):
        return "Rec_No"
    if after_rec_no:
        return "Rec_title"
    if line in _BOLD_HEADINGS:
        return "Heading_b"
    if line == "Bibliography" or _ANNEX.match(line):
        return "Annex_No & title"
    if match := _HEADING.match(line):
        return f"Heading {match['num'].count('.') + 1}"
    if _REFERENCE.match(line):
        return "Ref_text"
    return "Normal"


def _ensure_styles(document: DocxDocument) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = ITU_FONT, Pt(12)
    normal.paragraph_format.space_before = Pt(6)
    specs: dict[str, dict[str, object]] = {
        "Rec_No": {"size": 14, "bold": True},
        "Rec_title": {"size": 14, "bold": True, "before": 18, "center": True},
        "Heading_b": {"bold": True, "before": 8},
        "Annex_No & title": {"size": 14, "bold": True, "before": 24, "center": True},
        "Ref_text": {"indent": 2.54},
    }
    for name, spec in specs.items():
        if name in [s.name for s in styles]:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = bool(spec.get("bold"))
        if "size" in spec:
            style.font.size = Pt(float(spec["size"]))  # type: ignore[arg-type]
        if "before" in spec:
            style.paragraph_format.space_before = Pt(float(spec["before"]))  # type: ignore[arg-type]
        if spec.get("center"):
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if "indent" in spec:
            style.paragraph_format.left_indent = Cm(float(spec["indent"]))  # type: ignore[arg-type]
            style.paragraph_format.first_line_indent = Cm(-float(spec["indent"]))  # type: ignore[arg-type]
    for level, before in ((1, 18), (2, 12), (3, 8)):
        heading = styles[f"Heading {level}"]
        heading.font.name, heading.font.size, heading.font.bold = ITU_FONT, Pt(12), True
        heading.font.color.rgb = None
        heading.paragraph_format.space_before = Pt(before)


def export_docx(text: str, path: Path, template: Path | None = None) -> Path:
    """Write ``text`` (a draft as Rapporteur prints it) to ``path``, one paragraph per line."""
    document = Document(str(template)) if template else Document()
    if template:
        body = document.element.body
        for child in list(body):
            if not child.tag.endswith("sectPr"):
                body.remove(child)
    _ensure_styles(document)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    previous = ""
    for index, line in enumerate(lines):
        style = paragraph_style(line, index == 0, previous == "Rec_No")
        document.add_paragraph(line, style=style)
        previous = style
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path

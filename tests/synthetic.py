"""The synthetic ITU-style library in ``tests/data/synthetic``: fictional Recommendations written by this
project, so that a clone without ../shared still tests parsing, the store, retrieval, checking and the
assistant on documents shaped like real ones.

Text formats are committed as files (Markdown Y.9901, AsciiDoc Y.9902, HTML Y.9905); the binary ones are
built here, deterministically, so no generated binary sits in git: ITU-T Y.9904 as a Word .docx
(python-docx, heading styles and typed clause numbers as ITU's template has them) and ITU-R SM.9903-1 as a
PDF (one Helvetica text line per line, the ITU-R "considering / recommends / Annex 1" layout). The catalog
``catalog/itu-recommendations.jsonl`` lists every edition in the real catalog's format.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx

SYNTHETIC = Path(__file__).resolve().parent / "data" / "synthetic"
Y9904_DOCX = "T-REC-Y.9904-202206-I!!MSW-E.docx"
SM9903_PDF = "R-REC-SM.9903-1-202305-I!!PDF-E.pdf"

Y9904 = [
    ("Title", "Recommendation ITU-T Y.9904 (06/2022)"),
    ("Title", "Management of widget identifiers"),
    ("Heading 1", "Summary"),
    (
        "Normal",
        "Recommendation ITU-T Y.9904 specifies how widget identifiers are allocated to manufacturers, "
        "written into widgets and retired.",
    ),
    ("Heading 1", "Keywords"),
    ("Normal", "Widget identifier, manufacturer code, retirement."),
    ("Heading 1", "1\tScope"),
    (
        "Normal",
        "This Recommendation specifies the allocation, the writing and the retirement of widget identifiers.",
    ),
    ("Heading 1", "2\tReferences"),
    ("Normal", "None."),
    ("Heading 1", "3\tDefinitions"),
    ("Heading 2", "3.1\tTerms defined elsewhere"),
    ("Normal", "None."),
    ("Heading 2", "3.2\tTerms defined in this Recommendation"),
    ("Normal", "This Recommendation defines the following terms:"),
    (
        "Normal",
        "3.2.1\twidget identifier: A string of 16 hexadecimal digits that names one widget for its "
        "whole life.",
    ),
    (
        "Normal",
        "3.2.2\tmanufacturer code: The first four hexadecimal digits of a widget identifier, "
        "allocated to one manufacturer by the registration authority.",
    ),
    ("Heading 1", "4\tAbbreviations and acronyms"),
    ("Normal", "This Recommendation uses the following abbreviations and acronyms:"),
    ("Normal", "MC\tManufacturer Code"),
    ("Normal", "RA\tRegistration Authority"),
    ("Heading 1", "5\tConventions"),
    (
        "Normal",
        'The keywords "is required to" indicate a requirement which must be strictly followed and '
        "from which no deviation is permitted if conformance to this Recommendation is to be claimed.",
    ),
    ("Heading 1", "6\tAllocation of manufacturer codes"),
    (
        "Normal",
        "The registration authority (RA) allocates one manufacturer code (MC) per manufacturer and "
        "publishes the list of allocated codes every quarter.",
    ),
    ("Heading 1", "7\tRetirement of widget identifiers"),
    ("Normal", "A widget identifier is required to be retired, never reused, when its widget is scrapped."),
    ("Heading 1", "Annex A – Registration authority procedures"),
    ("Normal", "(This annex forms an integral part of this Recommendation.)"),
    ("Heading 2", "A.1\tApplication for a manufacturer code"),
    (
        "Normal",
        "A manufacturer applies to the RA with its legal name and a contact address; the RA answers "
        "within 30 days.",
    ),
]
"""ITU-T Y.9904 as (paragraph style, text), in reading order."""

SM9903 = [
    [
        "Recommendation ITU-R SM.9903-1",
        "(05/2023)",
        "Measurement of spurious emissions from widget transmitters",
        "Scope",
        "This Recommendation gives a method for measuring the spurious emissions of the low-power",
        "radio transmitters that widgets use to reach their widget hub.",
        "Keywords",
        "Spurious emission, widget transmitter, measurement",
        "The ITU Radiocommunication Assembly,",
        "considering",
        "a) that widget transmitters operate in bands shared with other services;",
        "b) that their spurious emissions are measured in different ways by different laboratories,",
        "recommends",
        "1 that the method in Annex 1 should be used to measure spurious emissions of widget",
        "transmitters.",
    ],
    [
        "Annex 1",
        "Measurement method",
        "1 Test set-up",
        "The widget transmitter is placed in a shielded enclosure and connected to a spectrum analyser",
        "through a 20 dB attenuator; the widget sends a telemetry record every second during the test.",
        "2 Spectrum analyser settings",
        "The resolution bandwidth is 100 kHz below 1 GHz and 1 MHz above 1 GHz; the detector is",
        "root-mean-square and the sweep covers 30 MHz to five times the carrier frequency.",
        "3 Limits",
        "A spurious emission above -36 dBm in any resolution bandwidth is reported as a failure.",
    ],
]
"""ITU-R SM.9903-1 as PDF pages of text lines."""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF, one Helvetica text line per list item, top to bottom."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 780 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        pid = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {pid + 1} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def write_docx(paragraphs: list[tuple[str, str]], path: Path) -> Path:
    """A .docx of (style, text) paragraphs on python-docx's default template (which has Word's styles)."""
    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    document.save(str(path))
    return path


def build_synthetic_corpus(folder: Path) -> Path:
    """The committed files plus the generated .docx and .pdf in ``folder``, a corpus with ``catalog/``."""
    shutil.copytree(SYNTHETIC, folder, dirs_exist_ok=True)
    write_docx(Y9904, folder / Y9904_DOCX)
    (folder / SM9903_PDF).write_bytes(make_pdf(SM9903))
    return folder


Y9904_WITHDRAWAL = [
    ("Heading 2", "A.2\tWithdrawal of a manufacturer code"),
    ("Normal", "The RA withdraws a code that has not been used for ten years."),
]
"""An annex clause of an older Y.9904 edition that the revision drops."""

Y9904_WRITING = [
    ("Heading 1", "7\tWriting of widget identifiers"),
    ("Normal", "A manufacturer writes the identifier into non-volatile memory before the widget ships."),
]
"""The clause the revision inserts before the retirement clause (which becomes 8)."""

SCRIPT_TEXT = "<script>alert('list')</script>"
"""Document text that looks like markup: every view and report must show it as text."""


def revised_y9904() -> list[tuple[str, str]]:
    """Y.9904 revised, for edition comparison: definition 3.2.2 dropped, a script-like sentence added to
    clause 6, the new clause 7 (the old 7 becomes 8) and 30 -> 20 days in A.1."""
    out: list[tuple[str, str]] = []
    for style, text in Y9904:
        if text.startswith("3.2.2\t"):
            continue
        if text.startswith("7\t"):
            out += Y9904_WRITING
            text = "8" + text[1:]
        if text.startswith("The registration authority (RA) allocates"):
            text += f" The list is published as text: {SCRIPT_TEXT}."
        out.append((style, text.replace("within 30 days", "within 20 days")))
    return out

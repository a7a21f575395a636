"""Diff speed and memory: two editions of the largest Word Recommendation in the corpus (the second
with scripted edits: one value changed in every clause that has a number to change).

    python bench/diff_bench.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from pathlib import Path

import docx

from copilot.checker.draft import load_draft
from copilot.editions.compare import compare
from copilot.editions.redline_docx import write_redline

_NUMBER = re.compile(r"(?<![\w.])\d{1,4}(?![\w.])")


def _edited_copy(source: Path, dest: Path) -> int:
    """Change the first standalone number of every 10th paragraph; returns how many were changed."""
    document = docx.Document(str(source))
    changed = 0
    for k, paragraph in enumerate(document.paragraphs):
        if k % 10:
            continue
        for run in paragraph.runs:
            if m := _NUMBER.search(run.text):
                run.text = run.text[: m.start()] + str(int(m.group(0)) + 1) + run.text[m.end() :]
                changed += 1
                break
    document.save(str(dest))
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="../shared/corpus")
    args = parser.parse_args()
    source = max(Path(args.corpus).glob("itu-t/*.docx"), key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory() as tmp:
        edited = Path(tmp) / "edited.docx"
        edits = _edited_copy(source, edited)
        start = time.perf_counter()
        old, new = load_draft(source), load_draft(edited)
        parsed = time.perf_counter()
        diff = compare(old, new)
        compared = time.perf_counter()
        counts = write_redline(source, edited, Path(tmp) / "redline.docx")
        written = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = source.stat().st_size / 1e6
    print(f"{source.name}: {size:.1f} MB, {len(old.tree.clauses)} clauses, {edits} edits")
    print(
        f"parse both {parsed - start:.2f} s, compare {compared - parsed:.2f} s, "
        f"redline {written - compared:.2f} s"
    )
    print(f"{len(diff.changes)} clauses differ; redline: {counts}; peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()

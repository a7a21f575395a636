"""How long checking a 50-page draft takes without a model.

The draft is a real Recommendation of the corpus that follows the skeleton (Y.1543) with its body
(clause 6 onwards) appended again until the text reaches 50 pages of about 500 words; the rules read
every paragraph, repeated or not. Timed: cold (first check in the process, catalog load included)
and warm (median of the next runs), with the corpus record store attached.

    PYTHONPATH=. .venv/bin/python bench/check_speed.py [--corpus DIR] [--pages 50] [--runs 5] [--store FILE]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import docx

from copilot.checker import check_draft
from copilot.checker.draft import load_draft
from copilot.checker.rules.base import CheckContext
from eval.checking.corpus import DEFAULT_CORPUS, corpus_catalog, corpus_store

SOURCE = "itu-t/T-REC-Y.1543-201806-I!!MSW-E.docx"
WORDS_PER_PAGE = 500
"""An ITU page holds about 500 words of running text."""


def make_long_draft(source: Path, pages: int, dest: Path) -> int:
    """Append clauses 6 onwards of ``source`` until the text reaches ``pages`` pages; returns words."""
    document = docx.Document(str(source))
    paragraphs = list(document.paragraphs)
    start = next(i for i, p in enumerate(paragraphs) if p.text.startswith("6\t"))
    block = paragraphs[start:]
    block_words = sum(len(p.text.split()) for p in block)
    words = sum(len(p.text.split()) for p in paragraphs)
    while words < pages * WORDS_PER_PAGE:
        for paragraph in block:
            document.element.body.append(copy.deepcopy(paragraph._p))
        words += block_words
    document.save(str(dest))
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, help="record store to reuse (built when absent)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        draft_path = Path(tmp) / "long-draft.docx"
        words = make_long_draft(args.corpus / SOURCE, args.pages, draft_path)
        store = corpus_store(args.corpus, args.store or Path(tmp) / "records.sqlite3")
        times: list[float] = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            draft = load_draft(draft_path)
            catalog = corpus_catalog(args.corpus)
            context = CheckContext(catalog=catalog, store=store, own_rec_id=draft.meta.rec_id)
            report = check_draft(draft, context, started)
            times.append(time.perf_counter() - started)
        store.close()
    print(f"draft: {words} words (~{words // WORDS_PER_PAGE} pages), {len(draft.paragraphs)} paragraphs")
    print(f"findings: {report.summary.findings} {report.summary.by_severity}")
    print(f"cold (catalog load included): {times[0]:.2f} s")
    print(f"warm, median of {args.runs}: {statistics.median(times[1:]):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

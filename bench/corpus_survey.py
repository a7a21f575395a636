"""Parse every file of a corpus without embedding: per-file clauses, chunks and records, and failures.

    python bench/corpus_survey.py ../shared/corpus [--out bench/results/survey.md]

Used for the ingestion report: which documents parse well, which badly, and why.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.chunker import ClauseChunker  # noqa: E402
from ingest.library import expand_paths, prepare_document
from ingest.metadata import doc_id_for  # noqa: E402
from ingest.parsers import Limits, ParseError  # noqa: E402
from ingest.store import file_hash  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path("bench/results/survey.md"))
    args = parser.parse_args()
    rows = [
        "| file | format | rec id | edition | lang | clauses | chunks | defs | abbrevs | refs | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    failures: list[str] = []
    totals = [0, 0, 0, 0, 0]
    chunker = ClauseChunker()
    for path in expand_paths([args.corpus]):
        name = str(path.relative_to(args.corpus))
        start = time.perf_counter()
        try:
            doc = prepare_document(path, doc_id_for(path), Limits(), chunker, file_hash(path))
        except ParseError as exc:
            failures.append(f"- `{name}`: {exc}")
            continue
        seconds = time.perf_counter() - start
        m, r = doc.meta, doc.records
        counts = [
            len(doc.clauses),
            len(doc.chunks),
            len(r.definitions),
            len(r.abbreviations),
            len(r.references),
        ]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        rows.append(
            f"| {name} | {m.format} | {m.rec_id or '-'} | {m.edition or '-'} | {m.language} | "
            + " | ".join(map(str, counts))
            + f" | {seconds:.2f} |"
        )
    rows.append("| **total** | | | | | " + " | ".join(map(str, totals)) + " | |")
    text = "\n".join(rows) + "\n\nFailures:\n" + ("\n".join(failures) or "none") + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

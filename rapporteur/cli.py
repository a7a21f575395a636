"""``rapporteur``: the command-line shell over the library. JSON output (``--json``) is a stable contract."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from rapporteur.settings import Settings

if TYPE_CHECKING:
    from ingest.library import Library

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PARTIAL = 2


def _emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        if isinstance(payload, list):
            payload = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in payload]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(human(data))


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index"] = Path(args.index)
    return Settings(**overrides)


def _library(args: argparse.Namespace) -> Library:
    from ingest.library import Library

    return Library(_settings(args))


def _progress_bar(label: str) -> Callable[[int, int, str], None] | None:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int, current: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="file", desc=label, file=sys.stderr)
        tq = bar["bar"]
        tq.n = done
        tq.set_postfix_str(Path(current).name[:40] if current else "")
        tq.refresh()
        if done >= total:
            tq.close()

    return update


# -- commands ------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    library = _library(args)
    report = library.ingest(
        [Path(p) for p in args.paths], prune=args.prune, on_progress=_progress_bar("ingest")
    )

    def human(r: Any) -> str:
        lines = [
            f"added {len(r.added)}, updated {len(r.updated)}, unchanged {len(r.unchanged)}, "
            f"removed {len(r.removed)}, failed {len(r.failed)}; {r.chunks} chunks in the index"
        ]
        lines += [f"FAILED {f.path}: {f.error}" for f in r.failed]
        return "\n".join(lines)

    _emit(report, args.json, human)
    if args.json:
        for failure in report.failed:
            print(f"rapporteur: {failure.path}: {failure.error}", file=sys.stderr)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    docs = _library(args).documents()

    def human(rows: Any) -> str:
        out = [
            f"{d.rec_id or '-':28} {d.edition or '-':8} {d.language:3} {d.chunks:5}  {d.title or d.doc_id}"
            for d in rows
        ]
        return "\n".join(out) or "the index is empty"

    _emit(docs, args.json, human)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    library = _library(args)
    doc = library.resolve(args.rec_id, args.lang)
    if doc is None:
        print(f"rapporteur: no document {args.rec_id!r} in the index", file=sys.stderr)
        return EXIT_ERROR
    if args.clause:
        clauses = library.clause(doc.doc_id, args.clause)
        if not clauses:
            print(f"rapporteur: {doc.rec_id or doc.doc_id} has no clause {args.clause!r}", file=sys.stderr)
            return EXIT_ERROR
        first = clauses[0]
        pages = [p for c in clauses for p in (c.page_start, c.page_end) if p is not None]
        data: dict[str, Any] = {
            "doc_id": doc.doc_id,
            "rec_id": doc.rec_id,
            "clause": first.number,
            "heading": first.heading,
            "page_start": min(pages) if pages else None,
            "page_end": max(pages) if pages else None,
            "text": "\n\n".join(
                "\n".join([f"{c.number} {c.heading}".strip(), *c.paragraphs]) for c in clauses
            ),
        }
        _emit(data, args.json, lambda d: d["text"])
        return EXIT_OK
    tree = library.store.clauses(doc.doc_id)
    data = {
        "doc_id": doc.doc_id,
        "rec_id": doc.rec_id,
        "title": doc.title,
        "edition": doc.edition,
        "clauses": [
            {
                "number": c.number,
                "heading": c.heading,
                "level": c.level,
                "parent": c.parent,
                "page_start": c.page_start,
                "page_end": c.page_end,
            }
            for c in tree
        ],
    }

    def human(d: Any) -> str:
        head = f"{d['rec_id']} ({d['edition']}) {d['title']}"
        return "\n".join(
            [head]
            + [
                "  " * (c["level"] - 1)
                + (c["number"] if c["heading"] == c["number"] else f"{c['number']} {c['heading']}")
                for c in d["clauses"]
            ]
        )

    _emit(data, args.json, human)
    return EXIT_OK


def cmd_terms(args: argparse.Namespace) -> int:
    # Copies of one Recommendation (a .docx and its AsciiDoc re-typeset) define a term once for people.
    unique = {
        (d.rec_id or d.doc_id, d.clause, d.term, d.definition): d
        for d in _library(args).store.definitions(args.query)
    }
    rows = list(unique.values())[: args.limit]

    def human(defs: Any) -> str:
        out = []
        for d in defs:
            tag = f" {d.source_tag}" if d.source_tag else ""
            out.append(f"[{d.rec_id}] {d.clause} {d.term}{tag}: {d.definition}")
        return "\n".join(out) or f"no definition of {args.query!r}"

    _emit(rows, args.json, human)
    return EXIT_OK


def cmd_abbrev(args: argparse.Namespace) -> int:
    rows = _library(args).store.abbreviations(args.abbreviation)
    _emit(
        rows,
        args.json,
        lambda xs: (
            "\n".join(f"{a.abbreviation}\t{a.expansion}\t[{a.rec_id}]" for a in xs)
            or f"no expansion of {args.abbreviation!r}"
        ),
    )
    return EXIT_OK


def cmd_refs(args: argparse.Namespace) -> int:
    library = _library(args)
    doc = library.resolve(args.rec_id)
    if doc is None:
        print(f"rapporteur: no document {args.rec_id!r} in the index", file=sys.stderr)
        return EXIT_ERROR
    rows = library.store.references([doc.doc_id])

    def human(refs: Any) -> str:
        return (
            "\n".join(
                f"{r.tag:24} {r.cited_id} ({r.edition_year or '-'}) {r.title or ''}"
                f"{'' if r.normative else '  [bibliography]'}"
                for r in refs
            )
            or "no references"
        )

    _emit(rows, args.json, human)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    library = _library(args)
    removed = [doc_id for key in args.keys for doc_id in library.remove(key)]
    _emit(
        {"removed": removed},
        args.json,
        lambda d: "\n".join(f"removed {x}" for x in d["removed"]) or "nothing removed",
    )
    return EXIT_OK if removed else EXIT_ERROR


def cmd_fetch(args: argparse.Namespace) -> int:
    from ingest.catalog import ReferenceCatalog
    from ingest.fetch import RecommendationFetcher

    settings = _settings(args)
    catalog = ReferenceCatalog.from_settings(settings)
    if catalog is None:
        print("rapporteur: no catalog of Recommendations found; set RAPPORTEUR_CATALOG", file=sys.stderr)
        return EXIT_ERROR
    dest = Path(args.dest) if args.dest else settings.corpus / "fetched"
    fetcher = RecommendationFetcher(settings, catalog)
    report = fetcher.fetch(args.ids, dest, progress=sys.stderr.isatty())

    def human(r: Any) -> str:
        return "\n".join(
            [f"fetched {f.id} -> {f.path}" for f in r.fetched]
            + [f"FAILED {f.id}: {f.error}" for f in r.failed]
        )

    _emit(report, args.json, human)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from copilot.retrieval import FilterError, HybridRetriever

    filters: dict[str, str] = {}
    for item in args.filter:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"rapporteur: --filter wants key=value, got {item!r}", file=sys.stderr)
            return EXIT_ERROR
        filters[key.strip()] = value.strip()
    try:
        retriever = HybridRetriever.from_settings(_settings(args))
        hits = retriever.search(args.query, k=args.k, filters=filters or None)
    except FilterError as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    _emit(hits, args.json, lambda xs: "\n".join(f"{h.render()}  {h.heading}" for h in xs) or "no hits")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from copilot.checker import run_check
    from copilot.checker.docx_comments import write_commented_copy
    from copilot.checker.report import to_html, to_markdown
    from ingest.parsers import ParseError

    settings = _settings(args)
    indexed = (settings.index / "records.sqlite3").is_file()
    path = Path(args.file)
    try:
        draft, report = run_check(path, settings, _library(args) if indexed else None)
    except ParseError as exc:
        print(f"rapporteur: {path}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for target, render in ((args.markdown, to_markdown), (args.html, to_html)):
        if target:
            Path(target).write_text(render(report), encoding="utf-8")
    if args.docx:
        if draft.meta.format != "docx":
            print("rapporteur: --docx needs a .docx draft", file=sys.stderr)
            return EXIT_ERROR
        write_commented_copy(path, draft, report, Path(args.docx))
    _emit(report, args.json, to_markdown)
    return EXIT_PARTIAL if report.summary.by_severity.get("error") else EXIT_OK


# -- parser --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapporteur", description="ITU standards-drafting copilot.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--index", help="index directory (default: RAPPORTEUR_INDEX or a per-user folder)")
        p.add_argument("--json", action="store_true", help="machine-readable JSON output")
        p.set_defaults(handler=handler)
        return p

    p = command("ingest", cmd_ingest, "Parse documents and add them to the index (incremental).")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--prune", action="store_true", help="drop indexed documents whose files are gone")

    command("docs", cmd_docs, "List indexed documents.")

    p = command("show", cmd_show, "Show a document's clause tree, or one clause's text.")
    p.add_argument("rec_id", help="Recommendation id (e.g. 'Y.3507', 'ITU-R P.452-18') or doc id")
    p.add_argument("--clause", help="clause number, e.g. 3.2.1, 'Annex A', A.1, 'Appendix I'")
    p.add_argument("--lang", help="language (en, fr, es, ru, ar, zh) when several exist")

    p = command("terms", cmd_terms, "Look up definitions by term.")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)

    p = command("abbrev", cmd_abbrev, "Expand an abbreviation as the indexed Recommendations define it.")
    p.add_argument("abbreviation")

    p = command("refs", cmd_refs, "List a Recommendation's references.")
    p.add_argument("rec_id")

    p = command("remove", cmd_remove, "Remove documents (by doc id, path or Recommendation id).")
    p.add_argument("keys", nargs="+")

    p = command("search", cmd_search, "Search the library: clause-level hits with citations, best first.")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="sector, series, rec_id, kind, language, doc_id or in_force=true (repeatable)",
    )

    p = command("fetch", cmd_fetch, "Download published Recommendations from the ITU website by id.")
    p.add_argument("ids", nargs="+", help="e.g. Y.3507, 'Y.1543 (06/2018)', ITU-R P.452-18")
    p.add_argument("--dest", help="folder to save into (default: <corpus>/fetched)")

    p = command("check", cmd_check, "Check a draft Recommendation against the Author's guide and library.")
    p.add_argument("file", help="the draft: .docx, .pdf, .md or .txt")
    p.add_argument("--markdown", metavar="PATH", help="also write the report as Markdown")
    p.add_argument("--html", metavar="PATH", help="also write the report as HTML")
    p.add_argument("--docx", metavar="PATH", help="write a copy of a .docx draft with a comment per finding")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("rapporteur: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

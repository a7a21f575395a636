"""``rapporteur``: the command-line shell over the library. JSON output (``--json``) is a stable contract."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from rapporteur.errors import NoIndex, PortInUse, UsageError, explain
from rapporteur.lookups import abbreviations_either_way, clause_tree, unique_definitions
from rapporteur.settings import Settings

if TYPE_CHECKING:
    from copilot.assistant import Answer, Assistant
    from copilot.conversation import Conversation
    from copilot.llm import ChatModel, ModelHost
    from copilot.retrieval import HybridRetriever
    from copilot.retrieval.translation import QueryTranslation, QueryTranslator
    from ingest.library import Library

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PARTIAL = 2
AMENDMENT = "amendment"
"""``draft amendment``: not a clause the drafter writes, but the changes between two editions."""


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
    if getattr(args, "workers", None):
        overrides["ingest"] = {"parse_workers": args.workers}
    return Settings(**overrides)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _library(args: argparse.Namespace) -> Library:
    from ingest.library import Library

    return Library(_settings(args))


def _indexed_library(args: argparse.Namespace) -> Library:
    """The library of an index that exists: a command that reads one never creates one."""
    _need_index(_settings(args))
    return _library(args)


def _need_searchable(args: argparse.Namespace) -> None:
    """An index whose vectors are all there: without them search would quietly be lexical only."""
    library = _indexed_library(args)
    try:
        library.check_vectors()
    finally:
        library.close()


def _progress_bar(label: str, unit: str = "file") -> Callable[[int, int, str], None] | None:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int, current: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit=unit, desc=label, file=sys.stderr)
        tq = bar["bar"]
        tq.n = done
        tq.set_postfix_str(Path(current).name[:40] if current else "")
        tq.refresh()
        if done >= total:  # the next pass of the same work, if any, gets a bar of its own
            tq.close()
            del bar["bar"]

    return update


# -- commands ------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        report = library.ingest(
            [Path(p) for p in args.paths], prune=args.prune, on_progress=_progress_bar("ingest")
        )
    finally:  # closed now, not when collected: a late close checkpoints the SQLite journal into the file
        library.close()

    def human(r: Any) -> str:
        lines = [r.summary()]
        lines += [f"FAILED {f.path}: {f.error}" for f in r.failed]
        return "\n".join(lines)

    _emit(report, args.json, human)
    if args.json:
        for failure in report.failed:
            print(f"rapporteur: {failure.path}: {failure.error}", file=sys.stderr)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    docs = _indexed_library(args).documents()

    def human(rows: Any) -> str:
        out = [
            f"{d.rec_id or '-':28} {d.edition or '-':8} {d.language:3} {d.chunks:5}  {d.title or d.doc_id}"
            for d in rows
        ]
        return "\n".join(out) or "the index is empty"

    _emit(docs, args.json, human)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    library = _indexed_library(args)
    doc = library.resolve(args.rec_id, args.lang)
    if doc is None:
        print(f"rapporteur: no document {args.rec_id!r} in the index", file=sys.stderr)
        return EXIT_ERROR
    if args.clause:
        clause = library.clause_text(doc, args.clause)
        if clause is None:
            print(f"rapporteur: {doc.rec_id or doc.doc_id} has no clause {args.clause!r}", file=sys.stderr)
            return EXIT_ERROR
        _emit(clause, args.json, lambda c: c.text)
        return EXIT_OK
    data = clause_tree(library.store, doc)

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
    rows = unique_definitions(_indexed_library(args).store, args.query, args.limit)

    def human(defs: Any) -> str:
        out = []
        for d in defs:
            tag = f" {d.source_tag}" if d.source_tag else ""
            out.append(f"[{d.rec_id}] {d.clause} {d.term}{tag}: {d.definition}")
        return "\n".join(out) or f"no definition of {args.query!r}"

    _emit(rows, args.json, human)
    return EXIT_OK


def cmd_abbrev(args: argparse.Namespace) -> int:
    rows = abbreviations_either_way(_indexed_library(args).store, args.abbreviation)
    _emit(
        rows,
        args.json,
        lambda xs: (
            "\n".join(f"{a.abbreviation}\t{a.expansion}\t[{a.rec_id}]" for a in xs)
            or f"no expansion of {args.abbreviation!r} and no abbreviation for it"
        ),
    )
    return EXIT_OK


def cmd_refs(args: argparse.Namespace) -> int:
    library = _indexed_library(args)
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
    library = _indexed_library(args)
    removed = [doc_id for key in args.keys for doc_id in library.remove(key, args.all_matching)]
    _emit(
        {"removed": removed},
        args.json,
        lambda d: "\n".join(f"removed {x}" for x in d["removed"]) or "nothing removed",
    )
    return EXIT_OK if removed else EXIT_ERROR


def cmd_index(args: argparse.Namespace) -> int:
    """Check the index (records readable, a vector for every chunk) or, with --repair, rebuild it."""
    from ingest.library import repair_index

    settings = _settings(args)
    _need_index(settings)
    if args.repair:
        report = repair_index(settings, on_progress=_progress_bar("repair", unit="document"))

        def human(r: Any) -> str:
            lines = (
                [f"records: moved aside to {r.moved_aside}, files read again"] if r.records_damaged else []
            )
            if r.reingested is not None:
                lines += [r.reingested.summary()] + [
                    f"FAILED {f.path}: {f.error}" for f in r.reingested.failed
                ]
                if not (r.reingested.added or r.reingested.failed):
                    lines.append("the damaged records named no file; run 'rapporteur ingest FOLDER' again")
            if r.vector_store_reset:
                lines.append("vector store: unreadable, moved aside to chroma.damaged")
            lines.append(f"vectors restored: {r.vectors_restored}, windows added: {r.windows_restored}")
            return "\n".join([*lines, f"the index holds {r.documents} documents, {r.chunks} chunks"])

        _emit(report, args.json, human)
        return EXIT_PARTIAL if report.reingested and report.reingested.failed else EXIT_OK
    library = _library(args)
    library.check_vectors()
    summary = {
        "index": str(settings.index),
        "documents": len(library.documents()),
        "chunks": library.store.chunk_count(),
    }
    _emit(
        summary,
        args.json,
        lambda d: f"{d['index']}: {d['documents']} documents, {d['chunks']} chunks, intact",
    )
    return EXIT_OK


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


def _searcher(settings: Settings, host: ModelHost) -> tuple[HybridRetriever, QueryTranslator]:
    """The retriever, with questions in another language also searched in English, as translated by
    the configured model (started only for a question that needs it and is not in the cache)."""
    from copilot.retrieval import HybridRetriever
    from copilot.retrieval.translation import QueryTranslator

    translator = QueryTranslator.from_settings(settings, host.model)
    return HybridRetriever.from_settings(settings, translator), translator


def _say_translation(translation: QueryTranslation | None) -> None:
    """On stderr, what a question in another language was searched as, or why it was not translated."""
    if translation is None or translation.language == "en":
        return
    said = (
        f"searched in English as: {translation.english}"
        if translation.english
        else translation.notice or "searched untranslated"
    )
    print(f"rapporteur: {translation.language_name} question; {said}", file=sys.stderr)


def cmd_search(args: argparse.Namespace) -> int:
    from copilot.language import ENGLISH, detect_language
    from copilot.retrieval import FilterError, HybridRetriever

    filters = _filters(args.filter)
    settings = _settings(args)
    _need_searchable(args)
    with ExitStack() as stack:
        retriever = HybridRetriever.from_settings(settings)
        if detect_language(args.query) != ENGLISH:  # only then are the model's client and prompts loaded
            from copilot.llm import ModelHost

            retriever, _ = _searcher(settings, stack.enter_context(ModelHost(settings)))
        try:
            hits = retriever.search(args.query, k=args.k, filters=filters or None)
        except FilterError as exc:
            print(f"rapporteur: {exc}", file=sys.stderr)
            return EXIT_ERROR
    _say_translation(retriever.translate(args.query))
    _emit(hits, args.json, lambda xs: "\n".join(f"{h.render()}  {h.heading}" for h in xs) or "no hits")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from copilot.checker import run_check
    from copilot.checker.docx_comments import write_commented_copy
    from copilot.checker.fixes import write_fixed_copy
    from copilot.checker.model_choice import ModelChooser
    from copilot.checker.report import to_html, to_markdown
    from copilot.llm import ModelHost
    from ingest.parsers import ParseError

    settings = _settings(args)
    indexed = (settings.index / "records.sqlite3").is_file()
    path = Path(args.file)
    with ModelHost(settings) as host:
        model = _connect(host)[0] if args.model and indexed else None
        try:
            draft, report = run_check(
                path,
                settings,
                _library(args) if indexed else None,
                chooser=ModelChooser(model) if model else None,
            )
        except ParseError as exc:
            print(f"rapporteur: {path}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    for target, render in ((args.markdown, to_markdown), (args.html, to_html)):
        if target:
            Path(target).write_text(render(report), encoding="utf-8")
    if (args.docx or args.fix) and draft.meta.format != "docx":
        print(f"rapporteur: {path}: --docx and --fix need a .docx draft", file=sys.stderr)
        return EXIT_ERROR
    if args.docx:
        write_commented_copy(path, draft, report, Path(args.docx))
    if args.fix:
        copy = write_fixed_copy(path, draft, report, Path(args.fix))
        print(
            f"{args.fix}: {len(copy.fixed)} fixes as tracked changes, {copy.comments} comments",
            file=sys.stderr,
        )
    _emit(report, args.json, to_markdown)
    return EXIT_PARTIAL if report.summary.by_severity.get("error") else EXIT_OK


BOOLEAN_FILTERS = {"in_force": ("true", "false")}


def _filters(pairs: list[str]) -> dict[str, str]:
    """``--filter key=value`` pairs, checked before any search: a malformed pair, an unknown key or a
    yes/no filter given anything but true/false is a usage error, never silently ignored."""
    from copilot.retrieval.filters import FILTER_KEYS

    filters = {}
    for pair in pairs:
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key or not value:
            raise UsageError(f"--filter wants KEY=VALUE, got {pair!r}")
        if key not in FILTER_KEYS:
            raise UsageError(f"unknown filter {key!r}; use one of {', '.join(FILTER_KEYS)}")
        if key in BOOLEAN_FILTERS and value.lower() not in BOOLEAN_FILTERS[key]:
            raise UsageError(f"--filter {key} must be true or false, got {value!r}")
        filters[key] = value
    return filters


def _need_index(settings: Settings) -> None:
    """:class:`NoIndex` unless ``settings.index`` holds an index."""
    if not (settings.index / "records.sqlite3").is_file():
        raise NoIndex(settings.index)


def _connect(host: ModelHost) -> tuple[ChatModel | None, str | None]:
    """The model, or None and the reason (printed once on stderr) so the command degrades gracefully."""
    from copilot.llm import LLMUnavailable

    try:
        return host.model(), None
    except LLMUnavailable as exc:
        reason = f"No language model is available: {exc}."
        print(f"rapporteur: {reason} Continuing without one.", file=sys.stderr)
        return None, reason


def _stream(events: Iterable[object], live: bool) -> object:
    """Print text pieces as they arrive (unless --json); return the final record."""
    final = None
    for event in events:
        if isinstance(event, str):
            if live:
                sys.stdout.write(event)
                sys.stdout.flush()
        else:
            final = event
    if live:
        sys.stdout.write("\n")
    return final


def _print_sources(answer: Answer, notices: bool) -> None:
    """The sources under a streamed answer, and its notices on stderr."""
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        print(f"- {c.render()}" + ("" if c.heading == c.clause else f"  {c.heading}"))
    for line in filter(None, [answer.notice if notices else None, *answer.unsupported]):
        print(f"rapporteur: {line}", file=sys.stderr)


def _converse(
    assistant: Assistant, conversation: Conversation, question: str, filters: dict[str, str], as_json: bool
) -> Answer:
    """One turn of a conversation: the follow-up made self-contained (and said), answered (streamed
    unless ``as_json``, then its sources listed), remembered."""
    from copilot.assistant import Answer

    query = conversation.rewrite(question)
    if query != question and not as_json:
        print(f"Searching for: {query}", flush=True)
    answer = _stream(assistant.ask_stream(question, filters, query), not as_json)
    assert isinstance(answer, Answer)
    _say_translation(answer.translation)
    conversation.record(answer)
    if not as_json:
        _print_sources(answer, assistant.model is not None)
    return answer


def cmd_ask(args: argparse.Namespace) -> int:
    from copilot.assistant import Assistant
    from copilot.conversation import Conversation, ConversationStore
    from copilot.llm import ModelHost
    from copilot.retrieval import FilterError

    settings = _settings(args)
    filters = _filters(args.filter)
    _need_searchable(args)
    store = ConversationStore(settings.index)
    conversation = store.load(args.conversation) if args.conversation else Conversation()
    with ModelHost(settings) as host:
        model, reason = _connect(host)
        retriever, translator = _searcher(settings, host)
        assistant = Assistant(retriever, model, settings, reason, translator)
        try:
            answer = _converse(assistant, conversation, args.question, filters, args.json)
        except FilterError as exc:
            print(f"rapporteur: {exc}", file=sys.stderr)
            return EXIT_ERROR
    if args.json:
        print(answer.model_dump_json(indent=2))
    if args.conversation:
        store.save(conversation)
    return EXIT_OK


CHAT_END = frozenset({"exit", "quit"})


def cmd_chat(args: argparse.Namespace) -> int:
    """Questions from stdin, one a line, until end of input or 'exit'; each read in the light of the
    ones before (and, with --conversation, of the stored turns, to which each answer is saved).
    ``--json`` prints one answer per line (JSON Lines)."""
    from copilot.assistant import Assistant
    from copilot.conversation import Conversation, ConversationStore
    from copilot.llm import ModelHost
    from copilot.retrieval import FilterError

    settings = _settings(args)
    _need_searchable(args)
    store = ConversationStore(settings.index)
    conversation = store.load(args.conversation) if args.conversation else Conversation()
    prompt = sys.stdin.isatty() and not args.json
    with ModelHost(settings) as host:
        model, reason = _connect(host)
        retriever, translator = _searcher(settings, host)
        assistant = Assistant(retriever, model, settings, reason, translator)
        while True:
            if prompt:
                print("> ", end="", file=sys.stderr, flush=True)
            line = sys.stdin.readline()
            question = line.strip()
            if not line or question.lower() in CHAT_END:
                break
            if not question:
                continue
            try:
                answer = _converse(assistant, conversation, question, {}, args.json)
            except FilterError as exc:
                print(f"rapporteur: {exc}", file=sys.stderr)
                return EXIT_ERROR
            if args.conversation:
                store.save(conversation)
            print(answer.model_dump_json() if args.json else "", flush=True)
    return EXIT_OK


def _edition_files(args: argparse.Namespace) -> tuple[Path, Path]:
    """OLD and NEW as files: given, named by Recommendation (and @edition) in the index, or for
    ``--against-index`` the draft and the indexed edition it revises. EditionNotFound otherwise."""
    from copilot.editions.compare import indexed_edition, locate

    settings = _settings(args)
    library = _library(args) if (settings.index / "records.sqlite3").is_file() else None
    if getattr(args, "against_index", False):
        if len(args.editions) != 1 or library is None:
            raise ValueError("--against-index takes one draft, and needs an index")
        draft = locate(args.editions[0], None)
        return indexed_edition(draft, library), draft
    if len(args.editions) != 2:
        raise ValueError("give OLD and NEW (or one draft with --against-index)")
    return locate(args.editions[0], library), locate(args.editions[1], library)


def cmd_diff(args: argparse.Namespace) -> int:
    from copilot.checker.draft import load_draft
    from copilot.editions.compare import EditionNotFound, compare
    from copilot.editions.redline_docx import RedlineError, write_redline
    from copilot.editions.report import to_html, to_markdown
    from ingest.parsers import ParseError

    try:
        old, new = _edition_files(args)
        diff = compare(load_draft(old), load_draft(new))
        if args.docx:
            write_redline(old, new, Path(args.docx))
            print(f"rapporteur: wrote {args.docx}", file=sys.stderr)
    except (EditionNotFound, RedlineError, ValueError) as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ParseError as exc:
        print(f"rapporteur: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_ERROR
    for target, render in ((args.markdown, to_markdown), (args.html, to_html)):
        if target:
            Path(target).write_text(render(diff), encoding="utf-8")
    _emit(diff, args.json, to_markdown)
    return EXIT_OK


def _draft_amendment(args: argparse.Namespace) -> int:
    from copilot.checker.draft import load_draft
    from copilot.drafting.docx_export import export_docx
    from copilot.editions.amendment import amendment_text
    from copilot.editions.compare import compare
    from ingest.parsers import ParseError

    if not (args.from_file and args.to_file):
        print("rapporteur: draft amendment needs --from OLD and --to NEW", file=sys.stderr)
        return EXIT_ERROR
    try:
        old, new = load_draft(Path(args.from_file)), load_draft(Path(args.to_file))
    except (ParseError, OSError) as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    diff = compare(old, new)
    text = amendment_text(diff, [c.number for c in new.tree.clauses])
    if args.docx:
        export_docx(text, Path(args.docx), _settings(args).docx_template)
        print(f"rapporteur: wrote {args.docx}", file=sys.stderr)
    _emit(
        {"kind": "amendment", "from": diff.old.path, "to": diff.new.path, "text": text},
        args.json,
        lambda d: d["text"],
    )
    return EXIT_OK


def cmd_draft(args: argparse.Namespace) -> int:
    if args.kind == AMENDMENT:
        return _draft_amendment(args)
    settings = _settings(args)
    _need_searchable(args)
    if args.into or args.conversation:
        return _draft_into(args, settings)
    if not args.topic:
        print(f"rapporteur: draft {args.kind} needs --topic", file=sys.stderr)
        return EXIT_ERROR
    from copilot.drafting.docx_export import export_docx
    from copilot.drafting.drafter import Drafter
    from copilot.drafting.models import ClauseDraft, DraftKind
    from copilot.llm import ModelHost
    from ingest.parsers import ParseError, parse_file

    draft_text = ""
    if args.from_file:
        try:
            draft_text = "\n".join(b.text for b in parse_file(Path(args.from_file)).blocks)
        except (ParseError, OSError) as exc:
            print(f"rapporteur: {args.from_file}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    with ModelHost(settings) as host:
        model, reason = _connect(host) if DraftKind(args.kind).needs_model else (None, None)
        drafter = Drafter.from_settings(settings, model, reason)
        events = drafter.draft_stream(
            args.kind, args.topic, rec_id=args.rec_id, title=args.title, draft_text=draft_text
        )
        draft = _stream(events, not args.json)
    assert isinstance(draft, ClauseDraft)
    if args.docx:
        export_docx(draft.text, Path(args.docx), settings.docx_template)
        print(f"rapporteur: wrote {args.docx}", file=sys.stderr)
    if args.json:
        print(draft.model_dump_json(indent=2))
    else:
        if draft.citations:
            print("Sources:\n" + "\n".join(f"- {c.render()}" for c in draft.citations))
        for line in [*draft.notices, *draft.unsupported]:
            print(f"rapporteur: {line}", file=sys.stderr)
    return EXIT_OK


def _draft_into(args: argparse.Namespace, settings: Settings) -> int:
    """``draft KIND --into FILE`` / ``--conversation NAME``: the clause drafted from the rest of the
    growing draft (the file as it is now, else the conversation's) and put in its place; the file
    is rewritten with every other clause kept, and the conversation keeps the draft."""
    from copilot.conversation import Conversation, ConversationStore
    from copilot.drafting.document import DraftDocument, draft_into
    from copilot.drafting.docx_export import export_docx
    from copilot.drafting.drafter import Drafter
    from copilot.drafting.models import ClauseDraft, DraftKind
    from copilot.llm import ModelHost

    into = Path(args.into) if args.into else None
    if into and into.suffix.lower() != ".docx":
        raise UsageError(f"{into}: --into takes a .docx file")
    if args.from_file:
        raise UsageError("--from gives the draft so far, as --into and --conversation do: use one of them")
    store = ConversationStore(settings.index)
    conversation = store.load(args.conversation) if args.conversation else Conversation()
    document = conversation.draft or DraftDocument()
    if into and into.exists():  # the file as it is now, hand edits included, is the draft so far
        read = DraftDocument.from_docx(into)
        document = conversation.draft.with_edits_from(read) if conversation.draft else read
    document.rec_id = args.rec_id or document.rec_id
    document.title = args.title or document.title
    if not (args.topic or document.topic):
        print(f"rapporteur: draft {args.kind} needs --topic (the draft has none yet)", file=sys.stderr)
        return EXIT_ERROR
    with ModelHost(settings) as host:
        model, reason = _connect(host) if DraftKind(args.kind).needs_model else (None, None)
        drafter = Drafter.from_settings(settings, model, reason)
        draft = _stream(draft_into(document, drafter, args.kind, args.topic), not args.json)
    assert isinstance(draft, ClauseDraft)
    if args.conversation:
        conversation.draft = document
        store.save(conversation)
    if into:
        document.to_docx(into, settings.docx_template)
        print(f"rapporteur: wrote {into} (clauses: {', '.join(document.keys())})", file=sys.stderr)
    if args.docx:
        export_docx(draft.text, Path(args.docx), settings.docx_template)
    if args.json:
        print(draft.model_dump_json(indent=2))
    for line in [*draft.notices, *draft.unsupported]:
        print(f"rapporteur: {line}", file=sys.stderr)
    return EXIT_OK


def cmd_model(args: argparse.Namespace) -> int:
    from copilot.llm import LLMUnavailable, ModelHost

    settings = _settings(args)
    with ModelHost(settings) as host:
        if args.serve:
            try:
                model = host.model()
            except LLMUnavailable as exc:
                print(f"rapporteur: {exc}", file=sys.stderr)
                return EXIT_ERROR
            stopped = threading.Event()
            for stop in (signal.SIGINT, signal.SIGTERM):  # whichever thread the signal reaches
                signal.signal(stop, lambda _signum, _frame: stopped.set())
            print(
                f"serving {model.name} at {model.base_url}; set RAPPORTEUR_LLM_BASE_URL to it (Ctrl-C stops)"
            )
            sys.stdout.flush()
            while not stopped.wait(0.5):
                pass
            return EXIT_OK
        status = host.status()
    state = "reachable" if status.reachable else "NOT reachable"
    _emit(status, args.json, lambda s: f"{s.model} at {s.endpoint}: {state} ({s.detail})")
    return EXIT_OK if status.reachable else EXIT_ERROR


def cmd_doctor(args: argparse.Namespace) -> int:
    from rapporteur.doctor import diagnose, render

    report = diagnose(_settings(args), generate=not args.no_generate)
    _emit(report, args.json, render)
    return EXIT_OK if report.ok else EXIT_ERROR


def _listenable(host: str, port: int) -> None:
    """:class:`PortInUse` unless a server can listen on ``host:port`` now (checked before the server
    starts, whose own error is a traceback)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PortInUse(
            f"cannot listen on {host}:{port} ({reason}); stop what uses it or choose another --port"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    _listenable(args.host, args.port)
    from ui.server import ServeError, serve

    try:
        return serve(
            _settings(args), host=args.host, port=args.port, share=args.share or None,
            insecure=args.insecure,
        )  # fmt: skip
    except ServeError as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR


def cmd_mcp(args: argparse.Namespace) -> int:
    from rapporteur.mcp_server import McpServeError, serve_http, serve_stdio

    settings = _settings(args)
    _need_index(settings)  # an assistant is served a library, never an empty index made on the spot
    if args.http:
        _listenable(args.host, args.port)
    try:
        return serve_http(settings, args.host, args.port) if args.http else serve_stdio(settings)
    except McpServeError as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.report import ReportError
    from eval.runner import DEFAULT_OUT, ThresholdsError, evaluate

    settings = _settings(args)
    if args.corpus:
        settings = settings.model_copy(update={"corpus": Path(args.corpus)})
    try:
        report, folder, broken = evaluate(
            args.suite, settings, args.fast, Path(args.out) if args.out else DEFAULT_OUT,
            Path(args.fail_under) if args.fail_under else None,
        )  # fmt: skip
    except (ReportError, ThresholdsError, ValueError) as exc:
        print(f"rapporteur: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        payload = report.model_dump(mode="json", exclude={"suites": {"__all__": {"rows"}}})
        print(json.dumps({"run": str(folder), "violations": broken, **payload}, ensure_ascii=False, indent=2))
    else:
        print((folder / "report.md").read_text(encoding="utf-8"))
    print(f"rapporteur: report written to {folder}", file=sys.stderr)
    for violation in broken:
        print(f"rapporteur: threshold violated: {violation}", file=sys.stderr)
    if any(s.status == "failed" for s in report.suites):
        return EXIT_ERROR
    return EXIT_PARTIAL if broken else EXIT_OK


# -- parser --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from copilot.drafting.models import DraftKind

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
    p.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="parse processes reading ahead of the embedder (default: min(4, cores))",
    )

    command("docs", cmd_docs, "List indexed documents.")

    p = command("index", cmd_index, "Check the index is intact, or repair it (--repair).")
    p.add_argument(
        "--repair",
        action="store_true",
        help="rebuild unreadable records from their files and missing vectors from the embedding cache",
    )

    p = command("show", cmd_show, "Show a document's clause tree, or one clause's text.")
    p.add_argument("rec_id", help="Recommendation id (e.g. 'Y.3507', 'ITU-R P.452-18') or doc id")
    p.add_argument("--clause", help="clause number, e.g. 3.2.1, 'Annex A', A.1, 'Appendix I'")
    p.add_argument("--lang", help="language (en, fr, es, ru, ar, zh) when several exist")

    p = command("terms", cmd_terms, "Look up definitions by term.")
    p.add_argument("query")
    p.add_argument("--limit", type=_positive, default=20, help="most definitions shown (default 20)")

    p = command(
        "abbrev",
        cmd_abbrev,
        "Expand an abbreviation as the indexed Recommendations define it, or find the abbreviation of an "
        "expansion.",
    )
    p.add_argument(
        "abbreviation", help='an abbreviation ("OWAMP") or what one stands for ("registration authority")'
    )

    p = command("refs", cmd_refs, "List a Recommendation's references.")
    p.add_argument("rec_id")

    p = command("remove", cmd_remove, "Remove documents (by doc id, path or Recommendation id).")
    p.add_argument("keys", nargs="+")
    p.add_argument(
        "--all-matching", action="store_true", help="remove every document a name matches (several languages)"
    )

    p = command("search", cmd_search, "Search the library: clause-level hits with citations, best first.")
    p.add_argument("query")
    p.add_argument("-k", type=_positive, default=10, help="number of hits (default 10)")
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
    p.add_argument(
        "--fix",
        metavar="OUT.docx",
        help="write a copy of a .docx draft with each mechanical fix as a tracked change (author "
        "Rapporteur) commented with its finding, and the other findings as comments",
    )
    p.add_argument(
        "--model",
        action="store_true",
        help="let the configured model name which sentence of a cited Recommendation a restatement "
        "stands for where the words alone cannot tell (the code still compares the values)",
    )

    p = command("ask", cmd_ask, "Answer a question from the library, citing the clauses it rests on.")
    p.add_argument("question")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="as for search")
    p.add_argument(
        "--conversation", metavar="NAME", help="continue this named conversation (kept beside the index)"
    )

    p = command("chat", cmd_chat, "Ask questions one a line on stdin, follow-ups read in their light.")
    p.add_argument("--conversation", metavar="NAME", help="continue and keep this named conversation")

    p = command("draft", cmd_draft, "Draft a clause (or a whole skeleton) in ITU-T style.")
    p.add_argument("kind", choices=[*(k.value for k in DraftKind), AMENDMENT])
    p.add_argument("--topic", help="what the Recommendation is about (all kinds but amendment)")
    p.add_argument("--rec-id", help="the new Recommendation's id, e.g. 'ITU-T Y.3599'")
    p.add_argument("--title", help="title for a skeleton (default: the topic)")
    p.add_argument(
        "--from", dest="from_file", metavar="FILE", help="your draft so far (abbreviations); amendment: OLD"
    )
    p.add_argument("--to", dest="to_file", metavar="FILE", help="amendment: the NEW edition")
    p.add_argument("--docx", metavar="PATH", help="also export the draft to .docx in ITU styles")
    p.add_argument(
        "--into",
        metavar="FILE.docx",
        help="put the clause in this draft (made if absent), keeping the others",
    )
    p.add_argument(
        "--conversation", metavar="NAME", help="grow this conversation's draft (kept beside the index)"
    )

    p = command("diff", cmd_diff, "Compare two editions clause by clause; optionally a redline .docx.")
    p.add_argument(
        "editions", nargs="+", metavar="OLD NEW", help="files, or indexed Recommendations ('Y.3507@2018')"
    )
    p.add_argument("--against-index", action="store_true", help="compare one draft with its indexed edition")
    p.add_argument("--markdown", metavar="PATH", help="also write the changes as Markdown")
    p.add_argument("--html", metavar="PATH", help="also write the changes as HTML")
    p.add_argument("--docx", metavar="PATH", help="NEW (a .docx) with tracked changes against OLD")

    p = command(
        "model", cmd_model, "Show whether the language model is reachable, or serve the embedded one."
    )
    p.add_argument("--serve", action="store_true", help="keep the embedded llama.cpp server running")

    p = command("doctor", cmd_doctor, "Check the install and say how to fix each gap it finds.")
    p.add_argument("--no-generate", action="store_true", help="skip the 4-token test of the model")

    p = command("serve", cmd_serve, "Open the browser workspace (Ask & Draft, Check, Library, Settings).")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="also open a public share link (off unless asked)")
    p.add_argument(
        "--insecure",
        action="store_true",
        help="serve off loopback (or with --share) without a login (RAPPORTEUR_UI_USERS); refused otherwise",
    )

    p = command("mcp", cmd_mcp, "Serve the library to assistants over MCP (stdio, or --http at /mcp).")
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need a token)"
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")

    p = command("eval", cmd_eval, "Run the held-out eval suites and write a report (see eval/README.md).")
    p.add_argument("--suite", default="all", help="retrieval, qa, drafting, checking or all (default)")
    p.add_argument("--fast", action="store_true", help="the small deterministic CI subset (no model)")
    p.add_argument("--out", help="report folder; runs are kept in OUT/runs/ (default: eval/results)")
    p.add_argument("--corpus", help="ITU corpus folder (default: RAPPORTEUR_CORPUS)")
    p.add_argument("--fail-under", metavar="FILE", help="thresholds JSON; exit 2 when a metric breaks one")
    return parser


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM unwinds the command like Ctrl-C does, so that the embedded model server and temporary
    files go with it instead of being left orphaned."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("rapporteur: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every error a user can act on, in one place; anything else is a bug
        error = explain(exc)
        if error is None:
            raise
        print(f"rapporteur: {error}", file=sys.stderr)
        return error.exit_status
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())

"""Drafting in ITU style: exact pieces from the library, prose from the model inside the skeleton.

A draft is composed section by section; each section streams its text as it is written, so the CLI
and the UI show progress even while the model is thinking. Without a model, the prose sections become
placeholders (``<...>``) and everything exact is still there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from importlib.resources import files
from typing import Any

from copilot.citation import Citation
from copilot.drafting.document import terms_defined, terms_defined_here
from copilot.drafting.exact import ExactPieces, Piece, ReusedTerm
from copilot.drafting.models import ClauseDraft, DraftKind
from copilot.grounding import (
    CitationRewriter,
    Source,
    prepare_sources,
    redact_instructions,
    rewrite_stream,
)
from copilot.llm import ChatModel, LLMError
from copilot.prompts import PromptTemplate
from copilot.retrieval import HybridRetriever, Retriever
from ingest.catalog import ReferenceCatalog
from ingest.models import DocKind
from rapporteur.settings import Settings

SKELETON_FILE = files("copilot.drafting") / "itu_t_skeleton.toml"  # package data: found in a wheel too
CONTEXT_SOURCES = 3
KEYWORDS = 6
"""Keywords listed at most: published Recommendations list two to six."""
EXAMPLES = 2  # worked examples per prompt: a third lengthens the prompt without better drafts
REQUIREMENT_PREFIX = "REQ"
_SENTENCE_BREAK = re.compile(r"(?<=\.)\s+(?=[A-Z])")
_REQUIREMENT_LABEL = re.compile(
    r"^(?:[-–—•*]\s*|[A-Z][\w/]*(?:-[\w/]+)*-\d+\s*:?\s+|[^:.]{3,60}:\s+(?=[A-Z]))"
)
_REFERENCE_TAG = re.compile(r"\s*\[(?:b-)?(?:ITU-[TR]|CCITT|CCIR|ISO|IEC|IETF)[^\]]{1,40}\]")
_OWN_IDENTIFIER = re.compile(r"\b(?:[Tt]his )?Recommendation (?:ITU-[TR] )?[A-Z]{1,3}\.\d[\w.\-]*")


def load_skeleton() -> dict[str, Any]:
    with SKELETON_FILE.open("rb") as handle:
        return tomllib.load(handle)


def requirement_lines(text: str, keywords: list[str], limit: int = 4) -> list[str]:
    """A requirement clause's sentences that use one of the keywords, in the REQ-nn shape, without
    their own labels ("PM-IO-002:", "Provide I/O interface:") or reference tags."""
    sentences = [
        sentence
        for line in _REFERENCE_TAG.sub("", text).splitlines()
        for sentence in _SENTENCE_BREAK.split(_REQUIREMENT_LABEL.sub("", line.strip()))
        if any(k in sentence for k in keywords) and 20 < len(sentence) < 300
    ]
    return [f"{REQUIREMENT_PREFIX}-{i:02d}: {s}" for i, s in enumerate(sentences[:limit], 1)]


def renumbered(pieces: Iterable[str], prefix: str = REQUIREMENT_PREFIX) -> Iterator[str]:
    """The stream with requirement identifiers at line starts numbered 01, 02... in the order written
    (the model continues the numbering of the examples it was shown); everything else passes through
    as it comes, so the text still streams."""
    complete = re.compile(rf"{re.escape(prefix)}-\d+:")
    partial = re.compile(rf"{re.escape(prefix)}-\d*")
    number, head, at_start = 0, "", True
    for piece in pieces:
        out = []
        for ch in piece:
            if not at_start:
                out.append(ch)
                at_start = ch == "\n"
                continue
            head += ch
            if complete.fullmatch(head):
                number += 1
                out.append(f"{prefix}-{number:02d}:")
                head, at_start = "", False
            elif not (f"{prefix}-".startswith(head) or partial.fullmatch(head)):
                out.append(head)
                head, at_start = "", ch == "\n"
        if out:
            yield "".join(out)
    if head:
        yield head


def new_definition_lines(text: str, reused: set[str]) -> list[str]:
    """The model's "term: definition" lines for clause 3.2, without list marks, and without any term
    that clause 3.1 already reuses or that carries a source tag: restating an existing definition is
    what the Author's guide (and the checker) forbids, so such a line is dropped, not numbered."""
    known = {term.lower() for term in reused}
    out = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*0123456789. \t")
        term, colon, _ = line.partition(":")
        if colon and "[" not in term and term.strip().lower() not in known:
            out.append(line)
    return out


class _Composition:
    """The draft being written: its text so far and everything recorded along the way."""

    def __init__(self, draft: ClauseDraft) -> None:
        self.draft = draft
        self.parts: list[str] = []

    def add(self, text: str) -> str:
        self.parts.append(text)
        return text

    def take(self, piece: Piece) -> None:
        self.draft.citations.extend(c for c in piece.citations if c not in self.draft.citations)
        self.draft.notices.extend(piece.notices)

    def finish(self) -> ClauseDraft:
        self.draft.text = "".join(self.parts).strip() + "\n"
        return self.draft


class Drafter:
    """Writes one clause kind (or a whole skeleton) for a topic; ``model`` None = exact parts only."""

    def __init__(
        self,
        retriever: Retriever,
        catalog: ReferenceCatalog | None,
        model: ChatModel | None,
        settings: Settings,
        unavailable: str | None = None,
    ) -> None:
        self.retriever = retriever
        self.catalog = catalog
        self.model = model
        self.settings = settings
        self.unavailable = unavailable or "No language model is configured"
        self.skeleton = load_skeleton()

    @classmethod
    def from_settings(
        cls, settings: Settings, model: ChatModel | None, unavailable: str | None = None
    ) -> Drafter:
        return cls(
            HybridRetriever.from_settings(settings),
            ReferenceCatalog.from_settings(settings),
            model,
            settings,
            unavailable,
        )

    def draft(self, kind: DraftKind | str, topic: str, **options: Any) -> ClauseDraft:
        result = None
        for event in self.draft_stream(kind, topic, **options):
            if isinstance(event, ClauseDraft):
                result = event
        assert result is not None
        return result

    def draft_stream(
        self,
        kind: DraftKind | str,
        topic: str,
        rec_id: str | None = None,
        title: str | None = None,
        draft_text: str = "",
        exclude_rec_id: str | None = None,
    ) -> Iterator[str | ClauseDraft]:
        """Text as it is written, then the finished :class:`ClauseDraft`. ``draft_text`` is the
        rapporteur's draft so far (abbreviations are collected from it); ``exclude_rec_id`` keeps one
        Recommendation out of everything drafting reads (held-out evaluation)."""
        kind = DraftKind(kind)
        work = _Composition(ClauseDraft(kind=kind, topic=topic, rec_id=rec_id, title=title, text=""))
        if self.model is None and kind.needs_model:
            work.draft.notices.append(f"{self.unavailable}; the prose is left as a placeholder.")
        context = _Context(self, topic, rec_id, draft_text, exclude_rec_id)
        sections = {
            DraftKind.SCOPE: context.scope,
            DraftKind.SUMMARY: context.summary,
            DraftKind.KEYWORDS: context.keywords,
            DraftKind.DEFINITIONS: context.definitions,
            DraftKind.ABBREVIATIONS: context.abbreviations,
            DraftKind.REFERENCES: context.references,
            DraftKind.CONVENTIONS: context.conventions,
            DraftKind.REQUIREMENTS: context.requirements,
            DraftKind.SKELETON: context.skeleton,
        }
        for text in sections[kind](work):
            yield work.add(text)
        if self.model is not None:
            work.draft.model = self.model.name
        yield work.finish()


class _Context:
    """One drafting request: the topic, what it may read, and the section writers."""

    def __init__(
        self, drafter: Drafter, topic: str, rec_id: str | None, draft_text: str, exclude_rec_id: str | None
    ) -> None:
        self.drafter = drafter
        self.topic = topic
        self.rec_id = rec_id
        self.draft_text = draft_text
        self.filters = {"exclude_rec_id": exclude_rec_id} if exclude_rec_id else None
        store = drafter.retriever.store
        self.exact = ExactPieces(store, drafter.catalog, exclude_rec_id)
        self.fixed: dict[str, Any] = drafter.skeleton
        self.headings: dict[str, str] = drafter.skeleton["headings"]
        self._hits: list[Citation] | None = None
        self._definitions: list[ReusedTerm] | None = None

    # -- shared look-ups ----------------------------------------------------------------------------

    def hits(self) -> list[Citation]:
        if self._hits is None:
            self._hits = self.drafter.retriever.search(self.topic, k=10, filters=self.filters)
        return self._hits

    def reused(self) -> list[ReusedTerm]:
        if self._definitions is None:
            self._definitions = self.exact.reused_definitions(self.topic, self.hits())
        return self._definitions

    def related_clauses(self, heading: str) -> list[Citation]:
        """The ``heading`` clause (Scope, Summary) of the Recommendations most related to the topic (not
        of supplements, guides or contributions, whose clauses are written in another voice)."""
        found: list[Citation] = []
        for hit in self.hits():
            if len(found) >= CONTEXT_SOURCES or any(c.doc_id == hit.doc_id for c in found):
                continue
            doc = self.exact.documents().get(hit.doc_id)
            if doc is None or doc.kind != DocKind.RECOMMENDATION:
                continue
            for clause in self.exact.store.clauses(hit.doc_id):
                if clause.heading.strip().lower() == heading and clause.text.strip():
                    found.append(
                        Citation(
                            doc_id=hit.doc_id,
                            rec_id=hit.rec_id,
                            clause=clause.number,
                            heading=clause.heading,
                            page=clause.page_start,
                            text=clause.text,
                            path=hit.path,
                        )
                    )
                    break
        return found

    def heading(self, key: str) -> str:
        return f"{self.headings[key]}\n\n"

    # -- model prose ---------------------------------------------------------------------------------

    def prose(
        self,
        work: _Composition,
        prompt_name: str,
        sources: list[Citation],
        placeholder: str,
        as_examples: Callable[[Source], dict[str, str] | None] | None = None,
        **values: str,
    ) -> Iterator[str]:
        """Stream the model's text for one section, citations checked; a placeholder without a model.
        ``as_examples``: the sources are the same kind of clause in related Recommendations, shown to
        the model as worked examples (this function turns one into the prompt's example values, or
        None to skip it) instead of as reference text."""
        drafter = self.drafter
        if drafter.model is None:
            yield placeholder
            return
        prompt = PromptTemplate.load(prompt_name)
        prepared = prepare_sources(self.topic, sources, drafter.settings.answer.source_chars)
        if as_examples:
            usable = [(s, example) for s in prepared if (example := as_examples(s))][:EXAMPLES]
            prepared = [s for s, _ in usable]
        examples = [example for _, example in usable] if as_examples else []
        messages = prompt.render(
            examples=examples,
            sources="\n\n".join(s.block() for s in prepared) or "(no related text)",
            topic=self.topic,
            **values,
        )
        if as_examples:
            shown = [s.citation for s in prepared if s.citation not in work.draft.citations]
            work.draft.citations.extend(shown)
        generation = drafter.model.generate(
            messages,
            max_tokens=prompt.token_budget(drafter.settings.llm.max_tokens),
            temperature=drafter.settings.llm.temperature,
        )
        rewriter = CitationRewriter(prepared)
        work.draft.prompts.append(prompt.tag)
        work.draft.stats.append(generation.stats)
        written = []
        try:
            for piece in rewrite_stream(generation, rewriter):
                written.append(piece)
                yield piece
        except LLMError as exc:
            work.draft.notices.append(f"The model failed ({exc}); the section is left as a placeholder.")
            if not written:
                yield placeholder
        work.draft.citations.extend(
            s.citation for s in rewriter.cited if s.citation not in work.draft.citations
        )
        work.draft.unsupported.extend(rewriter.unsupported)

    def title_of(self, citation: Citation) -> str:
        doc = self.exact.documents().get(citation.doc_id)
        return (doc.title if doc else None) or citation.rec_id or ""

    def example(self, source: Source) -> dict[str, str] | None:
        """A related clause as a worked example: its Recommendation's title as the topic, its text with
        the Recommendation's own identifier replaced and its reference tags removed, so that the model
        copies neither another number nor citations of clauses it was never given."""
        title = self.title_of(source.citation) or "a related subject"
        text = _OWN_IDENTIFIER.sub("This Recommendation", source.text)
        return {"title": title, "text": _REFERENCE_TAG.sub("", text)}

    def requirement_example(self, source: Source, keywords: list[str]) -> dict[str, str] | None:
        """A related requirement clause as a worked example in the output's own shape: its sentences
        that use a requirement keyword (from the whole clause, not the window a reference source gets;
        redacted all the same), numbered REQ-01..., under the clause's heading as the topic."""
        lines = requirement_lines(redact_instructions(source.citation.text)[0], keywords)
        if not lines:
            return None
        title = self.title_of(source.citation)
        return {"title": f"{source.citation.heading} ({title})", "text": "\n".join(lines)}

    # -- sections --------------------------------------------------------------------------------------

    def named_documents(self, text: str) -> list[str]:
        """The Recommendations and other standards the rapporteur names, this one left out."""
        return [r for r in self.exact.named_documents(text) if r != self.rec_id and self.exact.allowed(r)]

    def scope(self, work: _Composition) -> Iterator[str]:
        yield self.heading("scope")
        yield from self.prose(
            work,
            "draft_scope",
            self.related_clauses("scope"),
            "<Mandatory: what this Recommendation specifies>",
            as_examples=self.example,
        )
        related = [f"[{r}]" for r in self.named_documents(self.topic)]
        if related:
            listed = ", ".join(related[:-1]) + f" and {related[-1]}" if len(related) > 1 else related[0]
            yield f"\n\nThis Recommendation is to be read in conjunction with {listed}."
        yield "\n\n"

    def summary(self, work: _Composition) -> Iterator[str]:
        opening = f"Recommendation {self.rec_id}" if self.rec_id else "This Recommendation"
        yield self.heading("summary")
        yield from self.prose(
            work,
            "draft_summary",
            self.related_clauses("summary"),
            "<Mandatory: a one-paragraph summary>",
            as_examples=self.example,
            opening=opening,
        )
        yield "\n\n"

    def keywords(self, work: _Composition) -> Iterator[str]:
        """The terms the draft defines (3.2 first, then those it reuses in 3.1), else those the library
        would lend the topic, as ITU lists them ("Cloud computing, physical machine"): exact, no model."""
        terms = terms_defined_here(self.draft_text) + terms_defined(self.draft_text)
        terms = terms or [d.term for d in self.reused()]
        first: dict[str, str] = {}
        for term in terms:
            first.setdefault(term.lower(), term)
        listed = ", ".join(sorted(list(first.values())[:KEYWORDS], key=str.lower))
        if not listed:
            work.draft.notices.append(
                "Keywords: neither the draft's clause 3 nor the library's terms for the topic give any; "
                "list the keywords yourself."
            )
        yield self.heading("keywords")
        yield (listed[:1].upper() + listed[1:] if listed else "<Mandatory>") + "\n\n"

    def references(self, work: _Composition, extra: list[str] | None = None) -> Iterator[str]:
        rec_ids = [d.source for d in self.reused()]
        rec_ids += self.named_documents(f"{self.topic}\n{self.draft_text}") + (extra or [])
        rec_ids = [r for r in rec_ids if r != self.rec_id]
        intro, entries = self.exact.references_intro(), self.exact.references(rec_ids)
        work.take(intro)
        work.take(entries)
        yield self.heading("references")
        yield "\n\n".join(
            [
                *(intro.lines or [self.fixed["references_intro"]]),
                *(entries.lines or [self.fixed["none"]]),
            ]
        )
        yield "\n\n"

    def definitions(self, work: _Composition) -> Iterator[str]:
        elsewhere = self.exact.defined_elsewhere(self.reused())
        work.take(elsewhere)
        yield self.heading("definitions")
        yield self.heading("defined_elsewhere")
        if elsewhere.lines:
            yield self.fixed["defined_elsewhere_intro"] + "\n\n" + "\n\n".join(elsewhere.lines) + "\n\n"
        else:
            yield self.fixed["none"] + "\n\n"
        yield self.heading("defined_here")
        yield self.fixed["defined_here_intro"] + "\n\n"
        existing = ", ".join(d.term for d in self.reused()) or "(none)"
        lines: list[str] = []
        for piece in self.prose(
            work,
            "draft_terms",
            elsewhere.citations,
            "<term>: <definition>.",
            existing=existing,
        ):
            lines.append(piece)
        new_terms = new_definition_lines("".join(lines), {d.term for d in self.reused()})
        numbered = [f"3.2.{i}\t{line}" for i, line in enumerate(new_terms, 1)]
        yield "\n\n".join(numbered[:3] or ["3.2.1\t<term>: <definition>."]) + "\n\n"

    def abbreviations(self, work: _Composition, text: str = "") -> Iterator[str]:
        piece = self.exact.abbreviations(f"{self.topic}\n{self.draft_text}\n{text}")
        work.take(piece)
        yield self.heading("abbreviations")
        if piece.lines:
            yield self.fixed["abbreviations_intro"] + "\n\n" + "\n".join(piece.lines) + "\n\n"
        else:
            yield self.fixed["none"] + "\n\n"

    def conventions(self, work: _Composition) -> Iterator[str]:
        piece = self.exact.conventions(self.rec_id)
        work.take(piece)
        yield self.heading("conventions")
        if piece.lines:
            yield self.fixed["conventions_intro"] + "\n\n" + "\n\n".join(piece.lines) + "\n\n"
        else:
            yield self.fixed["none"] + "\n\n"

    def requirements(self, work: _Composition) -> Iterator[str]:
        keywords = self.exact.keywords(self.rec_id) or [
            "is required to",
            "is recommended to",
            "can optionally",
        ]
        sources = [
            h
            for h in self.drafter.retriever.search(f"requirements {self.topic}", k=20, filters=self.filters)
            if any(k in h.text for k in keywords)
        ]
        yield self.heading("requirements")
        placeholder = f"{REQUIREMENT_PREFIX}-01: The <subject> {keywords[0]} <requirement>."
        defined = terms_defined_here(self.draft_text)  # the draft's own 3.2, for the model to use
        written = self.prose(
            work,
            "draft_requirements",
            sources,
            placeholder,
            as_examples=partial(self.requirement_example, keywords=keywords),
            prefix=REQUIREMENT_PREFIX,
            keywords=", ".join(f'"{k}"' for k in keywords),
            terms=f"\nTerms this Recommendation defines (use them as defined): {'; '.join(defined)}"
            if defined
            else "",
        )
        yield from renumbered(written)
        yield "\n\n"

    def skeleton_title(self) -> str:
        title = self.topic.strip().rstrip(".")
        return title[:1].upper() + title[1:]

    def skeleton(self, work: _Composition) -> Iterator[str]:
        title = work.draft.title or self.skeleton_title()
        work.draft.title = title
        yield f"Recommendation {self.rec_id or 'ITU-T X.xxx'}\n\n{title}\n\n"
        yield from self.summary(work)
        yield from self.keywords(work)
        yield from self.scope(work)
        yield from self.references(work)
        yield from self.definitions(work)
        yield from self.abbreviations(work, "".join(work.parts))
        yield from self.conventions(work)
        yield f"6\t<Clause 6 title>\n\n{self.fixed['placeholder_body']}\n\n"
        entry = "[b-ITU-T X.yyy]\tRecommendation ITU-T X.yyy (<date>), <title>."
        yield f"{self.headings['bibliography']}\n\n{entry}\n"

"""Grounded answers: retrieve clauses, hand the model only the relevant ones as delimited data, stream
its answer with every citation checked, and say plainly when the library has no answer."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from copilot.citation import Citation
from copilot.editions.question import changes_answer, editions_asked
from copilot.grounding import (
    CitationRewriter,
    Source,
    asked_words,
    attribute,
    best_window,
    prepare_sources,
    quote_sentences,
    relevance,
    rewrite_stream,
)
from copilot.language import ENGLISH, detect_language
from copilot.llm import ChatModel, GenerationStats, LLMError
from copilot.phrases import phrase
from copilot.prompts import PromptTemplate
from copilot.retrieval import Retriever
from copilot.retrieval.translation import QueryTranslation, QueryTranslator
from rapporteur.settings import Settings

NO_ANSWER = phrase("no_answer", ENGLISH)
MEANING_MIN_WORDS = 3
"""Closeness in meaning counts in the relevance gate from this many content words: a question of one
or two ("What about its abbreviations?") is near every clause on its word, whichever document that is;
every dev question that meaning let through had six or more (eval/qa/RESULTS.md)."""
_NOT_FOUND = "NOT FOUND"
_SNIPPET = 400


class Answer(BaseModel):
    """What ``rapporteur ask --json`` prints and the UI shows. ``citations`` are the clauses the answer
    cites; ``sources`` every clause it was given; ``unsupported`` the citations that were dropped;
    ``unsupported_sentences`` those no source supports (``grounded`` is False when there are any)."""

    question: str
    query: str | None = None
    """What was searched for: the question, or a follow-up rewritten from its conversation."""
    translation: QueryTranslation | None = None
    """The language of ``query`` and, when it is not English, the English it was also searched as."""
    answer: str
    quotes: list[Citation] = []
    """The sentences the answer leads with, verbatim (``text``), each with the clause it is from."""
    citations: list[Citation] = []
    sources: list[Citation] = []
    model: str | None = None
    prompt: str | None = None
    grounded: bool = False
    unsupported: list[str] = []
    unsupported_sentences: list[str] = []
    redactions: int = 0
    notice: str | None = None
    stats: GenerationStats | None = None


def quoted_lead(question: str, sources: list[Source]) -> tuple[str, list[Citation]]:
    """What every answer starts with: the clauses' own sentences that answer the question, quoted with
    their citation (chosen by :func:`quote_sentences`, never by the model), and those quotes."""
    quotes = quote_sentences(question, sources)
    text = "\n".join(f"“{sentence}” {source.citation.render()}" for source, sentence in quotes)
    return text, [source.citation.model_copy(update={"text": sentence}) for source, sentence in quotes]


def _after(lead: str, text: str) -> str:
    return f"{lead}\n\n{text}" if lead else text


def extractive_answer(question: str, sources: list[Source], why: str, language: str = ENGLISH) -> str:
    """The answer without a model: the part of each relevant clause richest in the question's words,
    under ``why`` and a heading in ``language`` (the clauses stay in the library's)."""
    lines = [f"{why} {phrase('most_relevant', language)}", ""]
    for source in sources:
        snippet = " ".join(best_window(source.text, question, _SNIPPET).split())
        cut = snippet + ("…" if len(snippet) < len(" ".join(source.text.split())) else "")
        lines.append(f"- {source.citation.render()}: {cut}")
    return "\n".join(lines)


def _late_refusal(text: str) -> bool:
    """Whether an answer's last line, after some text, is the model's NOT FOUND."""
    body = text.rstrip()
    cut = body.rfind("\n")
    return cut > 0 and body[cut:].strip().upper().rstrip(".") == _NOT_FOUND


def _before_a_late_refusal(text: str) -> int:
    """How much of a streaming answer can be shown: all of it (trailing blanks aside), except a last
    line that may still become NOT FOUND (held back until it is more, or dropped at the end)."""
    body = text.rstrip()
    cut = body.rfind("\n")
    tail = body[cut + 1 :].strip().upper()
    if cut > 0 and len(tail) <= len(_NOT_FOUND) + 1 and _NOT_FOUND.startswith(tail[: len(_NOT_FOUND)]):
        return cut
    return len(body)


class Assistant:
    """Answers questions from the library; ``model`` None means retrieval-only answers."""

    def __init__(
        self,
        retriever: Retriever,
        model: ChatModel | None,
        settings: Settings,
        unavailable: str | None = None,
        translator: QueryTranslator | None = None,
    ) -> None:
        """``translator``: the one the retriever uses, so that a question in another language is
        gated and quoted by its English translation (the model still answers in the question's)."""
        self.retriever = retriever
        self.translator = translator
        self.model = model
        self.settings = settings
        self.unavailable = unavailable or "No language model is configured."
        self.prompt = PromptTemplate.load("answer")

    def ask(self, question: str, filters: dict[str, str] | None = None, query: str | None = None) -> Answer:
        answer = None
        for event in self.ask_stream(question, filters, query):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def relevant_sources(
        self, question: str, filters: dict[str, str] | None = None, english: str | None = None
    ) -> list[Source]:
        """The retrieved clauses worth reading, or none when the library does not know the subject.

        The question is answerable when one clause (with its document's title) holds enough of its
        words (``answer_min_relevance``); then every clause holding half as many is handed over, since
        a supporting clause often shares only part of the question's wording. A clause closer in
        meaning than ``answer_meaning_floor`` has the excess added to its share of words: a question
        in a user's own words, or a translation, seldom uses the clause's words (eval/qa/RESULTS.md);
        not for a question of fewer than :data:`MEANING_MIN_WORDS` content words.
        ``english``: the question's English translation, whose words count as well as the original's
        and whose meaning is compared."""
        hits = self.retriever.search(question, k=self.settings.answer.sources * 2, filters=filters)
        titles = self.retriever.document_titles()
        asked = [question, english] if english else [question]
        floor = self.settings.answer.meaning_floor
        meant = english or question
        if len(asked_words(meant)) >= MEANING_MIN_WORDS:
            closeness = self.retriever.similarity(meant, hits)
        else:
            closeness = [0.0] * len(hits)
        scored = [
            (max(relevance(q, h, titles.get(h.doc_id, "")) for q in asked) + max(0.0, close - floor), h)
            for h, close in zip(hits, closeness, strict=True)
        ]
        bar = self.settings.answer.min_relevance
        if not scored or max(s for s, _ in scored) < bar:
            return []
        relevant = [h for s, h in scored if s >= bar / 2][: self.settings.answer.sources]
        return prepare_sources(english or question, relevant, self.settings.answer.source_chars)

    def ask_stream(
        self, question: str, filters: dict[str, str] | None = None, query: str | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces as they are generated, then one final :class:`Answer`; ``query`` (a follow-up
        made self-contained) is searched for and answered in place of ``question`` when given."""
        searched = query or question
        asked = editions_asked(searched, self.retriever.documents())
        if asked is not None:
            text, changed = changes_answer(*asked)
            yield text
            yield Answer(question=question, query=searched, answer=text, citations=changed, sources=changed,
                         grounded=True)  # fmt: skip
            return
        translation = self.translator.translate(searched) if self.translator is not None else None
        english = translation.english if translation is not None else None
        language = translation.language if translation is not None else detect_language(searched)
        sources = self.relevant_sources(searched, filters, english)
        answer = Answer(
            question=question,
            query=searched,
            translation=translation,
            # untranslated, the question met only the library's few texts in its language
            answer=phrase("no_answer" if english or language == ENGLISH else "not_translated", language),
            sources=[s.citation for s in sources],
            redactions=sum(s.redactions for s in sources),
        )
        if not sources:
            yield answer.answer
            yield answer
            return
        lead, answer.quotes = quoted_lead(english or searched, sources)
        if self.model is None:
            # the notice keeps the reason in full; the answer says it in the language asked
            why = self.unavailable if language == ENGLISH else phrase("no_model", language)
            extract = extractive_answer(english or searched, sources, why, language)
            answer.answer = _after(lead, extract)
            answer.citations, answer.grounded, answer.notice = answer.sources, True, self.unavailable
            yield answer.answer
            yield answer
            return
        if lead:
            yield lead + "\n\n"
        for event in self._generate(searched, english, sources, answer, language):
            if isinstance(event, Answer):
                event.answer = _after(lead, event.answer)
                cited = {(c.doc_id, c.clause) for c in event.citations}
                quoted = {(q.doc_id, q.clause) for q in event.quotes}
                event.citations += [
                    s.citation for s in sources if (s.citation.doc_id, s.citation.clause) in quoted - cited
                ]
            yield event

    def _generate(
        self, question: str, english: str | None, sources: list[Source], answer: Answer, language: str
    ) -> Iterator[str | Answer]:
        """The model's answer to ``question``; where it fails or says nothing, the clauses' parts
        richest in the words of ``english`` (the question's translation) or of the question."""
        assert self.model is not None
        messages = self.prompt.render(sources="\n\n".join(s.block() for s in sources), question=question)
        generation = self.model.generate(
            messages, max_tokens=self.settings.llm.max_tokens, temperature=self.settings.llm.temperature
        )
        rewriter = CitationRewriter(sources)
        answer.model, answer.prompt, answer.stats = self.model.name, self.prompt.tag, generation.stats
        parts: list[str] = []
        streaming = False
        sent = 0  # characters of the answer shown so far
        try:
            for piece in rewrite_stream(generation, rewriter):
                parts.append(piece)
                if streaming:
                    so_far = "".join(parts)
                    shown = _before_a_late_refusal(so_far)
                    if shown > sent:
                        yield so_far[sent:shown]
                        sent = shown
                    continue
                head = "".join(parts).lstrip()
                if len(head) <= len(_NOT_FOUND):
                    continue
                if head.upper().startswith(_NOT_FOUND):
                    break
                streaming = True
                sent = _before_a_late_refusal("".join(parts))
                yield "".join(parts)[:sent]
        except LLMError as exc:
            answer.notice = str(exc)
            failed = f"The model failed ({exc})." if language == ENGLISH else phrase("model_failed", language)
            answer.answer = extractive_answer(english or question, sources, failed, language)
            answer.citations, answer.grounded = answer.sources, True
            yield "\n\n" + answer.answer if parts else answer.answer
            yield answer
            return
        text = "".join(parts).strip()
        if not text or text.upper().startswith(_NOT_FOUND):
            # The gate found relevant clauses; a small model's "not found" is often wrong, so the
            # rapporteur gets the clauses themselves rather than a refusal.
            answer.notice = "The model found no answer in the retrieved clauses; they are listed instead."
            silent = phrase("model_silent", language)
            answer.answer = extractive_answer(english or question, sources, silent, language)
            answer.citations, answer.grounded = answer.sources, True
            yield answer.answer
            yield answer
            return
        late_refusal = _late_refusal(text)
        if late_refusal:
            # a small model copies a source and then says NOT FOUND: the copy is kept (it is quoted
            # text, attributed below), the refusal is not shown as part of the answer
            text = text[: text.rstrip().rfind("\n")].rstrip()
        if not streaming:
            yield text
        elif not late_refusal and "".join(parts)[sent:]:
            yield "".join(parts)[sent:]
        attributed = attribute(text, sources, rewriter.cited)
        answer.answer = attributed.text
        answer.citations = [s.citation for s in attributed.cited]
        answer.unsupported = rewriter.unsupported
        answer.unsupported_sentences = attributed.unsupported_sentences
        answer.grounded = bool(attributed.cited) and not attributed.unsupported_sentences
        if attributed.unsupported_sentences:
            answer.notice = "Some sentences match none of the sources; check them before quoting."
        elif late_refusal:
            answer.notice = "The model said it found no answer after repeating a source; check the clauses."
        yield answer

"""What keeps generated text tied to the library: relevant sources only, untrusted text defused and
delimited, and every citation in the output checked against the sources that were handed out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pydantic import BaseModel

from copilot.citation import Citation
from copilot.lexical import tokenize

REDACTED = "[instruction-like text removed by Rapporteur]"
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,60}?\b(?:instructions?|prompts?|rules|directions)\b"
    r"|\b(?:you are now|new instructions|system prompt|as an ai\b)"
    r"|\b(?:reply|respond|answer|output|say)\b[^.\n]{0,20}?\bonly with\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
_MARKER = re.compile(r"\[(S\d{1,2})\]")
_WRITTEN_CITATION = re.compile(
    r"\[(?P<rec>(?:ITU-[TR]|CCITT|CCIR)\s+[^\]]{1,40})\](?:\s+(?:clause|§)\s*(?P<clause>\w+(?:\.\w+)*))?"
)


_QUESTION_WORDS = frozenset(
    tokenize(
        "stand stands mean means meaning long many much say says describe explain define defined "
        "definition i we you which what where recommendation clause tell"
    )
)


def relevance(question: str, citation: Citation, title: str = "") -> float:
    """Share of the question's content words (less the words of asking) that the clause, with its
    heading and its document's title, contains. The best clause scored 0.6 or more for 91 of the 92
    retrieval-eval questions and for none of 15 off-topic ones."""
    asked = set(tokenize(question)) - _QUESTION_WORDS
    if not asked:
        return 0.0
    found = set(tokenize(f"{citation.rec_id or ''} {title} {citation.heading or ''} {citation.text}"))
    return len(asked & found) / len(asked)


def redact_instructions(text: str) -> tuple[str, int]:
    """Replace every sentence that addresses the reader as a model; returns the text and how many."""
    count = 0

    def sentence(match: re.Match[str]) -> str:
        nonlocal count
        if _INSTRUCTION.search(match.group(0)):
            count += 1
            return REDACTED + (" " if not match.group(0).endswith("\n") else "\n")
        return match.group(0)

    return _SENTENCE.sub(sentence, text), count


def best_window(text: str, question: str, chars: int) -> str:
    """The ``chars``-long stretch of ``text`` (cut at line ends where possible) richest in the
    question's words, so a long clause gives the model the part that matters."""
    if len(text) <= chars:
        return text
    asked = set(tokenize(question))
    lines = text.split("\n")
    best, best_score = text[:chars], -1
    for start in range(len(lines)):
        window = "\n".join(lines[start:])[:chars]
        score = len(asked & set(tokenize(window)))
        if score > best_score:
            best, best_score = window, score
    return best


class Source(BaseModel):
    """A clause handed to the model under a short id (S1, S2...)."""

    id: str
    citation: Citation
    text: str
    redactions: int = 0

    def block(self) -> str:
        body = self.text.replace("<", "‹").replace(">", "›")
        return f'<source id="{self.id}" cite="{self.citation.render()}">\n{body}\n</source>'


def prepare_sources(question: str, citations: Iterable[Citation], chars: int) -> list[Source]:
    sources = []
    for number, citation in enumerate(citations, 1):
        text, redactions = redact_instructions(best_window(citation.text, question, chars))
        sources.append(Source(id=f"S{number}", citation=citation, text=text, redactions=redactions))
    return sources


_ANSWER_SENTENCE = re.compile(r"[^\n]+?(?:[.!?]+(?=\s+[A-Z\[(\"]|\s*$)|(?=\n)|$)")
SUPPORT = 0.5


class Attribution(BaseModel):
    """An answer with a citation after every sentence a source supports, and what was left unsupported."""

    text: str
    cited: list[Source]
    unsupported_sentences: list[str]


def attribute(text: str, sources: list[Source], already: list[Source]) -> Attribution:
    """Cite, after each sentence that cites nothing yet, the source sharing most of its content words
    (at least half). Small models often ignore the [S1] instruction; this keeps every statement tied
    to a clause, or marks it as unsupported, without trusting the model to do it."""
    cited = list(already)
    unsupported: list[str] = []

    def cite(match: re.Match[str]) -> str:
        sentence = match.group(0)
        words = set(tokenize(sentence))
        if _WRITTEN_CITATION.search(sentence) or len(words) < 3 or not sources:
            return sentence
        best = max(sources, key=lambda s: len(words & set(tokenize(s.text))))
        if len(words & set(tokenize(best.text))) / len(words) < SUPPORT:
            unsupported.append(sentence.strip())
            return sentence
        if best not in cited:
            cited.append(best)
        body = sentence.rstrip(".!? ")
        return f"{body} {best.citation.render()}{sentence[len(body) :]}"

    text = _ANSWER_SENTENCE.sub(cite, text)
    return Attribution(text=text, cited=cited, unsupported_sentences=unsupported)


class CitationRewriter:
    """Rewrites streamed ``[S1]`` markers into ITU citations and checks citations the model wrote out
    itself; anything that names no handed-out source is dropped and recorded as unsupported."""

    def __init__(self, sources: list[Source]) -> None:
        self._by_id = {s.id: s for s in sources}
        self._buffer = ""
        self.cited: list[Source] = []
        self.unsupported: list[str] = []

    def feed(self, piece: str) -> str:
        self._buffer += piece
        cut = self._buffer.rfind("[")
        if cut != -1 and "]" not in self._buffer[cut:] and len(self._buffer) - cut < 64:
            ready, self._buffer = self._buffer[:cut], self._buffer[cut:]
        else:
            ready, self._buffer = self._buffer, ""
        return self._rewrite(ready)

    def flush(self) -> str:
        ready, self._buffer = self._buffer, ""
        return self._rewrite(ready)

    def _cite(self, source: Source) -> str:
        if source not in self.cited:
            self.cited.append(source)
        return source.citation.render()

    def _rewrite(self, text: str) -> str:
        def marker(match: re.Match[str]) -> str:
            source = self._by_id.get(match.group(1))
            if source is None:
                self.unsupported.append(match.group(0))
                return ""
            return self._cite(source)

        def written(match: re.Match[str]) -> str:
            for source in self._by_id.values():
                same_rec = (source.citation.rec_id or "").lower() == match["rec"].strip().lower()
                if same_rec and (match["clause"] is None or match["clause"] == source.citation.clause):
                    return self._cite(source)
            self.unsupported.append(match.group(0))
            return ""

        return _MARKER.sub(marker, _WRITTEN_CITATION.sub(written, text))


def rewrite_stream(pieces: Iterable[str], rewriter: CitationRewriter) -> Iterator[str]:
    for piece in pieces:
        out = rewriter.feed(piece)
        if out:
            yield out
    tail = rewriter.flush()
    if tail:
        yield tail

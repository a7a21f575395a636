"""A rapporteur's working conversation: each turn remembered (question, the query searched for, answer,
citations), stored beside the index, and follow-ups ("and for customer hosts?", "what about its
abbreviations?", "which clause says that?") rewritten into self-contained queries before retrieval.

The rewriting is deterministic: a follow-up borrows the Recommendations the conversation is about (named
in the last query, else cited by the last answer), the topic words of the question that opened the
thread, and, when it names nothing of its own, the clause the last answer rests on. A question that
names its own Recommendation or its own topic is searched as written."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from pydantic import BaseModel, ValidationError

from copilot.assistant import Answer
from copilot.citation import Citation
from copilot.drafting.document import DraftDocument
from copilot.grounding import relevance
from copilot.lexical import tokenize
from copilot.query import acronyms, find_clauses, find_rec_ids
from copilot.retrieval.signals import content_words
from rapporteur.errors import RapporteurError, UsageError

log = logging.getLogger(__name__)

FOLDER = "conversations"
"""Where an index keeps its named conversations (``<index>/conversations/NAME.json``)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_CHARS = 64

_CONNECTIVE = re.compile(
    r"^\s*(?:(?:and|also|or|but|then|now|ok(?:ay)?)\b[\s,]*)?"
    r"(?:(?:what|how)\s+about\b|(?:and\s+)?(?:the\s+)?same\s+for\b|what\s+else\b)?",
    re.I,
)
_ANAPHORA = re.compile(
    r"\b(?:it|its|itself|they|them|their|those|these|such|the\s+same|above|former|latter)\b"
    r"|\b(?:this|that)\b(?=\s*(?:[?.!,;:]|$|one\b|recommendation\b|clause\b|document\b|standard\b|text\b"
    r"|term\b|definition\b|requirement\b|annex\b|appendix\b))",
    re.I,
)
_POSSESSIVE = re.compile(r"\b(?:its|their)\s+", re.I)
_ASKING = frozenset(tokenize("clause clauses section paragraph which about else also detail more same above"))
"""Words of a follow-up that point at the conversation rather than name a subject."""
_PARTS = frozenset(
    tokenize(
        "abbreviations acronyms definitions terms references bibliography scope summary keywords "
        "conventions annex appendix title"
    )
)
"""Parts of a Recommendation: "its abbreviations" asks about the document, not the topic; a part word
among other words of the question ("which reference is used for it?") is a word of its subject."""
_WORD = re.compile(r"[\w][\w.\-]*")
_OWN_TOPIC = 2
"""Content words from which a question without a pointer back is taken to name its own subject."""
_OWN_SUBJECT = 3
"""Content words from which a follow-up names its own subject, so the thread's topic words would only
pull retrieval back to the previous answer ("and how often should it report its battery level?"). An
acronym names a subject of its own at once ("And the IXIT?" after a question on the ICS): the opening
question's topic words would pull retrieval back to that question's definition."""


class ConversationUnreadable(RapporteurError):
    """A stored conversation file that is not one (hand-edited, truncated)."""


class Turn(BaseModel):
    """One exchange: ``query`` is what was searched for (``question`` itself unless it was rewritten)."""

    question: str
    query: str
    answer: str
    citations: list[Citation] = []

    @property
    def rewritten(self) -> bool:
        return self.query != self.question


class Conversation(BaseModel):
    """A named thread of turns; follow-ups are read in its light. ``draft`` is the one draft
    Recommendation the conversation grows (saved with its turns)."""

    name: str = ""
    turns: list[Turn] = []
    draft: DraftDocument | None = None

    def rewrite(self, question: str) -> str:
        """The self-contained query for ``question`` after the turns so far (see :func:`rewrite_followup`)."""
        return rewrite_followup(question, self.turns)

    def record(self, answer: Answer) -> Turn:
        """Remember an answer (its ``query`` is what was searched for) as the newest turn."""
        turn = Turn(
            question=answer.question,
            query=answer.query or answer.question,
            answer=answer.answer,
            citations=answer.citations,
        )
        self.turns.append(turn)
        return turn


def topic_words(question: str) -> list[str]:
    """The words of ``question`` that name its subject, in order and as written: no identifiers, clause
    numbers, stopwords or words of asking."""
    ids = find_rec_ids(question)
    for _, start, end in reversed(ids):
        question = question[:start] + " " + question[end:]
    clauses = set(find_clauses(question, []))
    words = []
    for word in _WORD.findall(question):
        bare = word.strip(".-")
        named = (content_words(bare) | (set(tokenize(bare)) & _PARTS)) - _ASKING
        if bare and bare not in clauses and named and bare.lower() not in words:
            words.append(bare)
    return words


def _context(turns: list[Turn]) -> tuple[list[str], Citation | None]:
    """The Recommendations the conversation is about (those the last query named, else the one its
    answer cited first) and, of the clauses that answer cited there, the one richest in its query."""
    last = turns[-1]
    recs = list(dict.fromkeys(rec for rec, _, _ in find_rec_ids(last.query)))
    if not recs and last.citations and last.citations[0].rec_id:
        recs = [last.citations[0].rec_id]
    cited = [c for c in last.citations if c.rec_id in recs and c.clause]
    return recs, max(cited, key=lambda c: relevance(last.query, c), default=None)


def _anchor(turns: list[Turn]) -> Turn:
    """The turn that opened the current thread: the newest one searched as it was asked."""
    return next((t for t in reversed(turns) if not t.rewritten), turns[0])


def _borrowed(anchor: list[str], remainder: str) -> list[str]:
    """The opening question's topic words a facet follow-up keeps: not those it says itself, nor the
    word it swaps out ("external" in "external ports" when it asks "and for internal ports?")."""
    said = {w.lower() for w in _WORD.findall(remainder)}
    swapped = {i - 1 for i, w in enumerate(anchor) if i and w.lower() in said}
    return [w for i, w in enumerate(anchor) if i not in swapped and w.lower() not in said]


def rewrite_followup(question: str, turns: list[Turn]) -> str:
    """``question`` as a self-contained query, given the earlier ``turns``; unchanged when it is not a
    follow-up (no earlier turn, it names a Recommendation, or it names its own subject without pointing
    back with "it", "that", "and for ...", "what about ...")."""
    asked = question.strip()
    if not turns or not asked or find_rec_ids(asked):
        return question
    connective = _CONNECTIVE.match(asked)
    remainder = asked[connective.end() :] if connective else asked
    remainder = remainder.strip(" ,?.!")
    shifts = bool(connective and connective.end())
    own = content_words(_ANAPHORA.sub(" ", remainder)) - _ASKING
    if not (shifts or _ANAPHORA.search(remainder)) and len(own) >= _OWN_TOPIC:
        return question
    recs, cited = _context(turns)
    named_parts = set(tokenize(remainder)) & _PARTS
    names_something = bool(own or named_parts)
    about_document = bool(named_parts) and not (set(tokenize(remainder)) - _ASKING) - _PARTS
    parts: list[str] = []
    if not names_something:
        parts.extend(topic_words(turns[-1].query))
    elif not about_document and len(own) < _OWN_SUBJECT and not acronyms(remainder):
        parts.extend(_borrowed(topic_words(_anchor(turns).query), remainder))
    if names_something:
        parts.append(_POSSESSIVE.sub("", remainder))
    if recs:
        where = [Citation(rec_id=rec).render() for rec in recs]
        if cited and cited.clause and not names_something:
            where[0] = Citation(rec_id=recs[0], clause=cited.clause).render()
        parts.append("in " + " and ".join(where))
    if not parts:
        return question
    query = " ".join(parts)
    log.info("follow-up %r searched as %r", question, query)
    return query


class ConversationStore:
    """Named conversations of one index, one JSON file each under ``<index>/conversations/``."""

    def __init__(self, index: Path) -> None:
        self.folder = index / FOLDER

    def path(self, name: str) -> Path:
        """The file of conversation ``name``, its name reduced to letters, digits, '.', '-' and '_'."""
        safe = _UNSAFE.sub("-", name).strip(".-")[:_NAME_CHARS]
        if not safe:
            raise UsageError(f"conversation name {name!r} needs a letter or a digit")
        return self.folder / f"{safe}.json"

    def load(self, name: str) -> Conversation:
        """The stored conversation, or a new empty one under that name."""
        path = self.path(name)
        if not path.is_file():
            return Conversation(name=path.stem)
        try:
            conversation = Conversation.model_validate_json(path.read_bytes())
        except (ValidationError, OSError) as exc:
            reason = str(exc).splitlines()[0]
            raise ConversationUnreadable(
                f"{path}: not a readable conversation ({reason}); delete it or use another name"
            ) from exc
        conversation.name = path.stem
        return conversation

    def save(self, conversation: Conversation) -> Path:
        """Write atomically, so an interrupted save leaves the previous turns intact."""
        path = self.path(conversation.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(conversation.model_dump_json(indent=2))
            os.replace(scratch, path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        return path

"""Questions in another language, searched in English as well: a query-rewriting stage.

The library is mostly English, and an ASCII lexical index and an English embedder match a French,
Russian or Chinese question only by its acronyms (or against the few texts in that language, E.119).
A non-English question (:func:`copilot.language.detect_language`) is translated into English by the
configured model with a short constrained prompt; the code, not the model, guarantees that the
question's Recommendation identifiers, acronyms and quoted terms survive (any the model dropped is
appended), and writes ITU's English names for its own bodies and texts ("Vœu" is an Opinion) into the
question before the model sees it (:mod:`copilot.retrieval.itu_words`). The retriever then ranks by
the English query (keeping what the original pins) and cites each clause from the library's copy in
the asker's language where it holds one (E.119).

Translations are cached on disk (``translations.sqlite3`` beside the packaged models), keyed by model,
prompt version and the question as the model is asked it, so a repeated question costs nothing and no
model is started for it. Without a model the question is searched as it is, and
:attr:`QueryTranslation.notice` says why.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel

from copilot.language import ENGLISH, NAMES, detect_language, in_own_script
from copilot.llm import ChatModel, LLMError
from copilot.prompts import PromptTemplate
from copilot.query import acronyms, find_rec_ids
from copilot.retrieval import itu_words
from rapporteur.settings import Settings

log = logging.getLogger(__name__)

PROMPT = "translate_query"
EXAMPLES = (
    {
        "question": "Quelle est la définition de la gigue de paquets IP ?",
        "english": "What is the definition of IP packet jitter?",
    },
    {
        "question": "¿Qué significa la sigla QoS en la Recomendación UIT-T Y.1541?",
        "english": "What does the abbreviation QoS mean in Recommendation ITU-T Y.1541?",
    },
    {
        "question": "关于光纤接入网的建议书的范围是什么？",
        "english": "What is the scope of the Recommendation on optical access networks?",
    },
    {
        "question": "ما المقصود بمصطلح «جودة الخدمة» في شبكات الجيل التالي؟",
        "english": 'What is meant by the term "quality of service" in next generation networks?',
    },
    {
        "question": "Какие требования к синхронизации часов в пакетных сетях?",
        "english": "What are the requirements for clock synchronization in packet networks?",
    },
)
"""Worked examples for the small model (none of them is a question of the retrieval eval)."""
_QUOTED = re.compile(r"[\"“«「『]\s*([^\"”»」』]{2,80}?)\s*[\"”»」』]")
_LEAD_IN = re.compile(r"^\s*(?:english(?:\s+translation)?|translation|question)\s*:\s*", re.I)
_MAX_GROWTH = 4
_NOT_LATIN = re.compile(r"[^\x00-\x7F]")
_ITU_IN_OTHER_LANGUAGES = frozenset({"UIT", "UIT-T", "UIT-R"})
"""ITU's own name in French and Spanish: translated to ITU-T/ITU-R, not kept."""


class QueryTranslation(BaseModel):
    """What a question was searched as: ``english`` is None when it is English or was not translated."""

    original: str
    language: str
    english: str | None = None
    model: str | None = None
    """The model (and prompt) that translated, for the record."""
    cached: bool = False
    seconds: float = 0.0
    """Time the model took (0 when cached or not translated): reported apart from search time."""
    notice: str | None = None
    """Why a non-English question was searched untranslated."""

    @property
    def language_name(self) -> str:
        return NAMES.get(self.language, self.language)


def kept_terms(original: str) -> list[str]:
    """What a translation must carry verbatim: Recommendation identifiers, acronyms, quoted terms."""
    ids = find_rec_ids(original)
    spans = [(start, end) for _, start, end in ids]
    latin = _NOT_LATIN.sub(" ", original)  # "OTDR是什么意思": no word boundary after OTDR otherwise
    words = [
        w
        for w in acronyms(latin)
        if w not in _ITU_IN_OTHER_LANGUAGES and not any(s <= original.find(w) < e for s, e in spans)
    ]
    # a quoted term in Latin script may be ITU's English term; one in another script is the asker's
    # word for it, which the translation must render, not carry
    quoted = [m.group(1) for m in _QUOTED.finditer(original) if not in_own_script(m.group(1))]
    return list(dict.fromkeys([*(original[s:e].strip("[] ") for s, e in spans), *words, *quoted]))


def restore_terms(original: str, english: str, itu_terms: Sequence[str] = ()) -> str:
    """``english`` with every term of :func:`kept_terms` (and of ``itu_terms``, ITU's English names
    written into the question, :mod:`copilot.retrieval.itu_words`) the model dropped or altered
    appended, and without any Recommendation identifier the question does not name (a small model
    copies them from its worked examples)."""
    asked = {rec_id for rec_id, _, _ in find_rec_ids(original)}
    for rec_id, start, end in reversed(find_rec_ids(english)):
        if rec_id not in asked:
            log.info("translation of %r named %s, which the question does not; removed", original, rec_id)
            english = english[:start] + english[end:]
    english = " ".join(english.split()).replace(" ?", "?")
    present = {rec_id for rec_id, _, _ in find_rec_ids(english)}
    missing = []
    for term in kept_terms(original):
        ids = find_rec_ids(term)
        if ids and all(rec_id in present for rec_id, _, _ in ids):
            continue
        if not ids and term in english:
            continue
        missing.append(term)
    missing += itu_words.missing(english, itu_terms)
    if missing:
        log.info("translation of %r dropped %s; appended", original, missing)
    return " ".join([english, *missing])


def clean_output(original: str, output: str) -> str | None:
    """The translation in a model's output: its first line, without a lead-in or quotes; None when
    there is none or it is far longer than the question (an answer, not a translation)."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return None
    text = _LEAD_IN.sub("", lines[0]).strip().strip("\"'“”«»")
    if not text or len(text) > _MAX_GROWTH * len(original) + 40 or detect_language(text) != ENGLISH:
        return None
    return text


SEEN_LIMIT = 4096
"""Questions a translator remembers in memory; the on-disk cache holds every translation."""


class TranslationCache:
    """English translations on disk, keyed by (model, prompt tag, question); unusable storage (a read-
    only home) only costs repeated translations."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5.0)
        db.execute(
            "CREATE TABLE IF NOT EXISTS translations (model TEXT, prompt TEXT, question TEXT, english TEXT, "
            "PRIMARY KEY (model, prompt, question))"
        )
        return db

    def get(self, model: str, prompt: str, question: str) -> str | None:
        try:
            with closing(self._connect()) as db:
                row = db.execute(
                    "SELECT english FROM translations WHERE model = ? AND prompt = ? AND question = ?",
                    (model, prompt, question),
                ).fetchone()
        except (OSError, sqlite3.Error) as exc:
            log.warning("translation cache %s unreadable: %s", self.path, exc)
            return None
        return str(row[0]) if row else None

    def put(self, model: str, prompt: str, question: str, english: str) -> None:
        try:
            with closing(self._connect()) as db, db:
                row = (model, prompt, question, english)
                db.execute("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", row)
        except (OSError, sqlite3.Error) as exc:
            log.warning("translation cache %s not written: %s", self.path, exc)


class QueryTranslator:
    """Translates non-English questions into English with the configured model, started only when a
    question needs it and the cache does not hold it. ``model`` raises :class:`LLMError` (or
    ``LLMUnavailable``) when there is none: that reason is kept and not retried for each question."""

    def __init__(
        self, model: Callable[[], ChatModel], model_name: str, cache: TranslationCache | None
    ) -> None:
        self._model = model
        self.model_name = model_name
        self.cache = cache
        self.prompt = PromptTemplate.load(PROMPT)
        self._seen: dict[str, QueryTranslation] = {}
        self._unavailable: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, model: Callable[[], ChatModel]) -> QueryTranslator:
        llm = settings.llm
        name = f"{llm.base_url}#{llm.model}" if llm.base_url else llm.model
        return cls(model, name, TranslationCache(llm.model_cache / "translations.sqlite3"))

    def translate(self, question: str) -> QueryTranslation:
        """The question's language and its English rendering (remembered for the next call)."""
        if question not in self._seen:
            if len(self._seen) >= SEEN_LIMIT:  # a long-running server forgets the oldest (the disk keeps it)
                del self._seen[next(iter(self._seen))]
            self._seen[question] = self._translate(question)
        return self._seen[question]

    def _translate(self, question: str) -> QueryTranslation:
        language = detect_language(question)
        found = QueryTranslation(original=question, language=language)
        if language == ENGLISH:
            return found
        tag = self.prompt.tag
        found.model = f"{self.model_name} ({tag})"
        # the cache is keyed by what the model is asked: a change to ITU's words re-asks only the
        # questions it changes
        asked, itu_terms = itu_words.write_in(question, language)
        if self.cache is not None and (english := self.cache.get(self.model_name, tag, asked)):
            found.english, found.cached = restore_terms(question, english, itu_terms), True
            return found
        if self._unavailable is not None:
            found.notice = self._unavailable
            return found
        try:
            model = self._model()
            started = time.perf_counter()
            messages = self.prompt.render(list(EXAMPLES), question=asked)
            output = model.generate(messages, max_tokens=self.prompt.token_budget(96), temperature=0.0).text()
        except LLMError as exc:
            self._unavailable = f"searched untranslated: {exc}"
            log.warning("%s", self._unavailable)
            found.notice = self._unavailable
            return found
        found.seconds = time.perf_counter() - started
        english = clean_output(asked, output)
        if english is None:
            found.notice = f"searched untranslated: the model gave no usable translation ({output[:80]!r})"
            log.info("%s", found.notice)
            return found
        found.english = restore_terms(question, english, itu_terms)
        log.info("%s question %r searched in English as %r", found.language_name, question, found.english)
        if self.cache is not None:
            self.cache.put(self.model_name, tag, asked, found.english)
        return found

"""What keeps generated text tied to the library: relevant sources only, untrusted text defused and
delimited, and every citation in the output checked against the sources that were handed out."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import takewhile
from typing import NamedTuple

from pydantic import BaseModel

from copilot.citation import Citation
from copilot.lexical import tokenize
from copilot.query import definition_term, without_identifiers
from ingest.extract import DEFINITION_ENTRY

REDACTED = "[instruction-like text removed by Rapporteur]"

_GAP = r"[^.!?。！？؟\n]|\n(?!\s*\n)"
"""One character between two keywords of an instruction: anything but a sentence end or a blank
line (a single line break is allowed: keywords split over lines of a table or a code block)."""
_FAR, _NEAR = rf"(?:{_GAP}){{0,60}}?", rf"(?:{_GAP}){{0,25}}?"
_SPEAK = r"(?:reply|respond|answer|output|say|print|write)"
_INSTRUCTION_PATTERNS = (
    # English: overriding the instructions, a new persona, steering the answer, addressing the model.
    rf"\b(?:ignore|disregard|forget|override|bypass|neglect|abandon)\b{_FAR}"
    r"\b(?:instructions?|prompts?|rules|directions|directives|guidelines|orders|commands|everything)\b",
    r"\b(?:you are now|you're now|from now on,? you|new instructions?|updated instructions?|system prompt"
    r"|as an ai\b|as a language model|developer mode|jailbreak|do anything now)",
    rf"\b{_SPEAK}\b{_NEAR}\b(?:only|solely|exclusively|just|nothing but)\s+(?:with|using|by|in)\b",
    rf"\b{_SPEAK}\s+(?:only|solely|exclusively|just)\s*[:\"'“«]",
    r"\b(?:reply|respond|answer)\s+with\s+(?:only|just|nothing but)\b",
    rf"\b{_SPEAK}\b(?:\s*:)?(?:\s+(?:with|only|just|exactly|the word|the text))*\s+[\"'“«]?"
    r"(?-i:[A-Z][A-Z0-9_-]{3,})\b(?=\s*(?:[\"'”»]|[.!,;:]|$|\s+(?:to|in|for|and|as)\b))",
    rf"\b(?:reply|respond|answer|say)\b(?:{_GAP}){{0,30}}?\b(?:to|for|in) (?:every|each|any|all) "
    r"(?:questions?|quer(?:y|ies)|prompts?|answers?|replies|responses)\b",
    r"\byour (?:answer|reply|response|output|next message)\s+(?:must|should|shall|will|has to|needs to)?"
    r"\s*(?:be|is|contain|consist|start|begin|end|include)\b",
    r"\b(?:begin|start|end) (?:your|every|each) (?:answer|reply|response)\b",
    r"\b(?:attention|dear|note to|hey|hello|instructions? (?:for|to))\s*,?\s*(?:the\s+)?"
    r"(?:ai|llm|language model|chatbot|assistant|model)\b",
    r"\bif you are an? (?:ai|llm|language model|chatbot|assistant|model)\b",
    r"\b(?:ai|llm|language model|chatbot|assistant|model)s?\s+(?:reading|processing|summari[sz]ing) this\b",
    r"\b(?:pretend (?:to be|you are|that you)|role-?play as|act as if you)\b",
    # Role markers of chat transcripts: '### SYSTEM: reply X', '[system]', '<|im_start|>system'.
    r"(?:^|\n)[ \t]*(?:#{1,6}|\[|<\|?|\*\*|>)[ \t]*(?:system|assistant|developer|admin(?:istrator)?)"
    r"[ \t]*(?:[:\]>|]|\*\*|message|prompt)",
    r"<\|?im_(?:start|end)",
    r"\b(?:system|assistant|developer)\s*(?:message|prompt|override|note)?\s*:\s*"
    r"(?:reply|respond|answer|say|output|print|write|ignore|you|from now)\b",
    # French.
    r"\b(?:ignore[rsz]?|oublie[rsz]?|neglige[rsz]?|ne (?:tiens|tenez) pas compte"
    r"|(?:fais|faites) abstraction)"
    rf"\b{_FAR}\b(?:instructions?|consignes?|regles|directives|ordres|indications|prompts?)\b",
    rf"\b(?:repond(?:s|ez|re)?|ecri(?:s|vez|re)|dites)\b{_NEAR}\b(?:uniquement|seulement|exclusivement)\b",
    r"\bne (?:repond(?:s|ez)|dis|dites|ecri(?:s|vez)) (?:rien d'autre )?qu[e']",
    r"\b(?:tu es|vous etes) (?:maintenant|desormais|a present)\b|\bnouvelles? (?:instructions?|consignes?)\b",
    # German.
    rf"\b(?:ignorier\w*|vergiss\w*|vergessen|missacht\w*|ubergeh\w*|beachte\w* nicht)\b{_FAR}"
    r"\b(?:anweisung\w*|instruktion\w*|regeln|vorgaben|befehle\w*|prompts?|richtlinien)\b",
    rf"\b(?:antworte\w*|gib|schreib\w*|sag\w*)\b{_NEAR}\b(?:nur|ausschlie(?:ss|ß)lich|lediglich|einzig)\b",
    r"\bdu bist (?:jetzt|nun|ab sofort)\b|\bneue anweisung\w*",
    # Spanish.
    rf"\b(?:ignor[ae]\w*|olvid[ae]\w*|descart[ae]\w*|haz caso omiso|hagan caso omiso|no tengas en cuenta)"
    rf"\b{_FAR}\b(?:instrucciones|indicaciones|reglas|ordenes|directrices|consignas|prompts?)\b",
    rf"\b(?:respond[ae]\w*|contest[ae]\w*|escrib[ae]\w*|di)\b{_NEAR}"
    r"\b(?:solo|solamente|unicamente|exclusivamente)\b",
    r"\b(?:ahora eres|a partir de ahora eres|nuevas instrucciones)\b",
    # Russian (letters as folded: й -> и, ё -> е).
    rf"(?:игнорир\w*|проигнорир\w*|забуд\w*|забыв\w*|пренебреги\w*|не обращаи\w* внимания|не учитываи\w*)"
    rf"{_FAR}(?:инструкц\w*|указани\w*|правил\w*|команд\w*|промпт\w*|подсказк\w*)",
    r"(?:отвеча\w*|ответь\w*|напиши\w*|выведи\w*|скажи\w*)\s+(?:\w+\s+){0,2}(?:только|лишь|исключительно)",
    r"(?:только|лишь)\s+(?:отвеча\w*|ответь\w*)|\bтеперь ты\b|\bновые инструкции\b",
    # Chinese (simplified and traditional).
    rf"(?:忽略|忽视|忽視|无视|無視|不要理会|不要理會|忘记|忘記|忘掉|不理会|跳过|跳過){_NEAR}"
    r"(?:指令|指示|说明|說明|提示|规则|規則|要求|命令)",
    r"(?:只|仅|僅)(?:能|需|要)?(?:回答|回复|回覆|输出|輸出|说|說|写|寫)",
    r"你现在是|你現在是|从现在起|從現在起|新的指令|系统提示|系統提示",
    # Arabic (letters as folded: alef forms -> ا).
    rf"(?:تجاهل|انس|اهمل|لا تلتزم)\w*{_FAR}"
    r"(?:التعليمات|تعليمات|الاوامر|اوامر|القواعد|قواعد|التوجيهات|توجيهات)",
    r"(?:اجب|اجيب|رد|ردي|اكتب|قل)\w*\s+(?:\w+\s+){0,2}فقط|(?:لا تجب|لا ترد|لا تكتب)\w*\s+(?:\w+\s+){0,2}الا",
    r"انت الان",
)
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTION_PATTERNS), re.IGNORECASE | re.MULTILINE)
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|cf|etc|viz|vs|no|fig|resp|approx)\.", re.IGNORECASE)
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
"""Invisible characters that are not format characters (Unicode category Cf, dropped as a class)."""
_HOMOGLYPHS = str.maketrans(
    "аАвВеЕіІїЇјЈкКмМнНоОрРсСтТуУхХѕЅԁһӏɡαΑβΒεΕηΗιΙκΚνΝοΟρΡτΤυΥχΧγıօս",
    "aAbBeEiIiIjJkKmMhHoOpPcCtTyYxXsSdhlgaAbBeEnHiIkKvNoOpPtTuYxXyiou",
)
"""Cyrillic, Greek and other letters drawn like Latin ones, as attackers use them to dodge keywords."""
_HOMOGLYPHS_SET = frozenset(chr(c) for c in _HOMOGLYPHS)
_WORD = re.compile(r"\w+")


def _unconfuse(word: re.Match[str]) -> str:
    """Latin spelling of a word that mixes scripts ('Іgnore' with a Cyrillic І) or is drawn only in
    look-alike letters; a genuine Russian or Greek word keeps its letters."""
    text = word.group(0)
    latin = any("a" <= c.lower() <= "z" for c in text)
    if latin or all(not c.isalpha() or c in _HOMOGLYPHS_SET for c in text):
        return text.translate(_HOMOGLYPHS)
    return text


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` as the instruction patterns read it — compatibility forms (fullwidth, ligatures, math
    letters) decomposed, accents and invisible characters dropped, look-alike letters made Latin,
    'e.g.' without its periods — and, for each character, the index of the original it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf" or char in _FILLERS:
            continue
        for piece in unicodedata.normalize("NFKD", char):
            if unicodedata.category(piece) != "Mn":
                chars.append(piece)
                origin.append(index)
    folded = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", " "), "".join(chars))
    return _WORD.sub(_unconfuse, folded), origin


_SENTENCE = re.compile(r"[^.!?。！？؟\n]*(?:[.!?。！？؟]+|\n|$)")
_MARKER = re.compile(r"\[(S\d{1,2})\]")
_WRITTEN_CITATION = re.compile(
    r"\[(?P<rec>(?:ITU-[TR]|CCITT|CCIR)\s+[^\]]{1,40})\](?:\s+(?:clause|§)\s*(?P<clause>\w+(?:\.\w+)*))?"
)


_QUESTION_WORDS = frozenset(
    tokenize(
        "stand stands mean means meaning long many much say says describe explain define defined "
        "definition i we you which what where recommendation clause tell "
        "compare compared comparison differ difference between versus specify cover purpose"
    )
)
"""Words of asking, not of the subject: a clause need not hold them to answer ("Compare what K.20 and
G.698.2 specify" is answered by their Scopes, which say neither word)."""


_NOT_QUOTED_BY = _QUESTION_WORDS | frozenset(tokenize("ITU-T ITU-R"))
"""Words no sentence is quoted for: asking words, and the sector names any ITU text may say."""


def asked_words(question: str) -> set[str]:
    """The question's content words: its words less the words of asking."""
    return set(tokenize(question)) - _QUESTION_WORDS


def relevance(question: str, citation: Citation, title: str = "") -> float:
    """Share of the question's content words (less the words of asking) that the clause, with its
    heading and its document's title, contains. The best clause scored 0.6 or more for 91 of the first
    92 retrieval-eval questions and for none of the first 15 off-topic ones; on the grown sets, and with
    closeness in meaning added by the assistant, see eval/qa/RESULTS.md."""
    asked = asked_words(question)
    if not asked:
        return 0.0
    found = set(tokenize(f"{citation.rec_id or ''} {title} {citation.heading or ''} {citation.text}"))
    return len(asked & found) / len(asked)


def redact_instructions(text: str) -> tuple[str, int]:
    """Replace every sentence that addresses the reader as a model; returns the text and how many.

    Patterns are matched on the folded text (see :func:`fold`), so homoglyphs, invisible characters
    and keywords split over lines do not hide an instruction; each match removes every sentence it
    touches. No pattern list is complete: the delimited sources and the citation checks remain the
    real defence."""
    folded, origin = fold(text)
    spans = [
        (origin[m.start()], origin[m.end() - 1]) for m in _INSTRUCTION.finditer(folded) if m.end() > m.start()
    ]
    if not spans:
        return text, 0
    count = 0

    def sentence(match: re.Match[str]) -> str:
        nonlocal count
        start, end = match.span()
        if end > start and any(first < end and last >= start for first, last in spans):
            count += 1
            return REDACTED + ("\n" if match.group(0).endswith("\n") else " ")
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


_QUOTE_SENTENCE = re.compile(r"[^\n]+?(?:[.!?;]+(?=\s+[A-Z0-9\[(\"“])|[.!?]+(?=\s*$)|(?=\n)|$)")
"""A sentence of a clause as it is quoted: up to its full stop (or ';' before a list item) or line end."""
_LIST_ITEM = re.compile(r"^\s*(?:[–—•·-]|\(?[a-z0-9ivx]{1,3}\))\s")
_LISTED = re.compile(r":\s(?:[–—•·-]|\(?[a-z0-9ivx]{1,3}\))\s")
_STANDARD_WORDING = re.compile(
    r"contain provisions which|editions indicated were valid|subject to revision|is regularly published"
    r"|as a stand-alone document|uses the following (?:terms|abbreviations)|defines the following terms"
    r"|^for the purposes? of this (?:recommendation|standard)",
    re.IGNORECASE,
)
"""The skeleton's fixed opening sentences (References, Definitions, Abbreviations): in every
Recommendation alike, so they answer nothing."""
_UNMARKED_ITEM = re.compile(r".{1,120}(?<![.;])")
"""A line after an introduction that is an item though unmarked: short, no full stop ("Video length:
Short videos (< 5 minutes)", a formula "hR = h0 + 0.36 km")."""
_ANNOUNCES = re.compile(r"\bthe following\b", re.IGNORECASE)
_ENDS_WITH_ABBREVIATION = re.compile(rf"{_ABBREVIATION.pattern}$", re.IGNORECASE)
QUOTED_SENTENCES = 3
LIST_QUOTE_CHARS = 600
"""A list quoted with its lead-in stops at the item that passes this length, marked by an ellipsis."""


def _sentences(line: str) -> Iterator[str]:
    """The sentences of one line; a full stop of "No. 7", "e.g. a", "i.e." does not end one."""
    pending = ""
    for match in _QUOTE_SENTENCE.finditer(line):
        piece = " ".join(f"{pending} {match.group(0)}".split())
        if _ENDS_WITH_ABBREVIATION.search(piece) and match.end() < len(line):
            pending = piece
            continue
        pending = ""
        if piece:
            yield piece


def _list_quote(lead_in: str, items: list[str]) -> tuple[str, list[str]]:
    """The lead-in with the items that fit, and the items cut off (each still quotable alone: the
    entry "OWAMP One-Way Active Measurement Protocol" deep in an abbreviations list)."""
    text = lead_in
    for at, item in enumerate(items):
        if len(text) > LIST_QUOTE_CHARS:
            return f"{text} …", items[at:]
        text = f"{text} {item}"
    return text, []


def _lead_in(sentences: list[str]) -> int | None:
    """Which sentence of a line introduces what follows it: one ending with a colon, else one that
    announces "the following"; None when none does."""
    if sentences and sentences[-1].endswith(":"):
        return len(sentences) - 1
    return next((i for i, s in enumerate(sentences) if _ANNOUNCES.search(s)), None)


def quotable_units(citation: Citation, text: str) -> Iterator[str]:
    """What a clause can be quoted in, spaces normalised: its sentences; a list together with the
    sentence introducing it ("The instructions should:", "The following information shall be
    included ...", joined to the items by an ellipsis when a sentence lies between); and a sentence
    ending with a colon together with the line it introduces (a formula: "... obtained from the 0 °C
    isotherm as: hR = h0 + 0.36 km"), since the introduction alone says nothing. The heading path a
    chunk starts with ("ITU-T F.921 > 10 ... > 10.5 Escalators") is a label, not the clause's wording,
    and is never quoted."""
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    heading = (citation.heading or citation.clause or "").strip()
    if (
        lines
        and heading
        and lines[0].endswith(heading)
        and (" > " in lines[0] or lines[0].startswith(citation.clause or "\0"))
    ):
        lines = lines[1:]
    at = 0
    while at < len(lines):
        sentences, rest = list(_sentences(lines[at])), lines[at + 1 :]
        items = list(takewhile(_LIST_ITEM.match, rest))
        if not items and lines[at].endswith(":"):
            items = list(takewhile(_UNMARKED_ITEM.fullmatch, rest))
        lead = _lead_in(sentences) if items else None
        if lead is None:
            yield from sentences
            at += 1
            continue
        yield from sentences[:lead]
        if _STANDARD_WORDING.search(sentences[lead]):  # "uses the following abbreviations": entries alone
            yield from items
            yield from sentences[lead + 1 :]
            at += 1 + len(items)
            continue
        gap = " …" if lead < len(sentences) - 1 else ""
        quote, cut_off = _list_quote(sentences[lead] + gap, items)
        yield quote
        yield from cut_off
        yield from sentences[lead + 1 :]
        at += 1 + len(items)


def _quotable(source: Source) -> list[str]:
    """The units of the source's whole clause (not the excerpt the model is given, so none is cut
    off), redacted sentences left out."""
    whole, _ = redact_instructions(source.citation.text or source.text)
    return [unit for unit in quotable_units(source.citation, whole) if REDACTED not in unit]


def _scope_openings(sources: list[Source]) -> list[tuple[Source, str]]:
    """The first sentence of each Scope among the sources ("This Recommendation specifies ..."): what a
    question naming only Recommendations ("Compare what K.20 and G.698.2 specify") asks for."""
    scopes = [s for s in sources if (s.citation.heading or "").lower().startswith("scope")]
    openings = [(source, units[0]) for source in scopes if (units := _quotable(source))]
    return openings[:QUOTED_SENTENCES]


class _Unit(NamedTuple):
    """A quotable unit with what ranks it (the fields before ``sentence``, best first)."""

    defines: float
    """Minus its order among the units defining the asked term; -inf for the others."""
    hits: int
    rank: int
    listed: bool
    density: float
    sentence: str
    source: Source
    found: set[str]


_ACRONYM_HEAD = re.compile(r"[A-Z][A-Za-z0-9-]*[A-Z0-9]")


def _defining(term: str | None) -> re.Pattern[str] | None:
    """What a sentence defining ``term`` (or its head: "probe" of "probe in active testing of IP
    networks") starts with: "3.2.10 probe:", "The protection ratio is ...", "A probe means ..."."""
    if not term:
        return None
    words = term.split()
    heads = "|".join(re.escape(" ".join(words[:n])) for n in range(len(words), 0, -1))
    # an abbreviations list entry: the acronym, then its capitalised expansion ("CWG Combination Wave ...")
    entry = (
        rf"|^(?-i:{re.escape(words[0])})s?\s+(?-i:[A-Z][a-z])" if _ACRONYM_HEAD.fullmatch(words[0]) else ""
    )
    return re.compile(
        rf"^(?:[\dA-Z]+(?:\.\d+)*\s+)?(?:the\s+|an?\s+)?(?:{heads})s?\s*(?:\[[^\]]*\]\s*)?(?::|is\b|are\b|means\b)"
        + entry,
        re.IGNORECASE,
    )


def quote_sentences(question: str, sources: list[Source]) -> list[tuple[Source, str]]:
    """Up to three sentences (or lists with their lead-in) of the sources that hold most of the
    question's words, verbatim (spaces aside), each with its source, chosen by overlap alone, so the
    span quoted is the library's wording and never the model's. After the best one, a unit is taken
    when it is from a source not quoted yet or holds words the ones before lack, and holds at least half
    as many of the question's words as the best (so each relevant clause speaks, an unrelated one not).
    Units come from the whole clause, not the excerpt the model is given, so none is cut off. For a
    definition question the earliest sentence defining the term ("The protection ratio is ...") comes
    first; otherwise, on a tie, the earlier source wins, then a list (an ITU clause's requirements are
    its lists), then the denser unit. Redacted sentences and the skeleton's fixed wording are never
    quoted, and the question's Recommendation identifiers and sector names ("ITU-T") are no words to
    match."""
    asked = set(tokenize(without_identifiers(question))) - _NOT_QUOTED_BY
    if not asked:
        return _scope_openings(sources) if without_identifiers(question) != question else []
    quotable = [_quotable(source) for source in sources]
    defines = _defining(definition_term(question))
    if defines is not None and quotable and not any(defines.match(u) for units in quotable for u in units):
        # no clause defines the asked words, but the first hit is a definition the retriever found by
        # its meaning ("hardware machine" for "physical machine"): that definition leads
        entry = DEFINITION_ENTRY.match(quotable[0][0]) if quotable[0] else None
        if entry and entry.group("num"):
            defines = _defining(entry.group("term"))
    units: list[_Unit] = []
    for rank, (source, sentences) in enumerate(zip(sources, quotable, strict=True)):
        for sentence in sentences:
            words = set(tokenize(sentence))
            found = asked & words
            if found and len(sentence.split()) >= 3 and not _STANDARD_WORDING.search(sentence):
                # a sentence defining the asked term comes first, the earliest such one first
                first = -len(units) if defines and defines.match(sentence) else -math.inf
                listed = sentence.endswith("…") or bool(_LISTED.search(sentence))
                units.append(
                    _Unit(first, len(found), -rank, listed, len(found) / len(words), sentence, source, found)
                )
    units.sort(key=lambda unit: unit[:5], reverse=True)
    chosen: list[tuple[Source, str]] = []
    covered: set[str] = set()
    most = max((unit.hits for unit in units), default=0)
    for unit in units:
        if len(chosen) == QUOTED_SENTENCES:
            break
        weak = 2 * unit.hits < most and not (unit.defines > -math.inf and not chosen)
        if (not unit.found - covered and any(s is unit.source for s, _ in chosen)) or weak:
            continue
        chosen.append((unit.source, unit.sentence))
        covered |= unit.found
    return chosen


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

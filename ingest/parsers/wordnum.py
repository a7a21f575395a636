"""Helpers shared by the Word parsers (.docx and Word 2003 XML).

- ``ListNumbering``: Word's automatic list numbering (numbering.xml / Word 2003 ``w:lists``), so that
  clause numbers Word computes (X.609.7, T.832, J.383 have none in the paragraph text) can be printed.
- ``symbol_char``: the Unicode character for a ``w:sym`` (Symbol / Wingdings private code points).
- ``guess_language``: the language of a document from its text (script first, then common words),
  with Word's ``w:lang`` tags as the fallback; Word's tags are unreliable in ITU files (the English
  E.119 declares fr-CH as its default language).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

# --- Symbol fonts -------------------------------------------------------------------------------

# Adobe Symbol encoding, 0x20..0xFE (Word stores these as F020..F0FE in w:sym/@w:char).
_SYMBOL_TABLE = {
    0x20: " ", 0x21: "!", 0x22: "∀", 0x23: "#", 0x24: "∃", 0x25: "%", 0x26: "&", 0x27: "∋",
    0x28: "(", 0x29: ")", 0x2A: "∗", 0x2B: "+", 0x2C: ",", 0x2D: "−", 0x2E: ".", 0x2F: "/",
    0x3A: ":", 0x3B: ";", 0x3C: "<", 0x3D: "=", 0x3E: ">", 0x3F: "?", 0x40: "≅",
    0x41: "Α", 0x42: "Β", 0x43: "Χ", 0x44: "Δ", 0x45: "Ε", 0x46: "Φ", 0x47: "Γ", 0x48: "Η",
    0x49: "Ι", 0x4A: "ϑ", 0x4B: "Κ", 0x4C: "Λ", 0x4D: "Μ", 0x4E: "Ν", 0x4F: "Ο", 0x50: "Π",
    0x51: "Θ", 0x52: "Ρ", 0x53: "Σ", 0x54: "Τ", 0x55: "Υ", 0x56: "ς", 0x57: "Ω", 0x58: "Ξ",
    0x59: "Ψ", 0x5A: "Ζ", 0x5B: "[", 0x5C: "∴", 0x5D: "]", 0x5E: "⊥", 0x5F: "_", 0x60: "‾",
    0x61: "α", 0x62: "β", 0x63: "χ", 0x64: "δ", 0x65: "ε", 0x66: "φ", 0x67: "γ", 0x68: "η",
    0x69: "ι", 0x6A: "ϕ", 0x6B: "κ", 0x6C: "λ", 0x6D: "μ", 0x6E: "ν", 0x6F: "ο", 0x70: "π",
    0x71: "θ", 0x72: "ρ", 0x73: "σ", 0x74: "τ", 0x75: "υ", 0x76: "ϖ", 0x77: "ω", 0x78: "ξ",
    0x79: "ψ", 0x7A: "ζ", 0x7B: "{", 0x7C: "|", 0x7D: "}", 0x7E: "∼",
    0xA0: "€", 0xA1: "ϒ", 0xA2: "′", 0xA3: "≤", 0xA4: "⁄", 0xA5: "∞", 0xA6: "ƒ", 0xA7: "♣",
    0xA8: "♦", 0xA9: "♥", 0xAA: "♠", 0xAB: "↔", 0xAC: "←", 0xAD: "↑", 0xAE: "→", 0xAF: "↓",
    0xB0: "°", 0xB1: "±", 0xB2: "″", 0xB3: "≥", 0xB4: "×", 0xB5: "∝", 0xB6: "∂", 0xB7: "•",
    0xB8: "÷", 0xB9: "≠", 0xBA: "≡", 0xBB: "≈", 0xBC: "…", 0xBD: "⏐", 0xBE: "⎯", 0xBF: "↵",
    0xC0: "ℵ", 0xC1: "ℑ", 0xC2: "ℜ", 0xC3: "℘", 0xC4: "⊗", 0xC5: "⊕", 0xC6: "∅", 0xC7: "∩",
    0xC8: "∪", 0xC9: "⊃", 0xCA: "⊇", 0xCB: "⊄", 0xCC: "⊂", 0xCD: "⊆", 0xCE: "∈", 0xCF: "∉",
    0xD0: "∠", 0xD1: "∇", 0xD2: "®", 0xD3: "©", 0xD4: "™", 0xD5: "∏", 0xD6: "√", 0xD7: "⋅",
    0xD8: "¬", 0xD9: "∧", 0xDA: "∨", 0xDB: "⇔", 0xDC: "⇐", 0xDD: "⇑", 0xDE: "⇒", 0xDF: "⇓",
    0xE0: "◊", 0xE1: "⟨", 0xE2: "®", 0xE3: "©", 0xE4: "™", 0xE5: "∑", 0xE6: "⎛", 0xE7: "⎜",
    0xE8: "⎝", 0xE9: "⎡", 0xEA: "⎢", 0xEB: "⎣", 0xEC: "⎧", 0xED: "⎨", 0xEE: "⎩", 0xEF: "⎪",
    0xF1: "⟩", 0xF2: "∫", 0xF3: "⌠", 0xF4: "⎮", 0xF5: "⌡", 0xF6: "⎞", 0xF7: "⎟", 0xF8: "⎠",
    0xF9: "⎤", 0xFA: "⎥", 0xFB: "⎦", 0xFC: "⎫", 0xFD: "⎬", 0xFE: "⎭",
}  # fmt: skip
for _digit in range(0x30, 0x3A):
    _SYMBOL_TABLE[_digit] = chr(_digit)

# The Wingdings glyphs that ITU texts use as bullets, ticks and arrows.
_WINGDINGS_TABLE = {
    0x9F: "•", 0xA7: "▪", 0xA8: "◻", 0x6C: "●", 0x6E: "■", 0x71: "❑", 0x76: "❖", 0xD8: "➢",
    0xE0: "→", 0xE8: "➔", 0xF0: "⇨", 0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑",
}  # fmt: skip


def symbol_char(font: str | None, code: int) -> str:
    """The character Word shows for code point ``code`` in ``font`` (w:sym, or a run in that font).

    Symbol and Wingdings glyphs live at F020..F0FF (or 0x20..0xFF); any other font's code point is
    real Unicode. An unknown Wingdings glyph gives "" rather than a private-use character.
    """
    name = (font or "").strip().lower()
    low = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code
    if name == "symbol" and low <= 0xFF:
        return _SYMBOL_TABLE.get(low, "")
    if name.startswith("wingdings") and low <= 0xFF:
        return _WINGDINGS_TABLE.get(low, "")
    if 0xE000 <= code <= 0xF8FF:
        return ""
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return ""


def map_symbol_text(font: str | None, text: str) -> str:
    """Text typed in a Symbol/Wingdings run ("W" in Symbol is "Ω")."""
    return "".join(symbol_char(font, ord(ch)) or ch for ch in text)


# --- List numbering -----------------------------------------------------------------------------


@dataclass
class ListLevel:
    """One level of a list definition (w:lvl)."""

    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 never
    legal: bool = False  # w:isLgl: show every level's number as decimal
    style: str | None = None  # w:pStyle: the paragraph style linked to this level


@dataclass
class ListInstance:
    """A w:num (Word 2003: w:list with w:ilfo): an abstract definition plus level overrides."""

    abstract: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, ListLevel] = field(default_factory=dict)


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip

# Word 2003 XML w:nfc codes -> OOXML numFmt names.
NFC_CODES = {
    "0": "decimal", "1": "upperRoman", "2": "lowerRoman", "3": "upperLetter", "4": "lowerLetter",
    "5": "ordinal", "6": "cardinalText", "7": "ordinalText", "22": "decimalZero", "23": "bullet",
    "255": "none",
}  # fmt: skip


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def format_counter(n: int, fmt: str) -> str:
    """``n`` in Word's numFmt ``fmt`` (unknown formats fall back to decimal)."""
    if fmt == "none":
        return ""
    if fmt in ("upperLetter", "lowerLetter"):
        if n <= 0:
            return str(n)
        # Word repeats the letter: 27 -> AA, 28 -> BB.
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        if n <= 0:
            return str(n)
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return str(n)


_PLACEHOLDER = re.compile(r"%([1-9])")


class ListNumbering:
    """Word's list counters, advanced paragraph by paragraph in document order.

    Numbering instances that share an abstract definition share counters (Word continues such lists);
    an instance with a start override gets counters of its own. A level restarts when a higher level
    is used, unless its w:lvlRestart says otherwise.
    """

    def __init__(
        self,
        abstracts: dict[str, dict[int, ListLevel]],
        instances: dict[str, ListInstance],
        style_links: dict[str, str] | None = None,
    ) -> None:
        self.abstracts = abstracts
        self.instances = instances
        # abstract id -> numId of the numbering style it points to (w:numStyleLink)
        self.style_links = style_links or {}
        self._counters: dict[str, dict[int, int]] = {}

    def _resolve(self, num_id: str) -> tuple[str, ListInstance] | None:
        inst = self.instances.get(num_id)
        seen = 0
        while inst is not None and inst.abstract in self.style_links and seen < 5:
            target = self.instances.get(self.style_links[inst.abstract])
            if target is None or target is inst:
                break
            inst = ListInstance(target.abstract, inst.start_overrides, inst.level_overrides)
            seen += 1
        if inst is None or inst.abstract not in self.abstracts:
            return None
        key = f"num:{num_id}" if inst.start_overrides or inst.level_overrides else f"abs:{inst.abstract}"
        return key, inst

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        """The level whose w:pStyle is ``style_id`` (a style's numbering without an explicit ilvl)."""
        found = self._resolve(num_id)
        if found is None:
            return None
        for ilvl, level in self.abstracts[found[1].abstract].items():
            if level.style == style_id:
                return ilvl
        return None

    def _level(self, inst: ListInstance, ilvl: int) -> ListLevel:
        return inst.level_overrides.get(ilvl) or self.abstracts[inst.abstract].get(ilvl) or ListLevel()

    def _start(self, inst: ListInstance, ilvl: int) -> int:
        if ilvl in inst.start_overrides:
            return inst.start_overrides[ilvl]
        return self._level(inst, ilvl).start

    def advance(self, num_id: str, ilvl: int) -> str | None:
        """Count one paragraph of list ``num_id`` at level ``ilvl``; its label ("3.2.1.", "a)", "Annex A").

        None when the paragraph has no printable label (bullets, ``none`` format, empty text).
        """
        found = self._resolve(num_id)
        if found is None:
            return None
        key, inst = found
        ilvl = max(0, min(ilvl, 8))
        counters = self._counters.setdefault(key, {})
        for parent in range(ilvl):
            # A level used before its parent: Word shows the parent's start value and counts on
            # from it (J.383: "3.1" under a list whose level 0 starts at 3, then "4").
            counters.setdefault(parent, self._start(inst, parent))
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else self._start(inst, ilvl)
        for deeper in list(counters):
            if deeper <= ilvl:
                continue
            restart = self._level(inst, deeper).restart
            restart = deeper if restart is None else restart
            if restart and ilvl < restart:
                del counters[deeper]
        level = self._level(inst, ilvl)
        if level.fmt == "bullet" or not level.text:
            return None

        def fill(m: re.Match[str]) -> str:
            ref = int(m.group(1)) - 1
            value = counters.get(ref, self._start(inst, ref))
            fmt = "decimal" if level.legal else self._level(inst, ref).fmt
            return format_counter(value, fmt)

        label = _PLACEHOLDER.sub(fill, level.text).strip()
        return label or None


def clean_label(label: str) -> str:
    """A list label as a clause number: "3.2.1." -> "3.2.1", "Annex A:" -> "Annex A"."""
    return label.strip().rstrip(".:)").strip()


# --- Language -----------------------------------------------------------------------------------

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "is", "for", "this", "that", "with", "are", "be", "by"},
    "fr": {"le", "les", "des", "et", "est", "du", "une", "pour", "dans", "qui", "sur", "au", "aux"},
    "es": {"el", "los", "las", "del", "y", "para", "una", "por", "con", "se", "al", "es"},
}
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
}
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(texts: Iterable[str], lang_tags: Counter[str] | None = None) -> str | None:
    """The language code ("en", "fr", "es", "ar", "ru", "zh") from the text; w:lang tags as fallback."""
    sample = "\n".join(texts)
    counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPTS.items()}
    total = sum(counts.values()) + len(_LATIN.findall(sample))
    if total:
        for lang, count in counts.items():
            if count / total > 0.3:
                return lang
        words = Counter(w.lower() for w in _WORD.findall(sample))
        scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
        best = max(scores, key=lambda k: scores[k])
        if scores[best] >= 5:
            return best
    if lang_tags:
        tag = lang_tags.most_common(1)[0][0]
        primary = tag.split("-")[0].lower()
        if primary in ("en", "fr", "es", "ar", "ru", "zh"):
            return primary
    return None

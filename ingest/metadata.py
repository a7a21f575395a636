"""Identify a document: which Recommendation (or other ITU text) it is, its edition, kind and language.

Content first, file name second. The identifier, edition, kind and title are looked for in the
document's head (the parser's blocks up to the first clause "1", plus the tree's preamble): the cover
sheet ("ITU-T | Y.3507 | (12/2018)"), the title block ("Recommendation ITU-T Y.3507" and the title line
after it), "Corrigendum 2" / "Amendment 1" / "Erratum" / "Supplement 5 to ITU-T A-series
Recommendations" / "Implementers' guide for ITU-T Rec. G.729", the ITU-R cover "(08/2023)" or year list
"(1992-1999-2003-2005)". The file name (ITU's download naming ``T-REC-Y.1543-201806-I!!MSW-E.docx``,
``R-REC-P.452-18-202310-I!!PDF-E.pdf``, or bare ``Y.3507-201812.docx``, ``itu-t81.pdf``,
``itu-r.bt.601.pdf``) fills what the content does not say: the ITU-R revision suffix ("M.1645" on the
cover, "M.1645-0" in the name), the corrigendum number, the month. Where the content offers several
dates, the one the file name agrees with wins; otherwise the content's cover date is kept even when the
name disagrees (ITU-R names carry the publication month, the cover the approval month).

Canonical identifiers (``normalize_rec_id``):

- ``ITU-T Y.3507``, ``ITU-R P.452-18`` (ITU-R keeps its revision suffix, ITU-T has none); CCITT
  Recommendations are ``ITU-T`` (the same series continued), CCIR ones ``ITU-R``.
- A dual number keeps its first part: ``Y.3521/M.3070`` -> ``ITU-T Y.3521``.
- Corrigenda, amendments, errata, addenda: base id + ``" Cor.N"`` / ``" Amd.N"`` / ``" Err.N"`` /
  ``" Add.N"``, without the base edition year: ``ITU-T P.862 Cor.2``.
- Implementers' guides: ``ITU-T G.Imp729``.
- Supplements as ITU's own catalogue writes them: ``ITU-T A Suppl. 5`` (the file name says ``A.Sup5``).
- Separately published annexes: ``ITU-T Z.100 Annex F1``.
- WTSA resolutions ``WTSA Res. 1``; meeting documents ``SG17-TD71``, ``ITU-R WP5D TEMP/249(Rev.1)``.
- Drafting guides and templates have no identifier (None).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.models import BlockKind, DocKind, DocumentMeta, ParsedDocument
from ingest.structure import ClauseTree

# --------------------------------------------------------------------------------------------- ids

_HYPHENS = str.maketrans({"\u2011": "-", "\u2010": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_SECTOR = re.compile(
    r"(?<![A-Za-z])(?:(?:ITU|UIT|МСЭ)\s?[-‑]?\s?(?P<s>[TRТ])(?![A-Za-z])|(?P<old>CCITT|CCIR))"
)
# "Y.3507", "G.650.1", "P.452-18", "G.Imp729", "X.ImpOSI", "A.Sup5"; a date "-201812" is no revision.
_CORE = (
    r"(?P<series>[A-Z]{1,3})\s?\.\s?(?P<num>Imp(?:\d{1,5}(?:\.\d{1,3})*|[A-Z]{2,6})|Sup\s?\d{1,3}"
    r"|\d{1,5}(?:\.\d{1,3})*)(?:-(?P<ver>\d{1,2})(?![\d.]))?"
)
_CORE_RE = re.compile(r"(?<![A-Za-z0-9.])" + _CORE)
_SUPPL = re.compile(
    r"(?<![A-Za-z])(?P<series>[A-Z]{1,3})(?:[-\s]series)?\s*(?:Recommendations\s*)?"
    r"(?:Suppl\.?|Sup\.?|Supplement)\s*(?P<n>\d{1,3})\b"
)
_SUPPL_TO = re.compile(
    r"Supplement\s*(?P<n>\d{1,3})\s+to\s+(?:the\s+)?(?:ITU-T\s+)?(?P<series>[A-Z]{1,3})[-\s]series", re.I
)
_PART = re.compile(
    r"^\s*(?:\(\d{4}\)\s*)?(?P<word>Cor|Amd|Err|Add|Corrigendum|Amendment|Erratum|Addendum)\.?\s*(?P<n>\d{1,2})\b",
    re.I,
)
_ANNEX_PART = re.compile(r"^\s*Annex\s+(?P<a>[A-Z]\d{0,2})\b")
_PART_ABBR = {"cor": "Cor", "corrigendum": "Cor", "amd": "Amd", "amendment": "Amd", "err": "Err",
              "erratum": "Err", "add": "Add", "addendum": "Add"}  # fmt: skip
_PART_KIND = {
    "Cor": DocKind.CORRIGENDUM,
    "Amd": DocKind.AMENDMENT,
    "Err": DocKind.ERRATUM,
    "Add": DocKind.AMENDMENT,
}
# Series letters that only ITU-R uses (ITU-T shares P, M, F, S, V with ITU-R).
_ITU_R_ONLY = {"BO", "BR", "BS", "BT", "RA", "RS", "SA", "SF", "SM", "SNG", "TF", "PI", "PN", "IS", "SG"}


@dataclass(frozen=True)
class _Id:
    sector: str
    series: str
    num: str
    ver: str | None = None
    part: str | None = None  # "Cor.2", "Annex F1"
    supplement: bool = False

    def base(self) -> str:
        if self.supplement:
            return f"{self.sector} {self.series} Suppl. {self.num}"
        ver = f"-{self.ver}" if self.ver is not None and self.sector == "ITU-R" else ""
        return f"{self.sector} {self.series}.{self.num}{ver}"

    def canonical(self) -> str:
        return f"{self.base()} {self.part}" if self.part else self.base()


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(_HYPHENS)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip("[]{}").strip()


def _guess_sector(series: str, ver: str | None, hint: str | None) -> str:
    if hint in ("ITU-T", "ITU-R"):
        return hint
    if ver is not None or series in _ITU_R_ONLY:
        return "ITU-R"
    return "ITU-T"


def _sector_of(match: re.Match[str]) -> str:
    if match.group("old"):
        return "ITU-T" if match.group("old") == "CCITT" else "ITU-R"
    return "ITU-R" if match.group("s") == "R" else "ITU-T"


def _parse_id(raw: str, sector_hint: str | None = None) -> _Id | None:
    text = _clean(raw)
    text = re.sub(r"^b-", "", text)
    sector: str | None = None
    m = _SECTOR.search(text)
    if m:
        sector = _sector_of(m)
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    text = re.sub(
        r"\b(?:Recommendation|Rec\.|Recommandation|Recomendaci[oó]n)\s*", "", text, flags=re.I
    ).strip()
    sup = _SUPPL_TO.search(text) or _SUPPL.match(text)
    if sup:
        return _Id(sector or "ITU-T", sup.group("series"), sup.group("n"), supplement=True)
    core = _CORE_RE.search(text)
    if core is None:
        return None
    series, num, ver = core.group("series"), core.group("num").replace(" ", ""), core.group("ver")
    if num.startswith("Sup"):
        return _Id(sector or "ITU-T", series, num[3:], supplement=True)
    sector = sector or _guess_sector(series, ver, sector_hint)
    rest = text[core.end() :]
    rest = re.sub(r"^/[A-Z]{1,3}\.\d[\d.]*", "", rest)  # dual number: keep the first
    part: str | None = None
    pm = _PART.match(rest)
    if pm:
        part = f"{_PART_ABBR[pm.group('word').lower()]}.{int(pm.group('n'))}"
    else:
        am = _ANNEX_PART.match(rest)
        if am:
            part = f"Annex {am.group('a')}"
    return _Id(sector, series, num, ver, part)


def normalize_rec_id(raw: str, sector_hint: str | None = None) -> str | None:
    """The canonical identifier for an ITU Recommendation as written anywhere; None if it is not one.

    "Y.3507", "ITU-T Y.3507", "Rec. ITU-T Y.3507", "[ITU-T Y.3100]" -> "ITU-T Y.3507"/"ITU-T Y.3100";
    "ITU-R P.452-18" -> "ITU-R P.452-18"; "P.452-18" -> "ITU-R P.452-18" (a revision suffix means ITU-R;
    ``sector_hint`` decides for bare numbers of shared series); "ITU-T P.862 (2001) Cor. 2" ->
    "ITU-T P.862 Cor.2"; "A.Sup5" / "ITU-T A Suppl. 5" -> "ITU-T A Suppl. 5". Non-ITU texts
    ("IETF RFC 7679", "ISO/IEC 17788") give None.
    """
    if not raw or not raw.strip():
        return None
    cleaned = _clean(raw)
    if re.match(r"^(?:b-)?(?:IETF|RFC|ISO|IEC|IEEE|ETSI|3GPP|ANSI|W3C|OMA|ATIS|CEN|ECMA)\b", cleaned, re.I):
        return None
    found = _parse_id(cleaned, sector_hint)
    return found.canonical() if found else None


# --------------------------------------------------------------------------------------- file name

_LANG_LETTER = {"A": "ar", "C": "zh", "E": "en", "F": "fr", "R": "ru", "S": "es"}
_ITU_NAME = re.compile(
    r"^(?P<sec>[TRD])-(?P<type>REC|RES|SUP|HDB|OPB|QUE|TUT|FG)-(?P<id>.+?)-(?P<date>\d{6}|\d{4})(?![\d])"
    r"(?:-(?P<status>[IP]))?(?:!(?P<part>[^!]*)!)?(?:-?(?P<fmt>MSW|PDF|HTM|ZPF|DOC)-(?P<lang>[AEFRSC]))?"
)
_BARE_NAME = re.compile(
    r"^(?P<id>[A-Z]{1,3}\.(?:Imp|Sup)?[A-Za-z0-9.]*\d(?:-\d{1,2})?)(?:-(?P<date>\d{6})(?P<rest>.*))?$"
)
_ITUX_NAME = re.compile(
    r"^itu-(?P<sec>[tr])\.?(?P<series>[a-z]{0,3})\.?(?P<num>\d{1,5}(?:\.\d{1,3})*)(?:-(?P<ver>\d{1,2}))?$"
)
_UNDERSCORE_NAME = re.compile(
    r"^ITU-(?P<sec>[TR]) (?P<series>[A-Z]{1,3}) (?P<num>\d{1,5}(?: \d{1,3}(?!\d))*)(?: (?P<year>\d{4}))?"
    r"(?: (?P<word>Cor|Amd|Err) (?P<n>\d{1,2}))?(?: (?P<mm>\d{2}) (?P<yyyy>\d{4}))?"
)


@dataclass
class _NameInfo:
    rec_id: str | None = None
    edition: str | None = None
    kind: DocKind | None = None
    language: str | None = None
    sector: str | None = None
    part_number: str | None = None


def _part_from(part: str) -> tuple[DocKind | None, str | None]:
    m = re.match(r"^(Cor|Amd|Err|Add|Ann)([A-Z]?\d{0,2})$", part)
    if not m:
        return None, None
    word, n = m.groups()
    if word == "Ann":
        return DocKind.ANNEX, f"Annex {n}"
    return _PART_KIND[word], f"{word}.{int(n or 1)}"


def _date(yyyymm: str | None) -> str | None:
    if not yyyymm:
        return None
    if len(yyyymm) == 6 and 1 <= int(yyyymm[4:]) <= 12:
        return f"{yyyymm[:4]}-{yyyymm[4:]}"
    return yyyymm[:4] if len(yyyymm) >= 4 else None


def _from_name(path: Path) -> _NameInfo:
    name = path.name
    stem = re.sub(r"(?:\(\d+\))?\.[A-Za-z0-9]{1,5}$", "", name)
    info = _NameInfo()
    lang = re.search(r"(?:MSW|PDF|HTM|DOC)-?(?P<l>[AEFRSC])(?:\(\d+\))?$|-(?P<m>[AEFRSC])$", stem)
    if lang:
        info.language = _LANG_LETTER[lang.group("l") or lang.group("m")]
    m = _ITU_NAME.match(stem)
    if m:
        info.sector = "ITU-R" if m.group("sec") == "R" else "ITU-T"
        info.edition = _date(m.group("date"))
        if m.group("type") == "RES":
            num = re.sub(r"^[A-Z]\.", "", m.group("id"))
            info.rec_id, info.kind = f"WTSA Res. {num}", DocKind.RESOLUTION
            return info
        if m.group("type") in ("TUT", "FG", "HDB", "OPB"):
            info.kind = DocKind.OTHER
            return info
        base = _parse_id(f"{info.sector} {m.group('id')}")
        if base is not None:
            kind, part = _part_from(m.group("part") or "")
            info.rec_id = _Id(base.sector, base.series, base.num, base.ver, part, base.supplement).canonical()
            info.part_number = part
            info.kind = kind or _kind_of_id(base)
        return info
    m = _BARE_NAME.match(stem)
    if m:
        base = _parse_id(m.group("id"))
        info.edition = _date(m.group("date"))
        if base is not None:
            info.sector = base.sector
            part_m = re.search(r"-(Ann[A-Z]\d{0,2}|Cor\d+|Amd\d+|Err\d+)\b", m.group("rest") or "")
            kind, part = _part_from(part_m.group(1)) if part_m else (None, None)
            info.rec_id = _Id(base.sector, base.series, base.num, base.ver, part, base.supplement).canonical()
            info.part_number = part
            info.kind = kind or _kind_of_id(base)
        return info
    m = _ITUX_NAME.match(stem.lower())
    if m:
        sector = "ITU-T" if m.group("sec") == "t" else "ITU-R"
        series = (m.group("series") or m.group("sec")).upper()  # "itu-t81": Recommendation T.81
        found = _Id(sector, series, m.group("num"), m.group("ver"))
        info.rec_id, info.sector, info.kind = found.canonical(), sector, DocKind.RECOMMENDATION
        return info
    spaced = re.sub(r"\s+", " ", stem.replace("_", " ")).strip()
    m = _UNDERSCORE_NAME.match(spaced)
    if m:
        sector = "ITU-T" if m.group("sec") == "T" else "ITU-R"
        part = f"{m.group('word')}.{int(m.group('n'))}" if m.group("word") else None
        found = _Id(sector, m.group("series"), m.group("num").replace(" ", "."), None, part)
        info.rec_id, info.sector, info.part_number = found.canonical(), sector, part
        info.kind = _PART_KIND[m.group("word")] if m.group("word") else DocKind.RECOMMENDATION
        if m.group("mm"):
            info.edition = f"{m.group('yyyy')}-{m.group('mm')}"
        return info
    m = re.match(r"^(?P<wp>\d[A-Z])[ _-]?TEMP[ _-]?(?P<n>\d+)(?:\s*\(Rev\.?\s*(?P<rev>\d+)\))?", stem, re.I)
    if m:
        rev = f"(Rev.{m.group('rev')})" if m.group("rev") else ""
        info.rec_id = f"ITU-R WP{m.group('wp').upper()} TEMP/{m.group('n')}{rev}"
        info.sector, info.kind = "ITU-R", DocKind.CONTRIBUTION
        return info
    m = re.search(r"(?:^|[-_ ])TD[ -]?(?P<n>\d+)(?:[-_ ]|$)", stem, re.I)
    if m:
        info.rec_id, info.kind, info.sector = f"TD{m.group('n')}", DocKind.CONTRIBUTION, "ITU-T"
    if re.search(r"(?:report|agenda|minutes|liaison|contribution)", stem, re.I):
        info.kind = DocKind.CONTRIBUTION
        d = re.search(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])(?:[0-3]\d)(?!\d)", stem)
        if d:
            info.edition = f"{d.group(1)}-{d.group(2)}"
    if re.search(r"guide|guidelines|template|skelet|format of", stem, re.I):
        info.kind = DocKind.DRAFTING_GUIDE
        d = re.search(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(?!\d)", stem)
        if d:
            info.edition = f"{d.group(1)}-{d.group(2)}"
    return info


def _kind_of_id(found: _Id) -> DocKind:
    if found.supplement:
        return DocKind.SUPPLEMENT
    if found.num.startswith("Imp"):
        return DocKind.IMPLEMENTERS_GUIDE
    return DocKind.RECOMMENDATION


def doc_id_for(path: Path) -> str:
    """A stable, readable document id from the file name (extension included, folder not).

    Lower-cased, accents folded, every run of characters other than ``a-z0-9.`` becomes one ``-``:
    ``T-REC-Y.1543-201806-I!!MSW-E.docx`` -> ``t-rec-y.1543-201806-i-msw-e.docx``,
    ``ITU Author's Guide.docx`` -> ``itu-author-s-guide.docx``. The extension keeps the Word and the
    AsciiDoc versions of one Recommendation apart; the same file name in two folders gives one id.
    """
    name = unicodedata.normalize("NFKD", path.name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9.]+", "-", name).strip("-.")
    return slug or "document"


# ----------------------------------------------------------------------------------------- content

_MAX_HEAD_BLOCKS = 120
_MAX_HEAD_CHARS = 30_000
_REC_WORD = (
    r"(?:Recommendation|RECOMMENDATION|Recommandation|RECOMMANDATION|Recomendaci[oó]n|RECOMENDACI[OÓ]N"
    r"|Рекомендация|РЕКОМЕНДАЦИЯ|التوصيـة|التوصية|Rec\.)"
)
_SECTOR_WORD = r"(?:ITU|UIT|МСЭ)\s?[-‑]?\s?[TRТ](?![A-Za-z])|CCITT|CCIR"
_REC_LINE = re.compile(
    rf"{_REC_WORD}\s+(?P<sec>{_SECTOR_WORD})?\s*(?P<id>{_CORE}(?:/[A-Z]{{1,3}}\.\d[\d.]*)?)"
)
_SECTOR_REC = re.compile(rf"(?P<sec>{_SECTOR_WORD})\s+(?:Rec\.\s+)?(?P<id>{_CORE})")
_COVER_ID = re.compile(
    rf"(?:^|[\n\t|])\s*(?P<sec>{_SECTOR_WORD})\s*[\n\t|]+\s*(?P<id>{_CORE})\s*(?=$|[\n\t|/])"
)
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}  # fmt: skip
_DATE_MM_YYYY = re.compile(r"\(\s*(?P<m>0[1-9]|1[0-2])\s*/\s*(?P<y>(?:19|20)\d\d|\d\d)\s*\)")
_DATE_YYYY_MM = re.compile(r"\(\s*(?P<y>(?:19|20)\d\d)\s*/\s*(?P<m>0[1-9]|1[0-2])\s*\)")
_DATE_LONG = re.compile(r"\(\s*(?:\d{1,2}\s+)?(?P<mon>[A-Za-z]+)\s+(?P<y>(?:19|20)\d\d)\s*\)")
_YEAR_LIST = re.compile(r"^\s*\(\s*((?:19|20)\d\d)(?:\s*-\s*(?:19|20)\d\d)*\s*\)\s*$", re.M)
_HISTORY_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(0[1-9]|1[0-2])-(?:[0-3]\d)(?!\d)")
_KIND_LINE = re.compile(
    r"(?:^|[\n\t|])\s*(?P<word>Corrigendum|Amendment|Erratum|Addendum|Corrigendum|Rectificatif|Amendement"
    r"|Supplement|Supplément|Annex)\s*(?P<n>[A-Z]?\d{0,3})[ \t]*(?=\(\s*\d{1,2}/\d{4}\s*\)|$|[\n\t|])",
    re.M,
)
_KIND_WORD = {
    "corrigendum": DocKind.CORRIGENDUM, "rectificatif": DocKind.CORRIGENDUM, "amendment": DocKind.AMENDMENT,
    "amendement": DocKind.AMENDMENT, "erratum": DocKind.ERRATUM, "addendum": DocKind.AMENDMENT,
    "supplement": DocKind.SUPPLEMENT, "supplément": DocKind.SUPPLEMENT, "annex": DocKind.ANNEX,
}  # fmt: skip
_IMP = re.compile(r"Implement[eo]r(?:s['’]?|['’]s)\s+Guide\b", re.I)
_DRAFTING = re.compile(
    r"Author['’]s\s+guide|Editing\s+Guidelines|Recommendation\s+ITU-[TR]\s*[<(]|Format\s+of\s+ITU-R\s+Rec|"
    r"NOTE\s+TO\s+AUTHORS",
    re.I,
)
_CONTRIB = re.compile(r"\bTemporary\s+Document\b|\bTEMP/\d|\bCONTRIBUTION\s+\d|\bTD\s?\d+\b")
_RESOLUTION = re.compile(r"\bRESOLUTION\s+(?P<n>\d{1,3})\b(?:\s*\((?P<rev>Rev\.[^)]*)\))?")
_WTSA = re.compile(r"WORLD\s+TELECOMMUNICATION\s+STANDARDIZATION\s+ASSEMBLY|\bWTSA\b", re.I)
_SG = re.compile(r"(?:STUDY\s+GROUP|\bSG)\s*(?P<n>\d{1,2})\b", re.I)
_QUESTION_SG = re.compile(r"\bQuestions?\s+\d{1,2}/(?P<n>\d{1,2})\b")


def _head_text(parsed: ParsedDocument, tree: ClauseTree) -> str:
    """The cover, title block and preamble: blocks up to the first clause "1" (capped), then the preamble."""
    lines: list[str] = []
    size = 0
    for i, block in enumerate(parsed.blocks):
        if i >= _MAX_HEAD_BLOCKS or size > _MAX_HEAD_CHARS:
            break
        if block.kind is BlockKind.HEADING and (block.number or "").strip().rstrip(".") == "1":
            break
        text = block.text
        if block.kind is BlockKind.HEADING and block.number:
            text = f"{block.number} {text}"
        lines.append(text)
        size += len(text)
    lines.extend(tree.preamble[:60])
    return unicodedata.normalize("NFKC", "\n".join(lines)).translate(_HYPHENS)


def _body_sample(parsed: ParsedDocument, limit: int = 60_000) -> str:
    out: list[str] = []
    size = 0
    for block in parsed.blocks:
        out.append(block.text)
        size += len(block.text)
        if size > limit:
            break
    return "\n".join(out)


def detect_language(text: str) -> str | None:
    """en/fr/es/ru/ar/zh by script first, then by the commonest function words; None for no text."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return None
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    cjk = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    n = len(letters)
    for share, lang in ((arabic, "ar"), (cyr, "ru"), (cjk, "zh")):
        if share > 0.2 * n:
            return lang
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿñáíóú']+", text.lower())
    votes = {
        "en": {"the", "of", "and", "to", "is", "for", "this", "with", "which", "be", "are"},
        "fr": {"le", "la", "les", "des", "du", "est", "une", "pour", "dans", "cette", "sont", "aux", "et"},
        "es": {"el", "los", "las", "del", "que", "una", "para", "por", "esta", "con", "se", "y", "al"},
    }
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in votes.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else None


def _ym(year: str, month: int) -> str:
    if len(year) == 2:
        year = ("19" if int(year) >= 50 else "20") + year
    return f"{year}-{month:02d}"


def _date_candidates(head: str) -> list[tuple[int, str, bool]]:
    """(position, yyyy-mm, is_cover_like) for every approval-looking date in the head text."""
    out: list[tuple[int, str, bool]] = []
    for m in _DATE_MM_YYYY.finditer(head):
        before = head[max(0, m.start() - 40) : m.start()]
        after = head[m.end() : m.end() + 2]
        cover = bool(re.search(r"(?:^|[\n\t|]|Corrigendum\s*\d*|Amendment\s*\d*|Erratum|Supplement\s*\d*|"
                               r"Annex\s*\w*|[A-Z]\.\d[\d.\-]*)\s*$", before)) and (
            after == "" or after[:1] in "\n\t| " )  # fmt: skip
        out.append((m.start(), _ym(m.group("y"), int(m.group("m"))), cover))
    for m in _DATE_YYYY_MM.finditer(head):
        out.append((m.start(), _ym(m.group("y"), int(m.group("m"))), True))
    for m in _DATE_LONG.finditer(head):
        month = _MONTHS.get(m.group("mon").lower())
        if month:
            out.append((m.start(), _ym(m.group("y"), month), True))
    out.sort()
    return out


def _history_edition(head: str, base: str | None) -> str | None:
    """The last approval date in a History table ("1.0 ITU-T X.609.5 2018-01-13 11 ...")."""
    idx = head.find("History")
    if idx < 0:
        idx = head.find("Historique")
    if idx < 0:
        return None
    chunk = head[idx : idx + 4000]
    end = chunk.find("FOREWORD")
    if end > 0:
        chunk = chunk[:end]
    dates = _HISTORY_DATE.findall(chunk)
    if not dates:
        return None
    year, month = dates[-1]
    return f"{year}-{month}"


def _title_after(head: str, start: int) -> str | None:
    """The title lines after an identifier line, up to a stop line."""
    rest = head[start:]
    lines = [ln.strip() for ln in re.split(r"[\n\t|]", rest)]
    out: list[str] = []
    stop = re.compile(
        r"^(?:Summary|Scope|Foreword|FOREWORD|Keywords|History|Introduction|\(Question|considering|The ITU "
        r"|[A-Z]{1,3} Series|SERIES|Corrigendum|Amendment|Erratum|Rec\.|Recommendation|\d+\s|\(\d|"
        r"Résumé|Резюме|ملخص|TELECOMMUNICATION|INTERNATIONAL TELECOMMUNICATION|\(ex\.? )"
    )
    for ln in lines:
        if not ln:
            if out:
                break
            continue
        if _DATE_MM_YYYY.fullmatch(ln) or re.fullmatch(r"\(\s*\d{2}/\d{2,4}\s*\)", ln):
            if out:
                break
            continue
        if stop.match(ln) or len(ln) > 200:
            break
        out.append(ln)
        if len(out) >= 8:
            break
    title = re.sub(r"\s+", " ", " ".join(out)).strip(" .*")
    title = re.sub(r"\s*[\d*]+$", "", title) if re.search(r"[a-z]\*?\s*\d?\*$", title) else title
    return title or None


_LINE_LEAD = re.compile(r"[\s|]*(?:Draft\s+(?:new|revised)\s+)?", re.I)
_LINE_TAIL = re.compile(r"(?:\s*\((?:ex\.?|formerly)[^)]*\))?[\s|*\d]*", re.I)


def _line_of(head: str, m: re.Match[str]) -> tuple[str, str]:
    """The text before and after a match on its own line."""
    line_start = head.rfind("\n", 0, m.start()) + 1
    line_end = head.find("\n", m.end())
    return head[line_start : m.start()], head[m.end() : line_end if line_end >= 0 else len(head)]


def _find_content_id(head: str) -> tuple[_Id | None, int, bool]:
    """The document's own identifier in its head: cover sheet, then title block, then a line start.

    Returns the id, the end of the standalone title-block line that names it last (where the title
    follows; the first match's end when there is none), and whether the finding is strong (a cover
    sheet or a line of its own) rather than a line that merely begins with an identifier.
    """
    found: _Id | None = None
    first_end = -1
    strong = False
    for pattern, is_cover in ((_COVER_ID, True), (_REC_LINE, False), (_SECTOR_REC, False)):
        for m in pattern.finditer(head):
            sec = m.group("sec")
            if not sec:
                continue
            before, after = _line_of(head, m)
            if not is_cover and not _LINE_LEAD.fullmatch(before):
                continue  # a citation inside running text
            candidate = _parse_id(f"{sec} {m.group('id')}")
            if candidate is None:
                continue
            found, first_end = candidate, m.end()
            strong = is_cover or bool(_LINE_TAIL.fullmatch(after))
            break
        if found is not None:
            break
    if found is None:
        return None, -1, False
    title_end = first_end
    for m in _REC_LINE.finditer(head):
        before, after = _line_of(head, m)
        other = _parse_id(f"{m.group('sec') or ''} {m.group('id')}")
        standalone = _LINE_LEAD.fullmatch(before) and _LINE_TAIL.fullmatch(after)
        if standalone and other is not None and other.base() == found.base():
            title_end, strong = m.end(), True
    return found, title_end, strong


def _content_kind(head: str) -> tuple[DocKind | None, str | None]:
    if _DRAFTING.search(head[:5000]):
        return DocKind.DRAFTING_GUIDE, None
    if _IMP.search(head[:4000]):
        return DocKind.IMPLEMENTERS_GUIDE, None
    m = _SUPPL_TO.search(head)
    if m:
        return DocKind.SUPPLEMENT, m.group("n")
    for m in _KIND_LINE.finditer(head):
        word = m.group("word").lower()
        kind = _KIND_WORD[word]
        if kind is DocKind.SUPPLEMENT and not m.group("n"):
            continue
        if kind is DocKind.ANNEX and not re.match(r"[A-Z]\d{1,2}$", m.group("n") or ""):
            continue  # "Annex A" headings; separately published annexes are "Annex F1"
        return kind, m.group("n") or None
    if re.search(r"\bErratum\b", head[:3000]):
        return DocKind.ERRATUM, None
    if _CONTRIB.search(head):
        return DocKind.CONTRIBUTION, None
    return None, None


def _merge_ids(content: _Id | None, name_id: str | None) -> _Id | None:
    named = _parse_id(name_id) if name_id else None
    if content is None:
        return named
    same = named is not None and (named.sector, named.series, named.num) == (
        content.sector,
        content.series,
        content.num,
    )
    if same and named is not None and content.ver is None and named.ver is not None:
        return _Id(content.sector, content.series, content.num, named.ver, content.part, content.supplement)
    return content


def identify(parsed: ParsedDocument, tree: ClauseTree, path: Path) -> DocumentMeta:
    """A copy of ``parsed.meta`` completed with rec_id, title, edition, kind, language and sector."""
    meta = parsed.meta.model_copy(deep=True)
    meta.path = meta.path or str(path)
    meta.doc_id = meta.doc_id or doc_id_for(path)
    head = _head_text(parsed, tree)
    name = _from_name(path)

    language = detect_language(_body_sample(parsed)) or name.language or meta.language or "en"
    meta.language = language

    kind, kind_n = _content_kind(head)
    if kind is None or (kind is DocKind.ERRATUM and name.kind is not DocKind.ERRATUM and name.kind):
        kind = kind or name.kind
    if name.kind in (DocKind.CONTRIBUTION, DocKind.RESOLUTION) and kind in (None, DocKind.RECOMMENDATION):
        kind = name.kind
    res = _RESOLUTION.search(head)
    if res and _WTSA.search(head) and kind in (None, DocKind.RECOMMENDATION, DocKind.OTHER):
        kind = DocKind.RESOLUTION

    rec_id: str | None = None
    title: str | None = None
    content_id: _Id | None = None
    id_end = -1
    if kind is DocKind.RESOLUTION:
        rec_id = f"WTSA Res. {res.group('n')}" if res else name.rec_id
        if res:
            title = _title_after(head, head.find("\n", res.end()) + 1)
        meta.sector = "ITU-T"
    elif kind is DocKind.CONTRIBUTION:
        rec_id = name.rec_id
        if rec_id and rec_id.startswith("TD"):
            sg = _SG.search(head) or _QUESTION_SG.search(head) or _SG.search(path.name)
            rec_id = f"SG{sg.group('n')}-{rec_id}" if sg else rec_id
        meta.sector = name.sector or ("ITU-R" if "ITU-R" in head[:2000] else "ITU-T")
    elif kind is DocKind.DRAFTING_GUIDE:
        meta.sector = "ITU-R" if re.search(r"ITU-R", head[:3000]) and "ITU-T" not in head[:3000] else "ITU-T"
    else:
        content_id, id_end, strong = _find_content_id(head)
        hinted = _parse_id(parsed.meta.rec_id) if parsed.meta.rec_id else None
        if hinted is not None and not strong:
            content_id, id_end, strong = hinted, -1, True  # the parser read it from the content (metadata)
        named_base = _parse_id(name.rec_id) if name.rec_id else None
        if (
            content_id is not None
            and not strong
            and named_base is not None
            and (named_base.sector, named_base.series, named_base.num)
            != (content_id.sector, content_id.series, content_id.num)
        ):
            content_id, id_end = None, -1  # a line citing another text; the file name is surer
        merged = _merge_ids(content_id, name.rec_id)
        if merged is not None:
            part = merged.part
            if kind is DocKind.IMPLEMENTERS_GUIDE and not merged.num.startswith("Imp"):
                merged = _Id(merged.sector, merged.series, f"Imp{merged.num}", None, None)
            elif kind is DocKind.SUPPLEMENT and not merged.supplement:
                named_id = _parse_id(name.rec_id) if name.rec_id else None
                number = kind_n or (named_id.num if named_id else None)
                if number:
                    merged = _Id(merged.sector, merged.series, number, supplement=True)
            elif (
                kind in (DocKind.CORRIGENDUM, DocKind.AMENDMENT, DocKind.ERRATUM, DocKind.ANNEX) and not part
            ):
                abbr = {DocKind.CORRIGENDUM: "Cor", DocKind.AMENDMENT: "Amd", DocKind.ERRATUM: "Err"}.get(
                    kind
                )
                if name.part_number and (abbr is None or name.part_number.startswith(abbr)):
                    part = name.part_number
                elif abbr:
                    part = f"{abbr}.{int(kind_n) if kind_n and kind_n.isdigit() else 1}"
                elif kind_n:
                    part = f"Annex {kind_n}"
                merged = _Id(merged.sector, merged.series, merged.num, merged.ver, part, merged.supplement)
            rec_id = merged.canonical()
            meta.sector = merged.sector
            if kind is None:
                kind = _PART_KIND.get((merged.part or "").split(".")[0]) or _kind_of_id(merged)
                if merged.part and merged.part.startswith("Annex"):
                    kind = DocKind.ANNEX
        if content_id is not None and id_end >= 0:
            title = _title_after(head, id_end)
        if kind is DocKind.SUPPLEMENT:
            m = _SUPPL_TO.search(head)
            if m:
                after = re.sub(r"^\s*Recommendations?", "", head[m.end() : m.end() + 400])
                title = _title_after(after, 0) or title
    if title is None and meta.sector == "ITU-R":
        question = re.search(r"\n(?P<t>[^\n]{3,200})\n\(Question ITU-R", head)
        if question and not _REC_LINE.match(question.group("t")):
            title = question.group("t").strip(" *")
    meta.rec_id = rec_id
    meta.kind = kind or (DocKind.RECOMMENDATION if rec_id else DocKind.OTHER)
    meta.sector = meta.sector or name.sector
    meta.title = title or meta.title
    meta.edition = _edition(head, name, content_id, meta.kind, parsed.meta.edition)
    return meta


def _edition(
    head: str, name: _NameInfo, content_id: _Id | None, kind: DocKind, hint: str | None = None
) -> str | None:
    candidates = _date_candidates(head)
    named = name.edition
    if named and any(value == named for _, value, _ in candidates):
        return named
    if kind is DocKind.CONTRIBUTION:
        return named or (candidates[0][1] if candidates else None)
    cover = [value for _, value, is_cover in candidates if is_cover]
    if cover:
        return cover[0]
    if hint:  # the parser read it from the content (document metadata)
        return hint
    history = _history_edition(head, content_id.base() if content_id else None)
    if history:
        return history
    years = _YEAR_LIST.search(head)
    if years:
        year = re.findall(r"(?:19|20)\d\d", years.group(0))[-1]
        return named if named and named.startswith(year) else year
    if named:
        return named
    return candidates[0][1] if candidates else None


__all__ = ["detect_language", "doc_id_for", "identify", "normalize_rec_id"]

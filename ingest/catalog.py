"""The ITU Recommendation catalog: editions, titles and in-force status of every Recommendation.

Loaded once, lazily, from the ``itu-recommendations.jsonl(.gz)`` file (``Settings.catalog_path()``).
Each record is one edition as the catalog spells it ("ITU-T Y.3507 (12/2018)", "ITU-R P.452-18",
"ITU-T X.509 (2019) Cor. 3 (07/2026)"); this module turns those into :class:`CatalogEntry` objects
grouped by Recommendation, and derives each edition's status:

* ITU-T: a ``Published`` edition is in force unless a newer ``Published`` edition of the same
  Recommendation exists (then superseded); a ``Withdrawal`` edition is superseded when a newer edition
  exists, else withdrawn. Records without a stage fall back on the status letter of ITU's URL
  (``-I`` in force, ``-S`` superseded, ``-W`` withdrawn), else "unknown". Amendments, corrigenda and
  errata form their own groups ("ITU-T X.509 Cor. 1", with ``amends`` = "2019" for the amended
  edition); a withdrawn one is superseded when its Recommendation has a newer edition.
* ITU-R: the highest revision is in force and older ones superseded, except where ITU's URL marks the
  highest one withdrawn (``-W``) or superseded (``-S``: a newer revision the catalog lacks).

Loading reads only the fields before ``"abstract"`` on each line (the relations lists are big), which
keeps a cold load near 0.3 s.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rapporteur.settings import Settings

T = "ITU-T"
R = "ITU-R"


class RecStatus(StrEnum):
    IN_FORCE = "in force"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


class CatalogEntry(BaseModel):
    """One edition of one Recommendation (or amendment, corrigendum, supplement...)."""

    catalog_id: str
    """The id exactly as the catalog spells it: "ITU-T Y.3507 (12/2018)", "ITU-R P.452-18"."""
    rec_id: str
    """Canonical id without edition: "ITU-T Y.3507", "ITU-T X.509 Cor. 1", "ITU-R P.452-18"."""
    base_id: str
    """What groups the editions: "ITU-T Y.3507" (= rec_id for ITU-T), "ITU-R P.452"."""
    edition: str | None
    """yyyy-mm: the edition date for ITU-T, the approval date in ITU's URL for ITU-R."""
    title: str | None
    status: RecStatus
    doctype: str
    url: str | None
    sector: str
    """"ITU-T" or "ITU-R"."""
    revision: int | None = None
    """ITU-R revision number (18 in P.452-18)."""
    amends: str | None = None
    """For amendments, corrigenda, errata of ITU-T Recommendations: the amended edition's year."""
    parent_id: str | None = None
    """For amendments, corrigenda, errata: the amended Recommendation ("ITU-T X.509")."""
    stage: str | None = None
    published: str | None = None

    @property
    def year(self) -> str | None:
        return self.edition[:4] if self.edition else None

    @property
    def label(self) -> str:
        """How a reference cites it: "ITU-T Y.3507 (12/2018)", "ITU-R P.452-18 (10/2023)"."""
        if not self.edition:
            return self.rec_id
        return f"{self.rec_id} ({self.edition[5:7]}/{self.edition[:4]})"


# --------------------------------------------------------------------------- id spelling

_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(
    r"^(?:(?:Recommendation|Rec\.)\s+)?(?P<sector>ITU-?[TR]|CCITT|CCIR)\b\s*(?:Rec\.\s*)?", re.I
)
_REPORT = re.compile(r"^Report\s+", re.I)
_REC_WORD = re.compile(r"^(?:Recommendation|Rec\.)\s+", re.I)
_T_SIMPLE = re.compile(r"^ITU-T (?P<core>[A-Z]\.\d+(?:\.\d+)*) \((?P<mm>\d{2})/(?P<yyyy>\d{4})\)$")
_T_EDITION = re.compile(r"\s*\((?P<mm>\d{1,2})/(?P<yyyy>\d{4})\)\s*$")
_ISO_EDITION = re.compile(r"\s*\((?P<yyyy>\d{4})-(?P<mm>\d{2})\)\s*$")
_TRAILING_YEAR = re.compile(r"\s*\((?P<yyyy>\d{4})\)\s*$")
_VERSION = re.compile(r"\s*\(V\d+\)", re.I)
_BASE_YEAR = re.compile(r"^(?P<rec>.+?)\s*\((?P<year>\d{4})\)\s*(?P<part>\S.*)$")
_R_ID = re.compile(r"^(?P<base>[A-Z]{1,3}\.\d+(?:\.\d+)?)(?:-(?P<rev>\d+))?$")
_URL_SUP = re.compile(r"^(?P<series>[A-Z])\.Sup(?:pl\.?)?\s*(?P<n>\d+(?:\.\d+)?)$", re.I)
_PART_WORDS = [
    (re.compile(r"\bAmendment\s*", re.I), "Amd. "),
    (re.compile(r"\bAmd\.?\s*", re.I), "Amd. "),
    (re.compile(r"\bTechnical\s+Cor(?:rigendum|\.)?\s*", re.I), "Cor. "),
    (re.compile(r"\bCorrigendum\s*", re.I), "Cor. "),
    (re.compile(r"\bCor\.?\s*(?=\d)", re.I), "Cor. "),
    (re.compile(r"\bErratum\s*", re.I), "Err. "),
    (re.compile(r"\bErr\.?\s*(?=\d)", re.I), "Err. "),
    (re.compile(r"\bAddendum\s*", re.I), "Add. "),
    (re.compile(r"\bSupplement\s*", re.I), "Suppl. "),
    (re.compile(r"\bSup(?:pl)?\.?\s*(?=\d)", re.I), "Suppl. "),
    (re.compile(r"\bAppendix\s+", re.I), "App. "),
]
_PART_MARK = re.compile(r"\s(?:Amd\.|Cor\.|Err\.|Add\.)\s")
_PART_SPELL = re.compile(r"\b(Amd|Cor|Err|Add)\. (\d)")
_DESIGNATION = r"[A-Z]{1,3}\.[\d.]*\d(?: ?(?:bis|ter|quater)\b)?"
_JOINT = re.compile(rf"^(?P<first>{_DESIGNATION})(?P<others>(?:/{_DESIGNATION})+)(?P<rest>.*)$", re.I)
_URL_STATUS = re.compile(r"-\d{6}-(?P<letter>[A-Z])(?:!|$)")
_URL_DATE = re.compile(r"-(?P<yyyymm>\d{6})-[A-Z](?:!|$)")


@dataclass(slots=True)
class _Ed:
    """The loader's light record of one edition; a :class:`CatalogEntry` is made from it on demand.

    A slotted dataclass, not the pydantic model itself: validating 21,506 records at load time would
    cost more than the whole load. Its fields mirror :class:`CatalogEntry`'s."""

    catalog_id: str
    rec_id: str
    base_id: str
    edition: str | None
    title: str | None
    doctype: str
    url: str | None
    sector: str
    revision: int | None = None
    amends: str | None = None
    parent_id: str | None = None
    stage: str | None = None
    published: str | None = None
    status: RecStatus = RecStatus.UNKNOWN
    model: CatalogEntry | None = None

    @property
    def year(self) -> str | None:
        return self.edition[:4] if self.edition else None

    def public(self) -> CatalogEntry:
        if self.model is None:
            values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "model"}
            self.model = CatalogEntry(**values)
        return self.model


@dataclass
class _Query:
    sectors: tuple[str, ...]
    key: str
    family: str = "rec"
    edition: str | None = None
    year: str | None = None
    revision: int | None = None
    amends: str | None = None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def _normalize_parts(core: str) -> str:
    if " " not in core and "SUP" not in core.upper():
        return core
    for pattern, replacement in _PART_WORDS:
        core = pattern.sub(replacement, core)
    core = _clean(core)
    match = _URL_SUP.match(core)
    if match:
        core = f"{match['series'].upper()} Suppl. {match['n']}"
    return core


def _split_joint(core: str) -> tuple[str, list[str]]:
    """ "G.8032/Y.1344 Amd. 1" -> ("G.8032 Amd. 1", ["Y.1344 Amd. 1"]): joint numbers go by the first."""
    match = _JOINT.match(core)
    if match is None:
        return core, []
    rest = match["rest"]
    others = [f"{d}{rest}" for d in match["others"].split("/") if d]
    return f"{match['first']}{rest}", others


def _spell(core: str) -> str:
    """The spelling of ingest.metadata.normalize_rec_id: "X.509 Cor. 1" -> "X.509 Cor.1"."""
    return _PART_SPELL.sub(r"\1.\2", core)


def _key(core: str) -> str:
    return core.replace(" ", "").upper()


def _sector_of(text: str | None) -> str | None:
    if not text:
        return None
    value = text.strip().upper().replace("ITU", "").strip("- ")
    if value in ("T", "CCITT"):
        return T
    if value in ("R", "CCIR"):
        return R
    return None


def _parse_query(text: str, sector: str | None = None) -> _Query | None:
    """Split a spelled id into sector(s), lookup key, and any edition/year/revision it names."""
    s = _clean(text)
    family = "rec"
    if _REPORT.match(s):
        family, s = "technical-report", _REPORT.sub("", s)
    s = _REC_WORD.sub("", s)
    hint = _sector_of(sector)
    match = _PREFIX.match(s)
    if match:
        hint = _sector_of(match["sector"]) or hint
        s = s[match.end() :]
    edition = year = amends = None
    if m := _T_EDITION.search(s):
        edition = f"{m['yyyy']}-{int(m['mm']):02d}"
        s = s[: m.start()]
    elif m := _ISO_EDITION.search(s):
        edition = f"{m['yyyy']}-{m['mm']}"
        s = s[: m.start()]
    s = _VERSION.sub("", s)
    if edition is None and (m := _TRAILING_YEAR.search(s)):
        year = m["yyyy"]
        s = s[: m.start()]
    if m := _BASE_YEAR.match(s):
        amends, s = m["year"], f"{m['rec']} {m['part']}"
    core = _split_joint(_normalize_parts(s))[0]
    if not core:
        return None
    revision = None
    rmatch = _R_ID.match(core.upper())
    if hint == R or (hint is None and rmatch and rmatch["rev"] is not None):
        sectors: tuple[str, ...] = (R,) if hint == R else (R, T)
    else:
        sectors = (hint,) if hint else (T, R)
    if rmatch and R in sectors:
        revision = int(rmatch["rev"]) if rmatch["rev"] is not None else None
    return _Query(sectors, _key(core), family, edition, year, revision, amends)


def _r_key(core: str) -> str:
    match = _R_ID.match(core.upper())
    return _key(match["base"]) if match else _key(core)


# --------------------------------------------------------------------------- loading


def _read_records(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    # Only the fields before "abstract" are needed; the relations lists are most of the file. Cutting
    # each line there and parsing all of them as one JSON array is what keeps loading fast.
    heads: list[str] = []
    for line in data.splitlines():
        cut = line.find(b', "abstract": ')
        if cut > 0:
            heads.append(line[:cut].decode("utf-8") + "}")
        elif line.strip():
            heads.append(line.decode("utf-8"))
    try:
        records: list[dict[str, Any]] = json.loads("[" + ",".join(heads) + "]")
        return records
    except json.JSONDecodeError:
        pass
    records = []
    for line in data.splitlines():  # a cut went wrong somewhere: parse line by line, whole
        if line.strip():
            records.append(json.loads(line))
    return records


def _url_letter(url: str | None) -> str | None:
    match = _URL_STATUS.search(url or "")
    return match["letter"] if match else None


def _letter_status(letter: str | None) -> RecStatus | None:
    return {"I": RecStatus.IN_FORCE, "P": RecStatus.IN_FORCE, "S": RecStatus.SUPERSEDED}.get(
        letter or "", RecStatus.WITHDRAWN if letter == "W" else None
    )


def _t_entry(rec: dict[str, Any]) -> tuple[str, _Ed, list[str]]:
    raw = _clean(rec["id"])
    if simple := _T_SIMPLE.match(raw):  # most records: "ITU-T Y.3507 (12/2018)"
        core = simple["core"]
        rec_id = f"{T} {core}"
        plain = _Ed(
            catalog_id=raw,
            rec_id=rec_id,
            base_id=rec_id,
            edition=f"{simple['yyyy']}-{simple['mm']}",
            title=rec.get("title"),
            doctype=rec.get("doctype") or "",
            url=rec.get("url"),
            sector=T,
            stage=rec.get("stage"),
            published=rec.get("published"),
        )
        return _key(core), plain, []
    s = raw[len(T) :].strip()
    edition = None
    if m := _T_EDITION.search(s):
        edition = f"{m['yyyy']}-{int(m['mm']):02d}"
        s = s[: m.start()]
    elif rec.get("published"):
        edition = str(rec["published"])[:7]
    s = _VERSION.sub("", s)
    amends = parent = None
    if m := _BASE_YEAR.match(s):
        amends = m["year"]
        parent = f"{T} {_spell(_split_joint(_normalize_parts(m['rec']))[0])}"
        s = f"{m['rec']} {m['part']}"
    core, others = _split_joint(_normalize_parts(s))
    if amends is None and " " in core and (pm := _PART_MARK.search(f" {core} ")):
        parent = f"{T} {_spell(core[: pm.start()].strip())}" if pm.start() > 0 else None
    rec_id = f"{T} {_spell(core)}"
    entry = _Ed(
        catalog_id=raw,
        rec_id=rec_id,
        base_id=rec_id,
        edition=edition,
        title=rec.get("title"),
        doctype=rec.get("doctype") or "",
        url=rec.get("url"),
        sector=T,
        amends=amends,
        parent_id=parent,
        stage=rec.get("stage"),
        published=rec.get("published"),
    )
    return _key(core), entry, [_key(o) for o in others]


def _r_entry(rec: dict[str, Any]) -> tuple[str, _Ed, list[str]]:
    raw = _clean(rec["id"])
    core = raw[len(R) :].strip()
    url = rec.get("url")
    match = _R_ID.match(core)
    revision = int(match["rev"]) if match and match["rev"] is not None else None
    base = match["base"] if match else core
    if match and revision is None and url:
        # "ITU-R M.1167" whose URL names R-REC-M.1167-0-...: take the revision from the URL.
        umatch = re.search(rf"R-REC-{re.escape(base)}-(\d+)-\d{{6}}", url)
        if umatch:
            revision = int(umatch.group(1))
    rec_id = f"{R} {base}-{revision}" if match and revision is not None else raw
    edition = None
    if url and (dmatch := _URL_DATE.search(url)):
        edition = f"{dmatch['yyyymm'][:4]}-{dmatch['yyyymm'][4:]}"
    elif rec.get("published"):
        edition = str(rec["published"])[:7]
    doctype = rec.get("doctype") or ""
    family = "rec" if doctype == "recommendation" else doctype
    key = _key(base) if family == "rec" else f"{family.upper()}:{_key(base)}"
    entry = _Ed(
        catalog_id=raw,
        rec_id=rec_id,
        base_id=f"{R} {base}",
        edition=edition,
        title=rec.get("title"),
        doctype=doctype,
        url=url,
        sector=R,
        revision=revision,
        published=rec.get("published"),
    )
    return key, entry, []


def _newest_first(entry: _Ed) -> tuple[int, str, str]:
    return (entry.revision if entry.revision is not None else -1, entry.edition or "", entry.published or "")


def _t_status(entry: _Ed, newer: list[_Ed], parent_newer: bool) -> RecStatus:
    newer_published = any(e.stage == "Published" for e in newer)
    if entry.stage == "Published":
        return RecStatus.SUPERSEDED if newer_published else RecStatus.IN_FORCE
    if entry.stage == "Withdrawal":
        return RecStatus.SUPERSEDED if newer or parent_newer else RecStatus.WITHDRAWN
    by_letter = _letter_status(_url_letter(entry.url))
    if by_letter == RecStatus.IN_FORCE:
        return RecStatus.SUPERSEDED if newer_published else by_letter
    if by_letter is not None:
        return RecStatus.SUPERSEDED if by_letter == RecStatus.WITHDRAWN and newer else by_letter
    return RecStatus.SUPERSEDED if newer or parent_newer else RecStatus.UNKNOWN


def _assign_t_status(groups: dict[tuple[str, str], list[_Ed]]) -> None:
    main_editions: dict[str, list[str]] = {}
    for (sector, _), entries in groups.items():
        if sector == T:
            for e in entries:
                if e.amends is None and e.edition:
                    main_editions.setdefault(e.rec_id, []).append(e.edition)
    for (sector, _), entries in groups.items():
        if sector != T:
            continue
        for e in entries:
            same = [o for o in entries if o.amends == e.amends]
            newer = [o for o in same if (o.edition or "") > (e.edition or "")]
            parent_newer = bool(
                e.amends
                and e.parent_id
                and any(ed[:4] > e.amends for ed in main_editions.get(e.parent_id, []))
            )
            e.status = _t_status(e, newer, parent_newer)


def _assign_r_status(entries: list[_Ed]) -> None:
    top = max((e.revision for e in entries if e.revision is not None), default=None)
    for e in entries:
        letter = _letter_status(_url_letter(e.url))
        if e.revision is None:
            e.status = letter or RecStatus.UNKNOWN
        elif e.revision == top:
            e.status = letter if letter in (RecStatus.WITHDRAWN, RecStatus.SUPERSEDED) else RecStatus.IN_FORCE
        else:
            e.status = RecStatus.SUPERSEDED


# --------------------------------------------------------------------------- the catalog

_INSTANCES: dict[tuple[str, float], ReferenceCatalog] = {}
_INSTANCES_LOCK = threading.Lock()


class ReferenceCatalog:
    """Editions, titles and status of ITU Recommendations; loaded on first use, then kept.

    Every lookup accepts the id as people write it: "Y.3507", "ITU-T Y.3507", "Y.3507 (12/2018)",
    "Y.1543 (2007)", "ITU-R P.452", "P.452-18", "X.509 (2019) Cor. 1", "Y.Sup46"; ``sector`` ("T",
    "R", "ITU-T", "ITU-R") settles ids that exist in both sectors (an id without a sector is tried as
    ITU-T first, or ITU-R first when it carries a "-N" revision).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.load_seconds: float | None = None
        self._lock = threading.Lock()
        self._groups: dict[tuple[str, str], list[_Ed]] | None = None
        self._aliases: dict[tuple[str, str], tuple[str, str]] = {}
        self._count = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> ReferenceCatalog | None:
        """The catalog named by the settings, shared per file; None where there is none."""
        path = settings.catalog_path()
        if path is None or not Path(path).is_file():
            return None
        return cls.shared(Path(path))

    @classmethod
    def shared(cls, path: Path) -> ReferenceCatalog:
        """One instance per catalog file (and modification time) for the whole process."""
        resolved = Path(path).resolve()
        key = (str(resolved), resolved.stat().st_mtime)
        with _INSTANCES_LOCK:
            if key not in _INSTANCES:
                _INSTANCES[key] = cls(resolved)
            return _INSTANCES[key]

    # ----------------------------------------------------------------- loading

    def _ensure(self) -> dict[tuple[str, str], list[_Ed]]:
        if self._groups is not None:
            return self._groups
        with self._lock:
            if self._groups is None:
                self._load()
        assert self._groups is not None
        return self._groups

    def _load(self) -> None:
        started = time.perf_counter()
        groups: dict[tuple[str, str], list[_Ed]] = defaultdict(list)
        count = 0
        wanted_aliases: list[tuple[str, str]] = []
        for rec in _read_records(self.path):
            raw = str(rec.get("id") or "")
            if raw.startswith(T + " "):
                key, entry, others = _t_entry(rec)
            elif raw.startswith(R + " "):
                key, entry, others = _r_entry(rec)
            else:
                continue
            groups[(entry.sector, key)].append(entry)
            # "G.8032/Y.1344" goes by "G.8032" and is found as "Y.1344" too.
            wanted_aliases.extend((other, key) for other in others)
            count += 1
        _assign_t_status(groups)
        for (sector, _), entries in groups.items():
            if sector == R:
                _assign_r_status(entries)
            entries.sort(key=_newest_first, reverse=True)
        aliases: dict[tuple[str, str], tuple[str, str]] = {}
        for alias, key in wanted_aliases:
            if (T, alias) not in groups:
                aliases.setdefault((T, alias), (T, key))
        self._aliases = aliases
        self._groups = dict(groups)
        self._count = count
        self.load_seconds = time.perf_counter() - started

    def __len__(self) -> int:
        self._ensure()
        return self._count

    # ----------------------------------------------------------------- lookups

    def _group(self, rec_id: str, sector: str | None) -> tuple[_Query, list[_Ed]] | None:
        query = _parse_query(rec_id, sector)
        if query is None:
            return None
        groups = self._ensure()
        for candidate in query.sectors:
            key = query.key if candidate == T else _r_key(query.key)
            if query.family != "rec":
                if candidate != R:
                    continue
                key = f"{query.family.upper()}:{key}"
            found = groups.get((candidate, key))
            if found is None and (candidate, key) in self._aliases:
                found = groups.get(self._aliases[(candidate, key)])
            if found:
                entries = [e for e in found if query.amends is None or e.amends == query.amends]
                if entries:
                    return query, entries
        return None

    def editions(self, rec_id: str, sector: str | None = None) -> list[CatalogEntry]:
        """Every edition of the Recommendation, newest first; [] when the catalog does not know it."""
        found = self._group(rec_id, sector)
        return [e.public() for e in found[1]] if found else []

    def latest(self, rec_id: str, sector: str | None = None) -> CatalogEntry | None:
        """The edition in force (the newest one where none is in force); None when unknown."""
        found = self._group(rec_id, sector)
        return _current(found[1]).public() if found else None

    def entry(self, rec_id: str, year: str | None = None, sector: str | None = None) -> CatalogEntry | None:
        """The edition a reference means; None when the catalog does not know it.

        An id naming its edition ("Y.3507 (12/2018)", "P.452-18") gets exactly that one; with a year
        ("Y.1543 (2007)" or ``year="2007"``) the newest edition of that year, else the one in force
        during it (the newest older one); with neither, :meth:`latest`.
        """
        found = self._pick(rec_id, year, sector)
        return found.public() if found else None

    def status_of(self, rec_id: str, year: str | None = None, sector: str | None = None) -> RecStatus | None:
        """Status of the edition :meth:`entry` picks; None when the catalog does not know it."""
        found = self._pick(rec_id, year, sector)
        return found.status if found else None

    def title_of(self, rec_id: str, year: str | None = None, sector: str | None = None) -> str | None:
        """Title of the edition meant (latest by default), else the newest title the catalog has."""
        found = self._pick(rec_id, year, sector)
        if found and found.title:
            return found.title
        group = self._group(rec_id, sector)
        return next((e.title for e in group[1] if e.title), None) if group else None

    def superseded_by(
        self, rec_id: str, year: str | None = None, sector: str | None = None
    ) -> CatalogEntry | None:
        """The edition in force that replaces the one meant, when that one is superseded."""
        found = self._pick(rec_id, year, sector)
        group = self._group(rec_id, sector)
        if found is None or group is None or found.status != RecStatus.SUPERSEDED:
            return None
        current = _current(group[1])
        if current is found or current.status != RecStatus.IN_FORCE:
            return None
        return current.public()

    def canonical(self, rec_id: str, sector: str | None = None) -> str | None:
        """The catalog's spelling of the id ("y.3507" -> "ITU-T Y.3507", "p.452" -> "ITU-R P.452")."""
        found = self._group(rec_id, sector)
        if found is None:
            return None
        query, entries = found
        first = entries[0]
        if first.sector == R and query.revision is not None:
            return f"{first.base_id}-{query.revision}"
        return first.base_id

    def _pick(self, rec_id: str, year: str | None, sector: str | None) -> _Ed | None:
        found = self._group(rec_id, sector)
        if not found:
            return None
        query, entries = found
        if query.revision is not None and entries[0].sector == R:
            return next((e for e in entries if e.revision == query.revision), None)
        edition, wanted_year = query.edition, query.year
        if year:
            y = _clean(str(year))
            if m := re.fullmatch(r"(\d{1,2})/(\d{4})", y):
                edition = f"{m.group(2)}-{int(m.group(1)):02d}"
            elif m := re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", y):
                edition = f"{m.group(1)}-{m.group(2)}"
            elif re.fullmatch(r"\d{4}", y):
                wanted_year = y
        if edition:
            return next((e for e in entries if e.edition == edition), None)
        if wanted_year:
            same_year = [e for e in entries if e.year == wanted_year]
            if same_year:
                return same_year[0]
            older = [e for e in entries if (e.year or "") < wanted_year]
            return older[0] if older else None
        return _current(entries)


def _current(entries: list[_Ed]) -> _Ed:
    return next((e for e in entries if e.status == RecStatus.IN_FORCE), entries[0])

"""The ITU Recommendation catalog, on the real catalog file from the shared corpus."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from ingest.catalog import RecStatus, ReferenceCatalog
from rapporteur.settings import Settings


def test_y3507_latest_edition_and_title(reference_catalog: ReferenceCatalog) -> None:
    latest = reference_catalog.latest("Y.3507")
    assert latest is not None
    assert (latest.rec_id, latest.base_id, latest.edition, latest.sector) == (
        "ITU-T Y.3507",
        "ITU-T Y.3507",
        "2018-12",
        "ITU-T",
    )
    assert latest.title == "Cloud computing - Functional requirements of physical machine"
    assert latest.status == RecStatus.IN_FORCE
    assert latest.url == "https://www.itu.int/rec/T-REC-Y.3507-201812-I"
    assert reference_catalog.title_of("ITU-T Y.3507") == latest.title
    # Every spelling finds the same Recommendation.
    for spelling in ("ITU-T Y.3507", "y.3507", "Recommendation ITU-T Y.3507", "ITU-T Y.3507 (12/2018)"):
        found = reference_catalog.entry(spelling)
        assert found is not None and found.catalog_id == "ITU-T Y.3507 (12/2018)", spelling


def test_y1543_2007_is_superseded_by_2018(reference_catalog: ReferenceCatalog) -> None:
    editions = reference_catalog.editions("ITU-T Y.1543")
    assert [(e.edition, e.status) for e in editions] == [
        ("2018-06", RecStatus.IN_FORCE),
        ("2007-11", RecStatus.SUPERSEDED),
    ]
    old = reference_catalog.entry("Y.1543 (2007)")
    assert old is not None and old.edition == "2007-11" and old.status == "superseded"
    assert old.title == "Measurements in IP networks for inter-domain performance assessment"
    assert reference_catalog.status_of("Y.1543", "2007") == RecStatus.SUPERSEDED
    assert reference_catalog.status_of("Y.1543", "2018") == RecStatus.IN_FORCE
    assert reference_catalog.status_of("Y.1543") == RecStatus.IN_FORCE
    # A year without an edition of its own means the edition in force then.
    assert reference_catalog.entry("Y.1543", "2010").edition == "2007-11"  # type: ignore[union-attr]
    assert reference_catalog.entry("Y.1543", "2005") is None
    newer = reference_catalog.superseded_by("Y.1543 (2007)")
    assert newer is not None and newer.edition == "2018-06"
    assert reference_catalog.title_of("Y.1543", "2007") != reference_catalog.title_of("Y.1543")


def test_itu_r_revisions(reference_catalog: ReferenceCatalog) -> None:
    editions = reference_catalog.editions("ITU-R P.452")
    assert len(editions) >= 10
    revisions = [e.revision for e in editions]
    assert revisions == sorted(revisions, reverse=True)  # type: ignore[type-var]
    assert editions[0].rec_id == "ITU-R P.452-18" and editions[0].base_id == "ITU-R P.452"
    assert editions[0].status == RecStatus.IN_FORCE
    assert all(e.status == RecStatus.SUPERSEDED for e in editions[1:])
    assert editions[0].edition == "2023-10"  # the approval date in ITU's URL, not the catalog's 2023-12
    # The revision names an edition; a sector hint settles a bare number.
    p16 = reference_catalog.entry("P.452-16")
    assert p16 is not None and p16.rec_id == "ITU-R P.452-16" and p16.status == "superseded"
    assert reference_catalog.entry("P.452", sector="R").rec_id == "ITU-R P.452-18"  # type: ignore[union-attr]
    assert reference_catalog.editions("P.452-18", sector="ITU-R")[0].rec_id == "ITU-R P.452-18"
    assert reference_catalog.entry("ITU-R P.452-99") is None
    assert reference_catalog.canonical("p.452") == "ITU-R P.452"
    assert reference_catalog.canonical("P.452-18") == "ITU-R P.452-18"


def test_withdrawn_recommendations(reference_catalog: ReferenceCatalog) -> None:
    # ITU-T: the newest edition has stage "Withdrawal" and nothing replaced it.
    suppl = reference_catalog.latest("A Suppl. 5")
    assert suppl is not None and suppl.rec_id == "ITU-T A Suppl. 5"
    assert suppl.status == RecStatus.WITHDRAWN
    older = reference_catalog.entry("A Suppl. 5 (02/2016)")
    assert older is not None and older.status == RecStatus.SUPERSEDED
    # ITU-R: the highest revision's URL is marked withdrawn ("-W").
    withdrawn_r = [
        e for e in (reference_catalog.latest(f"ITU-R SA.{n}") for n in range(1000, 1100)) if e is not None
    ]
    assert any(e.status == RecStatus.WITHDRAWN for e in withdrawn_r)


def test_amendments_corrigenda_and_joint_numbers(reference_catalog: ReferenceCatalog) -> None:
    cor = reference_catalog.entry("ITU-T X.509 (2019) Cor. 1")
    assert cor is not None
    assert (cor.rec_id, cor.amends, cor.parent_id, cor.edition) == (
        "ITU-T X.509 Cor.1",
        "2019",
        "ITU-T X.509",
        "2021-10",
    )
    assert cor.status == RecStatus.IN_FORCE
    # A corrigendum to an edition since replaced is superseded.
    old_cor = reference_catalog.entry("X.509 (2012) Cor. 1")
    assert old_cor is not None and old_cor.status == RecStatus.SUPERSEDED
    # Joint numbers go by the first, and are found by either.
    joint = reference_catalog.latest("Y.1344")
    assert (
        joint is not None
        and joint.rec_id == "ITU-T G.8032"
        and joint.catalog_id.startswith("ITU-T G.8032/Y.1344")
    )
    assert reference_catalog.latest("G.8032/Y.1344") == joint
    # URL-style supplement numbers.
    assert reference_catalog.latest("Y.Sup46").rec_id == "ITU-T Y Suppl. 46"  # type: ignore[union-attr]


def test_spelling_matches_metadata_normaliser(reference_catalog: ReferenceCatalog) -> None:
    metadata = pytest.importorskip("ingest.metadata")
    for raw in ("ITU-T Y.3507 (12/2018)", "ITU-T P.862 (2001) Cor. 2", "ITU-T P.340 (2000) Amd. 1 (10/2014)",
                "ITU-T T.832 (2016) Err. 1", "ITU-T A Suppl. 5 (07/2016)", "ITU-R P.452-18",
                "ITU-T H.264 (V16)", "ITU-T Z.100 Annex F1", "ITU-T G.8032/Y.1344 (03/2020)"):  # fmt: skip
        found = reference_catalog.entry(raw)
        assert found is not None, raw
        assert found.rec_id == metadata.normalize_rec_id(raw), raw


def test_unknown_ids(reference_catalog: ReferenceCatalog) -> None:
    for unknown in ("Z.99999", "ITU-T Q.99999", "ITU-R BT.99999-1", "IETF RFC 7679", "", "   "):
        assert reference_catalog.editions(unknown) == [], unknown
        assert reference_catalog.latest(unknown) is None
        assert reference_catalog.entry(unknown) is None
        assert reference_catalog.status_of(unknown) is None
        assert reference_catalog.title_of(unknown) is None
    assert reference_catalog.entry("Y.3507 (01/2000)") is None  # known Rec, no such edition


def test_loads_fast_and_once(corpus_dir: Path) -> None:
    path = corpus_dir / "catalog" / "itu-recommendations.jsonl.gz"
    catalog = ReferenceCatalog(path)
    assert catalog.load_seconds is None  # lazy: nothing read yet
    started = time.process_time()
    assert len(catalog) == 21506
    assert time.process_time() - started < 2.5, "catalog load must stay well under a couple of seconds"
    settings = Settings(corpus=corpus_dir, catalog=None)
    assert ReferenceCatalog.from_settings(settings) is ReferenceCatalog.from_settings(settings)
    assert ReferenceCatalog.from_settings(Settings(corpus=corpus_dir / "nowhere", catalog=None)) is None


def test_plain_jsonl_and_stage_rules(tmp_path: Path) -> None:
    records = [
        {"id": "ITU-T Q.9001 (01/2010)", "title": "Old", "published": "2010-01-01", "stage": "Withdrawal",
         "doctype": "recommendation", "url": "https://www.itu.int/rec/T-REC-Q.9001-201001-S",
         "abstract": None, "relations": []},
        {"id": "ITU-T Q.9001 (01/2015)", "title": "Mid", "published": "2015-01-01", "stage": "Published",
         "doctype": "recommendation", "url": None, "abstract": "text, \"abstract\": tricky", "relations": []},
        {"id": "ITU-T Q.9001 (01/2020)", "title": "New", "published": "2020-01-01", "stage": "Published",
         "doctype": "recommendation", "url": None, "relations": [{"type": "hasEdition", "id": "x"}]},
        {"id": "ITU-T Q.9002 (01/2020)", "title": "Gone", "published": "2020-01-01", "stage": "Withdrawal",
         "doctype": "recommendation", "url": None},
        {"id": "ITU-R ZZ.7-0", "title": "R zero", "published": "2001-01", "stage": None,
         "doctype": "recommendation", "url": None},
        {"id": "ITU-R ZZ.7-1", "title": "R one", "published": "2003-01", "stage": None,
         "doctype": "recommendation", "url": None},
    ]  # fmt: skip
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    catalog = ReferenceCatalog(path)
    assert [(e.title, e.status.value) for e in catalog.editions("Q.9001")] == [
        ("New", "in force"),
        ("Mid", "superseded"),
        ("Old", "superseded"),
    ]
    assert catalog.status_of("Q.9002") == RecStatus.WITHDRAWN
    assert [(e.rec_id, e.status.value) for e in catalog.editions("ZZ.7", sector="R")] == [
        ("ITU-R ZZ.7-1", "in force"),
        ("ITU-R ZZ.7-0", "superseded"),
    ]
    gz = tmp_path / "catalog.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert len(ReferenceCatalog(gz)) == len(records)

"""Clause alignment on small ITU-style trees: each kind of change is reported as what it is."""

from __future__ import annotations

from copilot.editions.align import align_clauses
from copilot.editions.models import ChangeKind
from ingest.models import Clause


def _clause(number: str, heading: str, *paragraphs: str) -> Clause:
    parent = number.rpartition(".")[0] or None
    return Clause(
        number=number,
        heading=heading,
        level=number.count(".") + 1,
        paragraphs=list(paragraphs),
        parent=parent,
    )


SCOPE = _clause("1", "Scope", "This Recommendation specifies the timing of radio over IP systems.")
REFS = _clause("2", "References", "[ITU-T J.210] Recommendation ITU-T J.210 (2006), Downstream RF interface.")
ARCH = _clause("6", "Architecture", "The functional architecture has a head end and a remote node.")
HEAD = _clause("6.1", "Head end", "The head end converts RF signals into IP packets at a fixed rate.")
NODE = _clause("6.2", "Remote node", "The remote node restores the RF signal from the packet stream.")
TIMING = _clause("7", "Timing", "Timing follows the local clock of the head end within 1 microsecond.")


def _kinds(old: list[Clause], new: list[Clause]) -> dict[tuple[str | None, str | None], ChangeKind | None]:
    return {
        (p.old.number if p.old else None, p.new.number if p.new else None): p.kind
        for p in align_clauses(old, new)
    }


def test_identical_trees_have_no_change() -> None:
    tree = [SCOPE, REFS, ARCH, HEAD, NODE, TIMING]
    assert set(_kinds(tree, tree).values()) == {None}


def test_edited_clause_is_changed_and_its_neighbours_untouched() -> None:
    edited = HEAD.model_copy(
        update={"paragraphs": ["The head end converts RF signals into IP packets at 2 Gbit/s."]}
    )
    kinds = _kinds([SCOPE, ARCH, HEAD, NODE], [SCOPE, ARCH, edited, NODE])
    assert kinds == {
        ("1", "1"): None,
        ("6", "6"): None,
        ("6.1", "6.1"): ChangeKind.CHANGED,
        ("6.2", "6.2"): None,
    }


def test_inserted_clause_renumbers_the_following_ones() -> None:
    new_clause = _clause("6.1", "Interfaces", "Interfaces carry Ethernet frames between the two ends.")
    head_now = HEAD.model_copy(update={"number": "6.2"})
    node_now = NODE.model_copy(
        update={"number": "6.3", "paragraphs": ["The remote node restores the RF signal."]}
    )
    kinds = _kinds([ARCH, HEAD, NODE, TIMING], [ARCH, new_clause, head_now, node_now, TIMING])
    assert kinds == {
        ("6", "6"): None,
        (None, "6.1"): ChangeKind.ADDED,
        ("6.1", "6.2"): ChangeKind.RENUMBERED,
        ("6.2", "6.3"): ChangeKind.RENUMBERED,
        ("7", "7"): None,
    }


def test_clause_moved_under_another_parent_is_moved_and_removed_one_removed() -> None:
    moved = NODE.model_copy(update={"number": "7.1", "parent": "7"})
    kinds = _kinds([SCOPE, REFS, ARCH, HEAD, NODE, TIMING], [SCOPE, ARCH, HEAD, TIMING, moved])
    assert kinds[("6.2", "7.1")] is ChangeKind.MOVED
    assert kinds[("2", None)] is ChangeKind.REMOVED
    assert kinds[("6", "6")] is None and kinds[("6.1", "6.1")] is None


def test_same_number_out_of_order_is_moved() -> None:
    kinds = _kinds([SCOPE, REFS, TIMING], [SCOPE, TIMING, REFS])
    assert ChangeKind.MOVED in {kinds[("2", "2")], kinds[("7", "7")]}
    assert kinds[("1", "1")] is None

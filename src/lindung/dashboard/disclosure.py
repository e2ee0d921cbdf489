"""Which counts leadership may not see: small counts, and the counts that would give them away.

A count from 1 to 4 (`SMALL_CELL`) singles people out, so roles that do not see persons get it
hidden (primary suppression). Hiding it alone is not enough: a desa's 3 workers come back as the
kecamatan's total minus its other desa. So hidden cells get company (secondary, complementary
suppression). The rule, for every group of cells that add up to a total that is shown
(the child areas of an area, the categories of a breakdown within an area, the funding sources
of an area's sponsored workers):

- a shown total: either no cell of the group is hidden, or at least two are and together they
  hold at least `SMALL_CELL` workers; until that holds, the smallest shown non-zero cell (the
  first of equal ones) is hidden too;
- a hidden total: every non-zero cell of the group is hidden (otherwise they would add up to it);
- zeros are never hidden (a zero is nobody) and a hidden cell never comes back.

`suppress` applies the rule to every group, again and again until nothing changes, so a cell
that is in several groups (a desa is a child of its kecamatan; its petani are a category of the
desa and a child of the kecamatan's petani) is hidden in all of them or in none. Every hidden
cell shows the same mark, so nobody can tell a small count from its companions, and nothing
bounds a hidden cell from above: each is at least 1 and at most the group's hidden total less
one per other hidden cell, which is at least 4.

Each measure (registered, eligible, sponsored, enrolled with BPJS) is suppressed on its own; a
cost is hidden with its sponsored count. The dashboard applies this in `dashboard.queries` (the
cells of the whole deployment, so every page, the API and every download decide the same way).
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from typing import TypeVar

SMALL_CELL = 5  # counts below this (but above 0) are hidden from roles without VIEW_PERSONS

Key = TypeVar("Key", bound=Hashable)


def is_small(value: int) -> bool:
    return 0 < value < SMALL_CELL


def protect(
    values: Sequence[int], hidden: Sequence[bool] = (), *, total_hidden: bool = False
) -> list[bool]:
    """Which cells of one group to hide: the small ones, those already `hidden`, and enough
    others that none of them follows from the group's total (see the module's rule)."""
    hide = [
        value > 0 and (is_small(value) or total_hidden or (i < len(hidden) and hidden[i]))
        for i, value in enumerate(values)
    ]
    while not _safe(values, hide):
        shown = [(value, i) for i, value in enumerate(values) if value > 0 and not hide[i]]
        if not shown:  # everything is hidden: the total tells only their sum
            break
        hide[min(shown)[1]] = True
    return hide


def _safe(values: Sequence[int], hide: Sequence[bool]) -> bool:
    hidden = [value for value, h in zip(values, hide, strict=True) if h]
    return not hidden or (len(hidden) >= 2 and sum(hidden) >= SMALL_CELL)


def suppress(
    cells: Mapping[Key, int],
    groups: Iterable[tuple[Key, Sequence[Key]]],
    seed: Set[Key] = frozenset(),
) -> set[Key]:
    """The cells to hide: `groups` are (total, parts that add up to it) over `cells` (a missing
    cell is 0); `seed` cells are hidden whatever their value (decided elsewhere)."""
    groups = list(groups)
    hidden = {key for key, value in cells.items() if is_small(value)} | set(seed)
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            values = [cells.get(part, 0) for part in parts]
            flags = protect(
                values, [part in hidden for part in parts], total_hidden=total in hidden
            )
            for part, flag in zip(parts, flags, strict=True):
                if flag and part not in hidden:
                    hidden.add(part)
                    changed = True
    return hidden

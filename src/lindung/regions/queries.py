"""Reads of the wilayah tree within a user's scope.

Which region codes a user may see, and whether a code lies under them, is decided in
`regions.scope` alone. Data outside that scope does not exist for the user: loaders raise
Http404, never 403, so a URL does not reveal that a region has data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.http import Http404

from lindung.regions.models import Level, Population, Region, RegionQuerySet
from lindung.regions.scope import codes_for

if TYPE_CHECKING:
    from lindung.accounts.models import User


def visible_regions(user: User) -> RegionQuerySet:
    """Regions in the user's scope (their subtrees, not their ancestors)."""
    return Region.objects.within(codes_for(user))


def get_region_for(user: User, code: str) -> Region:
    """The region with `code` if the user may see it; Http404 otherwise."""
    region = visible_regions(user).select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    return region


@dataclass(frozen=True)
class RegionRow:
    region: Region
    children: int
    desa: int
    kelurahan: int
    population: int | None
    population_year: int | None


def child_rows(user: User, parent_codes: list[str]) -> list[RegionRow]:
    """The visible children of the given regions, with desa/kelurahan counts and population."""
    visible = visible_regions(user)
    children = (
        visible.filter(parent_id__in=parent_codes)
        .annotate(
            n_children=Count("children", distinct=True),
            n_desa=Count("children", filter=Q(children__type="desa"), distinct=True),
            n_kelurahan=Count("children", filter=Q(children__type="kelurahan"), distinct=True),
        )
        .order_by("code")
    )
    codes = [c.code for c in children]
    latest: dict[str, tuple[int, int]] = {}
    for region_id, year, count in (
        Population.objects.filter(region_id__in=codes)
        .order_by("region_id", "year")
        .values_list("region_id", "year", "count")
    ):
        latest[region_id] = (year, count)  # ordered by year: the last one wins
    return [
        RegionRow(
            region=c,
            children=c.n_children,  # type: ignore[attr-defined]
            desa=c.n_desa,  # type: ignore[attr-defined]
            kelurahan=c.n_kelurahan,  # type: ignore[attr-defined]
            population=latest[c.code][1] if c.code in latest else None,
            population_year=latest[c.code][0] if c.code in latest else None,
        )
        for c in children
    ]


def home_regions(user: User) -> list[Region]:
    """The top of the user's scope: the deployment's kabupaten, or the operator's own region."""
    codes = codes_for(user)
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def kecamatan_of(user: User) -> RegionQuerySet:
    return visible_regions(user).filter(level=Level.KECAMATAN)

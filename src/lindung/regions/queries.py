"""Reads of the wilayah tree, and the one place where a user's wilayah scope is decided.

Every view, API endpoint and export that shows regional data asks `scope_codes(user)` (or the
helpers built on it) which region codes the user may see. Data outside that scope does not exist
for the user: loaders raise Http404, never 403, so a URL does not reveal that a region has data.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from lindung.accounts.models import User
from lindung.accounts.roles import Role
from lindung.regions.models import Deployment, Level, Population, Region, RegionQuerySet


def deployment_codes() -> list[str]:
    """Codes of the kabupaten/kota this installation serves (empty before `lindung setup`)."""
    deployment = Deployment.objects.filter(pk=1).first()
    return deployment.area_codes() if deployment else []


def scope_codes(user: User) -> list[str]:
    """The region codes whose subtree `user` may see; empty when the user may see nothing.

    Remembered on the user object, which lives for one request (or one command).
    """
    cached: list[str] | None = getattr(user, "_lindung_scope", None)
    if cached is None:
        cached = _scope_codes(user)
        user._lindung_scope = cached  # type: ignore[attr-defined]
    return list(cached)


def _scope_codes(user: User) -> list[str]:
    if not user.is_authenticated or not user.is_active or not user.role:
        return []
    areas = deployment_codes()
    if user.region_id is None:
        # Kabupaten-wide roles without a region see the whole deployment.
        return [] if user.role in (Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA) else areas
    # A region-bound user sees their region only while it lies inside the deployment.
    code = str(user.region_id)
    return [code] if any(_within(code, area) for area in areas) else []


def _within(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def in_scope(user: User, code: str) -> bool:
    return any(_within(code, prefix) for prefix in scope_codes(user))


def visible_regions(user: User) -> RegionQuerySet:
    """Regions in the user's scope (their subtrees, not their ancestors)."""
    return Region.objects.within(scope_codes(user))


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
    codes = scope_codes(user)
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def kecamatan_of(user: User) -> RegionQuerySet:
    return visible_regions(user).filter(level=Level.KECAMATAN)

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Router, Schema

from lindung.decorators import user_of
from lindung.regions.queries import child_rows, get_region_for, home_regions

if TYPE_CHECKING:
    from lindung.accounts.models import User

router = Router(tags=["wilayah"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    type: str
    parent: str | None
    children: int | None = None
    desa: int | None = None
    kelurahan: int | None = None
    population: int | None = None
    population_year: int | None = None


def _user(request: HttpRequest) -> "User":
    return user_of(request)  # django_auth has let only logged-in users through


@router.get("/", response=list[RegionOut])
def region_roots(request: HttpRequest) -> list[RegionOut]:
    """The top regions of the caller's scope."""
    return [
        RegionOut(code=r.code, name=r.name, level=r.level, type=r.type, parent=r.parent_id)
        for r in home_regions(_user(request))
    ]


@router.get("/{code}", response=RegionOut)
def region_detail(request: HttpRequest, code: str) -> RegionOut:
    region = get_region_for(_user(request), code)
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        type=region.type,
        parent=region.parent_id,
    )


@router.get("/{code}/children", response=list[RegionOut])
def region_children(request: HttpRequest, code: str) -> list[RegionOut]:
    user = _user(request)
    region = get_region_for(user, code)
    return [
        RegionOut(
            code=row.region.code,
            name=row.region.name,
            level=row.region.level,
            type=row.region.type,
            parent=row.region.parent_id,
            children=row.children,
            desa=row.desa,
            kelurahan=row.kelurahan,
            population=row.population,
            population_year=row.population_year,
        )
        for row in child_rows(user, [region.code])
    ]

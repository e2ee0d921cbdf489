"""The dashboard's figures over the JSON API: the same sums, scope and small-cell rule as the
page (for roles that do not see persons, a count from 1 to 4 is null, and so is every count from
which a hidden one could be worked out, with its cost: `dashboard.disclosure`).

`protected`, `in_grace` and `lapsed` are the coverage of `protected_on` (the day of the count),
for the fiscal year of that day, or on 1 January of a year not begun (paid ahead); a past
fiscal year has them 0 and `protected_on` null.

For a user of an installation that serves several kabupaten/kota, `area` empty (or the code of
their province, `52`) is all of them together: `name` "Provinsi Nusa Tenggara Barat", `level` 1
and the kabupaten/kota as `areas`; `area=52.03` is one of them, as a kabupaten's own."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from lindung.accounts.models import User
from lindung.dashboard import aggregates, queries
from lindung.dashboard.aggregates import state
from lindung.dashboard.models import State
from lindung.dashboard.signals import ensure_queued

router = Router(tags=["dashboard"])


class SourceOut(Schema):
    code: str
    label: str
    sponsored: int | None
    enrolled: int | None = Field(description="Registered with BPJS Ketenagakerjaan (TERDAFTAR)")
    protected: int | None = Field(description="Protected on `protected_on` (in a paid period)")
    in_grace: int | None = Field(description="Unpaid on `protected_on`, arrears still allowed")
    lapsed: int | None = Field(description="Lapsed for unpaid contributions by `protected_on`")
    cost: int | None
    budget: int | None


class AreaOut(Schema):
    code: str
    name: str
    registered: int | None
    eligible: int | None
    sponsored: int | None
    enrolled: int | None
    protected: int | None
    in_grace: int | None
    lapsed: int | None
    cost: int | None
    population: int | None


class IndicatorsOut(Schema):
    area: str = Field(
        description="Region code; empty for the kabupaten/kota of the deployment together"
    )
    name: str = Field(
        description="The area's name: 'Provinsi Nusa Tenggara Barat', 'Kabupaten Lombok Timur', "
        "'Kecamatan Selong'; the deployment's name for kabupaten/kota of several provinces"
    )
    level: int = Field(
        description="1 the kabupaten/kota of the deployment together (their province), "
        "2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan"
    )
    fiscal_year: int
    registered: int | None
    eligible: int | None
    sponsored: int | None
    enrolled: int | None = Field(
        description="Sponsored workers registered with BPJS Ketenagakerjaan (TERDAFTAR)"
    )
    protected: int | None = Field(
        description="Workers protected on `protected_on` (the headline: protected today)"
    )
    in_grace: int | None = Field(description="Unpaid on `protected_on`, arrears still allowed")
    lapsed: int | None = Field(description="Lapsed for unpaid contributions by `protected_on`")
    protected_on: str | None = Field(
        description="The day `protected` counts; null for another fiscal year (nothing counted)"
    )
    cost: int | None
    budget: int | None
    covered_share: float | None = Field(description="sponsored ÷ eligible")
    coverage_rate: float | None = Field(description="sponsored ÷ estimated working population")
    by_source: list[SourceOut]
    areas: list[AreaOut] = Field(
        description="The child areas: kabupaten/kota (level 1), kecamatan (2) or desa (3)"
    )
    refreshed_at: str | None
    stale: bool


@router.get("/indicators", response=IndicatorsOut)
def indicators(
    request: HttpRequest,
    area: str = "",
    fiscal_year: int | None = None,
    source: str = "",
    occupation: str = "",
    sex: str = "",
) -> IndicatorsOut:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    where = queries.resolve_area(user, area)
    ensure_queued()  # counted on an earlier day: "protected today" is recounted
    current = state()
    year = fiscal_year or current.default_fiscal_year()
    filters = queries.Filters(year, source=source, occupation=occupation, sex=sex)
    figures = queries.indicators(user, where, filters)
    return IndicatorsOut(
        area=where.code,
        name=queries.area_title(where),
        level=where.level,
        fiscal_year=year,
        registered=figures.registered.value,
        eligible=figures.eligible.value,
        sponsored=figures.sponsored.value,
        enrolled=figures.enrolled.value,
        protected=figures.protected.value,
        in_grace=figures.in_grace.value,
        lapsed=figures.lapsed.value,
        protected_on=_protected_on(current, year),
        cost=figures.cost,
        budget=figures.budget,
        covered_share=figures.covered_share,
        coverage_rate=figures.coverage_rate,
        by_source=[
            SourceOut(
                code=s.code,
                label=s.label,
                sponsored=s.sponsored.value,
                enrolled=s.enrolled.value,
                protected=s.protected.value,
                in_grace=s.in_grace.value,
                lapsed=s.lapsed.value,
                cost=s.cost,
                budget=s.budget,
            )
            for s in figures.by_source
        ],
        areas=[
            AreaOut(
                code=r.code,
                name=r.name,
                registered=r.registered.value,
                eligible=r.eligible.value,
                sponsored=r.sponsored.value,
                enrolled=r.enrolled.value,
                protected=r.protected.value,
                in_grace=r.in_grace.value,
                lapsed=r.lapsed.value,
                cost=r.cost,
                population=r.population,
            )
            for r in queries.children(user, where, filters)
        ],
        refreshed_at=current.refreshed_at.isoformat() if current.refreshed_at else None,
        stale=current.stale_since is not None,
    )


def _protected_on(current: State, fiscal_year: int) -> str | None:
    day = aggregates.protection_day(fiscal_year, current.counted_on)
    return day.isoformat() if day is not None else None

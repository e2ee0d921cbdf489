"""What the dashboard shows: sums of `Cell` rows within the user's wilayah.

    area = resolve_area(user, "52.03.07")            # Http404 outside the user's scope
    figures = indicators(user, area, Filters(fiscal_year=2027))
    rows = children(user, area, filters)             # kecamatan of a kabupaten, desa of a kecamatan
    counts = breakdown(user, area, filters, "age")

Filters: occupation and sex narrow every count; a funding source narrows the sponsored workers
and their cost (registered and eligible workers have no source). Leadership (`pimpinan`) sees
aggregates only, and a count from 1 to 4 is hidden from them (`SMALL_CELL`) so that nobody can
be singled out.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from lindung.accounts.models import User
from lindung.accounts.roles import Capability
from lindung.dashboard.aggregates import AGE_BANDS, state
from lindung.dashboard.models import Cell, Dimension, Snapshot, SnapshotDay, State
from lindung.regions.models import Level, Population, Region
from lindung.regions.queries import deployment_codes, get_region_for, scope_codes
from lindung.registry.models import Occupation, Sex
from lindung.ui.templatetags.lindung_format import EMPTY

SMALL_CELL = 5  # counts below this (but above 0) are hidden from roles without VIEW_PERSONS
Breakdown = Literal["occupation", "sex", "age", "desil", "month"]
BREAKDOWN_NAMES: tuple[Breakdown, ...] = ("occupation", "sex", "age", "desil", "month")
BREAKDOWNS: tuple[str, ...] = BREAKDOWN_NAMES


@dataclass(frozen=True)
class Filters:
    fiscal_year: int
    source: str = ""
    occupation: str = ""
    sex: str = ""


@dataclass(frozen=True)
class Area:
    """The region the dashboard looks at; `region` None means the whole deployment."""

    region: Region | None
    codes: tuple[str, ...]  # kabupaten codes when `region` is None

    @property
    def code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def level(self) -> int:
        return self.region.level if self.region else 1

    @property
    def child_level(self) -> int | None:
        if self.region is None:
            return Level.KABUPATEN_KOTA if len(self.codes) > 1 else Level.KECAMATAN
        return {Level.KABUPATEN_KOTA: Level.KECAMATAN, Level.KECAMATAN: Level.DESA_KELURAHAN}.get(
            Level(self.region.level)
        )


@dataclass
class Figure:
    """A count, or None when it is hidden (a small cell for leadership)."""

    value: int | None
    hidden: bool = False


@dataclass
class SourceFigures:
    code: str
    label: str
    sponsored: Figure
    cost: int | None  # None when the count is hidden: a cost would tell it
    budget: int | None  # the pagu, shown for the whole deployment only

    @property
    def used(self) -> float | None:
        return self.cost / self.budget if self.budget and self.cost is not None else None


@dataclass
class Indicators:
    registered: Figure
    eligible: Figure
    sponsored: Figure
    cost: int | None
    by_source: list[SourceFigures]
    population: int | None
    population_year: int | None
    working_population: int | None
    state: State
    budget: int | None = None

    @property
    def covered_share(self) -> float | None:
        """Sponsored ÷ eligible (may pass 100% when a list was approved under another policy)."""
        if self.sponsored.value is None or not self.eligible.value:
            return None
        return self.sponsored.value / self.eligible.value

    @property
    def coverage_rate(self) -> float | None:
        """Sponsored ÷ the estimated working population (a UCJ-style rate for this program)."""
        if self.sponsored.value is None or not self.working_population:
            return None
        return self.sponsored.value / self.working_population


@dataclass
class AreaRow:
    code: str
    name: str
    registered: Figure
    eligible: Figure
    sponsored: Figure
    cost: int | None
    population: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def covered_share(self) -> float | None:
        if self.sponsored.value is None or not self.eligible.value:
            return None
        return self.sponsored.value / self.eligible.value


@dataclass
class BreakdownRow:
    key: str
    label: str
    registered: Figure
    eligible: Figure
    sponsored: Figure


def region_title(region: Region) -> str:
    """'Kecamatan Selong', 'Desa Pancor', 'Kabupaten Lombok Timur' (names of kabupaten already
    say what they are)."""
    kind = str(region.get_type_display())
    if region.level <= Level.KABUPATEN_KOTA or region.name.lower().startswith(kind.lower()):
        return region.name
    return f"{kind[:1].upper()}{kind[1:]} {region.name}"


def resolve_area(user: User, code: str = "") -> Area:
    """The area `code` if the user may see it (Http404 otherwise); without a code, the user's
    own wilayah, or the whole deployment for users bound to none."""
    if code:
        return Area(get_region_for(user, code), ())
    scope = scope_codes(user)
    if not scope:
        raise Http404
    if len(scope) == 1:
        return Area(get_region_for(user, scope[0]), ())
    return Area(None, tuple(deployment_codes()))


def sees_persons(user: User) -> bool:
    return user.can(Capability.VIEW_PERSONS)


def _cost(value: int | None, count: Figure) -> int | None:
    """The cost of a count, hidden with it (every sponsored worker costs about the same)."""
    return None if count.hidden else int(value or 0)


def _figure(value: int | None, user: User) -> Figure:
    number = int(value or 0)
    if 0 < number < SMALL_CELL and not sees_persons(user):
        return Figure(None, hidden=True)
    return Figure(number)


def snapshot_day(on: datetime.date) -> SnapshotDay | None:
    """The last day with a snapshot on or before `on`."""
    return SnapshotDay.objects.filter(day__lte=on).order_by("-day").first()


def cells(
    area: Area,
    filters: Filters,
    dimension: str = Dimension.TOTAL,
    day: datetime.date | None = None,
) -> QuerySet[Any]:
    """The cells of the area (or, with `day`, that day's snapshot rows; occupation and sex are
    not kept there, so those filters apply to the current figures only)."""
    rows: QuerySet[Any]
    if day is None:
        rows = Cell.objects.filter(fiscal_year=filters.fiscal_year, dimension=dimension)
    else:
        rows = Snapshot.objects.filter(fiscal_year=filters.fiscal_year, day=day)
    rows = _in_area(rows, area)
    if day is None and filters.occupation:
        rows = rows.filter(occupation=filters.occupation)
    if day is None and filters.sex:
        rows = rows.filter(sex=filters.sex)
    return rows


def _in_area(rows: QuerySet[Any], area: Area) -> QuerySet[Any]:
    if area.region is None:
        q = Q()
        for code in area.codes:
            q |= Q(kecamatan_id__startswith=code + ".")
        rows = rows.filter(q) if area.codes else rows.none()
    elif area.level == Level.KABUPATEN_KOTA:
        rows = rows.filter(kecamatan_id__startswith=area.code + ".")
    elif area.level == Level.KECAMATAN:
        rows = rows.filter(kecamatan_id=area.code)
    elif area.level == Level.DESA_KELURAHAN:
        rows = rows.filter(desa_id=area.code)
    else:  # a province: its kabupaten
        rows = rows.filter(kecamatan_id__startswith=area.code + ".")
    return rows


def _sums(filters: Filters) -> dict[str, Any]:
    sponsored = Q(source=filters.source) if filters.source else Q()
    return {
        "registered_n": Sum("registered"),
        "eligible_n": Sum("eligible"),
        "sponsored_n": Sum("sponsored", filter=sponsored),
        "cost_n": Sum("cost", filter=sponsored),
    }


def population(code: str) -> tuple[int | None, int | None]:
    """The latest population figure of a region, and its year."""
    row = Population.objects.filter(region_id=code).order_by("-year").values_list("count", "year")
    found = row.first()
    return (found[0], found[1]) if found else (None, None)


def working_population(people: int | None) -> int | None:
    share = float(getattr(settings, "LINDUNG_WORKING_SHARE", 0.5))
    return round(people * share) if people else None


def indicators(
    user: User, area: Area, filters: Filters, day: SnapshotDay | None = None
) -> Indicators:
    """The area's figures now, or as the snapshot of `day` recorded them."""
    on = day.day if day else None
    totals = cells(area, filters, day=on).aggregate(**_sums(filters))
    current = state()
    year = str(filters.fiscal_year)
    all_budgets = day.budgets if day else current.budgets
    budgets = all_budgets.get(year, {}) if area.region is None or (
        area.level == Level.KABUPATEN_KOTA
    ) else {}  # fmt: skip
    per_source = {
        row["source"]: row
        for row in cells(area, filters, day=on)
        .exclude(source="")
        .values("source")
        .annotate(n=Sum("sponsored"), total=Sum("cost"))
    }
    codes = sorted(set(per_source) | set(budgets))
    if filters.source:
        codes = [c for c in codes if c == filters.source]
    by_source = []
    for code in codes:
        count = _figure(per_source.get(code, {}).get("n"), user)
        by_source.append(
            SourceFigures(
                code=code,
                label=current.labels.get(code, code.upper()),
                sponsored=count,
                cost=_cost(per_source.get(code, {}).get("total"), count),
                budget=int(budgets[code]) if code in budgets else None,
            )
        )
    people, people_year = population(area.code) if area.region else _sum_population(area.codes)
    budget = sum(int(v) for c, v in budgets.items() if not filters.source or c == filters.source)
    sponsored = _figure(totals["sponsored_n"], user)
    return Indicators(
        registered=_figure(totals["registered_n"], user),
        eligible=_figure(totals["eligible_n"], user),
        sponsored=sponsored,
        cost=_cost(totals["cost_n"], sponsored),
        by_source=by_source,
        population=people,
        population_year=people_year,
        working_population=working_population(people),
        state=current,
        budget=budget if budgets else None,
    )


def _sum_population(codes: tuple[str, ...]) -> tuple[int | None, int | None]:
    figures = [population(code) for code in codes]
    if not figures or any(count is None for count, _year in figures):
        return None, None
    return sum(c for c, _y in figures if c), max(y for _c, y in figures if y)


def children(
    user: User, area: Area, filters: Filters, day: SnapshotDay | None = None
) -> list[AreaRow]:
    """One row per child region (every child, also those without workers), by name; now, or as
    the snapshot of `day` recorded them."""
    on = day.day if day else None
    level = area.child_level
    if level is None:
        return []
    if area.region is None:
        regions = Region.objects.filter(code__in=area.codes)
    else:
        regions = Region.objects.filter(parent_id=area.code, level=level)
    names = dict(regions.order_by("name").values_list("code", "name"))
    field = {Level.KABUPATEN_KOTA: None, Level.KECAMATAN: "kecamatan_id"}.get(
        Level(level), "desa_id"
    )
    sums: dict[str, dict[str, Any]] = {}
    if field is not None:
        for row in cells(area, filters, day=on).values(field).annotate(**_sums(filters)):
            sums[row[field]] = row
    else:  # kabupaten of a multi-kabupaten deployment
        for code in names:
            sums[code] = cells(Area(None, (code,)), filters, day=on).aggregate(**_sums(filters))
    people = dict(
        Population.objects.filter(region_id__in=list(names))
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    rows = []
    for code, name in names.items():
        row = sums.get(code, {})
        sponsored = _figure(row.get("sponsored_n"), user)
        rows.append(
            AreaRow(
                code=code,
                name=name,
                registered=_figure(row.get("registered_n"), user),
                eligible=_figure(row.get("eligible_n"), user),
                sponsored=sponsored,
                cost=_cost(row.get("cost_n"), sponsored),
                population=people.get(code),
            )
        )
    return rows


def breakdown(user: User, area: Area, filters: Filters, by: Breakdown) -> list[BreakdownRow]:
    """Counts by occupation, sex, age band, desil or month of registration."""
    labels: dict[str, str]
    if by in ("occupation", "sex"):
        rows = cells(area, filters).values(by).annotate(**_sums(filters))
        choices = Occupation.choices if by == "occupation" else Sex.choices
        labels = {str(code): str(label) for code, label in choices}
        found = {row[by]: row for row in rows}
        order = list(labels) + sorted(set(found) - set(labels))
    else:
        dimension = {"age": Dimension.AGE, "desil": Dimension.DESIL, "month": Dimension.MONTH}[by]
        rows = cells(area, filters, dimension).values("key").annotate(**_sums(filters))
        found = {row["key"]: row for row in rows}
        if by == "age":
            order = [key for _low, _high, key in AGE_BANDS]
            labels = {key: key for key in order}
        elif by == "desil":
            order = [str(d) for d in range(1, 11)] + [""]
            labels = {key: key or EMPTY for key in order}
        else:
            order = sorted(k for k in found if k)
            labels = {key: key for key in order}
    return [
        BreakdownRow(
            key=key,
            label=str(labels.get(key, key)),
            registered=_figure(found.get(key, {}).get("registered_n"), user),
            eligible=_figure(found.get(key, {}).get("eligible_n"), user),
            sponsored=_figure(found.get(key, {}).get("sponsored_n"), user),
        )
        for key in order
        if key in found or by in ("age", "desil", "sex")
    ]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    eligible: Figure
    sponsored: Figure


def trend(user: User, area: Area, filters: Filters, days: int = 400) -> list[TrendPoint]:
    """Eligible and sponsored workers of the area on each day with a snapshot (latest `days`)."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    query = Snapshot.objects.filter(fiscal_year=filters.fiscal_year, day__gte=since)
    query = _in_area(query, area)
    sponsored = Q(source=filters.source) if filters.source else Q()
    points = (
        query.values("day")
        .annotate(eligible_n=Sum("eligible"), sponsored_n=Sum("sponsored", filter=sponsored))
        .order_by("day")
    )
    return [
        TrendPoint(
            day=row["day"],
            eligible=_figure(row["eligible_n"], user),
            sponsored=_figure(row["sponsored_n"], user),
        )
        for row in points
    ]

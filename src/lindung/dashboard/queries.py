# Over 600 lines: every read of the dashboard and the one small-count decision they share (_shield).
"""What the dashboard shows: sums of `Cell` rows within the user's wilayah.

    area = resolve_area(user, "52.03.07")            # Http404 outside the user's scope
    figures = indicators(user, area, Filters(fiscal_year=2027))
    rows = children(user, area, filters)             # kecamatan of a kabupaten, desa of a kecamatan
    counts = breakdown(user, area, filters, "age")
    area_title(resolve_area(user))                   # "Provinsi Nusa Tenggara Barat"

The top of the dashboard is the user's wilayah: a kabupaten/kota (or an operator's kecamatan or
desa), or, for a user of an installation that serves several kabupaten/kota, all of them
(`Area(None, codes)`): the province when they lie in one ("Provinsi Nusa Tenggara Barat", whose
code `52` also names that top), else the deployment by its name. Its child areas are the
kabupaten/kota; each drills into its kecamatan and desa as a kabupaten's own page does.

Filters: occupation and sex narrow every count; a funding source narrows the sponsored workers,
their cost, those of them enrolled with BPJS Ketenagakerjaan and those protected, in grace or
lapsed today (registered and eligible workers have no source). "Protected today" (the
headline) is counted for the fiscal year of today only (`dashboard.aggregates`).

Leadership (`pimpinan`) sees aggregates only: a count from 1 to 4 is hidden from them
(`disclosure.SMALL_CELL`) so that nobody can be singled out, and so is every count from which a
hidden one could be worked out by subtraction (`dashboard.disclosure` has the rule). `_shield`
decides that once for the cells of the whole deployment, per fiscal year, filters and day, so a
desa's count is hidden on its kecamatan's page, on its own page, in the API and in every
download alike.

A filtered view takes its totals' decisions from the view without that filter, where the same
count is a category (the petani of a desa are a category of the unfiltered desa), so switching a
filter on does not show what the breakdown hid. With two or three filters at once the totals are
hidden where any of the views with one filter less hides them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.dashboard.aggregates import AGE_BANDS, state
from lindung.dashboard.disclosure import is_small, suppress
from lindung.dashboard.models import Cell, Dimension, Snapshot, SnapshotDay, State
from lindung.formats import EMPTY
from lindung.regions import scope
from lindung.regions.models import Deployment, Level, Population, Region
from lindung.regions.queries import get_region_for
from lindung.registry.models import Occupation, Sex
from lindung.roles import Capability

HIDDEN_MARK = "x"  # how a hidden count is shown: the same for a small one and its companions
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
    """The region the dashboard looks at; `region` None means the kabupaten/kota of `codes`
    together (the whole deployment, or what a provincial officer sees of it), whose province
    is `province` when they lie in one."""

    region: Region | None
    codes: tuple[str, ...]  # kabupaten codes when `region` is None
    province: Region | None = None

    @property
    def code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def key(self) -> str:
        """Whose counts these are for the small-count decisions (`_shield`): the region, the
        province of kabupaten/kota of one (as much as the whole deployment, or a provincial
        officer's part of a deployment of several provinces), else the deployment ("")."""
        if self.region is not None:
            return self.region.code
        return self.province.code if self.province is not None else ""

    @property
    def slug(self) -> str:
        """What names the area in a file name: its code, the province's, or "semua"."""
        if self.region is not None:
            return self.region.code
        return self.province.code if self.province is not None else "semua"

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


def _nothing() -> Figure:
    return Figure(0)


@dataclass
class SourceFigures:
    code: str
    label: str
    sponsored: Figure
    cost: int | None  # None when the count is hidden: a cost would tell it
    budget: int | None  # the pagu, shown for a kabupaten/kota or more (`_budgets`)
    enrolled: Figure = field(default_factory=_nothing)  # registered with BPJS (TERDAFTAR)
    protected: Figure = field(default_factory=_nothing)  # protected today (billing.coverage)
    in_grace: Figure = field(default_factory=_nothing)  # unpaid, arrears still allowed
    lapsed: Figure = field(default_factory=_nothing)  # lapsed for unpaid contributions

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
    enrolled: Figure = field(default_factory=_nothing)  # registered with BPJS (TERDAFTAR)
    protected: Figure = field(default_factory=_nothing)  # protected today: the headline
    in_grace: Figure = field(default_factory=_nothing)
    lapsed: Figure = field(default_factory=_nothing)

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
    enrolled: Figure = field(default_factory=_nothing)
    protected: Figure = field(default_factory=_nothing)
    in_grace: Figure = field(default_factory=_nothing)
    lapsed: Figure = field(default_factory=_nothing)

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
    enrolled: Figure = field(default_factory=_nothing)
    protected: Figure = field(default_factory=_nothing)


def region_title(region: Region) -> str:
    """'Provinsi Nusa Tenggara Barat', 'Kecamatan Selong', 'Desa Pancor', 'Kabupaten Lombok
    Timur' (names of kabupaten/kota already say what they are)."""
    kind = str(region.get_type_display())
    if region.level == Level.KABUPATEN_KOTA or region.name.lower().startswith(kind.lower()):
        return region.name
    return f"{kind[:1].upper()}{kind[1:]} {region.name}"


def area_title(area: Area) -> str:
    """The area's name as a heading: its region's, the province's for the kabupaten/kota of one
    province together, else the deployment's name (kabupaten/kota of several provinces)."""
    if area.region is not None:
        return region_title(area.region)
    if area.province is not None:
        return region_title(area.province)
    name = Deployment.objects.filter(pk=1).values_list("name", flat=True).first()
    return str(name or _("the whole deployment"))


def short_name(name: str) -> str:
    """A kabupaten's name without "Kabupaten", for a map's labels: "Lombok Timur" (a kota
    keeps its "Kota": Bima and Kota Bima are two)."""
    return name.removeprefix("Kabupaten ").removeprefix("Kab. ")


def resolve_area(user: User, code: str = "") -> Area:
    """The area `code` if the user may see it (Http404 otherwise); without a code, the user's
    own wilayah, or the kabupaten/kota of the deployment together for users of several (then
    their province's code names the same top)."""
    codes = scope.codes_for(user)
    if not codes:
        raise Http404
    if len(codes) > 1 and (not code or scope.level_of(code) == scope.PROVINSI):
        top = _top(codes)
        if not code or (top.province is not None and top.province.code == code):
            return top
        raise Http404
    if code:
        return Area(get_region_for(user, code), ())
    return Area(get_region_for(user, codes[0]), ())


def _top(codes: list[str]) -> Area:
    """The kabupaten/kota of `codes` together, with their province when they share one."""
    provinces = {code.split(".")[0] for code in codes}
    province = (
        Region.objects.filter(code=provinces.pop(), level=Level.PROVINSI).first()
        if len(provinces) == 1
        else None
    )
    return Area(None, tuple(sorted(codes)), province)


def sees_persons(user: User) -> bool:
    return user.can(Capability.VIEW_PERSONS)


def _cost(value: int | None, count: Figure) -> int | None:
    """The cost of a count, hidden with it (every sponsored worker costs about the same)."""
    return None if count.hidden else int(value or 0)


# (area code, "" or a breakdown, its category); "" = the deployment (`Area.key`)
CellKey = tuple[str, str, str]
# The measures a funding source narrows: the list's, BPJS's and today's coverage.
SOURCED = ("sponsored", "enrolled", "protected", "in_grace", "lapsed")
MEASURES = ("registered", "eligible", *SOURCED)
# The measures the breakdowns show (in grace and lapsed: per area and source only).
GROUPED = ("registered", "eligible", "sponsored", "enrolled", "protected")
FILTERED = ("occupation", "sex", "source")  # the filters that are also breakdowns


@dataclass(frozen=True)
class Shield:
    """The counts hidden from a role that does not see persons, per measure."""

    hidden: dict[str, frozenset[CellKey]]

    def figure(self, measure: str, key: CellKey, value: int | None) -> Figure:
        number = int(value or 0)
        if number and (is_small(number) or key in self.hidden[measure]):
            return Figure(None, hidden=True)
        return Figure(number)


def _figure(shield: Shield | None, measure: str, key: CellKey, value: int | None) -> Figure:
    return Figure(int(value or 0)) if shield is None else shield.figure(measure, key, value)


def _shield(user: User, filters: Filters, day: SnapshotDay | None = None) -> Shield | None:
    """What `user` may not see (None: everything is shown), decided for the whole deployment."""
    if sees_persons(user):
        return None
    if day is not None:  # snapshots keep neither occupation nor sex
        filters = Filters(filters.fiscal_year, source=filters.source)
    refreshed = state().refreshed_at
    stamp = "|".join(
        [refreshed.isoformat() if refreshed else "", day.taken_at.isoformat() if day else ""]
    )
    return _decide(filters, day.day if day else None, tuple(scope.deployment_codes()), stamp)


@lru_cache(maxsize=64)
def _decide(
    filters: Filters, day: datetime.date | None, kabupaten: tuple[str, ...], stamp: str
) -> Shield:
    """The suppression of one view (`stamp` changes whenever the counts do). A filtered view
    starts from the categories the view without that filter hides."""
    counts = _counts(filters, day, kabupaten)
    seed: dict[str, set[CellKey]] = {measure: set() for measure in MEASURES}
    for name in FILTERED:
        value = getattr(filters, name)
        if not value:
            continue
        wider = _decide(_without(filters, name), day, kabupaten, stamp)
        for measure in SOURCED if name == "source" else MEASURES:
            seed[measure] |= {
                (area, "", "")
                for area, by, key in wider.hidden[measure]
                if (by, key) == (name, value)
            }
    groups = _groups(set().union(*(counts[m] for m in MEASURES)))
    return Shield({m: frozenset(suppress(counts[m], groups, seed[m])) for m in MEASURES})


def _without(filters: Filters, name: str) -> Filters:
    return Filters(
        filters.fiscal_year,
        source="" if name == "source" else filters.source,
        occupation="" if name == "occupation" else filters.occupation,
        sex="" if name == "sex" else filters.sex,
    )


def _parent(code: str) -> str:
    """The area above `code`: desa → kecamatan → kabupaten → province → "" (the deployment)."""
    return code.rsplit(".", 1)[0] if "." in code else ""


def _counts(
    filters: Filters, day: datetime.date | None, kabupaten: tuple[str, ...]
) -> dict[str, dict[CellKey, int]]:
    """Every count the dashboard can show for these filters: each area of the deployment
    (the deployment "", its provinces, kabupaten, kecamatan, desa), in total and per category
    of each breakdown and source."""
    counts: dict[str, dict[CellKey, int]] = {m: defaultdict(int) for m in MEASURES}

    def add(kecamatan: str, desa: str, measure: str, value: int | None,
            categories: list[tuple[str, str]]) -> None:  # fmt: skip
        if not value:
            return
        kabupaten = _parent(kecamatan)
        for area in ("", _parent(kabupaten), kabupaten, kecamatan, desa):
            for by, key in categories:
                counts[measure][(area, by, key)] += int(value)

    everywhere = Area(None, kabupaten)
    group = ["kecamatan_id", "desa_id", "source"] + ([] if day else ["occupation", "sex"])
    plain = {f"{measure}_n": Sum(measure) for measure in MEASURES}
    for row in cells(everywhere, filters, day=day).values(*group).annotate(**plain):
        categories = [("", "")]
        if day is None:
            categories += [("occupation", row["occupation"]), ("sex", row["sex"])]
        where = row["kecamatan_id"], row["desa_id"]
        add(*where, "registered", row["registered_n"], categories)
        add(*where, "eligible", row["eligible_n"], categories)
        if row["source"] and (not filters.source or row["source"] == filters.source):
            by_source = [*categories, ("source", row["source"])]
            for measure in SOURCED:
                add(*where, measure, row[f"{measure}_n"], by_source)
    if day is None:
        dimensions = {"age": Dimension.AGE, "desil": Dimension.DESIL, "month": Dimension.MONTH}
        for by, dimension in dimensions.items():
            rows = cells(everywhere, filters, dimension).values("kecamatan_id", "desa_id", "key")
            for row in rows.annotate(**_sums(filters, GROUPED)):
                for measure in GROUPED:
                    add(row["kecamatan_id"], row["desa_id"], measure, row[f"{measure}_n"],
                        [(by, row["key"])])  # fmt: skip
    return counts


def _groups(keys: set[CellKey]) -> list[tuple[CellKey, list[CellKey]]]:
    """(total, its parts): the child areas of each area, in total and per category; the
    categories of each breakdown (and the sources) within each area."""
    children: dict[str, set[str]] = defaultdict(set)
    categories: dict[tuple[str, str], set[str]] = defaultdict(set)
    for area, by, key in keys:
        if area:
            children[_parent(area)].add(area)
        if by:
            categories[(area, by)].add(key)
    slices = sorted({(by, key) for _area, by, key in keys} | {("", "")})
    groups: list[tuple[CellKey, list[CellKey]]] = []
    for parent, members in sorted(children.items()):
        for by, key in slices:
            groups.append(((parent, by, key), [(child, by, key) for child in sorted(members)]))
    for (area, by), keys_of in sorted(categories.items()):
        groups.append(((area, "", ""), [(area, by, key) for key in sorted(keys_of)]))
    return groups


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
        rows = Cell.objects.filter(
            generation=Subquery(State.objects.filter(pk=1).values("generation")[:1]),
            fiscal_year=filters.fiscal_year,
            dimension=dimension,
        )
    else:
        rows = Snapshot.objects.filter(fiscal_year=filters.fiscal_year, day=day)
    rows = _in_area(rows, area)
    if day is None and filters.occupation:
        rows = rows.filter(occupation=filters.occupation)
    if day is None and filters.sex:
        rows = rows.filter(sex=filters.sex)
    return rows


def _in_area(rows: QuerySet[Any], area: Area) -> QuerySet[Any]:
    codes = list(area.codes) if area.region is None else [area.code]
    if not codes:
        return rows.none()
    return rows.filter(scope.q(codes, "kecamatan_id", levels=_CELL_LEVELS))


# Cells store their kecamatan and desa codes: an area of those levels is an equality.
_CELL_LEVELS = {scope.KECAMATAN: "kecamatan_id", scope.DESA_KELURAHAN: "desa_id"}


def _sums(filters: Filters, measures: tuple[str, ...] = MEASURES) -> dict[str, Any]:
    """`<measure>_n` per measure (and `cost_n` with every measure), the source filter on the
    sponsored ones."""
    sponsored = Q(source=filters.source) if filters.source else Q()
    sums = {f"{m}_n": Sum(m, filter=None if m in ("registered", "eligible") else sponsored)
            for m in measures}  # fmt: skip
    return sums | ({"cost_n": Sum("cost", filter=sponsored)} if measures == MEASURES else {})


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
    budgets = _budgets(user, area, (day.budgets if day else current.budgets).get(
        str(filters.fiscal_year), {}))  # fmt: skip
    per_source = {
        row["source"]: row
        for row in cells(area, filters, day=on)
        .exclude(source="")
        .values("source")
        .annotate(total=Sum("cost"), **{f"{measure}_n": Sum(measure) for measure in SOURCED})
    }
    codes = sorted(set(per_source) | set(budgets))
    if filters.source:
        codes = [c for c in codes if c == filters.source]
    shield = _shield(user, filters, day)
    by_source = []
    for code in codes:
        found = per_source.get(code, {})
        counts = {
            measure: _figure(shield, measure, (area.key, "source", code), found.get(f"{measure}_n"))
            for measure in SOURCED
        }
        by_source.append(
            SourceFigures(
                code=code,
                label=current.labels.get(code, code.upper()),
                cost=_cost(found.get("total"), counts["sponsored"]),
                budget=int(budgets[code]) if code in budgets else None,
                **counts,
            )
        )
    people, people_year = population(area.code) if area.region else _sum_population(area.codes)
    budget = sum(int(v) for c, v in budgets.items() if not filters.source or c == filters.source)
    key = (area.key, "", "")
    figures = {m: _figure(shield, m, key, totals[f"{m}_n"]) for m in MEASURES}
    return Indicators(
        cost=_cost(totals["cost_n"], figures["sponsored"]),
        by_source=by_source,
        population=people,
        population_year=people_year,
        working_population=working_population(people),
        state=current,
        budget=budget if budgets else None,
        **figures,
    )


def _budgets(user: User, area: Area, of_year: dict[str, Any]) -> dict[str, int]:
    """The pagu per source of the area's funding sources: those of the whole deployment
    (`{source: pagu}`) for the area that is the whole deployment; of a kabupaten/kota, or of
    several together, when they are kept per kabupaten/kota (`{kabupaten: {source: pagu}}`).
    Below a kabupaten/kota a pagu is not split: none."""
    if area.region is not None and area.level != Level.KABUPATEN_KOTA:
        return {}
    codes = sorted(area.codes) if area.region is None else [area.code]
    if of_year and all(isinstance(value, dict) for value in of_year.values()):
        summed: dict[str, int] = defaultdict(int)
        for code in codes:
            for source, pagu in of_year.get(code, {}).items():
                summed[source] += int(pagu)
        return dict(summed)
    # A user bound to no region sees the whole deployment (`scope.codes_for`, kept per request).
    whole = scope.codes_for(user) if user.region_id is None else scope.deployment_codes()
    return {source: int(pagu) for source, pagu in of_year.items()} if codes == sorted(whole) else {}


def _sum_population(codes: tuple[str, ...]) -> tuple[int | None, int | None]:
    """The kabupaten/kota's latest figures added up (None unless each has one), and the
    latest of their years."""
    latest: dict[str, tuple[int, int]] = {}
    rows = Population.objects.filter(region_id__in=list(codes)).order_by("region_id", "year")
    for code, count, year in rows.values_list("region_id", "count", "year"):
        latest[code] = (count, year)  # ordered by year: the last one wins
    if not codes or set(latest) != set(codes):
        return None, None
    return sum(c for c, _y in latest.values()), max(y for _c, y in latest.values())


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
    else:  # the kabupaten/kota of a deployment of several: their kecamatan added up
        for row in cells(area, filters, day=on).values("kecamatan_id").annotate(**_sums(filters)):
            into = sums.setdefault(_parent(row["kecamatan_id"]), defaultdict(int))
            for name, value in row.items():
                if name != "kecamatan_id":
                    into[name] += int(value or 0)
    people = dict(
        Population.objects.filter(region_id__in=list(names))
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    shield = _shield(user, filters, day)
    rows = []
    for code, name in names.items():
        row = sums.get(code, {})
        key = (code, "", "")
        figures = {m: _figure(shield, m, key, row.get(f"{m}_n")) for m in MEASURES}
        rows.append(
            AreaRow(
                code=code,
                name=name,
                cost=_cost(row.get("cost_n"), figures["sponsored"]),
                population=people.get(code),
                **figures,
            )
        )
    return rows


def breakdown(user: User, area: Area, filters: Filters, by: Breakdown) -> list[BreakdownRow]:
    """Counts by occupation, sex, age band, desil or month of registration."""
    labels: dict[str, str]
    if by in ("occupation", "sex"):
        rows = cells(area, filters).values(by).annotate(**_sums(filters, GROUPED))
        choices = Occupation.choices if by == "occupation" else Sex.choices
        labels = {str(code): str(label) for code, label in choices}
        found = {row[by]: row for row in rows}
        order = list(labels) + sorted(set(found) - set(labels))
    else:
        dimension = {"age": Dimension.AGE, "desil": Dimension.DESIL, "month": Dimension.MONTH}[by]
        rows = cells(area, filters, dimension).values("key").annotate(**_sums(filters, GROUPED))
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
    shield = _shield(user, filters)

    def figure(measure: str, key: str) -> Figure:
        value = found.get(key, {}).get(f"{measure}_n")
        return _figure(shield, measure, (area.key, by, key), value)

    return [
        BreakdownRow(
            key=key,
            label=str(labels.get(key, key)),
            registered=figure("registered", key),
            eligible=figure("eligible", key),
            sponsored=figure("sponsored", key),
            enrolled=figure("enrolled", key),
            protected=figure("protected", key),
        )
        for key in order
        if key in found or by in ("age", "desil", "sex")
    ]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    eligible: Figure
    sponsored: Figure
    protected: Figure = field(default_factory=_nothing)  # protected on that day


def trend(user: User, area: Area, filters: Filters, days: int = 400) -> list[TrendPoint]:
    """Eligible, sponsored and protected workers of the area on each day with a snapshot (latest
    `days`; the protected of that day, for the fiscal year of that day).

    Leadership sees the trend of the whole deployment only, and of all sources together: a
    smaller area's or a source's count of some day may have been hidden that day as the
    companion of a small one, and deciding it again for every past day costs too much.
    """
    if not sees_persons(user) and (filters.source or not _is_everything(area)):
        return []
    since = timezone.localdate() - datetime.timedelta(days=days)
    query = Snapshot.objects.filter(fiscal_year=filters.fiscal_year, day__gte=since)
    query = _in_area(query, area)
    sponsored = Q(source=filters.source) if filters.source else Q()
    points = (
        query.values("day")
        .annotate(
            eligible_n=Sum("eligible"),
            sponsored_n=Sum("sponsored", filter=sponsored),
            protected_n=Sum("protected", filter=sponsored),
        )
        .order_by("day")
    )
    shield = Shield({m: frozenset() for m in MEASURES}) if not sees_persons(user) else None
    return [
        TrendPoint(
            day=row["day"],
            eligible=_figure(shield, "eligible", ("", "", ""), row["eligible_n"]),
            sponsored=_figure(shield, "sponsored", ("", "", ""), row["sponsored_n"]),
            protected=_figure(shield, "protected", ("", "", ""), row["protected_n"]),
        )
        for row in points
    ]


def _is_everything(area: Area) -> bool:
    """The whole deployment, or its only kabupaten (the same counts)."""
    return area.region is None or [area.code] == scope.deployment_codes()

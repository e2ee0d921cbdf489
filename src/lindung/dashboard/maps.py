"""The map and chart data of the dashboard: GeoJSON coloured by an indicator, chart series.

Boundaries come from `lindung regions load-boundaries`. The areas of one parent (the kabupaten/kota
of a province, the kecamatan of a kabupaten, the desa of a kecamatan) are simplified together,
once per process and again when one of them is reloaded, so neighbours share their simplified
border and the map data of a kabupaten is a few dozen kilobytes. Published boundaries are often
invalid (nested shells, rings crossing themselves): the simplification cleans them as one
coverage first (`regions.geometry.simplify_coverage`), and the PDF maps draw the same shapes.
An area without a polygon is left off the map; the page names it (`mapped_codes`) and the table
still lists it.
"""

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.dashboard.forms import INDICATORS
from lindung.dashboard.queries import (
    HIDDEN_MARK,
    Area,
    AreaRow,
    BreakdownRow,
    Figure,
    Filters,
    TrendPoint,
    children,
    indicators,
    short_name,
)
from lindung.formats import EMPTY, format_date, format_number
from lindung.regions import scope
from lindung.regions.geometry import ColorScale, label_point, simplify_coverage
from lindung.regions.models import Boundary, Level, Region

# Visvalingam-Whyatt: about the square root of the area of the corners removed, in degrees
# (0.0008° ≈ 90 m): the desa of Lombok Timur keep about half of their corners, invisible at
# kabupaten and kecamatan zoom.
TOLERANCE = 0.0008
SHARES = {"covered_share"}


def value_of(row: AreaRow, indicator: str) -> float | None:
    if indicator == "covered_share":
        return row.covered_share
    figure = getattr(row, indicator, None)
    return figure.value if isinstance(figure, Figure) else None


def display(row: AreaRow, indicator: str) -> str:
    if indicator in SHARES:
        share = row.covered_share
        return EMPTY if share is None else f"{format_number(share * 100, 1)}%"
    figure = getattr(row, indicator, None)
    if isinstance(figure, Figure) and figure.hidden:
        return HIDDEN_MARK
    value = value_of(row, indicator)
    return EMPTY if value is None else format_number(value)


def _area_codes(area: Area, rows: list[AreaRow]) -> list[str]:
    return [row.code for row in rows] if rows else [area.code]


def mapped_codes(area: Area, rows: list[AreaRow]) -> set[str]:
    """Which of the areas the map draws have a polygon: the child areas (`rows`), or a desa
    itself. None: no map; some: the others are named beside it."""
    codes = _area_codes(area, rows)
    if not codes or codes == [""]:
        return set()
    return set(Boundary.objects.filter(region_id__in=codes).values_list("region_id", flat=True))


def map_label(name: str, level: int | None) -> str:
    """How the map names an area: a kabupaten without "Kabupaten" (long names crowd a
    province's map), others by their name."""
    return short_name(name) if level == Level.KABUPATEN_KOTA else name


@lru_cache(maxsize=256)
def _simplified(parent: str, loaded_at: str) -> dict[str, dict[str, Any]]:
    """The boundaries of `parent`'s areas simplified together (`loaded_at`: the latest load
    among them, so a reload is simplified anew)."""
    rows = Boundary.objects.filter(region__parent_id=parent).values_list("region_id", "geometry")
    return simplify_coverage(dict(rows), TOLERANCE)


def collection(
    user: User,
    area: Area,
    filters: Filters,
    indicator: str,
    *,
    drill: Callable[[str], str],
    workers_url: str = "",
) -> dict[str, Any]:
    """A FeatureCollection of the area's children, or of a desa among its neighbours.

    Each feature has `code`, `name`, `value`, `display`, `color`, `url` and `role`: "area" (an
    area coloured by `indicator`), "selected" (the desa looked at, coloured) or "context" (a
    neighbouring desa of the same kecamatan, grey, without figures; its url opens it when the
    user may see it). `labels` says how the map names its areas: "all" (kecamatan: every name
    stays on the map) or "fit" (desa: a name where it fits at the zoom, the others on hover).
    `legend` names the indicator and its unit and lists the colour classes."""
    rows = children(user, area, filters)
    context: dict[str, str] = {}
    roles: dict[str, str] = {}
    if not rows and area.region is not None:  # a desa: the map shows it among its neighbours
        figures = indicators(user, area, filters)
        rows = [
            AreaRow(
                code=area.code,
                name=area.region.name,
                registered=figures.registered,
                eligible=figures.eligible,
                sponsored=figures.sponsored,
                cost=figures.cost,
                enrolled=figures.enrolled,
                protected=figures.protected,
                in_grace=figures.in_grace,
                lapsed=figures.lapsed,
            )
        ]
        urls = {area.code: workers_url}
        roles[area.code] = "selected"
        visible = scope.codes_for(user)
        context = dict(
            Region.objects.filter(parent_id=area.region.parent_id, boundary__isnull=False)
            .exclude(code=area.code)
            .values_list("code", "name")
        )
        urls |= {code: drill(code) if scope.contains(visible, code) else "" for code in context}
    else:
        urls = {row.code: drill(row.code) for row in rows}
    values = {row.code: value_of(row, indicator) for row in rows}
    scale = scale_for(values.values(), indicator)
    by_code = {row.code: row for row in rows}
    coverages = _coverages([*by_code, *context])
    level = area.child_level
    features = []
    for code in sorted(coverages):
        parent, stamp = coverages[code]
        geometry = _simplified(parent, stamp).get(code)
        if geometry is None or not geometry["coordinates"]:
            continue
        row = by_code.get(code)
        properties: dict[str, Any]
        if row is None:
            properties = {
                "name": context[code], "value": None, "display": "",
                "color": ColorScale.CONTEXT, "role": "context",
            }  # fmt: skip
        else:
            properties = {
                "name": row.name, "label": map_label(row.name, level),
                "value": values[code], "display": display(row, indicator),
                "color": scale.color(values[code]), "role": roles.get(code, "area"),
            }  # fmt: skip
        lng, lat = _label_at(parent, stamp, code)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    **properties,
                    "url": urls.get(code, ""),
                    "label_at": [lat, lng],  # Leaflet's order
                },
                "geometry": geometry,
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "labels": "all" if level in (Level.KECAMATAN, Level.KABUPATEN_KOTA) else "fit",
        "legend": legend_of(scale, indicator),
    }


def _coverages(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(parent, the latest load among the parent's areas) of each of `codes` with a polygon:
    what `_simplified` is kept by."""
    parents = dict(
        Boundary.objects.filter(region_id__in=list(codes)).values_list(
            "region_id", "region__parent_id"
        )
    )
    stamps = dict(
        Boundary.objects.filter(region__parent_id__in=set(parents.values()))
        .values("region__parent_id")
        .annotate(latest=Max("loaded_at"))
        .values_list("region__parent_id", "latest")
    )
    return {
        code: (parent, stamps[parent].isoformat())
        for code, parent in parents.items()
        if parent is not None  # a province: no map draws it
    }


def shapes(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The polygons of `codes` as the web map draws them (cleaned and simplified with their
    neighbours), for the PDF maps; an area without one, or whose shape collapsed, is left out."""
    found = {}
    for code, (parent, stamp) in _coverages(codes).items():
        geometry = _simplified(parent, stamp).get(code)
        if geometry is not None and geometry["coordinates"]:
            found[code] = geometry
    return found


@lru_cache(maxsize=4096)
def _label_at(parent: str, loaded_at: str, code: str) -> tuple[float, float]:
    """Where the name of `code` goes on its simplified shape (worked out once per process)."""
    return label_point(_simplified(parent, loaded_at)[code])


def scale_for(values: Iterable[float | None], indicator: str) -> ColorScale:
    """Shares on a fixed 0-100% scale (the same colours mean the same on every page); counts
    between the smallest and the largest shown."""
    share = indicator in SHARES
    return ColorScale(values, low=0.0 if share else None, high=1.0 if share else None)


def indicator_title(indicator: str) -> str:
    return str(dict(INDICATORS).get(indicator, indicator))


def indicator_unit(indicator: str) -> str:
    return "%" if indicator in SHARES else _("workers")


def legend_of(scale: ColorScale, indicator: str) -> dict[str, Any]:
    """{"title", "unit", "classes": [{"low", "high", "color", "kind"}]}: the indicator's name,
    its unit and each colour class with its range in Indonesian numbers (`kind` "class", or
    "missing" for the areas without data or hidden)."""
    share = indicator in SHARES

    def label(value: float) -> str:
        return f"{format_number(value * 100)}%" if share else format_number(round(value))

    classes = [
        {"low": low, "high": high, "color": color, "kind": "class"}
        for low, high, color in scale.legend(label)
    ]
    if scale.missing:
        classes.append(
            {"low": _("no data or hidden"), "high": "", "color": ColorScale.NO_DATA,
             "kind": "missing"}
        )  # fmt: skip
    return {
        "title": indicator_title(indicator),
        "unit": indicator_unit(indicator),
        "classes": classes,
    }


def legend_for(rows: list[AreaRow], indicator: str) -> dict[str, Any]:
    return legend_of(scale_for([value_of(r, indicator) for r in rows], indicator), indicator)


def chart_data(by: str, rows: list[BreakdownRow], *, protection: bool = False) -> dict[str, Any]:
    """Chart.js data for a breakdown: registered, eligible, sponsored and enrolled workers per
    key, and with `protection` those protected today (the month of registration counts
    registered and eligible workers only)."""

    def series(name: str) -> list[int | None]:
        return [getattr(row, name).value for row in rows]

    return {
        "type": "line" if by == "month" else "bar",
        "horizontal": by == "occupation",
        "stacked": False,
        "labels": [row.label for row in rows],
        "datasets": [
            {"label": _("Registered"), "data": series("registered")},
            {"label": _("Eligible"), "data": series("eligible")},
            {"label": _("Sponsored"), "data": series("sponsored")},
            {"label": _("Enrolled with BPJS"), "data": series("enrolled")},
            *([{"label": _("Protected today"), "data": series("protected")}] if protection else []),
        ],
    }


def areas_chart(rows: list[AreaRow]) -> dict[str, Any]:
    """A stacked bar per child area: sponsored, eligible but not sponsored, not eligible (hidden
    small counts count as none)."""

    def n(figure: Figure) -> int:
        return figure.value or 0

    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "labels": [row.name for row in rows],
        "datasets": [
            {"label": _("Sponsored"), "data": [n(r.sponsored) for r in rows]},
            {
                "label": _("Eligible, not sponsored"),
                "data": [max(n(r.eligible) - n(r.sponsored), 0) for r in rows],
            },
            {
                "label": _("Not eligible"),
                "data": [max(n(r.registered) - n(r.eligible), 0) for r in rows],
            },
        ],
    }


def trend_chart(points: list[TrendPoint]) -> dict[str, Any] | None:
    """Eligible, sponsored and protected workers per snapshot day (protected: on that day);
    None with fewer than two days."""
    if len(points) < 2:
        return None
    return {
        "type": "line",
        "horizontal": False,
        "stacked": False,
        "labels": [format_date(p.day) for p in points],
        "datasets": [
            {"label": _("Eligible"), "data": [p.eligible.value for p in points]},
            {"label": _("Sponsored"), "data": [p.sponsored.value for p in points]},
            {"label": _("Protected"), "data": [p.protected.value for p in points]},
        ],
    }

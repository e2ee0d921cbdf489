"""The dashboard's downloads: any table as XLSX, the one-page summary for the Bupati (the
Governor, at the top of an installation serving a province's kabupaten/kota) and the report of
an area with its child areas: a kecamatan's desa for the camat's meeting, a kabupaten's
kecamatan, a province's kabupaten/kota (PDF, with the map drawn from the boundaries)."""

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.dashboard import aggregates, maps, queries
from lindung.dashboard.queries import Area, AreaRow, Figure, Filters
from lindung.formats import (
    EMPTY,
    format_date,
    format_datetime,
    format_number,
)
from lindung.pdf import MARGIN, Document, Rupiah
from lindung.pdf_map import draw_legend, draw_map
from lindung.regions.models import Level, Population
from lindung.xlsx import Column, Kind, Workbook

TOP = 5  # areas in the best and worst lists of the summary


def area_name(area: Area) -> str:
    return queries.area_title(area)


def children_title(area: Area) -> str:
    """What the area's child areas are: "Per kabupaten/kota", "Per kecamatan", …"""
    titles = {
        Level.KABUPATEN_KOTA: _("Per kabupaten/kota"),
        Level.KECAMATAN: _("Per kecamatan"),
        Level.DESA_KELURAHAN: _("Per desa/kelurahan"),
    }
    return titles[Level(area.child_level)] if area.child_level else _("Per area")


def _cell(figure: Figure) -> str | int:
    return queries.HIDDEN_MARK if figure.hidden else int(figure.value or 0)


def _hidden_note(doc: Document, user: User) -> None:
    """What the mark of a hidden count means, for roles that get counts hidden."""
    note = _(
        "x: hidden so that nobody can be singled out (fewer than 5 workers, or a count from "
        "which such a small count could be worked out by subtraction)."
    )
    if not queries.sees_persons(user):
        doc.text([note])


def _money(value: int | None) -> str | int:
    return EMPTY if value is None else Rupiah(value)


def _share(value: float | None) -> str:
    return EMPTY if value is None else f"{format_number(value * 100, 1)}%"


def _filter_line(filters: Filters) -> str:
    from lindung.registry.models import Occupation, Sex

    parts = [_("Fiscal year %(year)s") % {"year": filters.fiscal_year}]
    if filters.source:
        parts.append(_("source %(source)s") % {"source": filters.source})
    if filters.occupation:
        parts.append(str(dict(Occupation.choices).get(filters.occupation, filters.occupation)))
    if filters.sex:
        parts.append(str(dict(Sex.choices).get(filters.sex, filters.sex)))
    return " · ".join(parts)


# --- tables ------------------------------------------------------------------------------------


def shows_protection(filters: Filters) -> bool:
    """Whether the cells count who is protected in the figures' year: the fiscal year of the
    day they were counted (`State.counted_on`) or a later one (`aggregates.protection_day`)."""
    counted_on = aggregates.state().counted_on
    return aggregates.protection_day(filters.fiscal_year, counted_on) is not None


def table_rows(
    user: User, area: Area, filters: Filters, name: str
) -> tuple[str, list[str], list[list[Any]]]:
    """(title, header, rows) of one dashboard table (with the protected today, for this
    year's figures, after those enrolled with BPJS)."""
    protection = shows_protection(filters)
    counts = [_("Registered"), _("Eligible"), _("Sponsored"), _("Enrolled (BPJS)")]
    counts += [_("Protected today")] if protection else []

    def measured(row: Any, *names: str) -> list[Any]:
        return [_cell(getattr(row, n)) for n in names if protection or n not in _STANDING]

    if name == "areas":
        rows = queries.children(user, area, filters)
        return (
            children_title(area),
            [_("Code"), _("Name"), *counts, _("Share of eligible covered"), _("Cost"),
             _("Population")],
            [[r.code, r.name, *measured(r, *_MEASURES), _share(r.covered_share), r.cost,
              r.population] for r in rows],
        )  # fmt: skip
    if name == "sources":
        figures = queries.indicators(user, area, filters)
        standing = [_("Protected today"), _("In grace"), _("Lapsed")] if protection else []
        return (
            _("Per funding source"),
            [_("Source"), _("Sponsored"), _("Enrolled (BPJS)"), *standing, _("Cost"),
             _("Budget"), _("Used")],
            [[s.label, *measured(s, "sponsored", "enrolled", *_STANDING), s.cost, s.budget,
              _share(s.used)] for s in figures.by_source],
        )  # fmt: skip
    by = name if name in queries.BREAKDOWNS else "occupation"
    titles = {"occupation": _("By occupation"), "sex": _("By sex"), "age": _("By age band"),
              "desil": _("By desil"), "month": _("By month of registration")}  # fmt: skip
    rows_b = queries.breakdown(user, area, filters, by)  # type: ignore[arg-type]
    return (
        titles[by],
        [titles[by], *counts],
        [[r.label, *measured(r, *_MEASURES)] for r in rows_b],
    )


_STANDING = ("protected", "in_grace", "lapsed")
_MEASURES = ("registered", "eligible", "sponsored", "enrolled", "protected")  # per area, group


def write_table_xlsx(path: Path, user: User, area: Area, filters: Filters, name: str) -> int:
    title, header, rows = table_rows(user, area, filters, name)
    # A column with a number in it is numeric ("fewer than 5" in it stays text); data text such
    # as a name is never a formula (lindung.xlsx).
    columns = [
        Column(h, Kind.INTEGER if any(isinstance(r[i], int | float) for r in rows) else Kind.TEXT)
        for i, h in enumerate(header)
    ]
    with Workbook(path) as book:
        sheet = book.sheet(title.replace("/", "-"))  # Excel refuses / in a sheet's name
        sheet.text(0, 0, f"{title}: {area_name(area)}", book.bold)
        sheet.text(1, 0, _filter_line(filters))
        state = aggregates.state()
        if state.refreshed_at:
            sheet.text(
                2, 0, _("Data as of %(when)s") % {"when": format_datetime(state.refreshed_at)}
            )
        sheet.header(4, columns)
        for i, row in enumerate(rows, start=5):
            sheet.row(i, row)
    return len(rows)


# --- PDF ---------------------------------------------------------------------------------------


def _indicator_rows(
    figures: queries.Indicators, filters: Filters, on: datetime.date | None = None
) -> list[list[Any]]:
    """The indicators, the headline first: the workers protected on the fiscal year's
    protection day for counts of `on` (today, or the day of a snapshot; `aggregates`)."""
    rows: list[list[Any]] = []
    on = aggregates.protection_day(filters.fiscal_year, on)
    if on is not None:
        rows += [
            [_("Protected on %(date)s") % {"date": format_date(on)}, _cell(figures.protected)],
            [_("In grace (contributions unpaid, arrears allowed)"), _cell(figures.in_grace)],
            [_("Lapsed (contributions unpaid)"), _cell(figures.lapsed)],
        ]
    rows += [
        [_("Registered BPU workers"), _cell(figures.registered)],
        [_("Eligible under the active policy"), _cell(figures.eligible)],
        [_("Sponsored on the approved list"), _cell(figures.sponsored)],
        [_("Enrolled with BPJS Ketenagakerjaan"), _cell(figures.enrolled)],
        [_("Share of eligible workers covered"), _share(figures.covered_share)],
        [
            _("Contributions committed"),
            EMPTY if figures.cost is None else Rupiah(figures.cost),
        ],
    ]
    if figures.budget is not None:
        rows.append([_("Budget (pagu)"), Rupiah(figures.budget)])
    if figures.coverage_rate is not None:
        rows.append(
            [_("Sponsored ÷ estimated working population (%(year)s)")
             % {"year": figures.population_year}, _share(figures.coverage_rate)]
        )  # fmt: skip
    return rows


def population_year(codes: Sequence[str]) -> int | None:
    """The latest year with a population figure loaded for any of `codes` (the year each row's
    figure comes from: `queries.children` takes each area's latest)."""
    year = Population.objects.filter(region_id__in=list(codes)).aggregate(year=Max("year"))["year"]
    return int(year) if year is not None else None


def _draw_area_map(
    doc: Document, user: User, area: Area, filters: Filters, indicator: str, height: float,
    rows: Sequence[AreaRow], *, labels: bool,
) -> bool:  # fmt: skip
    """The children of `area` coloured by `indicator`, with its legend, in the shapes of the
    web map; the areas without a polygon named below it. False without boundaries (nothing
    drawn)."""
    codes = [row.code for row in rows]
    geometries = maps.shapes(codes)
    if not geometries:
        return False
    values = {row.code: maps.value_of(row, indicator) for row in rows}
    scale = maps.scale_for(values.values(), indicator)
    features = [
        (code, geometries[code], scale.color(values.get(code))) for code in codes
        if code in geometries
    ]  # fmt: skip
    legend_width = 130.0
    top = doc.y - 4
    bottom = top - height
    level = area.child_level
    names = {row.code: maps.map_label(row.name, level) for row in rows} if labels else None
    draw_map(doc.canvas, MARGIN, bottom, doc.width - legend_width, height, features,
             labels=names)  # fmt: skip
    described = maps.legend_of(scale, indicator)
    legend = [(i["low"], i["high"], i["color"]) for i in described["classes"]]
    x = MARGIN + doc.width - legend_width + 8
    title = f"{described['title']} ({described['unit']})"
    draw_legend(doc.canvas, x, top, legend, title=title)
    doc.y = bottom - 6
    unmapped = [row.name for row in rows if row.code not in geometries]
    if unmapped:
        doc.text(
            [_("Not on the map (no boundary is loaded): %(names)s. Their figures are in the "
               "table.") % {"names": ", ".join(unmapped)}]
        )  # fmt: skip
    return True


def write_summary_pdf(
    path: Path,
    user: User,
    area: Area,
    filters: Filters,
    indicator: str,
    on: datetime.date | None = None,
) -> int:
    """One page: the indicators, the map of the child areas, the best and the last.

    For a past date the figures are the snapshot of the last day recorded on or before it
    (occupation and sex filters do not apply there); for today or later, the current figures.
    """
    on = on or timezone.localdate()
    day = queries.snapshot_day(on) if on < timezone.localdate() else None
    title = _("Social security protection of vulnerable workers: %(area)s") % {
        "area": area_name(area)
    }
    with Document(path, header=title) as doc:
        doc.heading(title, size=13)
        if on < timezone.localdate() and day is None:
            doc.text(
                [_("No figures were recorded on or before %(date)s.") % {"date": format_date(on)}],
                align="center",
            )
            return doc.page
        figures = queries.indicators(user, area, filters, day)
        rows = queries.children(user, area, filters, day)
        when = day.taken_at if day else figures.state.refreshed_at
        lines = [
            _filter_line(filters),
            _("Report of %(date)s; data as of %(when)s")
            % {"date": format_date(on), "when": format_datetime(when)},
        ]
        if day is not None and (filters.occupation or filters.sex):
            lines.append(
                _("Occupation and sex are not kept for past dates: all workers are counted.")
            )
        doc.text(lines, align="center")
        doc.space()
        counted = day.day if day else figures.state.counted_on
        doc.table(
            [_("Indicator"), _("Value")], _indicator_rows(figures, filters, counted), stretch=False
        )
        _hidden_note(doc, user)
        doc.space()
        if rows:
            drawn = _draw_area_map(doc, user, area, filters, indicator, 300.0, rows, labels=True)
            if not drawn:
                doc.text([_("No boundaries are loaded: the areas are ranked in the table below.")])
            ranked = [r for r in rows if r.covered_share is not None]
            ranked.sort(key=lambda r: r.covered_share or 0, reverse=True)
            best, last = ranked[:TOP], ranked[-TOP:][::-1] if len(ranked) > TOP else []
            header = [_("Area"), _("Eligible"), _("Sponsored"), _("Share of eligible covered")]
            doc.heading(_("Highest share covered"), size=9, align="left")
            doc.table(header, [[r.name, _cell(r.eligible), _cell(r.sponsored),
                                _share(r.covered_share)] for r in best])  # fmt: skip
            if last:
                doc.heading(_("Lowest share covered"), size=9, align="left")
                doc.table(header, [[r.name, _cell(r.eligible), _cell(r.sponsored),
                                    _share(r.covered_share)] for r in last])  # fmt: skip
        return doc.page


def write_area_pdf(path: Path, user: User, area: Area, filters: Filters, indicator: str) -> int:
    """An area's child areas (a kecamatan's desa, a kabupaten's kecamatan, a province's
    kabupaten/kota): the map with their names, every child area's figures, the breakdowns."""
    figures = queries.indicators(user, area, filters)
    rows = queries.children(user, area, filters)
    title = _("Social security protection of vulnerable workers: %(area)s") % {
        "area": area_name(area)
    }
    with Document(path, header=title) as doc:
        doc.heading(title, size=13)
        doc.text([_filter_line(filters), _("Data as of %(when)s")
                  % {"when": format_datetime(figures.state.refreshed_at)}],
                 align="center")  # fmt: skip
        doc.space()
        doc.table(
            [_("Indicator"), _("Value")],
            _indicator_rows(figures, filters, figures.state.counted_on),
            stretch=False,
        )
        _hidden_note(doc, user)
        doc.space()
        if rows:
            _draw_area_map(doc, user, area, filters, indicator, 320.0, rows, labels=True)
            heading, header, table = table_rows(user, area, filters, "areas")
            doc.heading(heading, size=9, align="left")
            year = population_year([row.code for row in rows])
            # Name, the counts, the share covered, the cost (and the population): the code and
            # the last two columns of the table, cost and population, are left out or redone.
            cost = len(header) - 2
            if year is None:  # no population of these areas loaded: no empty column
                doc.table(header[1 : cost + 1], [[*r[1:cost], _money(r[cost])] for r in table])
            else:
                header[cost + 1] = _("Population (%(year)s)") % {"year": year}
                doc.table(
                    header[1:], [[*r[1:cost], _money(r[cost]), r[cost + 1] or EMPTY] for r in table]
                )
        for by in ("occupation", "sex", "age"):
            name, header, table = table_rows(user, area, filters, by)
            doc.heading(name, size=9, align="left")
            doc.table(header, table, stretch=False)
        return doc.page

"""What the dashboard page shows, built from `dashboard.queries`: the ranked areas, the links that
keep the page's filters (drill-down, map, XLSX, PDF, the worker list) and the labels, so that
the views only read the request and render.

    context = presenters.home_page(user, form)
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.billing.realisation_views import may_see_realisation
from lindung.dashboard import aggregates, alerts, maps, queries
from lindung.dashboard.forms import INDICATORS, FilterForm
from lindung.regions.models import Level, Region
from lindung.regions.scope import codes_for, contains
from lindung.roles import Capability

TABLES = ("areas", "sources", *queries.BREAKDOWNS)
KOTA_FROM = 71  # Kemendagri numbers the kota of a province from 71 (52.71 Mataram)


def link(name: str, form: FilterForm, **changes: str | int) -> str:
    """The URL of view `name` with the form's query string, some values changed."""
    params: dict[str, Any] = {
        key: value
        for key, value in (form.data.items() if hasattr(form.data, "items") else [])
        if key in form.fields and value not in ("", None)
    }
    params.update(dict(changes.items()))
    params = {key: value for key, value in params.items() if value not in ("", None)}
    return reverse(name) + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def trail(area: queries.Area, user: User, form: FilterForm) -> list[Crumb]:
    """The area's ancestors the user may open, top first, then the area itself (its link
    unused: the page shows it). A user of several kabupaten/kota starts from their top, the
    province, with the area left out of the link."""
    regions: list[Region] = []
    node: Region | None = area.region
    codes = codes_for(user)
    while node is not None and node.level >= Level.KABUPATEN_KOTA:
        if contains(codes, node.code):
            regions.append(node)
        node = node.parent if node.parent_id else None
    crumbs = [Crumb(r.name, link("dashboard:home", form, area=r.code)) for r in reversed(regions)]
    if len(codes) > 1:
        top = area
        if area.region is not None:  # the walk up ended on the province (read once)
            whole = node is not None and all(contains([node.code], code) for code in codes)
            top = queries.Area(None, tuple(sorted(codes)), node if whole else None)
        crumbs.insert(0, Crumb(queries.area_title(top), link("dashboard:home", form, area="")))
    return crumbs


def workers_url(user: User, area: queries.Area, filters: queries.Filters) -> str:
    """The worker list of a kecamatan or desa, for roles that see persons."""
    if not queries.sees_persons(user) or area.region is None:
        return ""
    params: dict[str, str] = {}
    if area.level == Level.DESA_KELURAHAN:
        params = {"kecamatan": area.code.rsplit(".", 1)[0], "desa": area.code}
    elif area.level == Level.KECAMATAN:
        params = {"kecamatan": area.code}
    else:
        return ""
    if filters.occupation:
        params["occupation"] = filters.occupation
    return reverse("registry:worker-list") + "?" + urlencode(params)


def area_pdf(area: queries.Area, form: FilterForm) -> dict[str, str]:
    """The link to the area's report with its child areas: `url` ("" for a desa, which has
    none), the button's `label` and its `testid`."""
    if area.child_level is None:
        return {"url": "", "label": "", "testid": ""}
    if area.region is not None and area.level == Level.KECAMATAN:
        return {
            "url": link("dashboard:kecamatan-pdf", form),
            "label": _("Report of this kecamatan (PDF)"),
            "testid": "kecamatan-pdf",
        }
    if area.region is not None:
        label = _("Report of this kabupaten/kota (PDF)")
    elif area.province is not None:
        label = _("Report of the province (PDF)")
    else:
        label = _("Report of all kabupaten/kota (PDF)")
    return {"url": link("dashboard:area-pdf", form), "label": label, "testid": "area-pdf"}


def summary_label(area: queries.Area) -> str:
    """The summary's button: for the Bupati, or the Wali Kota of a kota (its code's second part
    from 71: 52.71 Mataram), or the Governor of a province."""
    if area.region is None:
        if area.province is not None:
            return _("Summary for the Governor (PDF)")
        return _("Summary for the leadership (PDF)")
    parts = area.code.split(".")
    if len(parts) > 1 and int(parts[1]) >= KOTA_FROM:
        return _("Summary for the Wali Kota (PDF)")
    return _("Summary for the Bupati (PDF)")


def home_page(user: User, form: FilterForm) -> dict[str, Any]:
    """The context of the dashboard page for the form's area and filters."""
    area = queries.resolve_area(user, form.area_code())
    filters = form.filters()
    figures = queries.indicators(user, area, filters)
    rows = queries.children(user, area, filters)
    indicator = form.indicator()
    ranked = sorted(rows, key=lambda r: maps.value_of(r, indicator) or -1, reverse=True)
    charts = {by: queries.breakdown(user, area, filters, by) for by in queries.BREAKDOWN_NAMES}
    mapped = maps.mapped_codes(area, rows)
    today = timezone.localdate()
    counted_on = figures.state.counted_on
    day = aggregates.protection_day(filters.fiscal_year, counted_on)
    protection = day is not None
    return {
        "form": form,
        "area": area,
        "title": queries.area_title(area),
        "trail": trail(area, user, form),
        "filters": filters,
        "figures": figures,
        "rows": ranked,
        "indicator": indicator,
        "indicator_label": dict(INDICATORS).get(indicator, indicator),
        "has_map": bool(mapped),
        # the child areas without a polygon: named beside the map, listed in the table
        "unmapped": [row.name for row in rows if row.code not in mapped] if mapped else [],
        "is_province": area.region is None,
        "is_desa": area.region is not None and area.level == Level.DESA_KELURAHAN,
        "legend": maps.legend_for(rows, indicator),
        "map_url": link("dashboard:map", form),
        "chart_data": {by: maps.chart_data(by, charts[by], protection=protection) for by in charts},
        "areas_chart": maps.areas_chart(rows),
        "trend_chart": maps.trend_chart(queries.trend(user, area, filters)),
        "charts": charts,
        "drill": {row.code: link("dashboard:home", form, area=row.code) for row in rows},
        "workers_url": workers_url(user, area, filters),
        "xlsx": {table: link("dashboard:table", form, tabel=table) for table in TABLES},
        "summary_pdf": link("dashboard:summary-pdf", form),
        "summary_label": summary_label(area),
        "area_pdf": area_pdf(area, form),
        "can_refresh": user.can(Capability.CONFIGURE),
        "sees_persons": queries.sees_persons(user),
        "today": today,
        # "Protected today" counts the fiscal year of the day counted only (`aggregates`).
        "protection_day": day,
        "shows_protection": protection,
        "alerts": alerts.panel(user, figures.state),
        "realisation_url": (
            f"{reverse('billing:realisation')}?tahun={filters.fiscal_year}"
            if may_see_realisation(user)
            else ""
        ),
    }

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lindung.decorators import user_of
from lindung.regions.models import Level
from lindung.regions.queries import child_rows, get_region_for, home_regions
from lindung.regions.scope import deployment_codes


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The deployment's kecamatan (or the operator's own region) with counts and population."""
    user = user_of(request)
    tops = home_regions(user)
    if len(tops) == 1 and tops[0].level >= Level.KECAMATAN:
        return redirect("regions:region-detail", code=tops[0].code)
    rows = child_rows(user, [r.code for r in tops])
    return render(
        request,
        "regions/home.html",
        {
            "tops": tops,
            "rows": rows,
            "configured": bool(tops) or bool(deployment_codes()),
            "total_children": sum(r.children for r in rows),
            "total_desa": sum(r.desa for r in rows),
            "total_kelurahan": sum(r.kelurahan for r in rows),
            "total_population": sum(r.population or 0 for r in rows) if rows else None,
        },
    )


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = user_of(request)
    region = get_region_for(user, code)
    rows = child_rows(user, [region.code])
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "rows": rows,
            "population": region.populations.order_by("-year").first(),
        },
    )

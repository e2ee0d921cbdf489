from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lindung.decorators import require, user_of
from lindung.regions import services
from lindung.regions.forms import DecreeSettingsForm
from lindung.regions.models import Deployment, Level
from lindung.regions.queries import child_rows, get_region_for, home_regions
from lindung.regions.scope import codes_for, contains, deployment_codes
from lindung.regions.working import for_kabupaten
from lindung.roles import Capability


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
            # A desa operator does not see their kecamatan: no link to a 404.
            "parent_visible": region.parent_id is not None
            and contains(codes_for(user), region.parent_id),
        },
    )


@require(Capability.CONFIGURE)
@for_kabupaten
def decree_settings(request: HttpRequest, kabupaten: str) -> HttpResponse:
    """The head of region's title and name, the place of signing and the default subject that
    the lampiran of every approved list of the kabupaten/kota prints."""
    deployment = get_object_or_404(Deployment, pk=1)
    form = DecreeSettingsForm(request.POST or None, initial=deployment.decree_for(kabupaten))
    if request.method == "POST" and form.is_valid():
        services.update_decree_settings(
            by=user_of(request), kabupaten=kabupaten, **form.cleaned_data
        )
        messages.success(request, _("Decree settings saved."))
        return redirect("regions:decree-settings")
    office = Deployment.objects.get(pk=1).head_of_region(kabupaten)
    return render(request, "regions/decree_settings.html", {"form": form, "office": office})

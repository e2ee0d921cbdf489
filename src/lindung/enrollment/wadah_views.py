"""The wadah pages (CONFIGURE): the list, and one form for a new or a changed wadah.

A wadah's contacts and layout are the Dinas's settings, saved through `services.save_wadah`
(audited); its code names the batches' files, so it cannot change once a batch was made.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lindung.decorators import require, user_of
from lindung.enrollment import layout, services
from lindung.enrollment.admin_forms import WadahForm, source_labels
from lindung.enrollment.models import Wadah
from lindung.regions.models import Region
from lindung.regions.working import for_kabupaten
from lindung.roles import Capability


@require(Capability.CONFIGURE)
@for_kabupaten
def wadah_list(request: HttpRequest, kabupaten: str) -> HttpResponse:
    """The wadah of the kabupaten/kota the user works on (each funds its own)."""
    wadah = list(
        Wadah.objects.filter(kabupaten=kabupaten).annotate(
            participations_count=Count("participations")
        )
    )
    areas = {w.area for w in wadah if w.area}
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=areas)}
    context = {"wadah_list": wadah, "labels": source_labels(kabupaten), "area_names": names}
    return render(request, "enrollment/wadah_list.html", context)


@require(Capability.CONFIGURE)
@for_kabupaten
def wadah_edit(request: HttpRequest, kabupaten: str, pk: int | None = None) -> HttpResponse:
    wadah = get_object_or_404(Wadah, pk=pk, kabupaten=kabupaten) if pk is not None else None
    user = user_of(request)
    form = WadahForm(
        request.POST if request.method == "POST" else None,
        by=user,
        wadah=wadah,
        kabupaten=kabupaten,
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "kabupaten": kabupaten}
        saved = services.save_wadah(by=user, wadah=wadah, data=data)
        messages.success(request, _("Wadah %(code)s saved.") % {"code": saved.code})
        return redirect("enrollment:wadah-list")
    context = {
        "form": form,
        "wadah": wadah,
        "default_layout": layout.layout_text(layout.default_layout()),
        "has_batches": form.fields["code"].disabled,
    }
    return render(request, "enrollment/wadah_form.html", context)

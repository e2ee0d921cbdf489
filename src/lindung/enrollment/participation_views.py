"""The participations of the user's wilayah, filtered and paged, with the changes a person makes.

Everyone who sees persons reads the list (accounts.person_level), within their area
(`queries.visible_participations`); ending a participation (died, moved out, …) and proposing
a rejected worker again need ENROLL and EDIT_DATA. A participation outside the user's area is
a 404; a refused change is a message, never a server error.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.decorators import require, user_of
from lindung.enrollment import queries, services
from lindung.enrollment.admin_forms import (
    END_CHOICES,
    EndForm,
    ParticipationFilterForm,
    source_labels,
)
from lindung.enrollment.models import Participation
from lindung.enrollment.states import TransitionError
from lindung.htmx import HtmxHttpRequest
from lindung.regions.models import Region
from lindung.registry.queries import page_links
from lindung.roles import Capability

PAGE_SIZE = 50


def can_change(user: User) -> bool:
    return user.can(Capability.ENROLL) and user.can(Capability.EDIT_DATA)


@require(Capability.VIEW_PERSONS)
def participation_list(request: HtmxHttpRequest) -> HttpResponse:
    user = user_of(request)
    visible = queries.visible_participations(user)
    years = list(visible.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())
    data = request.GET.copy()
    if "year" not in data and years:  # the latest year unless another (or all) is chosen
        data["year"] = str(years[0])
    labels = source_labels()
    form = ParticipationFilterForm(data, by=user, years=years, labels=labels)
    rows = (
        form.apply(visible)
        .select_related("wadah")
        .order_by("kecamatan_id", "desa_id", "name", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    desa_ids = {p.desa_id for p in page}
    context = {
        "form": form,
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "labels": labels,
        "desa_names": {r.code: r.display_name for r in Region.objects.filter(code__in=desa_ids)},
        "can_change": can_change(user),
        "end_choices": END_CHOICES,
        "back": request.GET.urlencode(),
    }
    template = "enrollment/participation_list.html" + ("#table" if request.htmx else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _get_participation(user: User, pk: int) -> Participation:
    participation = queries.visible_participations(user).filter(pk=pk).first()
    if participation is None:
        raise Http404
    return participation


def _back(request: HttpRequest) -> HttpResponse:
    """To the list as it was filtered (the query string re-encoded: never another address)."""
    back = QueryDict(request.POST.get("back", "")).urlencode()
    return redirect(reverse("enrollment:participation-list") + ("?" + back if back else ""))


@require(Capability.ENROLL)
@require(Capability.EDIT_DATA)
@require_POST
def participation_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    participation = _get_participation(user, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the participation ends."))
        return _back(request)
    try:
        services.end_participation(
            by=user, participation=participation, reason=form.cleaned_data["reason"]
        )
    except (TransitionError, services.EnrollmentError) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The participation of %(name)s has ended.") % {"name": participation.name}
        )
    return _back(request)


@require(Capability.ENROLL)
@require(Capability.EDIT_DATA)
@require_POST
def participation_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    participation = _get_participation(user, pk)
    try:
        services.resubmit(by=user, participation=participation)
    except (TransitionError, services.EnrollmentError) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is a candidate again, for the next registration batch.")
            % {"name": participation.name},
        )
    return _back(request)

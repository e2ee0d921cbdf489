"""The home page ("/", and where login lands): each role starts at its own work.

- roles without person-level access (pimpinan) and the provincial officer go to the dashboard;
- readers of the audit log who do not edit (auditor) go to the audit log;
- editing roles (operators, admin) get the work overview of their wilayah, with its enrollment:
  admin and the regency operators the candidates to submit, the batches and answers waiting and
  the rejected participations to look at; area operators their area's participations per state;
- the other readers of persons (BPJS) get the batches waiting for the branch's answer, the
  answers waiting for a decision, and the approved lists in force and their changes.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from lindung.decorators import user_of
from lindung.home import queries
from lindung.regions.models import Level
from lindung.regions.scope import codes_for
from lindung.roles import Capability, Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not user.can(Capability.VIEW_PERSONS) or user.role == Role.PROVINSI:
        return redirect("dashboard:home")
    if user.can(Capability.VIEW_AUDIT) and not user.can(Capability.EDIT_DATA):
        return redirect("audit:event-list")
    if not codes_for(user):  # not set up yet, or a region outside the deployment
        return redirect("regions:home")
    lists = queries.lists_in_force(user)
    edits = user.can(Capability.EDIT_DATA)
    enrollment = queries.enrollment_work(user, participations=edits, batches=not edits)
    if not edits:
        return render(request, "home/lists.html", {"lists": lists, "enrollment": enrollment})
    context = {
        "work": queries.registry_work(user, timezone.localdate()),
        "enrollment": enrollment,
        "enrolls": user.can(Capability.ENROLL),
        "claims": queries.claims_work(user) if user.can(Capability.CLAIM) else None,
        "lists": lists,
        "year": timezone.localdate().year,
        "area": user.region,
        "is_kecamatan": user.region is not None and user.region.level == Level.KECAMATAN,
    }
    if user.can(Capability.CONFIGURE):
        context["configure"] = True
        context["policy"] = queries.latest_policy(user)
        context["scenarios"] = queries.latest_scenarios(user)
    return render(request, "home/work.html", context)

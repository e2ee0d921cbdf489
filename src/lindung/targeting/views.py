from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.decorators import require, user_of
from lindung.formats import format_number
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.models import ACTIVE, Job, JobStatus
from lindung.jobs.views import respond_with_job
from lindung.regions.scope import kabupaten_for
from lindung.regions.working import for_kabupaten
from lindung.roles import Capability
from lindung.rules.policy import active_policy
from lindung.targeting import queries
from lindung.targeting.approval import ListError, approval_problems, approve, changed_since
from lindung.targeting.background import (
    SCENARIO_RUN,
    start_scenario_lampiran,
    start_scenario_run,
)
from lindung.targeting.forms import ApproveForm, RunForm
from lindung.targeting.lists import current_list, source_labels
from lindung.targeting.models import BeneficiaryList, Scenario

EXTRA_BUDGET = 1_000_000_000  # "how many more would Rp1 M cover"


def _scenarios(request: HttpRequest) -> QuerySet[Scenario]:
    """The scenarios of the kabupaten/kota the user works in (another's are not found)."""
    return Scenario.objects.filter(kabupaten__in=kabupaten_for(user_of(request)))


@require(Capability.CONFIGURE)
@for_kabupaten
def scenario_list(request: HtmxHttpRequest, kabupaten: str) -> HttpResponse:
    """The kabupaten/kota's scenarios, and the form that runs one as a background job: the page
    shows its progress, then the scenario (a second click while it runs shows the same run)."""
    policy, version = active_policy(kabupaten)
    initial = {"fiscal_year": timezone.localdate().year + 1}
    form = RunForm(request.POST or None, policy=policy, initial=initial)
    user = user_of(request)
    if request.method == "POST" and form.is_valid():
        job = start_scenario_run(
            by=user,
            params={
                "fiscal_year": form.cleaned_data["fiscal_year"],
                "budgets": form.budgets(),
                "policy_number": version.number if version else None,
                "name": form.cleaned_data["name"],
                "supplement": form.cleaned_data["supplement"],
                "kabupaten": kabupaten,
            },
        )
        if job.status != JobStatus.FAILED:
            return respond_with_job(request, job)
        # It failed at once (jobs that run in the request): the message goes on the form.
        form.add_error(None, job.error)
    scenarios = Scenario.objects.filter(kabupaten=kabupaten).select_related(
        "policy_version", "created_by"
    )[:50]
    running = Job.objects.filter(kind=SCENARIO_RUN, started_by=user, status__in=ACTIVE).first()
    context = {"form": form, "scenarios": scenarios, "version": version, "running": running}
    if request.htmx and request.method == "POST":
        # A refused form in place of the run's box; the form itself is shown again.
        return render(request, "targeting/scenario_list.html#run-form", context)
    return render(request, "targeting/scenario_list.html", context)


@require(Capability.CONFIGURE)
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(
        _scenarios(request).select_related("policy_version", "base_list"), pk=pk
    )
    names = queries.kecamatan_names(list(scenario.by_kecamatan))
    approved = BeneficiaryList.objects.filter(scenario=scenario).first()
    context = {
        "scenario": scenario,
        "kecamatan": [
            (names.get(code, code), figures)
            for code, figures in sorted(scenario.by_kecamatan.items())
        ],
        "breakdowns": {name: queries.breakdown(scenario, name) for name in queries.BREAKDOWNS},
        "cost_per_worker": queries.cost_per_worker(scenario),
        "extra_budget": EXTRA_BUDGET,
        "extra_covers": queries.extra_budget_covers(scenario, EXTRA_BUDGET),
        "projection": queries.projection(scenario),
        "approved": approved,
        "can_approve": approved is None and user_of(request).can(Capability.APPROVE),
        "notes": _notes(scenario),
        "source_names": source_labels(scenario),  # apbd → APBD, as the policy names them
    }
    return render(request, "targeting/scenario_detail.html", context)


def _notes(scenario: Scenario) -> list[str]:
    """The scenario's notes as sentences in the reader's language."""
    sentences = []
    for note in scenario.notes:
        if note.get("code") == "proportional":
            sentences.append(
                _(
                    "Each kecamatan was guaranteed its population share of %(covered)s workers "
                    "(at most its eligible workers); the rest went by priority."
                )
                % {"covered": format_number(note.get("covered", 0))}
            )
        elif note.get("code") == "no_population":
            names = queries.kecamatan_names(list(note.get("kecamatan", [])))
            sentences.append(
                _("No population figure for %(kecamatan)s: no proportional share was set there.")
                % {"kecamatan": ", ".join(names.get(c, c) for c in note.get("kecamatan", []))}
            )
    return sentences


@require(Capability.CONFIGURE)
def scenario_compare(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.GET.getlist("s") if i.isdigit()][:4]
    scenarios = list(_scenarios(request).filter(pk__in=ids).order_by("pk"))
    if len(scenarios) < 2:
        messages.error(request, _("Choose two or more scenarios to compare."))
        return redirect("targeting:scenario-list")
    return render(
        request,
        "targeting/scenario_compare.html",
        {"scenarios": scenarios, "tables": queries.compare(scenarios)},
    )


@require(Capability.CONFIGURE)
@require_POST
def scenario_lampiran(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The scenario's draft list as XLSX, written by a background job: its progress box, then a
    download link."""
    scenario = get_object_or_404(_scenarios(request), pk=pk)
    return respond_with_job(
        request, start_scenario_lampiran(by=user_of(request), scenario=scenario)
    )


@require(Capability.APPROVE)
def scenario_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and approve a scenario as the year's beneficiary list."""
    scenario = get_object_or_404(_scenarios(request).select_related("base_list"), pk=pk)
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approved = approve(
                by=user_of(request),
                scenario=scenario,
                decree=form.cleaned_data["decree"],
                note=form.cleaned_data["note"],
            )
        except ListError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Approved as beneficiary list %(number)s.") % {"number": approved.number},
            )
            return redirect("targeting:list-detail", number=approved.number)
    context = {
        "scenario": scenario,
        "form": form,
        "problems": approval_problems(scenario),
        "changed": changed_since(scenario),
        "current": current_list(scenario.fiscal_year, scenario.kabupaten),
    }
    return render(request, "targeting/scenario_approve.html", context)

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.audit.services import diff
from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.regions.scope import kabupaten_for
from lindung.regions.working import for_kabupaten
from lindung.registry.queries import get_worker_for
from lindung.roles import Capability
from lindung.rules import calculators, policy, previews, services
from lindung.rules.data_files import to_toml
from lindung.rules.forms import CalculatorForm, NominationForm, PolicyForms, VersionForm
from lindung.rules.models import PolicyVersion
from lindung.rules.national import RulesError, history, rules_for
from lindung.rules.policy import flatten


def calculator(request: HtmxHttpRequest) -> HttpResponse:
    """Public: what a BPU worker pays and what the programs pay out. No login needed."""
    form = CalculatorForm(request.GET if "income" in request.GET else CalculatorForm.defaults())
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["result"] = calculators.contribution(
                data["income"],
                programs=data["programs"],
                month=data["month"],
                funding=data["funding"],
                sector=data["sector"] or None,
                months=data["months"],
            )
            context["levelled"] = context["result"].income != data["income"]
            context["benefits"] = _benefits(form, data["month"])
        except RulesError as error:
            form.add_error(None, error.message)
    template = "rules/calculator.html" + ("#calculator-result" if request.htmx else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _benefits(form: CalculatorForm, day: datetime.date) -> list[calculators.Benefit]:
    """The benefits for the form's income, children and body parts, under the rules of `day`."""
    data = form.cleaned_data
    rules = rules_for(day)
    income, children = data["income"], form.children
    benefits = [
        calculators.benefit(
            "jkm", contribution_years=data["contribution_years"], children=children, rules=rules
        ),
        calculators.benefit("jkk-death", income=income, children=children, rules=rules),
        calculators.benefit("jkk-disability", income=income, children=children, rules=rules),
    ]
    if data["parts"]:
        benefits.append(
            calculators.benefit("jkk-disability", income=income, parts=data["parts"], rules=rules)
        )
    months_off = data["months_off"] or 12
    benefits.append(calculators.benefit("stmb", income=income, months=months_off, rules=rules))
    return benefits


@require(Capability.CONFIGURE)
def version_list(request: HttpRequest) -> HttpResponse:
    versions = list(reversed(history()))
    return render(request, "rules/version_list.html", {"versions": versions})


@require(Capability.CONFIGURE)
def version_add(request: HttpRequest) -> HttpResponse:
    latest = history()[-1]
    # The copy's notes are the latest version's: its Indonesian note is left out so that the new
    # version's own note (in any language) is the one shown.
    copied = {key: value for key, value in latest.data.items() if key != "note_id"}
    form = VersionForm(request.POST or None, initial={"text": to_toml(copied)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["text"]
        try:
            effective_from = data["effective_from"]
            if not isinstance(effective_from, datetime.date):
                raise RulesError(_("effective_from must be a date such as 2026-07-01."))
            version = services.add_rule_version(
                by=user_of(request),
                effective_from=effective_from,
                data=data,
                note=form.cleaned_data["note"],
            )
        except RulesError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("Version %(name)s saved.") % {"name": version.version})
            return redirect("rules:version-list")
    return render(request, "rules/version_form.html", {"form": form, "latest": latest})


# --- the regency policy (Perbup) ------------------------------------------------------------------


@require(Capability.CONFIGURE)
@for_kabupaten
def policy_list(request: HttpRequest, kabupaten: str) -> HttpResponse:
    versions = list(
        PolicyVersion.objects.filter(kabupaten=kabupaten)
        .select_related("created_by")
        .order_by("-number")
    )
    return render(request, "rules/policy_list.html", {"versions": versions})


@require(Capability.CONFIGURE)
def policy_detail(request: HttpRequest, number: int) -> HttpResponse:
    # Another kabupaten/kota's policy is not found: its admins run it.
    mine = PolicyVersion.objects.filter(kabupaten__in=kabupaten_for(user_of(request)))
    version = get_object_or_404(mine, number=number)
    own = PolicyVersion.objects.filter(kabupaten=version.kabupaten)
    previous = own.filter(number__lt=number).order_by("-number").first()
    before, after = diff(flatten(previous.data) if previous else {}, flatten(version.data))
    changes = [(key, before.get(key), after.get(key)) for key in sorted({*before, *after})]
    context = {
        "version": version,
        "policy": policy.policy_of(version.data, version.kabupaten),
        "previous": previous,
        "changes": changes,
        "latest": own.order_by("-number").values_list("number", flat=True)[0],
    }
    return render(request, "rules/policy_detail.html", context)


@require(Capability.CONFIGURE)
@for_kabupaten
def policy_edit(request: HttpRequest, kabupaten: str) -> HttpResponse:
    """Save a new version from the form, starting from the kabupaten/kota's active policy."""
    current, active = policy.active_policy(kabupaten)
    forms = PolicyForms(
        request.POST or None,
        policy=current,
        user=user_of(request),
        name=active.name if active else "",
    )
    if request.method == "POST" and forms.is_valid():
        try:
            version = services.save_policy_version(
                by=user_of(request),
                data=forms.policy_data(),
                name=forms.form.cleaned_data["name"],
                note=forms.form.cleaned_data["note"],
                kabupaten=kabupaten,
            )
        except RulesError as error:
            forms.form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Policy version %(number)s saved.") % {"number": version.number}
            )
            return redirect("rules:policy-detail", number=version.number)
    return render(request, "rules/policy_form.html", {"forms": forms, "active": active})


@require(Capability.CONFIGURE)
@require_POST
@for_kabupaten
def policy_preview(request: HtmxHttpRequest, kabupaten: str) -> HttpResponse:
    """How many registry workers the form's (unsaved) policy makes eligible, per source and per
    failed criterion. htmx gets the preview partial; without JavaScript, the whole form page."""
    current, active = policy.active_policy(kabupaten)
    forms = PolicyForms(request.POST, policy=current, user=user_of(request))
    preview = _preview(forms, current, kabupaten)
    context: dict[str, Any] = {"forms": forms, "active": active, "preview": preview}
    partial = "#policy-preview" if request.htmx else ""
    return render(request, "rules/policy_form.html" + partial, context)


def _preview(forms: PolicyForms, current: policy.Policy, kabupaten: str) -> dict[str, Any]:
    """The draft's eligible workers, budgets and the workers they pay for, each beside the
    active policy's (`current`) and the difference; or what is wrong with the form."""
    if not forms.is_valid():
        return {"error": _("Correct the form to see the preview."), "problems": forms.problems()}
    codes = policy.deployment(kabupaten)
    try:
        draft = policy.Policy.from_data(
            forms.policy_data(), deployment=codes, known_areas=policy.known_areas(codes)
        )
    except RulesError as error:
        return {"error": error.message}
    year = forms.form.cleaned_data["fiscal_year"]
    return {"fiscal_year": year, **previews.compare(draft, current, year)}


@require(Capability.EDIT_DATA)
@require_POST
def nominate_worker(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate a worker of the operator's wilayah; back to the worker's page either way."""
    user = user_of(request)
    worker = get_worker_for(user, pk)  # Http404 outside the operator's wilayah
    form = NominationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the fiscal year and the reason for the nomination."))
    else:
        try:
            services.nominate(
                by=user,
                worker=worker,
                fiscal_year=form.cleaned_data["fiscal_year"],
                reason=form.cleaned_data["reason"],
            )
        except RulesError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Nominated for %(year)s.") % {"year": form.cleaned_data["fiscal_year"]},
            )
    return redirect("registry:worker-detail", pk=worker.pk)

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from lindung.accounts.decorators import require, user_of
from lindung.accounts.roles import Capability
from lindung.rules import calculators, services
from lindung.rules.forms import CalculatorForm, VersionForm
from lindung.rules.national import RulesError, history, rules_for, to_toml


def calculator(request: HttpRequest) -> HttpResponse:
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
            context["benefits"] = _benefits(data["income"], data["months_off"] or 12, data["month"])
        except RulesError as error:
            form.add_error(None, error.message)
    htmx = getattr(request, "htmx", False)
    template = "rules/calculator.html" + ("#calculator-result" if htmx else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _benefits(income: int, months_off: int, day: datetime.date) -> list[calculators.Benefit]:
    rules = rules_for(day)
    return [
        calculators.benefit("jkm", rules=rules),
        calculators.benefit("jkk-death", income=income, rules=rules),
        calculators.benefit("jkk-disability", income=income, rules=rules),
        calculators.benefit("stmb", income=income, months=months_off, rules=rules),
    ]


@require(Capability.CONFIGURE)
def version_list(request: HttpRequest) -> HttpResponse:
    versions = list(reversed(history()))
    return render(request, "rules/version_list.html", {"versions": versions})


@require(Capability.CONFIGURE)
def version_add(request: HttpRequest) -> HttpResponse:
    latest = history()[-1]
    form = VersionForm(request.POST or None, initial={"text": to_toml(latest.data)})
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

"""The claims pages: the list with the worklist, reporting a death or an accident from the
worker's page, an event with the ledger's verdict, a claim with its amount, documents, heirs,
deadlines and the steps to BPJS.

Reading needs VIEW_PERSONS and goes through the user's wilayah (`queries`); a claim outside it
is a 404. Changing needs CLAIM. Each change is a POST that calls one service; a refusal
(`ClaimError`) is shown in the user's language and changes nothing."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.claims import deadlines, queries, services, states
from lindung.claims.exports import write_claims
from lindung.claims.forms import (
    ClaimFilterForm,
    FileForm,
    HeirFormSet,
    OpenClaimForm,
    PaidForm,
    RejectForm,
    ReportForm,
    SubmitForm,
)
from lindung.claims.models import Claim, ClaimKind, ClaimState, Event, Verdict
from lindung.claims.rules import current as claim_rules
from lindung.claims.states import ClaimError
from lindung.decorators import require, user_of
from lindung.regions import scope
from lindung.registry.queries import get_worker_for, page_links
from lindung.roles import Capability
from lindung.ui.downloads import send_file

S = ClaimState
PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[ClaimFilterForm, QuerySet[Claim]]:
    """The visible claims with the list's filters (the query string) applied."""
    claims = queries.visible_claims(user_of(request))
    form = ClaimFilterForm(request.GET or None, years=queries.years(claims))
    if form.is_valid():
        if form.cleaned_data.get("tahun"):
            claims = claims.filter(fiscal_year=form.cleaned_data["tahun"])
        if form.cleaned_data.get("status"):
            claims = claims.filter(state=form.cleaned_data["status"])
        if form.cleaned_data.get("jenis"):
            claims = claims.filter(kind=form.cleaned_data["jenis"])
    return form, claims


@require(Capability.VIEW_PERSONS)
def claim_export(request: HttpRequest) -> FileResponse:
    """The claims of the list's filters as XLSX; the export is audited (who, which filters,
    how many rows), as the registry's is."""
    user = user_of(request)
    _form, shown = _filtered(request)
    shown = shown.order_by("fiscal_year", "number")
    see_nik = user.can(Capability.VIEW_NIK)
    filters = {k: str(request.GET[k]) for k in ("tahun", "status", "jenis") if request.GET.get(k)}

    def write(path: Path) -> None:
        rows = write_claims(path, shown.iterator(chunk_size=2000), see_nik=see_nik)
        services.record_export(by=user, filters=filters, rows=rows)

    return send_file("klaim.xlsx", write)


@require(Capability.VIEW_PERSONS)
def claim_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    claims = queries.visible_claims(user)
    events = queries.visible_events(user)
    form, shown = _filtered(request)
    page = Paginator(shown.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "worklist": {
            "deaths": list(deadlines.deaths_without_claim(events)[:20]),
            "incomplete": list(deadlines.incomplete(claims)[:20]),
            "bpjs_late": list(deadlines.bpjs_late(claims)[:20]),
            "forms_late": deadlines.forms_late(claims)[:20],
        },
        "recent_events": list(events.order_by("-reported_at", "-pk")[:10]),
        "days": claim_rules().death_without_claim_days,
        "can_claim": user.can(Capability.CLAIM),
        "can_import": user.can(Capability.CLAIM)
        and scope.is_whole_deployment(scope.codes_for(user)),
    }
    return render(request, "claims/claim_list.html", context)


@require(Capability.CLAIM)
def event_report(request: HttpRequest, worker_pk: int) -> HttpResponse:
    user = user_of(request)
    if not user.can(Capability.VIEW_PERSONS):
        raise Http404
    worker = get_worker_for(user, worker_pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.report_event(by=user, worker=worker, **form.cleaned_data)
        except ClaimError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Reported. The ledger's answer is below."))
            return redirect("claims:event-detail", pk=event.pk)
    return render(request, "claims/event_report.html", {"form": form, "worker": worker})


def _event_for(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(queries.visible_events(user_of(request)), pk=pk)


@require(Capability.VIEW_PERSONS)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    return _event_page(request, event, None)


def _event_page(request: HttpRequest, event: Event, form: OpenClaimForm | None) -> HttpResponse:
    user = user_of(request)
    claimed = set(event.claims.exclude(state=S.DITOLAK).values_list("kind", flat=True))
    kinds = [k for k in services.KINDS_FOR.get((event.kind, event.cause), ()) if k not in claimed]
    if form is None and kinds and user.can(Capability.CLAIM):
        form = OpenClaimForm(kinds=list(kinds))
    context = {
        "event": event,
        "claims": list(event.claims.order_by("pk")),
        "open_form": form if user.can(Capability.CLAIM) else None,
        "protected": event.verdict == Verdict.PROTECTED,
        "in_grace": event.verdict == Verdict.IN_GRACE,
    }
    return render(request, "claims/event_detail.html", context)


@require(Capability.CLAIM)
@require_POST
def claim_open(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    kinds = list(services.KINDS_FOR.get((event.kind, event.cause), ()))
    form = OpenClaimForm(request.POST, kinds=kinds)
    if form.is_valid():
        try:
            claim = services.open_claim(
                by=user_of(request),
                event=event,
                kind=form.cleaned_data["kind"],
                months_off=form.cleaned_data.get("months_off"),
            )
        except ClaimError as error:
            form.add_error(None, str(error))
        else:
            return redirect("claims:claim-detail", pk=claim.pk)
    return _event_page(request, event, form)


def _claim_for(request: HttpRequest, pk: int) -> Claim:
    return get_object_or_404(queries.visible_claims(user_of(request)), pk=pk)


def _file_form(claim: Claim, data: Any = None) -> FileForm:
    road = claim.event.cause == "commuting"
    documents = claim_rules().documents_for(claim.kind, road=road)
    initial = {
        "documents": [c for c, _l in documents if (claim.documents or {}).get(c)],
        "kk1_sent_at": claim.kk1_sent_at,
        "kk2_sent_at": claim.kk2_sent_at,
        "doctor_statement_on": claim.doctor_statement_on,
        "months_off": claim.months_off,
        "note": claim.note,
    }
    return FileForm(
        data,
        initial=initial,
        documents=documents,
        jkk=claim.kind in deadlines.JKK_KINDS,
        stmb=claim.kind == ClaimKind.STMB,
    )


def _heir_forms(claim: Claim, data: Any = None) -> Any:
    initial = [
        {
            "relation": h.relation,
            "name": h.name,
            "nik": h.nik,
            "birth_date": h.birth_date,
            "school_level": h.school_level,
        }
        for h in claim.heirs.order_by("pk")
    ]
    return HeirFormSet(data, initial=initial, prefix="ahli")


@require(Capability.VIEW_PERSONS)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _claim_page(request, _claim_for(request, pk))


def _claim_page(request: HttpRequest, claim: Claim, **forms: Any) -> HttpResponse:
    user = user_of(request)
    can = user.can(Capability.CLAIM)
    editable = can and claim.state in (S.DILAPORKAN, S.BERKAS_LENGKAP)
    death = claim.kind in services.DEATH_KINDS
    context = {
        "claim": claim,
        "event": claim.event,
        "heirs": list(claim.heirs.order_by("pk")),
        "missing": services.missing_documents(claim),
        "deadlines": deadlines.for_claim(claim),
        "death": death,
        "file_form": forms.get("file_form") or (_file_form(claim) if editable else None),
        "heir_forms": (
            forms.get("heir_forms") or (_heir_forms(claim) if editable and death else None)
        ),
        "complete": can and claim.state == S.DILAPORKAN,
        "complete_error": forms.get("complete_error"),
        "submit_form": forms.get("submit_form")
        or (SubmitForm() if can and claim.state == S.BERKAS_LENGKAP else None),
        "paid_form": forms.get("paid_form")
        or (
            PaidForm(initial={"amount": claim.expected_amount, "bpjs_number": claim.bpjs_number})
            if can and claim.state == S.DIAJUKAN
            else None
        ),
        "reject_form": forms.get("reject_form")
        or (RejectForm() if can and claim.state == S.DIAJUKAN else None),
        "heir_order_verified": claim_rules().heir_order_verified,
        "open": claim.state in states.OPEN,
    }
    return render(request, "claims/claim_detail.html", context)


@require(Capability.CLAIM)
@require_POST
def claim_file(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for(request, pk)
    form = _file_form(claim, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        months_off = data.pop("months_off", None)
        try:
            services.update_file(
                by=user_of(request),
                claim=claim,
                documents=data.pop("documents"),
                months_off=months_off,
                **{k: v for k, v in data.items() if k in services.FILE_FIELDS},
            )
        except ClaimError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The file is saved."))
            return redirect("claims:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, file_form=form)


@require(Capability.CLAIM)
@require_POST
def claim_heirs(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for(request, pk)
    formset = _heir_forms(claim, request.POST)
    if formset.is_valid():
        heirs = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]
        try:
            services.update_file(by=user_of(request), claim=claim, heirs=heirs)
        except ClaimError as error:
            messages.error(request, str(error))
            return _claim_page(request, claim, heir_forms=formset)
        messages.success(request, _("The heirs are saved; the amount is worked out again."))
        return redirect("claims:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, heir_forms=formset)


@require(Capability.CLAIM)
@require_POST
def claim_complete(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for(request, pk)
    try:
        services.complete_file(by=user_of(request), claim=claim)
    except ClaimError as error:
        return _claim_page(request, claim, complete_error=str(error))
    messages.success(request, _("The file is complete: submit it to BPJS."))
    return redirect("claims:claim-detail", pk=claim.pk)


def _step(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    form_key: str,
    act: Callable[[Claim, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One step of a claim from a form: `act(claim, cleaned data)` calls its service; a refusal
    is shown on the form and changes nothing."""
    claim = _claim_for(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(claim, form.cleaned_data)
        except ClaimError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("claims:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, **{form_key: form})


@require(Capability.CLAIM)
@require_POST
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    by = user_of(request)
    return _step(
        request, pk, SubmitForm, "submit_form",
        lambda claim, data: services.submit(
            by=by, claim=claim, on=data["submitted_on"], bpjs_number=data["bpjs_number"]
        ),
        _("Submitted to BPJS."),
    )  # fmt: skip


@require(Capability.CLAIM)
@require_POST
def claim_paid(request: HttpRequest, pk: int) -> HttpResponse:
    by = user_of(request)
    return _step(
        request, pk, PaidForm, "paid_form",
        lambda claim, data: services.mark_paid(
            by=by, claim=claim, paid_on=data["paid_on"], amount=data["amount"],
            bpjs_number=data["bpjs_number"],
        ),
        _("The payment to the family is recorded."),
    )  # fmt: skip


@require(Capability.CLAIM)
@require_POST
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    by = user_of(request)
    return _step(
        request, pk, RejectForm, "reject_form",
        lambda claim, data: services.reject(by=by, claim=claim, reason=data["reason"]),
        _("The refusal is recorded."),
    )  # fmt: skip

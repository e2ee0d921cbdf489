"""The bills (tagihan): the list of a fiscal year with the alerts and making bills, a bill's
page with its months, payments, refunds and participants, each action on it, a receipt.

Bills belong to a wadah of the whole deployment: only roles with BILL that see persons and the
whole deployment open them (`queries.visible_bills`; anyone else with BILL gets a 404). Each
action is a POST that calls one service; a refusal (`BillingError`) is shown on its form, in
the user's language, and changes nothing. Only the actions the bill's state allows are shown.
"""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.billing import alerts, queries, receipts, services, states
from lindung.billing.background import NOTHING_MADE, start_make_bills
from lindung.billing.forms import (
    BillFilterForm,
    CancelForm,
    ClaimRefundsForm,
    DelayForm,
    IssueForm,
    MakeBillsForm,
    PaymentForm,
    ReceiveRefundForm,
    ReconcileForm,
    Sp2dForm,
)
from lindung.billing.models import Bill, BillState, Payment, Refund, RefundState
from lindung.billing.states import BillingError
from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.models import JobStatus
from lindung.jobs.views import respond_with_job
from lindung.registry.queries import page_links
from lindung.roles import Capability
from lindung.ui.downloads import send_stored

S = BillState
PAGE_SIZE = 50
MADE = re.compile(r"(TG-\d{4}-\d{4,})\.\.(TG-\d{4}-\d{4,})")


@require(Capability.BILL)
def bill_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, make_form=None)


@require(Capability.BILL)
@require_POST
def bill_make(request: HtmxHttpRequest) -> HttpResponseBase:
    """Make the bills of a year as a background job: its progress, then the list."""
    user = user_of(request)
    if not queries.sees_bills(user):
        raise Http404
    form = MakeBillsForm(request.POST, labels=queries.source_labels())
    if not form.is_valid():
        return _list_page(request, make_form=form, status=400)
    data = form.cleaned_data
    job = start_make_bills(
        by=user, fiscal_year=data["fiscal_year"], source=data["source"], period=data["period"]
    )
    if job.status == JobStatus.FAILED:  # jobs that run in the request fail at once
        form.add_error(None, job.error)
        return _list_page(request, make_form=form, status=400)
    return respond_with_job(request, job)


@require(Capability.BILL)
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _bill(user_of(request), pk))


@require(Capability.BILL)
def receipt(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A payment's receipt as uploaded, for those who see its bill."""
    visible = queries.visible_bills(user_of(request))
    payment = get_object_or_404(Payment.objects.filter(bill__in=visible), pk=pk)
    path = receipts.path_of(payment)
    if path is None:
        raise Http404
    return send_stored(payment.receipt_name or path.name, path)


# --- actions -------------------------------------------------------------------------------------
@require(Capability.BILL)
@require_POST
def bill_issue(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        services.issue_bill(
            by=user,
            bill=bill,
            bpjs_number=data["bpjs_number"],
            assessment_code=data["assessment_code"],
            billed_on=data["billed_on"],
            due_date=data["due_date"],
        )
        return _("Bill %(bill)s is recorded as billed by BPJS.") % {"bill": bill.number}

    return _act(request, pk, "issue", IssueForm, run)


@require(Capability.BILL)
@require_POST
def bill_sp2d(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        services.record_sp2d(by=user, bill=bill, number=data["number"], date=data["date"])
        return _("The SP2D of bill %(bill)s is recorded.") % {"bill": bill.number}

    return _act(request, pk, "sp2d", Sp2dForm, run)


@require(Capability.BILL)
@require_POST
def bill_pay(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        kept, name = receipts.store(bill, data["receipt"]) if data["receipt"] else ("", "")
        try:
            services.pay(
                by=user,
                bill=bill,
                amount=data["amount"],
                paid_on=data["paid_on"],
                sp2d=data["sp2d"],
                reference=data["reference"],
                receipt=kept,
                receipt_name=name,
            )
        except BillingError:
            if kept:
                receipts.remove(kept)
            raise
        return _("The payment on bill %(bill)s is recorded.") % {"bill": bill.number}

    return _act(request, pk, "pay", PaymentForm, run)


@require(Capability.BILL)
@require_POST
def bill_delay(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        delayed = data["delayed"]
        services.set_funds_delayed(by=user, bill=bill, delayed=delayed, reason=data["reason"])
        if delayed:
            return _("Bill %(bill)s is marked: its funds are late.") % {"bill": bill.number}
        return _("Bill %(bill)s no longer waits for late funds.") % {"bill": bill.number}

    return _act(request, pk, "delay", DelayForm, run)


@require(Capability.BILL)
@require_POST
def bill_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        services.cancel_bill(by=user, bill=bill, reason=data["reason"])
        return _("Bill %(bill)s is cancelled: its months can be billed again.") % {
            "bill": bill.number
        }

    return _act(request, pk, "cancel", CancelForm, run)


@require(Capability.BILL)
@require_POST
def bill_claim_refunds(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        claimed = services.claim_refunds(by=user, bill=bill)
        return _("%(n)s refunds claimed from BPJS on bill %(bill)s.") % {
            "n": len(claimed),
            "bill": bill.number,
        }

    return _act(request, pk, "refunds", ClaimRefundsForm, run)


@require(Capability.BILL)
@require_POST
def bill_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, bill: Bill, data: dict[str, Any]) -> str:
        matches = data["outcome"] == ReconcileForm.MATCHES
        services.reconcile_bill(by=user, bill=bill, matches=matches, note=data["note"])
        return _("Bill %(bill)s is now: %(state)s.") % {
            "bill": bill.number,
            "state": S.DIREKONSILIASI.label if matches else S.SELISIH.label,
        }

    return _act(request, pk, "reconcile", ReconcileForm, run)


@require(Capability.BILL)
@require_POST
def refund_receive(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    refund = get_object_or_404(
        Refund.objects.filter(bill__in=queries.visible_bills(user)).select_related("bill"), pk=pk
    )
    form = ReceiveRefundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.receive_refund(
                by=user, refund=refund, received_on=data["received_on"], reference=data["reference"]
            )
        except BillingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The refund is recorded as received."))
            return redirect("billing:bill-detail", pk=refund.bill_id)
    return _detail_page(request, refund.bill, {f"refund-{refund.pk}": form}, status=400)


Run = Callable[[User, Bill, dict[str, Any]], str]


def _act(
    request: HttpRequest, pk: int, name: str, form_class: type[forms.Form], run: Run
) -> HttpResponse:
    """One action on a bill: its form checked, the service run, the bill's page again; a
    refusal is shown on the form (400) and nothing changes."""
    user = user_of(request)
    bill = _bill(user, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = run(user, bill, form.cleaned_data)
        except BillingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, message)
            return redirect("billing:bill-detail", pk=bill.pk)
    return _detail_page(request, bill, {name: form}, status=400)


def _bill(user: User, pk: int) -> Bill:
    return get_object_or_404(queries.visible_bills(user).select_related("created_by"), pk=pk)


# --- the list ------------------------------------------------------------------------------------
def _list_page(
    request: HttpRequest, *, make_form: MakeBillsForm | None, status: int = 200
) -> HttpResponse:
    user = user_of(request)
    visible = queries.visible_bills(user)
    labels = queries.source_labels()
    billed = set(visible.order_by().values_list("fiscal_year", flat=True).distinct())
    years = sorted(billed | {timezone.localdate().year}, reverse=True)
    form = BillFilterForm(request.GET, years=years, labels=labels)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("tahun") or max(billed, default=years[0])
    bills = visible.filter(fiscal_year=year)
    if data.get("sumber"):
        bills = bills.filter(source=data["sumber"])
    if data.get("status"):
        bills = bills.filter(state=data["status"])
    today = timezone.localdate()
    sees = queries.sees_bills(user)
    context = {
        "form": form,
        "year": year,
        "rows": [(b, queries.period_label(b.period_start, b.months)) for b in bills],
        "totals": queries.bill_totals(bills),
        "labels": labels,
        "today": today,
        "alerts": alerts.summary(on=today, codes=None) if sees else None,
        "made": _made(visible, request.GET.get("dibuat", "")),
        "make_form": (make_form or MakeBillsForm(initial={"fiscal_year": year}, labels=labels))
        if sees
        else None,
    }
    return render(request, "billing/bill_list.html", context, status=status)


def _made(visible: QuerySet[Bill], text: str) -> dict[str, Any] | None:
    """The bills a make-bills job made (`dibuat=FIRST..LAST`, or 0 for none)."""
    if text == NOTHING_MADE:
        return {"bills": []}
    match = MADE.fullmatch(text)
    if match is None:
        return None
    first, last = match.groups()
    bills = visible.filter(number__gte=first, number__lte=last).order_by("number")
    return {"bills": [(b, queries.period_label(b.period_start, b.months)) for b in bills]}


# --- the bill's page -----------------------------------------------------------------------------
def _detail_page(
    request: HttpRequest,
    bill: Bill,
    bound: dict[str, forms.Form] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    on = min(timezone.localdate(), bill.period_start.replace(month=12, day=31))
    page = Paginator(queries.bill_participants(bill), PAGE_SIZE).get_page(request.GET.get("page"))
    standing = queries.standing_of([p.pk for p in page], on=on)
    refunds = list(bill.refunds.order_by("pk").select_related("participation"))
    context = {
        "bill": bill,
        "period": queries.period_label(bill.period_start, bill.months),
        "labels": queries.source_labels(),
        "months": queries.bill_months(bill),
        "payments": list(bill.payments.select_related("created_by")),
        "refunds": refunds,
        "page": page,
        "links": page_links(page.number, page.paginator.num_pages),
        "participants": [(p, standing.get(p.pk)) for p in page],
        "status_labels": queries.STATUS_LABELS,
        "standing_on": on,
        "desa_names": queries.region_names(p.desa_id for p in page),
    }
    context |= _actions(user, bill, refunds, bound or {})
    return render(request, "billing/bill_detail.html", context, status=status)


def _actions(
    user: User, bill: Bill, refunds: list[Refund], bound: dict[str, forms.Form]
) -> dict[str, Any]:
    """The action forms the bill's state allows (a bound form with its errors wins)."""
    if not user.can(Capability.BILL):
        return {"actions": {}}
    state = bill.state
    shown: dict[str, Callable[[], forms.Form]] = {}
    if states.allowed(state, S.DITAGIH):
        shown["issue"] = lambda: IssueForm(initial={"due_date": bill.due_date})
    if states.allowed(state, S.SP2D) and state != S.SP2D:
        shown["sp2d"] = Sp2dForm
    if state in states.PAYABLE:
        shown["pay"] = lambda: PaymentForm(
            initial={"amount": bill.outstanding, "paid_on": timezone.localdate()}
        )
    if state in states.UNPAID:
        shown["delay"] = lambda: DelayForm(
            initial={"delayed": bill.funds_delayed, "reason": bill.delay_reason}
        )
    if states.allowed(state, S.BATAL) and not bill.paid:
        shown["cancel"] = CancelForm
    due = services.refunds_due(bill) if states.allowed(state, S.PENGEMBALIAN) else []
    if due:
        shown["refunds"] = ClaimRefundsForm
    if states.allowed(state, S.DIREKONSILIASI) or states.allowed(state, S.SELISIH):
        shown["reconcile"] = ReconcileForm
    # A refused action keeps its form (and why) on the page, even if its state no longer allows it.
    actions = {name: make() for name, make in shown.items()} | {
        name: form for name, form in bound.items() if not name.startswith("refund-")
    }
    receive: dict[int, forms.Form] = {
        r.pk: ReceiveRefundForm(initial={"received_on": timezone.localdate()})
        for r in refunds
        if r.state == RefundState.DIAJUKAN
    }
    receive |= {r.pk: form for r in refunds if (form := bound.get(f"refund-{r.pk}")) is not None}
    return {"actions": actions, "refunds_due": due, "receive_forms": receive}

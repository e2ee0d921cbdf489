"""Billing and coverage over the JSON API: the bills (filtered, 100 a page) and one bill by its
number, and the coverage counts on a date.

Scoped like the pages: bills need BILL (403 otherwise) and are listed only for roles that see
persons and the whole deployment (`queries.visible_bills`: empty, and 404 for one bill,
otherwise); coverage counts lie within the caller's wilayah, and for roles that see no persons
(pimpinan) a count from 1 to 4 is null, as is every count it could be worked out from.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from lindung.accounts.models import User
from lindung.billing import coverage, ledger, queries, receipts
from lindung.billing.models import Bill
from lindung.roles import Capability

router = Router(tags=["billing"])
PAGE = 100


class BillOut(Schema):
    number: str = Field(description="Lindung's bill number, e.g. TG-2027-0001")
    fiscal_year: int
    source: str = Field(description="Funding source code of the policy, e.g. apbd")
    wadah: str = Field(description="Wadah code")
    period_start: datetime.date = Field(description="The first day of the first month")
    period_end: datetime.date = Field(description="The last day of the last month")
    months: int
    state: str = Field(
        description="RENCANA, DITAGIH, SP2D, SEBAGIAN, DIBAYAR, DIREKONSILIASI, SELISIH, "
        "KADALUARSA, PENGEMBALIAN or BATAL"
    )
    participants: int
    amount: int = Field(description="Rupiah: the sum of the bill's lines")
    paid: int
    refunded: int
    outstanding: int
    due_date: datetime.date
    bpjs_number: str
    assessment_code: str
    billed_on: datetime.date | None
    sp2d_number: str
    sp2d_date: datetime.date | None
    paid_on: datetime.date | None = Field(description="The date of the last payment")
    funds_delayed: bool = Field(description="The sponsor's funds are late: no lapse meanwhile")
    delay_reason: str
    reconciled_on: datetime.date | None


class BillPageOut(Schema):
    items: list[BillOut]
    next_cursor: str | None


class MonthOut(Schema):
    month: datetime.date
    participants: int
    amount: int
    paid: bool = Field(description="The payments cover this month")


class PaymentOut(Schema):
    paid_on: datetime.date
    amount: int
    sp2d_number: str
    reference: str
    receipt: bool = Field(description="A receipt file is kept")


class BillDetailOut(BillOut):
    by_month: list[MonthOut]
    payments: list[PaymentOut]


class CountsOut(Schema):
    protected: int | None
    in_grace: int | None
    lapsed: int | None


class CoverageOut(Schema):
    date: datetime.date
    protected: int | None
    in_grace: int | None
    lapsed: int | None
    by_source: dict[str, CountsOut] = Field(description="Per funding source code")
    by_kecamatan: dict[str, CountsOut] = Field(description="Per kecamatan code")


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # django_auth has let only logged-in users through
        raise PermissionDenied
    return request.user


def _biller(request: HttpRequest) -> User:
    user = _user(request)
    if not user.can(Capability.BILL):
        raise PermissionDenied
    return user


def _bill_out(bill: Bill) -> BillOut:
    return BillOut(**_bill_fields(bill))


def _bill_fields(bill: Bill) -> dict[str, Any]:
    return {
        "number": bill.number,
        "fiscal_year": bill.fiscal_year,
        "source": bill.source,
        "wadah": bill.wadah.code,
        "period_start": bill.period_start,
        "period_end": ledger.month_end(ledger.add_months(bill.period_start, bill.months - 1)),
        "months": bill.months,
        "state": bill.state,
        "participants": bill.participants,
        "amount": bill.amount,
        "paid": bill.paid,
        "refunded": bill.refunded,
        "outstanding": bill.outstanding,
        "due_date": bill.due_date,
        "bpjs_number": bill.bpjs_number,
        "assessment_code": bill.assessment_code,
        "billed_on": bill.billed_on,
        "sp2d_number": bill.sp2d_number,
        "sp2d_date": bill.sp2d_date,
        "paid_on": bill.paid_on,
        "funds_delayed": bill.funds_delayed,
        "delay_reason": bill.delay_reason,
        "reconciled_on": bill.reconciled_on,
    }


@router.get("/bills", response=BillPageOut)
def bill_list(
    request: HttpRequest,
    fiscal_year: int | None = None,
    source: str = "",
    state: str = "",
    cursor: str = "",
) -> BillPageOut:
    """Bills, newest first, 100 a page; pass next_cursor as `cursor`. Empty for roles bound to a
    kecamatan or desa (a bill holds the whole wadah's workers)."""
    bills = queries.visible_bills(_biller(request))
    if fiscal_year is not None:
        bills = bills.filter(fiscal_year=fiscal_year)
    if source:
        bills = bills.filter(source=source)
    if state:
        bills = bills.filter(state=state.upper())
    if cursor.isdigit():
        bills = bills.filter(pk__lt=int(cursor))
    found = list(bills.order_by("-pk")[: PAGE + 1])
    next_cursor = str(found[PAGE - 1].pk) if len(found) > PAGE else None
    return BillPageOut(items=[_bill_out(b) for b in found[:PAGE]], next_cursor=next_cursor)


@router.get("/bills/{number}", response=BillDetailOut)
def bill_detail(request: HttpRequest, number: str) -> BillDetailOut:
    """One bill by its number, with its months and payments."""
    bill = get_object_or_404(queries.visible_bills(_biller(request)), number=number)
    return BillDetailOut(
        **_bill_fields(bill),
        by_month=[
            MonthOut(
                month=m["month"], participants=m["participants"], amount=m["amount"], paid=m["paid"]
            )
            for m in queries.bill_months(bill)
        ],
        payments=[
            PaymentOut(
                paid_on=p.paid_on,
                amount=p.amount,
                sp2d_number=p.sp2d_number,
                reference=p.reference,
                receipt=receipts.path_of(p) is not None,
            )
            for p in bill.payments.all()
        ],
    )


@router.get("/coverage", response=CoverageOut)
def coverage_counts(request: HttpRequest, on: datetime.date | None = None) -> CoverageOut:
    """Protected, in grace and lapsed on a date (today by default), per funding source and
    kecamatan, within the caller's wilayah: the JSON of `lindung coverage --json`."""
    user = _user(request)
    counts = coverage.counts(on=on or timezone.localdate(), codes=queries.coverage_codes(user))
    shown = queries.coverage_json(counts, hide_small=not user.can(Capability.VIEW_PERSONS))
    return CoverageOut(**shown)

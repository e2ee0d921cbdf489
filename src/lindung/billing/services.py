# Over 600 lines: every bill transition as one service, beside the pricing and lapse rules they
# share; the pure parts live in ledger.py and groups.py.
"""Every change to bills, payments and refunds, each audited in its own transaction.

    make_bills(by=user, fiscal_year=2027, source=None, period=None)   bills of registered
                                   participants per wadah and period (RENCANA); idempotent
    issue_bill(by=user, bill=b, bpjs_number=…, assessment_code=…, due_date=…)   DITAGIH
    record_sp2d(by=user, bill=b, number=…, date=…)                     SP2D
    pay(by=user, bill=b, amount=N, paid_on=D, sp2d=…, reference=…)     SEBAGIAN / DIBAYAR
    set_funds_delayed(by=user, bill=b, delayed=True, reason=…)
    cancel_bill(by=user, bill=b)                                       BATAL, months free again
    mark_past_due(by=None, on=D)                                       KADALUARSA (daily)
    claim_refunds(by=user, bill=b) / receive_refund(by=user, refund=r, received_on=D, …)
    lapse_overdue(by=None, on=D)                                       participations lapse

Prices come from `rules.calculators.contribution` for each month and funding source at the
active policy's reported income and programs, the same terms the approved list was costed at.
"""

import datetime
import uuid
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung import bulk
from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import diff, record, snapshot
from lindung.billing import ledger, states
from lindung.billing.models import Bill, BillLine, BillState, PaidPeriod, Payment, Refund
from lindung.billing.states import BillingError
from lindung.enrollment.models import EndReason, Participation, State, Wadah
from lindung.formats import format_rupiah, month_name
from lindung.regions import scope
from lindung.rules.calculators import contribution
from lindung.rules.national import FUNDING, RulesError, history
from lindung.rules.policy import Policy, active_policy

S = BillState
DUE_DAY = 15  # BPJS TK: a month's contribution is due by the 15th (the first month of a bill)


def today() -> datetime.date:
    return timezone.localdate()


def _month_label(day: datetime.date) -> str:
    return f"{month_name(day.month)} {day.year}"


# ---------------------------------------------------------------------------------------------
# Periods and prices


def parse_period(text: str, fiscal_year: int) -> tuple[datetime.date, int]:
    """ "2027-01..2027-06" → (1 January 2027, 6); one month "2027-03" also works. The months
    must lie in the fiscal year and be a payment period BPJS accepts (1, 3, 6 or 12)."""
    parts = [p.strip() for p in text.split("..")]
    try:
        first, last = (_month(parts[0]), _month(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        first = last = None
    if first is None or last is None:
        raise BillingError(
            _("Write the period as YYYY-MM..YYYY-MM, for example %(example)s.")
            % {"example": f"{fiscal_year}-01..{fiscal_year}-06"}
        )
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if first.year != fiscal_year or last.year != fiscal_year or months < 1:
        raise BillingError(
            _("The period must lie within fiscal year %(year)s, its first month first.")
            % {"year": fiscal_year}
        )
    if months not in (1, 3, 6, 12):
        raise BillingError(
            _("A bill covers 1, 3, 6 or 12 months, not %(months)s.") % {"months": months}
        )
    return first, months


def _month(text: str) -> datetime.date:
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def default_periods(months: int, fiscal_year: int) -> list[tuple[datetime.date, int]]:
    """The year cut into bills of `months` months from January."""
    return [(datetime.date(fiscal_year, first, 1), months) for first in range(1, 13, months)]


class Prices:
    """The contribution of one participant-month per funding source, each priced once."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.versions = history()
        self._cache: dict[tuple[str, datetime.date], tuple[int, int, int, int]] = {}

    def of(self, source: str, month: datetime.date) -> tuple[int, int, int, int]:
        """(jkk, jkm, jht, total) of `month` paid by `source` (an unknown sponsor is charged
        like CSR co-funding, as `rules.policy.source_cost` does)."""
        key = (source, month)
        if key not in self._cache:
            funding = source if source in FUNDING else "csr"
            try:
                c = contribution(
                    self.policy.reported_income,
                    programs=self.policy.programs,
                    month=month,
                    funding=funding,
                    versions=self.versions,
                )
            except RulesError as error:
                raise BillingError(str(error)) from error
            self._cache[key] = (c.jkk, c.jkm, c.jht, c.total_per_month)
        return self._cache[key]


# ---------------------------------------------------------------------------------------------
# Making bills

PARTICIPANTS = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "wadah_id": pl.Int64,
    "source": pl.String,
    "effective_from": pl.Date,
}


def _registered(fiscal_year: int, source: str | None) -> pl.DataFrame:
    table = Participation._meta.db_table
    where = f"fiscal_year = {int(fiscal_year)} AND state = 'TERDAFTAR' AND wadah_id IS NOT NULL"
    if source is not None:
        if not source.replace("_", "").isalnum():
            raise BillingError(_("Unknown funding source %(name)s.") % {"name": source})
        where += f" AND source = '{source}'"
    return bulk.read_frame(
        f"SELECT id, worker_id, wadah_id, source, effective_from FROM {table} "  # noqa: S608
        f"WHERE {where}",
        PARTICIPANTS,
    )


def _billed_months(fiscal_year: int) -> pl.DataFrame:
    table = BillLine._meta.db_table
    return bulk.read_frame(
        f"SELECT worker_id, month FROM {table} WHERE refunded = {ledger.sql_false()} "  # noqa: S608
        f"AND month >= '{fiscal_year:04d}-01-01' AND month <= '{fiscal_year:04d}-12-31'",
        {"worker_id": pl.Int64, "month": pl.Date},
    )


def _next_numbers(fiscal_year: int, count: int) -> list[str]:
    prefix = f"TG-{fiscal_year}-"
    last = Bill.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    start = int(last.removeprefix(prefix)) + 1 if last else 1
    return [f"{prefix}{n:04d}" for n in range(start, start + count)]


def plan_lines(
    participants: pl.DataFrame,
    billed: pl.DataFrame,
    periods: dict[str, list[tuple[datetime.date, int]]],
    prices: Prices,
) -> pl.DataFrame:
    """The lines to bill (pure): each participant's months of each period of their source from
    the month protection starts, less the months of the worker already billed. Columns:
    wadah_id, source, period_start, months, participation_id, worker_id, month, amount."""
    blocks = pl.DataFrame(
        [
            {"source": source, "period_start": first, "months": months}
            for source, chosen in periods.items()
            for first, months in chosen
        ],
        schema={"source": pl.String, "period_start": pl.Date, "months": pl.Int32},
    )
    frame = participants.join(blocks, on="source").with_columns(
        period_end=pl.col("period_start").dt.offset_by(
            pl.concat_str(pl.col("months") - 1, pl.lit("mo"))
        )
    )
    frame = frame.with_columns(
        first=pl.max_horizontal("period_start", pl.col("effective_from").dt.month_start())
    ).filter(pl.col("first") <= pl.col("period_end"))
    if frame.is_empty():
        return frame.head(0)
    lines = frame.with_columns(month=pl.date_ranges("first", "period_end", interval="1mo")).explode(
        "month"
    )
    lines = lines.join(billed, on=["worker_id", "month"], how="anti")
    keys = lines.select("source", "month").unique().rows()
    price = pl.DataFrame(
        [(s, m, prices.of(s, m)[3]) for s, m in keys],
        schema={"source": pl.String, "month": pl.Date, "amount": pl.Int64},
        orient="row",
    )
    return lines.join(price, on=["source", "month"]).select(
        "wadah_id",
        "source",
        "period_start",
        "months",
        "participation_id",
        "worker_id",
        "month",
        "amount",
    )


@transaction.atomic
def make_bills(
    *,
    by: Actor | None,
    fiscal_year: int,
    source: str | None = None,
    period: tuple[datetime.date, int] | None = None,
) -> list[Bill]:
    """Bills (RENCANA) for the registered participants of `fiscal_year` (of `source`, or every
    source), one per wadah and period: `period`, or the year cut into each source's months per
    bill (the policy). A worker's month already on a bill is skipped, so a second run makes
    bills only for workers registered since (a supplement) and otherwise nothing."""
    drop_ended_lines(by=by)
    participants = _registered(fiscal_year, source)
    if participants.is_empty():
        return []
    billed = _billed_months(fiscal_year)
    # Each wadah is priced and cut into periods by its own kabupaten/kota's policy.
    kabupaten_of = dict(Wadah.objects.values_list("pk", "kabupaten"))
    participants = participants.with_columns(
        pl.col("wadah_id").replace_strict(kabupaten_of, default="").alias("kabupaten")
    )
    if by is not None and not isinstance(by, str):
        # A kabupaten/kota's staff bill its own wadah only.
        codes = scope.codes_for(by)
        if not scope.is_whole_deployment(codes):
            participants = participants.filter(pl.col("kabupaten").is_in(scope.kabupaten_for(by)))
            if participants.is_empty():
                return []
    parts = []
    for (kabupaten,), mine in participants.group_by(["kabupaten"], maintain_order=True):
        policy, _version = active_policy(str(kabupaten) or None)
        months_of = {s.code: s.billing_months for s in policy.sources}
        periods = {
            code: [period] if period else default_periods(months_of.get(code, 6), fiscal_year)
            for code in mine["source"].unique().to_list()
        }
        parts.append(plan_lines(mine.drop("kabupaten"), billed, periods, Prices(policy)))
    lines = pl.concat(parts)
    if lines.is_empty():
        return []
    groups = (
        lines.group_by("wadah_id", "source", "period_start", "months")
        .agg(
            participants=pl.col("participation_id").n_unique(),
            amount=pl.col("amount").sum(),
        )
        .sort("period_start", "source", "wadah_id")
    )
    numbers = _next_numbers(fiscal_year, groups.height)
    user = actor_user(by)
    bills = Bill.objects.bulk_create(
        [
            Bill(
                number=number,
                fiscal_year=fiscal_year,
                source=row["source"],
                wadah_id=row["wadah_id"],
                period_start=row["period_start"],
                months=row["months"],
                participants=row["participants"],
                amount=row["amount"],
                due_date=row["period_start"].replace(day=DUE_DAY),
                created_by=user,
            )
            for number, row in zip(numbers, groups.iter_rows(named=True), strict=True)
        ]
    )
    if connection.vendor != "postgresql" or any(b.pk is None for b in bills):
        bills = list(Bill.objects.filter(number__in=numbers).order_by("number"))
    ids = pl.DataFrame(
        {
            "bill_id": [b.pk for b in bills],
            "wadah_id": [b.wadah_id for b in bills],
            "period_start": [b.period_start for b in bills],
        },
        schema={"bill_id": pl.Int64, "wadah_id": pl.Int64, "period_start": pl.Date},
    )
    rows = lines.join(ids, on=["wadah_id", "period_start"]).select(
        "bill_id",
        "participation_id",
        "worker_id",
        "month",
        "amount",
        pl.lit(False).alias("refunded"),
    )
    bulk.insert_frame(BillLine._meta.db_table, rows)
    record(
        by=by,
        action=Action.BILLS_MADE,
        object_type="billing.fiscal_year",
        object_id=str(fiscal_year),
        object_repr=str(fiscal_year),
        after={
            "fiscal_year": fiscal_year,
            "bills": [b.number for b in bills][:100],
            "participants": int(groups["participants"].sum()),
            "amount": int(groups["amount"].sum()),
        },
    )
    return bills


@transaction.atomic
def drop_ended_lines(
    *, by: Actor | None, bills: list[int] | None = None, participations: list[int] | None = None
) -> int:
    """Take the months after a participation ended (died, removed, lapsed) off the planned
    bills (RENCANA: not yet issued by the branch, nothing paid; all, or `bills`), and total
    those bills again. An issued bill keeps the branch's amount: what it paid for an ended
    participant comes back as a refund. Returns the lines removed; audited per bill. Called by
    `make_bills` and the daily run; with `participations` (a reported death), only their lines
    are looked at and the bills' totals are lowered by what was removed, not summed again."""
    lines = BillLine._meta.db_table
    table = Bill._meta.db_table
    parts = Participation._meta.db_table
    scope_sql = f"paid = 0 AND state = '{S.RENCANA}'"
    if bills is not None:
        scope_sql += " AND id IN (" + ",".join(str(int(b)) for b in bills or [0]) + ")"
    ended = (
        f"EXISTS (SELECT 1 FROM {parts} p WHERE p.id = {lines}.participation_id "  # noqa: S608
        f"AND p.state = 'BERAKHIR' AND p.ended_on IS NOT NULL AND {lines}.month > p.ended_on)"
    )
    if participations is not None:
        ended += (
            f" AND {lines}.participation_id IN ("
            + ",".join(str(int(p)) for p in participations or [0])
            + ")"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT bill_id, participation_id, SUM(amount), COUNT(*) FROM {lines} "  # noqa: S608
            f"WHERE bill_id IN (SELECT id FROM {table} WHERE {scope_sql}) AND {ended} "
            "GROUP BY bill_id, participation_id"
        )
        found = cursor.fetchall()
        if not found:
            return 0
        touched = sorted({int(row[0]) for row in found})
        marks = ",".join(str(b) for b in touched)
        cursor.execute(
            f"DELETE FROM {lines} WHERE bill_id IN ({marks}) AND {ended}"  # noqa: S608
        )
        removed = max(0, int(cursor.rowcount))
    for bill in Bill.objects.select_for_update().filter(pk__in=touched).order_by("pk"):
        before = {"amount": bill.amount, "participants": bill.participants}
        if participations is None:
            totals = BillLine.objects.filter(bill=bill).aggregate(
                amount=Sum("amount"), participants=Count("participation_id", distinct=True)
            )
            bill.amount = int(totals["amount"] or 0)
            bill.participants = int(totals["participants"] or 0)
        else:  # a few participations: lower the totals by what went
            mine = [row for row in found if int(row[0]) == bill.pk]
            gone = {int(row[1]) for row in mine} - set(
                BillLine.objects.filter(bill=bill, participation_id__in=[r[1] for r in mine])
                .values_list("participation_id", flat=True)
                .distinct()
            )
            bill.amount -= sum(int(row[2]) for row in mine)
            bill.participants -= len(gone)
        bill.save(update_fields=["amount", "participants", "updated_at"])
        record(
            by=by,
            action=Action.BILL_LINES_DROPPED,
            obj=bill,
            before=before,
            after={"amount": bill.amount, "participants": bill.participants},
        )
    return removed


# ---------------------------------------------------------------------------------------------
# A bill's lifecycle

FIELDS = (
    "state",
    "bpjs_number",
    "assessment_code",
    "billed_on",
    "due_date",
    "sp2d_number",
    "sp2d_date",
    "paid",
    "paid_on",
    "refunded",
    "funds_delayed",
    "delay_reason",
    "reconciled_on",
    "note",
)


def _locked(bill: Bill) -> Bill:
    return Bill.objects.select_for_update().get(pk=bill.pk)


def _save(by: Actor | None, bill: Bill, before: dict[str, Any], action: Action) -> Bill:
    bill.save(update_fields=[*FIELDS, "updated_at"])
    old, new = diff(before, snapshot(bill, FIELDS))
    record(by=by, action=action, obj=bill, before=old, after=new)
    return bill


def _move(bill: Bill, state: str) -> None:
    if bill.state != state:
        states.check(bill.state, state)
        bill.state = state


def _not_future(day: datetime.date, what: str) -> None:
    if day > today():
        raise BillingError(
            _("%(what)s %(date)s lies in the future.") % {"what": what, "date": day.isoformat()}
        )


@transaction.atomic
def issue_bill(
    *,
    by: Actor | None,
    bill: Bill,
    bpjs_number: str = "",
    assessment_code: str = "",
    due_date: datetime.date | None = None,
    billed_on: datetime.date | None = None,
) -> Bill:
    """The branch has billed it: its bill number, assessment code and due date."""
    bill = _locked(bill)
    before = snapshot(bill, FIELDS)
    _move(bill, S.DITAGIH)
    bill.bpjs_number = bpjs_number.strip()[:40]
    bill.assessment_code = assessment_code.strip()[:40]
    bill.billed_on = billed_on or today()
    _not_future(bill.billed_on, _("The billing date"))
    if due_date is not None:
        if due_date < bill.billed_on:
            raise BillingError(_("The due date cannot come before the billing date."))
        bill.due_date = due_date
    return _save(by, bill, before, Action.BILL_ISSUED)


@transaction.atomic
def record_sp2d(*, by: Actor | None, bill: Bill, number: str, date: datetime.date) -> Bill:
    """The treasury (BUD) has issued the order to pay (SP2D)."""
    bill = _locked(bill)
    number = number.strip()
    if not number:
        raise BillingError(_("Enter the SP2D number."))
    _not_future(date, _("The SP2D date"))
    if date < timezone.localtime(bill.created_at).date():
        raise BillingError(_("The SP2D date cannot come before the bill was made."))
    before = snapshot(bill, FIELDS)
    _move(bill, S.SP2D)
    bill.sp2d_number, bill.sp2d_date = number[:60], date
    return _save(by, bill, before, Action.BILL_SP2D)


@transaction.atomic
def pay(
    *,
    by: Actor | None,
    bill: Bill,
    amount: int,
    paid_on: datetime.date,
    sp2d: str = "",
    reference: str = "",
    receipt: str = "",
    receipt_name: str = "",
) -> Payment:
    """Record money paid against a bill. Refused: nothing or a negative amount, more than the
    bill still owes, a date before the bill was made or in the future, a bill that takes no
    payment. A payment that completes the bill makes it DIBAYAR, a smaller one SEBAGIAN; the
    months the money covers (in order) enter the coverage ledger at once. A first payment
    pays the bill as issued: months of a participant who ended since are claimed back as a
    refund (`claim_refunds`)."""
    bill = _locked(bill)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise BillingError(_("The amount paid must be more than Rp0."))
    if bill.state not in states.PAYABLE:
        raise BillingError(
            _("Bill %(bill)s is %(state)s: it takes no payment.")
            % {"bill": bill.number, "state": S(bill.state).label}
        )
    if amount > bill.outstanding:
        raise BillingError(
            _("Bill %(bill)s still owes %(owed)s; %(amount)s is more than that.")
            % {
                "bill": bill.number,
                "owed": format_rupiah(bill.outstanding),
                "amount": format_rupiah(amount),
            }
        )
    made = timezone.localtime(bill.created_at).date()
    if paid_on < made:
        raise BillingError(
            _("The payment date %(date)s comes before bill %(bill)s was made (%(made)s).")
            % {"date": paid_on.isoformat(), "bill": bill.number, "made": made.isoformat()}
        )
    _not_future(paid_on, _("The payment date"))
    before = snapshot(bill, FIELDS)
    bill.paid += amount
    bill.paid_on = max(bill.paid_on or paid_on, paid_on)
    if sp2d.strip() and not bill.sp2d_number:
        bill.sp2d_number, bill.sp2d_date = sp2d.strip()[:60], paid_on
    _move(bill, S.DIBAYAR if bill.paid == bill.amount else S.SEBAGIAN)
    payment = Payment.objects.create(
        bill=bill,
        amount=amount,
        paid_on=paid_on,
        sp2d_number=sp2d.strip()[:60],
        reference=reference.strip()[:100],
        receipt=receipt,
        receipt_name=receipt_name[:255],
        created_by=actor_user(by),
    )
    _save(by, bill, before, Action.BILL_PAID)
    ledger.rebuild_bill(bill)
    return payment


@transaction.atomic
def set_funds_delayed(*, by: Actor | None, bill: Bill, delayed: bool, reason: str = "") -> Bill:
    """Mark (or clear) a late release of the bill's funds: its workers stay in grace with the
    reason shown and the bill is not marked past due."""
    bill = _locked(bill)
    reason = reason.strip()
    if delayed and not reason:
        raise BillingError(_("Say why the funds are late (for example: APBD-P not yet passed)."))
    if bill.state not in states.UNPAID:
        raise BillingError(_("Only a bill still waiting for money can have late funds."))
    before = snapshot(bill, FIELDS)
    bill.funds_delayed, bill.delay_reason = delayed, reason[:300] if delayed else ""
    if delayed and bill.state == S.KADALUARSA:
        bill.state = S.DITAGIH if bill.billed_on else S.RENCANA
    return _save(by, bill, before, Action.BILL_DELAY_SET)


@transaction.atomic
def cancel_bill(*, by: Actor | None, bill: Bill, reason: str = "") -> Bill:
    """Cancel a bill nothing was paid on: its lines go, so its months can be billed again."""
    bill = _locked(bill)
    if bill.paid:
        raise BillingError(_("A bill with a payment cannot be cancelled."))
    before = snapshot(bill, FIELDS)
    _move(bill, S.BATAL)
    bill.note = reason.strip()[:300]
    BillLine.objects.filter(bill=bill).delete()
    PaidPeriod.objects.filter(bill=bill).delete()
    return _save(by, bill, before, Action.BILL_CANCELLED)


@transaction.atomic
def mark_past_due(*, by: Actor | None, on: datetime.date | None = None) -> int:
    """Bills with nothing paid past their due date become KADALUARSA, except those whose
    funds are late. Daily (serve's scheduler) and idempotent."""
    day = on or today()
    due = Bill.objects.filter(
        state__in=[S.RENCANA, S.DITAGIH, S.SP2D], due_date__lt=day, funds_delayed=False, paid=0
    )
    numbers = list(due.values_list("number", flat=True))
    if not numbers:
        return 0
    due.update(state=S.KADALUARSA, updated_at=timezone.now())
    record(
        by=by,
        action=Action.BILLS_PAST_DUE,
        object_type="billing.bill",
        object_repr=", ".join(numbers[:20]),
        after={"bills": numbers[:200], "on": day.isoformat()},
    )
    return len(numbers)


@transaction.atomic
def reconcile_bill(
    *, by: Actor | None, bill: Bill, matches: bool, note: str = "", on: datetime.date | None = None
) -> Bill:
    """The branch's recap agrees with what was paid (DIREKONSILIASI) or not (SELISIH)."""
    bill = _locked(bill)
    before = snapshot(bill, FIELDS)
    _move(bill, S.DIREKONSILIASI if matches else S.SELISIH)
    bill.reconciled_on = on or today()
    if note:
        bill.note = note.strip()[:300]
    return _save(by, bill, before, Action.BILL_RECONCILED)


# ---------------------------------------------------------------------------------------------
# Refunds


def refunds_due(bill: Bill) -> list[dict[str, Any]]:
    """Months paid on `bill` after a participant's participation ended (died, removed): one
    entry per participation with the months and the amount to claim back."""
    bill = Bill.objects.get(pk=bill.pk)  # as stored: a payment may have changed it
    if bill.state not in states.SETTLED | {S.SEBAGIAN}:
        return []
    covered = ledger.paid_months(bill)
    if not covered:
        return []
    last = ledger.add_months(bill.period_start, covered - 1)
    due: dict[int, dict[str, Any]] = {}
    lines = (
        BillLine.objects.filter(
            bill=bill,
            refunded=False,
            month__lte=last,
            participation__state=State.BERAKHIR,
            participation__ended_on__isnull=False,
        )
        .exclude(participation__end_reason=EndReason.LAPSED)
        .values(
            "participation_id",
            "month",
            "amount",
            "participation__ended_on",
            "participation__end_reason",
            "participation__name",
        )
        .order_by("participation_id", "month")
    )
    for line in lines:
        ended = line["participation__ended_on"]
        if ended is None or line["month"] <= ended:  # the month of the end stays paid
            continue
        entry = due.setdefault(
            line["participation_id"],
            {
                "participation_id": line["participation_id"],
                "name": line["participation__name"],
                "ended_on": ended,
                "end_reason": line["participation__end_reason"],
                "first_month": line["month"],
                "months": 0,
                "amount": 0,
            },
        )
        entry["months"] += 1
        entry["amount"] += line["amount"]
    return list(due.values())


@transaction.atomic
def claim_refunds(*, by: Actor | None, bill: Bill) -> list[Refund]:
    """Claim back from BPJS the months paid after participations ended; the bill waits for
    the refund (PENGEMBALIAN) and those months leave the coverage ledger."""
    bill = _locked(bill)
    due = refunds_due(bill)
    if not due:
        raise BillingError(_("Nothing on this bill was paid after a participation ended."))
    before = snapshot(bill, FIELDS)
    reasons = dict(EndReason.choices)
    refunds = []
    for entry in due:
        refunds.append(
            Refund.objects.create(
                bill=bill,
                participation_id=entry["participation_id"],
                first_month=entry["first_month"],
                months=entry["months"],
                amount=entry["amount"],
                reason=str(reasons.get(entry["end_reason"], entry["end_reason"]))[:300],
                created_by=actor_user(by),
            )
        )
        BillLine.objects.filter(
            bill=bill,
            participation_id=entry["participation_id"],
            month__gte=entry["first_month"],
        ).update(refunded=True)
    _move(bill, S.PENGEMBALIAN)
    _save(by, bill, before, Action.REFUND_CLAIMED)
    ledger.rebuild_bill(bill)
    return refunds


@transaction.atomic
def receive_refund(
    *, by: Actor | None, refund: Refund, received_on: datetime.date, reference: str = ""
) -> Refund:
    """BPJS has paid a refund back; when the bill's last open refund arrives it is DIBAYAR
    again (to be reconciled)."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.state != "DIAJUKAN":
        raise BillingError(_("This refund was received already."))
    _not_future(received_on, _("The date received"))
    if received_on < timezone.localtime(refund.created_at).date():
        raise BillingError(_("A refund cannot arrive before it was claimed."))
    refund.state, refund.received_on = "DITERIMA", received_on
    refund.reference = reference.strip()[:100]
    refund.save(update_fields=["state", "received_on", "reference"])
    bill = _locked(refund.bill)
    before = snapshot(bill, FIELDS)
    bill.refunded += refund.amount
    if not bill.refunds.filter(state="DIAJUKAN").exists() and bill.state == S.PENGEMBALIAN:
        bill.state = S.DIBAYAR
    _save(by, bill, before, Action.REFUND_RECEIVED)
    return refund


# ---------------------------------------------------------------------------------------------
# Lapse


def lapse_reason(unpaid_month: datetime.date) -> str:
    return _("Contributions unpaid since %(month)s (more than %(months)s months).") % {
        "month": _month_label(unpaid_month),
        "months": ledger.GRACE_MONTHS,
    }


@transaction.atomic
def lapse_overdue(*, by: Actor | None, on: datetime.date | None = None) -> int:
    """Registered participations unpaid for more than three months (and not kept in grace by
    late funds) end as lapsed, on the last day of their grace, each audited. Daily and
    idempotent."""
    day = on or today()
    frame = ledger.standing(on=day)
    overdue = frame.filter(
        (pl.col("status") == ledger.Status.LAPSED) & (pl.col("state") == State.TERDAFTAR)
    )
    if overdue.is_empty():
        return 0
    batch = uuid.uuid4()
    now = timezone.now()
    ended = 0
    for row in overdue.iter_rows(named=True):
        participation = Participation.objects.select_for_update().get(pk=row["participation_id"])
        if participation.state != State.TERDAFTAR:
            continue
        names = ["state", "end_reason", "ended_on", "reason"]
        before = snapshot(participation, names)
        participation.state = State.BERAKHIR
        participation.end_reason = EndReason.LAPSED
        participation.ended_on = row["grace_until"]
        participation.reason = lapse_reason(row["unpaid_month"])[:300]
        participation.updated_at = now
        participation.save(update_fields=[*names, "updated_at"])
        old, new = diff(before, snapshot(participation, names))
        record(
            by=by,
            action=Action.PARTICIPATION_ENDED,
            obj=participation,
            before=old,
            after=new,
            batch=batch,
        )
        ended += 1
    if ended:
        record(
            by=by,
            action=Action.PARTICIPATIONS_LAPSED,
            object_type="billing.lapse",
            object_id=day.isoformat(),
            object_repr=day.isoformat(),
            after={"on": day.isoformat(), "ended": ended},
            batch=batch,
        )
    return ended


def daily(on: datetime.date | None = None) -> dict[str, int]:
    """The scheduler's daily run: lapses, ended participants off unpaid bills, bills past
    due."""
    lapsed = lapse_overdue(by=None, on=on)
    drop_ended_lines(by=None)
    return {"past_due": mark_past_due(by=None, on=on), "lapsed": lapsed}

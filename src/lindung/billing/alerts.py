"""What needs attention today, within a wilayah: the alerts of the billing pages and the
dashboard.

    summary(on=date, codes=None) -> Alerts
        expiring     paid periods ending within 30 days with nothing paid after, per source
                     and wadah: [{source, wadah_id, wadah, participants, until}]
        past_due     unpaid bills past their due date: [{bill, source, wadah, due_date, amount}]
        in_grace     participants in grace: count, and per late-funds reason
        lapsed_month participations that lapsed this month

Bills belong to a wadah of the whole deployment: only `codes` None (or the whole deployment)
lists them; an area's user sees the counts of its own participants.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Q

from lindung.billing import groups, ledger, states
from lindung.billing.ledger import Status
from lindung.billing.models import Bill, BillState
from lindung.enrollment.models import EndReason, Wadah
from lindung.regions import scope

EXPIRING_DAYS = 30


@dataclass
class Alerts:
    on: datetime.date
    expiring: list[dict[str, Any]] = field(default_factory=list)
    past_due: list[dict[str, Any]] = field(default_factory=list)
    in_grace: int = 0
    grace_reasons: list[dict[str, Any]] = field(
        default_factory=list
    )  # [{bill, reason, participants}]
    lapsed_month: int = 0

    @property
    def expiring_total(self) -> int:
        return sum(int(e["participants"]) for e in self.expiring)

    @property
    def any(self) -> bool:
        return bool(self.expiring or self.past_due or self.in_grace or self.lapsed_month)


def summary(*, on: datetime.date, codes: list[str] | None = None) -> Alerts:
    """The alerts of `on` within `codes` (None: everything)."""
    if codes is not None and scope.is_whole_deployment(codes):
        codes = None
    alerts = Alerts(on=on)
    frame = groups.statuses(on=on, codes=codes)
    horizon = on + datetime.timedelta(days=EXPIRING_DAYS)
    ending = frame.filter(
        (pl.col("status") == Status.PROTECTED)
        & (pl.col("protected_until") <= horizon)
        & (pl.col("paid_through") == pl.col("protected_until"))
    )
    if ending.height:
        names = dict(Wadah.objects.values_list("pk", "code"))
        grouped = (
            ending.group_by("source", "wadah_id")
            .agg(participants=pl.col("participants").sum(), until=pl.col("protected_until").min())
            .sort("until", "source")
        )
        alerts.expiring = [
            {**row, "wadah": names.get(row["wadah_id"], "")}
            for row in grouped.iter_rows(named=True)
        ]
    grace = frame.filter(pl.col("status") == Status.GRACE)
    alerts.in_grace = int(grace["participants"].sum()) if grace.height else 0
    late = grace.filter(pl.col("delayed_bill_id").is_not_null())
    if late.height:
        counted = late.group_by("delayed_bill_id").agg(participants=pl.col("participants").sum())
        bills = Bill.objects.in_bulk(counted["delayed_bill_id"].to_list())
        alerts.grace_reasons = [
            {
                "bill": bills[row["delayed_bill_id"]],
                "reason": bills[row["delayed_bill_id"]].delay_reason,
                "participants": row["participants"],
            }
            for row in counted.iter_rows(named=True)
            if row["delayed_bill_id"] in bills
        ]
    month = frame.filter(
        (pl.col("end_reason") == EndReason.LAPSED)
        # a lapse takes effect the day after its grace ends (`ended_on`)
        & (pl.col("ended_on") >= on.replace(day=1) - datetime.timedelta(days=1))
        & (pl.col("ended_on") < ledger.month_end(on))
    )
    alerts.lapsed_month = int(month["participants"].sum()) if month.height else 0
    if codes is None:
        alerts.past_due = [
            {
                "bill": bill,
                "source": bill.source,
                "wadah": bill.wadah.code,
                "due_date": bill.due_date,
                "amount": bill.outstanding,
            }
            for bill in Bill.objects.filter(
                Q(state=BillState.KADALUARSA)
                | Q(state__in=states.UNPAID, due_date__lt=on, funds_delayed=False)
            )
            .select_related("wadah")
            .order_by("due_date", "number")
        ]
    return alerts

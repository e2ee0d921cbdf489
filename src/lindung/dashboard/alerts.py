"""The dashboard's alerts panel: what needs attention today within the user's wilayah, from
`billing.alerts.summary` (paid periods ending within 30 days per source and wadah, bills past
due, workers in grace and why, lapses this month).

    panel = alerts.panel(user, state)      # Panel; `panel.any` False when nothing needs attention

Every dashboard user sees the panel for their own wilayah (`scope.codes_for`), whatever area the
page looks at. Roles that do not see persons (pimpinan) get counts only, with the small-count
rule of the dashboard (`disclosure.protect`); the bills (numbers, links to the billing pages)
are shown to users who may work on them (`Capability.BILL`).

The summary reads the coverage groups (`billing.groups`), rebuilt first when a change made them
stale: it is kept per process for the day, the wilayah, `State.alerts_version` (raised by every
audit event that may change an alert, `dashboard.signals`) and the cells' generation, so a page
counts it again only after a change or on a new day. While the groups wait for the recount the
change queued (which rebuilds them), a page shows the alerts it kept from before the change,
as it shows the cells: a page never rebuilds the groups unless it has nothing to show.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from lindung.accounts.models import User
from lindung.billing import alerts as billing_alerts
from lindung.billing import groups
from lindung.dashboard.disclosure import is_small, protect
from lindung.dashboard.models import State
from lindung.dashboard.queries import Figure, sees_persons
from lindung.regions import scope
from lindung.roles import Capability

BILL_LIST = "billing:bill-list"  # the bills page (/tagihan/)


@dataclass(frozen=True)
class Expiring:
    source: str  # the source's label
    wadah: str
    participants: Figure
    until: datetime.date  # the first day a period of them ends


@dataclass(frozen=True)
class Reason:
    reason: str
    participants: Figure
    bill: str = ""  # the bill's number, for users who work on bills


@dataclass(frozen=True)
class PastDue:
    bill: str
    source: str
    wadah: str
    due_date: datetime.date
    amount: int


@dataclass
class Panel:
    on: datetime.date
    expiring: list[Expiring] = field(default_factory=list)
    expiring_total: Figure = field(default_factory=lambda: Figure(0))
    past_due: list[PastDue] = field(default_factory=list)  # users with Capability.BILL only
    past_due_count: int = 0
    past_due_amount: int = 0
    in_grace: Figure = field(default_factory=lambda: Figure(0))
    grace_reasons: list[Reason] = field(default_factory=list)
    lapsed_month: Figure = field(default_factory=lambda: Figure(0))
    bills_url: str = ""  # the billing pages, for users with Capability.BILL

    @property
    def any(self) -> bool:
        counts = (self.expiring_total, self.in_grace, self.lapsed_month)
        return bool(self.past_due_count or any(c.hidden or c.value for c in counts))


def panel(user: User, state: State) -> Panel:
    """The alerts of today for `user`'s wilayah, as `user` may see them."""
    today = timezone.localdate()
    codes = scope.codes_for(user)
    if not codes:
        return Panel(on=today)
    return _shown(_summary(today, tuple(sorted(codes)), state), user, state.labels)


Key = tuple[datetime.date, tuple[str, ...], int, int]
_kept: dict[Key, billing_alerts.Alerts] = {}  # the summaries counted, per key
_last: dict[tuple[datetime.date, tuple[str, ...]], Key] = {}  # the latest key of a day, wilayah
KEPT = 64  # summaries kept per process at most


def _summary(on: datetime.date, codes: tuple[str, ...], state: State) -> billing_alerts.Alerts:
    """`billing.alerts.summary`, once per day, wilayah and change (`alerts_version`,
    `generation`); the previous one of the day while the coverage groups are stale."""
    key = (on, codes, state.alerts_version, state.generation)
    found = _kept.get(key)
    if found is not None:
        return found
    previous = _kept.get(_last.get((on, codes), key))
    if previous is not None and groups.is_stale():
        return previous  # the queued recount rebuilds the groups: counted after it
    found = billing_alerts.summary(on=on, codes=list(codes))
    if len(_kept) >= KEPT:
        _kept.clear()
        _last.clear()
    _kept[key] = found
    _last[(on, codes)] = key
    return found


def forget() -> None:
    """Drop the kept summaries (tests, whose databases reuse the same versions)."""
    _kept.clear()
    _last.clear()


def _shown(found: billing_alerts.Alerts, user: User, labels: dict[str, str]) -> Panel:
    bills = user.can(Capability.BILL)
    hides = not sees_persons(user)
    out = Panel(on=found.on)
    expiring = [int(row["participants"]) for row in found.expiring]
    figures, out.expiring_total = _group(expiring, hides)
    out.expiring = [
        Expiring(
            source=labels.get(row["source"], str(row["source"]).upper()),
            wadah=str(row["wadah"]),
            participants=figure,
            until=row["until"],
        )
        for row, figure in zip(found.expiring, figures, strict=True)
    ]
    late = [int(row["participants"]) for row in found.grace_reasons]
    others = max(found.in_grace - sum(late), 0)  # in grace for no late-funds reason
    figures, out.in_grace = _group([*late, others], hides)
    out.grace_reasons = [
        Reason(
            reason=str(row["reason"]),
            participants=figure,
            bill=row["bill"].number if bills else "",
        )
        for row, figure in zip(found.grace_reasons, figures, strict=False)
    ]
    out.lapsed_month = _one(found.lapsed_month, hides)
    out.past_due_count = len(found.past_due)
    out.past_due_amount = sum(int(row["amount"]) for row in found.past_due)
    if bills:
        out.past_due = [
            PastDue(
                bill=row["bill"].number,
                source=labels.get(row["source"], str(row["source"]).upper()),
                wadah=str(row["wadah"]),
                due_date=row["due_date"],
                amount=int(row["amount"]),
            )
            for row in found.past_due
        ]
        out.bills_url = _url(BILL_LIST)
    return out


def _one(value: int, hides: bool) -> Figure:
    return Figure(None, hidden=True) if hides and is_small(value) else Figure(value)


def _group(values: list[int], hides: bool) -> tuple[list[Figure], Figure]:
    """The parts of a total and the total, for a viewer who gets small counts hidden
    (`hides`): a small total is hidden with all its parts, and a hidden part gets company so
    that none follows from the total (`disclosure.protect`)."""
    total = sum(values)
    if not hides:
        return [Figure(v) for v in values], Figure(total)
    total_figure = _one(total, hides)
    flags = protect(values, total_hidden=total_figure.hidden)
    parts = [
        Figure(None, hidden=True) if flag else Figure(v)
        for v, flag in zip(values, flags, strict=True)
    ]
    return parts, total_figure


def _url(name: str, *args: Any) -> str:
    """The URL of a billing page, "" while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""

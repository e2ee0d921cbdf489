"""Keeping the dashboard's cells correct: every change that moves its numbers is audited, so an
audit event of such an action (`audit.actions.MOVES_NUMBERS`) marks the cells stale and queues one
rebuild after the commit. "Protected today" also moves with the calendar: a page or the API
that finds the cells counted on an earlier day (`State.counted_on`) marks them stale and queues
the rebuild the same way (`ensure_queued`).

An event of an action that may change the alerts (those, and every billing action) raises
`State.alerts_version`, which the alerts panel keys its counts on (`dashboard.alerts`)."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.utils import timezone

from lindung.audit.actions import MOVES_NUMBERS, Action, moves_numbers
from lindung.audit.models import Event
from lindung.dashboard.models import State

# Billing actions that change no cell but may change an alert (a bill issued with its due date,
# past due, reconciled, a refund received), with those that move the numbers.
MOVES_ALERTS: frozenset[str] = frozenset(
    {
        *MOVES_NUMBERS,
        Action.BILL_ISSUED,
        Action.BILL_SP2D,
        Action.BILLS_PAST_DUE,
        Action.BILL_RECONCILED,
        Action.REFUND_RECEIVED,
        Action.RECONCILIATION_DISCARDED,
    }
)


def connect() -> None:
    post_save.connect(_on_event, sender=Event, dispatch_uid="dashboard-stale")


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if not created or instance.action not in MOVES_ALERTS:
        return
    if moves_numbers(instance.action):
        mark_stale()
    else:
        State.objects.get_or_create(pk=1)
        State.objects.filter(pk=1).update(alerts_version=F("alerts_version") + 1)


def mark_stale() -> None:
    """Mark the cells stale (and the alerts changed); queue a rebuild when the current
    transaction commits, once."""
    State.objects.get_or_create(pk=1)
    State.objects.filter(pk=1).update(
        stale_since=Coalesce(F("stale_since"), Value(timezone.now(), DateTimeField())),
        alerts_version=F("alerts_version") + 1,
    )
    if State.objects.filter(pk=1, queued=False).update(queued=True):
        transaction.on_commit(_enqueue)


def counted_before(
    counted_on: datetime.date | None, refreshed_at: datetime.datetime | None, today: datetime.date
) -> bool:
    """Whether cells counted on `counted_on` (or, for cells counted before that was kept, at
    `refreshed_at`) show an earlier day's coverage than `today`'s; never-counted cells are not."""
    if counted_on is None and refreshed_at is not None:
        counted_on = timezone.localdate(refreshed_at)
    return counted_on is not None and counted_on < today


def ensure_queued() -> None:
    """Queue a rebuild when the cells are stale, or were counted on an earlier day, and none
    waits (the page and the API call this: a queued job lost with its worker is queued again).
    Never rebuilds here."""
    current = (
        State.objects.filter(pk=1)
        .values("stale_since", "queued", "counted_on", "refreshed_at")
        .first()
    )
    if current is None:
        return
    stale = current["stale_since"] is not None
    if not stale and counted_before(
        current["counted_on"], current["refreshed_at"], timezone.localdate()
    ):
        State.objects.filter(pk=1, stale_since__isnull=True).update(stale_since=timezone.now())
        stale = True
    if not stale or current["queued"]:
        return
    if State.objects.filter(pk=1, queued=False).update(queued=True):
        transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from lindung.dashboard.tasks import refresh_task

    refresh_task.enqueue()

"""Keeping the dashboard's cells correct: every change that moves its numbers is audited, so an
audit event of such an action (`audit.actions.MOVES_NUMBERS`) marks the cells stale and queues one
rebuild after the commit."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from lindung.audit.actions import moves_numbers
from lindung.audit.models import Event
from lindung.dashboard.models import State


def connect() -> None:
    post_save.connect(_on_event, sender=Event, dispatch_uid="dashboard-stale")


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if created and moves_numbers(instance.action):
        mark_stale()


def mark_stale() -> None:
    """Mark the cells stale; queue a rebuild when the current transaction commits, once."""
    State.objects.get_or_create(pk=1)
    State.objects.filter(pk=1, stale_since__isnull=True).update(stale_since=timezone.now())
    if State.objects.filter(pk=1, queued=False).update(queued=True):
        transaction.on_commit(_enqueue)


def ensure_queued() -> None:
    """Queue a rebuild when the cells are stale and none waits (the page calls this: a queued job
    lost with its worker is queued again). Never rebuilds here."""
    current = State.objects.filter(pk=1).values("stale_since", "queued").first()
    if current is None or current["stale_since"] is None or current["queued"]:
        return
    if State.objects.filter(pk=1, queued=False).update(queued=True):
        transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from lindung.dashboard.tasks import refresh_task

    refresh_task.enqueue()

"""Keeping the dashboard's cells correct: every change that moves its numbers is audited, so an
audit event of such an action marks the cells stale and queues one rebuild after the commit."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from lindung.audit.models import Event
from lindung.dashboard.models import State

TRIGGERS = frozenset(
    {
        "workers_imported",
        "worker_updated",
        "worker_status_changed",
        "workers_merged",
        "list_approved",
        "policy_version_saved",
        "rules_version_added",
        "population_loaded",
        "regions_loaded",
        "deployment_configured",
    }
)


def connect() -> None:
    post_save.connect(_on_event, sender=Event, dispatch_uid="dashboard-stale")


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if created and instance.action in TRIGGERS:
        mark_stale()


def mark_stale() -> None:
    """Mark the cells stale; queue a rebuild when the current transaction commits, once."""
    State.objects.get_or_create(pk=1)
    State.objects.filter(pk=1, stale_since__isnull=True).update(stale_since=timezone.now())
    if State.objects.filter(pk=1, queued=False).update(queued=True):
        transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from lindung.dashboard.tasks import refresh_task

    refresh_task.enqueue()

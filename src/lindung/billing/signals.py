"""Keeping the coverage groups correct: an audit event of a change that moves the numbers
(`audit.actions.MOVES_NUMBERS`: participations registered or ended, payments, lapses, late
funds…) marks them stale in the same transaction; the next reader rebuilds them
(`groups.fresh`)."""

from typing import Any

from django.db.models.signals import post_save

from lindung.audit.actions import moves_numbers
from lindung.audit.models import Event
from lindung.billing import groups


def connect() -> None:
    post_save.connect(_on_event, sender=Event, dispatch_uid="billing-coverage-stale")


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if created and moves_numbers(instance.action):
        groups.mark_stale()

"""Participations follow what happens below them, through the audit events those changes record
(enrollment sits above targeting and the registry, which never call it):

- LIST_APPROVED: the year's participations follow the new list (`services.sync_list`), in the
  approval's transaction;
- WORKER_STATUS_CHANGED to deceased or moved away: the worker's open participations end.
"""

from typing import Any

from django.db.models.signals import post_save

from lindung.audit.actions import Action
from lindung.audit.models import Event
from lindung.enrollment.models import EndReason, Participation, State
from lindung.registry.models import WorkerStatus

_END_FOR_STATUS = {
    WorkerStatus.MENINGGAL.value: EndReason.DIED,
    WorkerStatus.PINDAH.value: EndReason.MOVED_OUT,
}


def connect() -> None:
    post_save.connect(_on_event, sender=Event, dispatch_uid="enrollment-follow")


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    if instance.action == Action.LIST_APPROVED:
        from lindung.enrollment.services import sync_list
        from lindung.targeting.models import BeneficiaryList

        approved = BeneficiaryList.objects.filter(pk=instance.object_id or 0).first()
        if approved is None:  # an event about a list that is not stored (a test's label)
            return
        sync_list(by=instance.actor or instance.actor_label, beneficiary_list=approved)
    elif instance.action == Action.WORKER_STATUS_CHANGED:
        reason = _END_FOR_STATUS.get(str((instance.after or {}).get("status")))
        if reason is None:
            return
        from lindung.enrollment.services import end_participation

        open_ones = Participation.objects.filter(worker_id=int(instance.object_id)).exclude(
            state=State.BERAKHIR
        )
        for participation in open_ones:
            end_participation(
                by=instance.actor or instance.actor_label,
                participation=participation,
                reason=reason,
            )

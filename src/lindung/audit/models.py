"""The append-only audit trail: who did what, when, to which object, with before/after."""

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.audit.actions import action_label


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")


class Event(models.Model):
    """One audited change. Written by services in the same transaction as the change itself.

    Rows are never updated or deleted: the model and its queryset refuse to, and a database
    trigger (migration 0002_event_update_trigger) rejects UPDATE on SQLite and PostgreSQL.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who acted, as text that survives a renamed or removed account ("system" for the CLI).
    actor_label = models.CharField(max_length=150)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    batch = models.UUIDField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # the audit page filters by object, by actor and by action, newest first
            models.Index(fields=["object_type", "object_id", "-at"], name="event_object"),
            models.Index(fields=["actor", "-at"], name="event_actor"),
            # the audit page's actor filter matches the username as recorded ("system" for CLI)
            models.Index(fields=["actor_label", "-at"], name="event_actor_label"),
            models.Index(fields=["action", "-at"], name="event_action"),
            models.Index(fields=["batch"], name="event_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")

    @property
    def action_label(self) -> str:
        """The action's label for people (`audit.actions.Action`)."""
        return action_label(self.action)

    @property
    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        keys = sorted(set(self.before) | set(self.after))
        return [(k, self.before.get(k), self.after.get(k)) for k in keys]


def new_batch_id() -> uuid.UUID:
    return uuid.uuid4()

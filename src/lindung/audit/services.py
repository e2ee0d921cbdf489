"""Writing audit events. Called by every service that changes data, inside its transaction."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_label, actor_user
from lindung.audit.context import request_ip
from lindung.audit.models import Event


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `obj`, JSON-ready (foreign keys as their id)."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = _json_value(getattr(obj, attname))
    return result


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value changed, as (before, after)."""
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {
        k: after.get(k) for k in keys if k in after
    }


def record(
    *,
    by: Actor | None,
    action: Action,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    batch: uuid.UUID | None = None,
) -> Event:
    """Append one event. Must run inside the caller's transaction (it refuses otherwise).

    `action` is an `Action` member, never bare text: the list of actions is the one place that
    says what each means and whether it moves the dashboard's numbers."""
    if not isinstance(action, Action):
        raise TypeError(f"audit.record takes an audit.Action, not {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the changing transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return Event.objects.create(
        actor=actor_user(by),
        actor_label=actor_label(by),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=dict(before or {}),
        after=dict(after or {}),
        batch=batch,
        ip=request_ip.get(),
    )


@transaction.atomic
def record_export(*, by: Actor, filters: Mapping[str, str], rows: int) -> Event:
    """An export of the audit trail is itself audited: who took which rows out."""
    return record(
        by=by,
        action=Action.AUDIT_EXPORTED,
        object_type="audit.event",
        after={"filters": dict(filters), "rows": rows},
    )

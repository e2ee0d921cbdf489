"""Reads of the audit trail: filtering, keyset pages (fast on millions of rows), display rows."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from lindung.audit.labels import key_label, model_label, value_label
from lindung.audit.models import Event, EventQuerySet
from lindung.formats import mask_nik
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

PAGE_SIZE = 50
# before/after values under these keys are masked for roles without VIEW_NIK
MASKED_FIELDS = frozenset({"nik", "no_kk"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EventFilter:
    """The audit page's filters; dates are local (Asia/Makassar) and both ends inclusive."""

    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    batch: uuid.UUID | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (for the audit record of an export)."""
        return {k: str(v) for k, v in vars(self).items() if v not in ("", None)}


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_events(f: EventFilter) -> EventQuerySet:
    """Events matching `f`, newest first. Each filter has an index (see Event.Meta.indexes)."""
    events = Event.objects.order_by("-at", "-id")
    if f.actor:
        events = events.filter(actor_label=f.actor)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.object_id:
        events = events.filter(object_id=f.object_id)
    if f.action:
        events = events.filter(action=f.action)
    if f.date_from:
        events = events.filter(at__gte=_local_midnight(f.date_from))
    if f.date_to:
        events = events.filter(at__lt=_local_midnight(f.date_to + timedelta(days=1)))
    if f.batch:
        events = events.filter(batch=f.batch)
    return events


def _cursor(event: Event) -> str:
    return f"{(event.at - _EPOCH) // timedelta(microseconds=1)}-{event.pk}"


def _parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    micros, _, pk = cursor.partition("-")
    if not (micros.isdigit() and pk.isdigit()):
        return None
    return _EPOCH + timedelta(microseconds=int(micros)), int(pk)


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_cursor: str | None  # pass as `before` for the next (older) page


def event_page(events: EventQuerySet, *, before: str = "", size: int = PAGE_SIZE) -> EventPage:
    """One page of `events` older than the cursor `before` (keyset: no OFFSET, no COUNT)."""
    if parsed := _parse_cursor(before):
        at, pk = parsed
        events = events.filter(Q(at__lt=at) | Q(at=at, id__lt=pk), at__lte=at)
    rows = list(events[: size + 1])
    return EventPage(rows[:size], _cursor(rows[size - 1]) if len(rows) > size else None)


def user_events(user: User, *, limit: int = 20) -> list[Event]:
    """The latest events done by `user` or done to their account (two indexed reads)."""
    by_user = Event.objects.filter(actor=user).order_by("-at", "-id")[:limit]
    on_user = Event.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by(
        "-at", "-id"
    )[:limit]
    unique = {e.pk: e for e in chain(by_user, on_user)}
    return sorted(unique.values(), key=lambda e: (e.at, e.pk), reverse=True)[:limit]


def display_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Change:
    field: str  # the key as stored
    before: str
    after: str
    label: str = ""  # the key for people (audit.labels); empty: show `field`


@dataclass(frozen=True)
class EventRow:
    event: Event
    changes: list[Change] = field(default_factory=list)

    @property
    def object_label(self) -> str:
        """The kind of object, as people name it (`targeting.beneficiarylist` → its model's
        verbose name)."""
        return model_label(self.event.object_type)


def changes_for(event: Event, *, viewer: User) -> list[Change]:
    """The event's before/after per field as text with its label (`audit.labels`), NIK and
    No. KK masked unless `viewer` may see them."""
    show_nik = viewer.can(Capability.VIEW_NIK)
    kind = event.object_type
    result = []
    for name, before, after in event.changed_fields:
        old = display_value(value_label(kind, name, before))
        new = display_value(value_label(kind, name, after))
        if name in MASKED_FIELDS and not show_nik:
            old, new = mask_nik(old), mask_nik(new)
        result.append(Change(name, old, new, key_label(kind, name)))
    return result


def event_rows(events: list[Event], *, viewer: User) -> list[EventRow]:
    return [EventRow(e, changes_for(e, viewer=viewer)) for e in events]

"""What every loader does in the database: look codes up in chunks, record one audit event."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.models import new_batch_id
from lindung.audit.services import record
from lindung.regions.models import Region

# Codes per `code IN (…)` query: well under SQLite's limit on query parameters.
CODES_PER_QUERY = 500


def chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CODES_PER_QUERY):
        yield codes[start : start + CODES_PER_QUERY]


def known_codes(codes: Iterable[str]) -> set[str]:
    """Those of `codes` that are regions in the database."""
    known: set[str] = set()
    for chunk in chunks(sorted(set(codes))):
        known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    return known


def record_load(
    *,
    by: Actor | None,
    action: Action,
    model: type[models.Model],
    source: str,
    after: dict[str, Any],
) -> None:
    """One audit event for a bulk load (its counts), in the load's transaction."""
    record(
        by=by,
        action=action,
        object_type=model._meta.label_lower,
        object_repr=source[-200:],
        after=after,
        batch=new_batch_id(),
    )

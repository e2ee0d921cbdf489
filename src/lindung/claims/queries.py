"""Reads of events and claims, always within the user's wilayah: claims are death and health
data, so only roles that see persons read them (`Capability.VIEW_PERSONS`); anyone else gets
nothing (the impact's aggregates are for them)."""

from typing import Any

from django.db.models import QuerySet

from lindung.claims.models import Claim, Event
from lindung.regions import scope
from lindung.roles import Capability


def sees_claims(user: Any) -> bool:
    return bool(user.can(Capability.VIEW_PERSONS))


def visible_events(user: Any) -> QuerySet[Event]:
    if not sees_claims(user):
        return Event.objects.none()
    return Event.objects.filter(scope.q(scope.codes_for(user), "desa_id")).select_related("worker")


def visible_claims(user: Any) -> QuerySet[Claim]:
    if not sees_claims(user):
        return Claim.objects.none()
    return Claim.objects.filter(scope.q(scope.codes_for(user), "desa_id")).select_related(
        "event", "worker"
    )


def years(claims: QuerySet[Claim]) -> list[int]:
    return list(claims.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())

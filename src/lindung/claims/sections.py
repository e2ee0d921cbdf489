"""The worker page's section served by claims: the deaths and accidents reported, their claims,
and the link to report one."""

from typing import Any

from lindung.claims.models import Claim, Event
from lindung.registry.models import Worker
from lindung.registry.sections import WorkerSection


def _claims(worker: Worker) -> dict[str, Any]:
    events = list(Event.objects.filter(worker=worker).order_by("-occurred_on", "-pk"))
    claims = list(Claim.objects.filter(worker=worker).order_by("-created_at", "-pk"))
    return {"claim_events": events, "worker_claims": claims}


WORKER_CLAIMS = WorkerSection(order=30, template="claims/worker_claims.html", context=_claims)

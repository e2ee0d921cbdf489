"""The worker page's section served by billing: the coverage of the worker's sponsored
participations (the months paid, who paid, and whether the worker is protected today)."""

from typing import Any

from lindung.billing.queries import worker_coverage
from lindung.registry.models import Worker
from lindung.registry.sections import WorkerSection


def _coverage(worker: Worker) -> dict[str, Any]:
    return worker_coverage(worker)


WORKER_COVERAGE = WorkerSection(
    order=25, template="billing/coverage_worker.html", context=_coverage
)

"""The worker page's section served by targeting: the approved lists the worker is on."""

from typing import Any

from lindung.registry.models import Worker
from lindung.registry.sections import WorkerSection
from lindung.targeting.models import Beneficiary


def _lists(worker: Worker) -> dict[str, Any]:
    return {
        "listed": Beneficiary.objects.filter(worker=worker)
        .select_related("beneficiary_list")
        .order_by("-beneficiary_list__fiscal_year", "-beneficiary_list__version")[:10],
    }


WORKER_LISTS = WorkerSection(order=10, template="targeting/worker_lists.html", context=_lists)

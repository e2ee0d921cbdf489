"""The worker page's section served by targeting: the approved lists the worker is on."""

from typing import Any

from lindung.registry.models import Worker
from lindung.registry.sections import WorkerSection
from lindung.targeting.lists import source_labels
from lindung.targeting.models import Beneficiary


def _lists(worker: Worker) -> dict[str, Any]:
    """The lists the worker is on, each with its paying source as its policy names it."""
    entries = (
        Beneficiary.objects.filter(worker=worker)
        .select_related("beneficiary_list__scenario")
        .order_by("-beneficiary_list__fiscal_year", "-beneficiary_list__version")[:10]
    )
    return {
        "listed": [
            (e, source_labels(e.beneficiary_list.scenario).get(e.source, e.source)) for e in entries
        ],
    }


WORKER_LISTS = WorkerSection(order=10, template="targeting/worker_lists.html", context=_lists)

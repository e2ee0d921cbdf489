"""The worker page's section served by rules: the desa's nominations and the nominate form."""

from typing import Any

from django.utils import timezone

from lindung.registry.models import Worker
from lindung.registry.sections import WorkerSection
from lindung.rules.forms import NominationForm
from lindung.rules.models import Nomination


def _nominations(worker: Worker) -> dict[str, Any]:
    return {
        "nominations": Nomination.objects.filter(worker=worker)
        .select_related("by")
        .order_by("-fiscal_year"),
        "nominate_form": NominationForm(initial={"fiscal_year": timezone.localdate().year + 1}),
    }


WORKER_NOMINATIONS = WorkerSection(
    order=20, template="rules/worker_nominations.html", context=_nominations
)

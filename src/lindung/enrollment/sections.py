"""The worker page's section served by enrollment: the worker's BPJS TK participations."""

from typing import Any

from lindung.enrollment.queries import worker_history
from lindung.registry.models import SelfPayment, Worker
from lindung.registry.sections import WorkerSection


def _participations(worker: Worker) -> dict[str, Any]:
    history = list(worker_history(worker)[:20])
    kpj = next((p.kpj for p in history if p.kpj), "")
    self_payment = SelfPayment.objects.filter(worker_id=worker.pk).first()
    return {
        "participations": history,
        "kpj": kpj or (self_payment.kpj if self_payment else ""),
        "self_payment": self_payment,
    }


WORKER_PARTICIPATIONS = WorkerSection(
    order=20, template="enrollment/worker_participations.html", context=_participations
)

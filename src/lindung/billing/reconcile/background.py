"""Checking an uploaded recap as a background job (`lindung.jobs`): the page shows its
progress, then the preview. Registered in `BillingConfig.ready()`:

    from lindung.billing.reconcile.background import CHECK_KIND
    register_job(CHECK_KIND)
"""

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.billing.models import Reconciliation
from lindung.billing.reconcile import service
from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

CHECK = "billing.reconcile-check"


def _check(job: Job, progress: Progress) -> str:
    reconciliation = Reconciliation.objects.filter(pk=job.params.get("reconciliation")).first()
    if reconciliation is None:
        raise JobError(_("This reconciliation no longer exists."))
    progress.step("read")
    service.run_check(reconciliation, progress=lambda done: progress.advance(done))
    return reverse("billing:reconcile-detail", kwargs={"pk": reconciliation.pk})


CHECK_KIND = JobKind(
    code=CHECK,
    title=gettext_lazy("Checking the BPJS recap"),
    steps=(Step("read", gettext_lazy("Reading the recap and comparing it with Lindung")),),
    run=_check,
    redirect=True,
)


def start_check(*, by: "User", reconciliation: Reconciliation) -> Job:
    return start_job(
        by=by,
        kind=CHECK,
        key=str(reconciliation.pk),
        capability=Capability.BILL,
        params={"reconciliation": reconciliation.pk},
    )

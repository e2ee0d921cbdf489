"""Checking an uploaded claim report as a background job (`lindung.jobs`): the page shows its
progress, then the preview. To be registered in `ClaimsConfig.ready()`:

    from lindung.claims.reports.background import CHECK_KIND
    register_job(CHECK_KIND)
"""

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.claims.models import ClaimReport
from lindung.claims.reports import service
from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

CHECK = "claims.report-check"


def _check(job: Job, progress: Progress) -> str:
    report = ClaimReport.objects.filter(pk=job.params.get("report")).first()
    if report is None:
        raise JobError(_("This claim report no longer exists."))
    progress.step("read")
    service.run_check(report, progress=lambda done: progress.advance(done))
    return reverse("claims:report-detail", kwargs={"pk": report.pk})


CHECK_KIND = JobKind(
    code=CHECK,
    title=gettext_lazy("Checking the BPJS claim report"),
    steps=(Step("read", gettext_lazy("Reading the report and matching it to the claims")),),
    run=_check,
    redirect=True,
)


def start_check(*, by: "User", report: ClaimReport) -> Job:
    return start_job(
        by=by,
        kind=CHECK,
        key=str(report.pk),
        capability=Capability.CLAIM,
        params={"report": report.pk},
    )

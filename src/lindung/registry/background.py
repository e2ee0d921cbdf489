"""The registry export as a background job (`lindung.jobs`): the list page shows its progress
and a download link when the file is ready; the same filter clicked twice gives the same job.

    job = start_worker_export(by=user, query=request.GET.urlencode())
"""

from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.registry import queries, services
from lindung.registry.exports import EXPORT_LIMIT, write_workers_xlsx
from lindung.registry.forms import WorkerFilterForm
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

WORKER_EXPORT = "registry.export"


def _run(job: Job, progress: Progress) -> None:
    user = job.started_by
    if user is None or not user.can(Capability.VIEW_PERSONS):
        raise JobError(_("You may no longer export workers."))
    progress.step("read")
    worker_filter = WorkerFilterForm(QueryDict(job.params.get("query", "")), by=user)
    chosen = worker_filter.worker_filter()
    workers = queries.filter_workers(queries.visible_workers(user), chosen)
    total = min(workers.count(), EXPORT_LIMIT)
    progress.step("write", total=total)
    out = progress.output(f"pekerja-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    rows = write_workers_xlsx(workers, viewer=user, out=out, progress=progress.advance)
    services.record_worker_export(by=user, filters=chosen.as_dict(), rows=rows)


KIND = JobKind(
    code=WORKER_EXPORT,
    title=gettext_lazy("Worker list export (XLSX)"),
    steps=(
        Step("read", gettext_lazy("Counting the workers")),
        Step("write", gettext_lazy("Writing the spreadsheet")),
    ),
    run=_run,
)


def start_worker_export(*, by: "User", query: str) -> Job:
    """Queue an export of the list page's filter `query` (its query string) for `by`."""
    return start_job(
        by=by,
        kind=WORKER_EXPORT,
        key=query,
        capability=Capability.VIEW_PERSONS,
        params={"query": query},
    )

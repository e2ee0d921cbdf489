"""Billing work as background jobs (`lindung.jobs`): making a year's bills (100.000
participants take seconds). The job page shows its progress, then the bill list with the bills
it made.

    job = start_make_bills(by=user, fiscal_year=2027, source="", period="2027-01..2027-06")
"""

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from lindung.billing import services
from lindung.billing.states import BillingError
from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

MAKE_BILLS = "billing.make-bills"
NOTHING_MADE = "0"  # the bill list's `dibuat` when the run billed nothing new


def _make_bills(job: Job, progress: Progress) -> str:
    params = job.params
    year = int(params["fiscal_year"])
    progress.step("bill")
    try:
        period = services.parse_period(params["period"], year) if params.get("period") else None
        bills = services.make_bills(
            by=job.started_by, fiscal_year=year, source=params.get("source") or None, period=period
        )
    except BillingError as error:
        raise JobError(error.message) from error
    numbers = sorted(b.number for b in bills)
    made = f"{numbers[0]}..{numbers[-1]}" if numbers else NOTHING_MADE
    return reverse("billing:bill-list") + "?" + urlencode({"tahun": str(year), "dibuat": made})


MAKE_BILLS_KIND = JobKind(
    code=MAKE_BILLS,
    title=gettext_lazy("Making bills"),
    steps=(Step("bill", gettext_lazy("Billing the registered participants")),),
    run=_make_bills,
    redirect=True,
)


def start_make_bills(*, by: "User", fiscal_year: int, source: str, period: str) -> Job:
    return start_job(
        by=by,
        kind=MAKE_BILLS,
        key=f"{fiscal_year}:{source}:{period}",
        capability=Capability.BILL,
        params={"fiscal_year": fiscal_year, "source": source, "period": period},
    )

"""Scenario work as background jobs (`lindung.jobs`). A run: the page shows its steps with a
moving bar, then the scenario; a second click while it runs gives the same job. A scenario's
draft list (XLSX): its progress, then a download link.

    job = start_scenario_run(by=user, params={"fiscal_year": 2027, "budgets": {...}, ...})
    job = start_scenario_lampiran(by=user, scenario=scenario)
"""

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.jobs.kinds import JobKind, Step
from lindung.jobs.models import Job
from lindung.jobs.services import JobError, Progress, start_job
from lindung.roles import Capability
from lindung.targeting.exports import write_lampiran
from lindung.targeting.models import Scenario
from lindung.targeting.services import TargetingError, run_scenario

if TYPE_CHECKING:
    from lindung.accounts.models import User

SCENARIO_RUN = "targeting.scenario"
SCENARIO_LAMPIRAN = "targeting.scenario-lampiran"


def _run(job: Job, progress: Progress) -> str:
    if job.started_by is None:
        raise JobError(_("The person who started this run no longer exists."))
    params: dict[str, Any] = job.params
    try:
        scenario = run_scenario(
            by=job.started_by,
            fiscal_year=int(params["fiscal_year"]),
            budgets=dict(params.get("budgets") or {}),
            policy_number=params.get("policy_number"),
            name=str(params.get("name", "")),
            supplement=bool(params.get("supplement")),
            progress=progress.step,
            kabupaten=params.get("kabupaten"),
        )
    except TargetingError as error:
        raise JobError(error.message) from error
    return reverse("targeting:scenario-detail", kwargs={"pk": scenario.pk})


KIND = JobKind(
    code=SCENARIO_RUN,
    title=gettext_lazy("Scenario run"),
    steps=(
        Step("read", gettext_lazy("Reading the registry")),
        Step("eligibility", gettext_lazy("Working out eligibility")),
        Step("optimize", gettext_lazy("Optimising the selection")),
        Step("save", gettext_lazy("Saving the result")),
    ),
    run=_run,
    redirect=True,
)


def start_scenario_run(*, by: "User", params: dict[str, Any]) -> Job:
    """Queue a run for `by` (one at a time per person: a second click gets the running one)."""
    return start_job(by=by, kind=SCENARIO_RUN, capability=Capability.CONFIGURE, params=params)


def _write_lampiran(job: Job, progress: Progress) -> None:
    progress.step("read")
    scenario = Scenario.objects.filter(pk=job.params.get("scenario")).first()
    if scenario is None:
        raise JobError(_("This scenario no longer exists."))
    progress.step("write", total=scenario.selected)
    write_lampiran(scenario, progress.output(f"sasaran-{scenario.fiscal_year}-{scenario.pk}.xlsx"))


LAMPIRAN_KIND = JobKind(
    code=SCENARIO_LAMPIRAN,
    title=gettext_lazy("Draft list of a scenario (XLSX)"),
    steps=(
        Step("read", gettext_lazy("Reading the scenario")),
        Step("write", gettext_lazy("Writing the spreadsheet")),
    ),
    run=_write_lampiran,
)


def start_scenario_lampiran(*, by: "User", scenario: Scenario) -> Job:
    """Queue the draft list of `scenario` as XLSX for `by` (the same job on a second click)."""
    return start_job(
        by=by,
        kind=SCENARIO_LAMPIRAN,
        key=str(scenario.pk),
        capability=Capability.CONFIGURE,
        params={"scenario": scenario.pk},
    )

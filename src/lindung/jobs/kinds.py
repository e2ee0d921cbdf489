"""The kinds of job, registered by the apps that run them (in their `AppConfig.ready()`).

The jobs app sits low in the layers (below audit, so that every app may run a job), so it
never imports the apps whose work it runs: each registers a `JobKind` with its steps (codes
stored in `Job.step`, Indonesian labels shown) and the function that does the work.

    register(JobKind(
        code="targeting.scenario",
        title=_("Scenario run"),
        steps=(Step("read", _("Reading the registry")), Step("save", _("Saving the result"))),
        run=run_scenario_job,        # (job, progress) -> the result page's URL or None
        redirect=True,               # the page goes to the result when the job is done
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from lindung.jobs.models import Job
    from lindung.jobs.services import Progress


@dataclass(frozen=True)
class Step:
    code: str
    label: str | Promise


@dataclass(frozen=True)
class JobKind:
    code: str
    title: str | Promise
    steps: tuple[Step, ...]
    run: Callable[[Job, Progress], str | None]
    # When done, the page that started it goes to the job's result_url (a scenario's page);
    # otherwise the job shows its result there (a download link).
    redirect: bool = False

    def step_index(self, code: str) -> int:
        """The position of step `code` (0-based); -1 for none or an unknown one."""
        return next((i for i, step in enumerate(self.steps) if step.code == code), -1)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Add a kind (again on a second ready(): the last one counts)."""
    _KINDS[kind.code] = kind


def get(code: str) -> JobKind:
    """The registered kind `code` (KeyError when no app registered it)."""
    return _KINDS[code]

"""What the progress box shows of a job: its title, step label, step number and percentage."""

from dataclasses import dataclass

from django.utils.functional import Promise

from lindung.jobs import kinds
from lindung.jobs.models import Job, JobStatus


@dataclass(frozen=True)
class JobView:
    job: Job
    title: str | Promise
    step_label: str | Promise
    step_number: int  # 1-based; 0 before the first step
    steps: int
    percent: int
    redirect: bool

    @property
    def active(self) -> bool:
        return self.job.active


def describe(job: Job) -> JobView:
    kind = kinds.get(job.kind)
    index = kind.step_index(job.step)
    steps = len(kind.steps) or 1
    if job.status == JobStatus.DONE:
        percent = 100
    elif index < 0:
        percent = 0
    else:
        within = min(1.0, job.done / job.total) if job.total else 0.0
        percent = int(100 * (index + within) / steps)
    return JobView(
        job=job,
        title=kind.title,
        step_label=kind.steps[index].label if index >= 0 else "",
        step_number=index + 1,
        steps=len(kind.steps),
        percent=min(99, percent) if job.active else percent,
        redirect=kind.redirect,
    )

"""The one background task of the jobs app: run a `Job` (django-tasks; `lindung serve` runs the
worker). A job that raises is marked failed inside `run_job`; a worker that dies in one is
restarted by `lindung serve`, which marks the job failed (`services.job_of` names it)."""

from django_tasks import task

from lindung.jobs.services import run_job


@task()
def run_job_task(job_id: str) -> None:
    run_job(job_id)

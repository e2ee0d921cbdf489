"""Starting, running, failing and tidying up jobs (see `docs/conventions.md`, "Long work").

    job = start_job(by=user, kind="registry.export", key=query, capability=Capability.EXPORT,
                    params={"query": query})          # queued; the same job on a second click
    run_job(job.pk)                                    # what the background worker does
    fail_stale_jobs()                                  # `lindung serve`: a dead runner → failed

The job's own function (`JobKind.run`) reports through `Progress`: `progress.step("save")`,
`progress.advance(done, total)`, `progress.output("ekspor.xlsx")` for a file to download, and
raises `JobError` with a message in the user's words when it cannot go on.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.jobs import kinds
from lindung.jobs.models import ACTIVE, Job, JobStatus
from lindung.jobs.runner import has_stopped, runner_id

if TYPE_CHECKING:
    from lindung.accounts.models import User

logger = logging.getLogger(__name__)

TASK_PATH = "lindung.jobs.tasks.run_job_task"
# A progress report is written at most this often (a step change always is).
WRITE_EVERY = 0.25
# Days an ended job's row is kept after its file went.
ROWS_KEPT_DAYS = 7


class JobError(Exception):
    """The job cannot go on; the message (in the user's words) is shown on the page."""


def jobs_dir() -> Path:
    return Path(settings.VAR_DIR) / "jobs"


def _active_job(kind: str, by: User | None, key: str) -> Job | None:
    return Job.objects.filter(kind=kind, started_by=by, key=key, status__in=ACTIVE).first()


def start_job(
    *,
    by: User | None,
    kind: str,
    key: str = "",
    capability: str = "",
    scope: str = "",
    params: dict[str, Any] | None = None,
) -> Job:
    """Queue a job of `kind` for `by`, or give back the one of the same kind and key that is
    still queued or running (a second click, another tab): a job never runs twice at once."""
    kinds.get(kind)  # a kind nobody registered fails here, not in the worker
    existing = _active_job(kind, by, key)
    if existing is not None and not fail_if_stale(existing):
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key[:200],
                started_by=by,
                capability=capability,
                scope=scope,
                params=params or {},
                heartbeat_at=timezone.now(),
            )
    except IntegrityError:
        # Another request created it between our look and our insert.
        existing = _active_job(kind, by, key)
        if existing is None:
            raise
        return existing
    from lindung.jobs.tasks import run_job_task

    run_job_task.enqueue(str(job.pk))
    job.refresh_from_db()  # done already when jobs run in the request (tests, LINDUNG_TASKS)
    return job


class Progress:
    """What a running job reports: its step, how far it is within it, the file it writes."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.kind = kinds.get(job.kind)
        self._written = 0.0

    def step(self, code: str, *, total: int = 0) -> None:
        if self.kind.step_index(code) < 0:
            raise ValueError(f"{self.job.kind} has no step {code!r}")
        self.job.step, self.job.done, self.job.total = code, 0, max(0, total)
        self._write(force=True)

    def advance(self, done: int, total: int | None = None) -> None:
        self.job.done = max(0, done)
        if total is not None:
            self.job.total = max(0, total)
        self._write()

    def output(self, filename: str) -> Path:
        """Where to write the job's file; it is offered as `filename` when the job is done."""
        folder = jobs_dir() / str(self.job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ("result" + Path(filename).suffix)
        self.job.result_file = str(path.relative_to(Path(settings.VAR_DIR)))
        self.job.result_name = filename
        return path

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < WRITE_EVERY:
            return
        self._written = now
        Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            step=self.job.step,
            done=self.job.done,
            total=self.job.total,
            heartbeat_at=timezone.now(),
        )


def run_job(job_id: uuid.UUID | str) -> None:
    """Do a queued job (the background worker; tests call it directly). A job that is no longer
    queued (failed meanwhile, or done) is left alone."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, runner=runner_id(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    try:
        url = progress.kind.run(job, progress)
    except JobError as error:
        _remove_file(job)
        fail_job(job.pk, reason=str(error))
        return
    except Exception:
        _remove_file(job)
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        fail_job(job.pk, reason=_("The job stopped because of an error. Please try again."))
        return
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        step=job.step,
        done=job.total or job.done,
        total=job.total,
        result_url=url or "",
        result_file=job.result_file,
        result_name=job.result_name,
        runner="",
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )


def interrupted_reason() -> str:
    return _(
        "The job stopped (the server was stopped or restarted) before it was done."
        " Please start it again."
    )


def fail_job(job_id: uuid.UUID | str, *, reason: str = "") -> bool:
    """Mark a job that is still queued or running as failed with `reason` (in the user's words).
    False when it had already ended."""
    return bool(
        Job.objects.filter(pk=job_id, status__in=ACTIVE).update(
            status=JobStatus.FAILED,
            error=reason or interrupted_reason(),
            runner="",
            finished_at=timezone.now(),
        )
    )


# --- Jobs whose process is gone ----------------------------------------------------------------


def stale_after() -> timedelta:
    return timedelta(seconds=max(1, int(settings.LINDUNG_JOB_STALE_SECONDS)))


def is_stale(job: Job, *, now: datetime | None = None) -> bool:
    """A queued or running job whose process is gone (its runner on this host is dead), or that
    made no progress for LINDUNG_JOB_STALE_SECONDS while no live process is known to hold it
    (a queued job is not stale while its task still waits in the queue)."""
    return job.status in ACTIVE and has_stopped(
        job.runner,
        job.heartbeat_at or job.created_at,
        stale_after(),
        waiting=lambda: job.status == JobStatus.QUEUED and _task_waiting(job.pk),
        now=now,
    )


def _task_waiting(job_id: uuid.UUID) -> bool:
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path=TASK_PATH)
    return any(
        job_of(TASK_PATH, args_kwargs) == str(job_id)
        for args_kwargs in pending.values_list("args_kwargs", flat=True)
    )


def fail_if_stale(job: Job) -> bool:
    """Mark `job` failed when it is stale (and refresh it); True when it was."""
    if not is_stale(job):
        return False
    failed = fail_job(job.pk)
    job.refresh_from_db()
    if failed:
        logger.warning("job %s (%s) was stale: marked failed", job.pk, job.kind)
    return failed


def fail_stale_jobs() -> list[str]:
    """Every stale job → failed (`lindung serve` at start-up and every minute). Their ids."""
    now = timezone.now()
    failed = [
        str(job.pk)
        for job in Job.objects.filter(status__in=ACTIVE)
        if is_stale(job, now=now) and fail_job(job.pk)
    ]
    if failed:
        logger.warning("stale jobs marked failed: %s", ", ".join(failed))
    return failed


def job_of(task_path: str, args_kwargs: Any) -> str | None:
    """The job id a queued task (its path and stored arguments) runs, or None."""
    if task_path != TASK_PATH:
        return None
    args = (args_kwargs or {}).get("args") or []
    kwargs = (args_kwargs or {}).get("kwargs") or {}
    value = args[0] if args else kwargs.get("job_id")
    return str(value) if value else None


# --- Files of finished jobs ----------------------------------------------------------------------


def _remove_file(job: Job) -> None:
    shutil.rmtree(jobs_dir() / str(job.pk), ignore_errors=True)
    job.result_file = job.result_name = ""


def result_path(job: Job) -> Path | None:
    """The job's file when it is done and the file is still kept."""
    if job.status != JobStatus.DONE or not job.result_file:
        return None
    path = Path(settings.VAR_DIR) / job.result_file
    return path if path.is_file() else None


def purge_job_files(*, now: datetime | None = None) -> int:
    """Remove the files of jobs that ended more than LINDUNG_JOB_FILE_HOURS ago (exports hold
    personal data: they are fetched, not kept), and those jobs' rows ROWS_KEPT_DAYS later. The
    number of jobs whose files went."""
    cutoff = (now or timezone.now()) - timedelta(hours=int(settings.LINDUNG_JOB_FILE_HOURS))
    old = Job.objects.exclude(status__in=ACTIVE).filter(finished_at__lt=cutoff)
    count = 0
    for job in old.exclude(result_file=""):
        _remove_file(job)
        Job.objects.filter(pk=job.pk).update(result_file="")
        count += 1
    # The rows themselves (their filters) go a week later: what a job did is in the audit log.
    old.filter(finished_at__lt=cutoff - timedelta(days=ROWS_KEPT_DAYS)).delete()
    return count

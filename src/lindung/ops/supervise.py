"""`lindung serve`'s background worker, kept alive beside the web server.

A job can take its worker process down (killed, aborted by a huge allocation): the web server
goes on, the jobs the worker held are marked failed (`fail_jobs_of`), with the import batches
they worked on, and a new worker starts after a growing pause (1, 2, 4 … 60 s; back to 1 s after
a worker that ran a minute). At start-up, the jobs and batches a previous `lindung serve` left
running are marked failed the same way (`recover_at_start`). The log names jobs and batches by
id and task name only: no personal data.

Worker ids are "host:pid:start/n" of the serve process (n counts its workers), so a job left
RUNNING names the serve process that ran it.
"""

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from lindung.audit.actors import SYSTEM
from lindung.jobs import services as jobs
from lindung.registry import recovery
from lindung.registry.tasks import batch_of

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a worker that ran this long resets the pause
# The task worker's niceness: a recount or an import (Polars on every core) yields the CPU to
# the web server's requests, which stay fast meanwhile (bench/recount_pages.py).
WORKER_NICE = 10
JOB_DIED = "lindung.ops.supervise.WorkerDied"


def fail_jobs_of(worker_ids: set[str], *, why: str) -> list[str]:
    """Mark the RUNNING jobs last claimed by one of `worker_ids` failed, with the import batches
    they worked on. The batches' ids."""
    from django_tasks_db.models import DBTaskResult

    batches = []
    for job in DBTaskResult.objects.filter(status="RUNNING"):
        if not job.worker_ids or job.worker_ids[-1] not in worker_ids:
            continue
        updated = DBTaskResult.objects.filter(pk=job.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=JOB_DIED,
            traceback=why,
        )
        batch_id = batch_of(job.task_path, job.args_kwargs)
        logger.warning("job %s (%s) failed: %s", job.pk, job.task_path.rsplit(".", 1)[-1], why)
        if updated and batch_id and recovery.fail_import(by=SYSTEM, batch_id=batch_id):
            batches.append(batch_id)
        job_id = jobs.job_of(job.task_path, job.args_kwargs)
        if updated and job_id:
            jobs.fail_job(job_id)
    return batches


def recover_at_start() -> None:
    """Jobs left RUNNING by workers of a serve process that is gone → failed, with their
    batches; then every stale batch → failed. Queued jobs run as usual (they resume)."""
    from django_tasks_db.models import DBTaskResult

    try:
        dead = {
            worker_id
            for ids in DBTaskResult.objects.filter(status="RUNNING").values_list(
                "worker_ids", flat=True
            )
            for worker_id in ids[-1:]
            if recovery.runner_alive(worker_id.rpartition("/")[0]) is False
        }
        fail_jobs_of(dead, why="the server stopped while the job ran")
        recovery.fail_stale_imports()
        jobs.fail_stale_jobs()
    finally:
        connection.close()


def sweep_stale_imports() -> None:
    """From serve's scheduler thread: batches whose process is gone (a killed `lindung import`,
    a worker of another host) → failed."""
    try:
        recovery.fail_stale_imports()
        jobs.fail_stale_jobs()
        jobs.purge_job_files()
    finally:
        connection.close()


@dataclass
class Worker:
    """The task worker process: started, watched, restarted."""

    python: str = sys.executable
    serve_id: str = field(default_factory=recovery.runner_id)
    process: subprocess.Popen[bytes] | None = None
    started: int = 0
    started_at: float = 0.0
    pause: float = BACKOFF_FIRST

    @property
    def worker_id(self) -> str:
        return f"{self.serve_id}/{self.started}"

    def start(self) -> subprocess.Popen[bytes]:
        self.started += 1
        self.started_at = time.monotonic()
        command = [
            self.python, "-m", "lindung.cli", "db_worker", "--queue-name", "*",
            "--worker-id", self.worker_id,
        ]  # fmt: skip
        self.process = subprocess.Popen(command)  # noqa: S603 - our own interpreter, fixed args
        try:  # before its first job starts Polars' threads, which inherit the priority
            os.setpriority(os.PRIO_PROCESS, self.process.pid, WORKER_NICE)
        except OSError:
            logger.warning("could not lower the task worker's priority")
        return self.process

    def died(self, code: int, stopping: threading.Event) -> Any:
        """The worker ended with `code` while serve goes on: fail what it held, wait, start a
        new one. Returns the new process (None when serve is stopping meanwhile)."""
        why = f"the worker process ended with code {code}"
        try:
            batches = fail_jobs_of({self.worker_id}, why=why)
            if self.process is not None:
                prefix = recovery.runner_prefix(self.process.pid)
                batches += recovery.fail_imports_of(runner_prefix=prefix)
        except Exception:
            logger.exception("could not mark the jobs of the dead worker failed")
            batches = []
        finally:
            connection.close()
        if time.monotonic() - self.started_at >= HEALTHY_AFTER:
            self.pause = BACKOFF_FIRST
        logger.error(
            "background worker ended with code %s; %d import(s) marked failed%s;"
            " restarting in %.0f s",
            code,
            len(set(batches)),
            f" ({', '.join(sorted(set(batches)))})" if batches else "",
            self.pause,
        )
        if stopping.wait(self.pause):
            return None
        self.pause = min(self.pause * 2, BACKOFF_MAX)
        return self.start()

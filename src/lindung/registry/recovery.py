"""Imports that stopped half-way: found, marked failed, tried again.

A batch being checked or committed names the process working on it (`runner`, "host:pid:start")
and records when it last made progress (`heartbeat_at`). It is **stale** when

- its process is gone: the runner is on this host and no longer alive (a kill, a crash, a
  restart of `lindung serve`), or
- it made no progress for `LINDUNG_IMPORT_STALE_SECONDS` and its process is not known to be
  alive (a runner on another host, or a queued batch whose job no worker holds).

A stale batch is marked failed (`fail_stale_imports`, also from the batch page, `lindung serve`'s
start-up and its sweep every minute), keeping the status it was in (`interrupted_in`):
`retry_import` queues its check again, or its commit when it had been checked. Nothing is ever
half-written: the commit is one transaction, which a dead process never finished.

    fail_stale_imports()                       # every stale batch → failed, audited
    retry_import(by=user, batch=batch)         # failed → queued (check) or committing (commit)
"""

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import SYSTEM, Actor, actor_user
from lindung.audit.services import record
from lindung.jobs.runner import has_stopped, runner_alive, runner_id, runner_prefix
from lindung.registry.models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

__all__ = ["fail_imports_of", "fail_stale_imports", "retry_import", "runner_alive", "runner_id",
           "runner_prefix"]  # fmt: skip

ACTIVE = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING)


def stale_after() -> timedelta:
    return timedelta(seconds=max(1, int(settings.LINDUNG_IMPORT_STALE_SECONDS)))


def is_stale(batch: ImportBatch, *, now: datetime | None = None) -> bool:
    # A queued batch waits for a worker: it is not stale while its job waits in the queue.
    return batch.status in ACTIVE and has_stopped(
        batch.runner,
        batch.heartbeat_at or batch.created_at,
        stale_after(),
        waiting=lambda: batch.status == ImportStatus.QUEUED and _job_waiting(batch.pk),
        now=now,
    )


def _job_waiting(batch_id: uuid.UUID) -> bool:
    """A job of the database task queue (not yet finished) holds this batch."""
    from django_tasks_db.models import DBTaskResult

    from lindung.registry.tasks import batch_of

    pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
    return any(
        batch_of(path, args_kwargs) == str(batch_id)
        for path, args_kwargs in pending.values_list("task_path", "args_kwargs")
    )


def interrupted_reason(status: str) -> str:
    if status == ImportStatus.COMMITTING:
        return _(
            "The import stopped while saving (the process was stopped or crashed); nothing was"
            " saved. Press Try again to save it again, or Discard."
        )
    return _(
        "The import stopped while checking the file (the process was stopped or crashed);"
        " nothing was saved. Press Try again to check it again, or Discard."
    )


@transaction.atomic
def fail_import(
    *, by: Actor, batch_id: uuid.UUID | str, reason: str = "", interrupted: bool = True
) -> bool:
    """Mark a batch that is still queued, checking or committing as failed, with an audit event.

    `interrupted`: its process stopped (a retry resumes where it was); otherwise the check
    refused the file. False when the batch had already left those states."""
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, status__in=ACTIVE).first()
    if batch is None:
        return False
    before = batch.status
    batch.status = ImportStatus.FAILED
    batch.interrupted_in = before if interrupted else ""
    batch.error = reason or interrupted_reason(before)
    batch.runner = ""
    batch.save(update_fields=["status", "interrupted_in", "error", "runner"])
    record(
        by=by,
        action=Action.IMPORT_FAILED,
        obj=batch,
        before={"status": before},
        after={"status": batch.status, "interrupted": interrupted},
        batch=batch.pk,
    )
    return True


def fail_if_stale(batch: ImportBatch, *, by: Actor = SYSTEM) -> bool:
    """Mark `batch` failed when it is stale (and refresh it); True when it was."""
    if not is_stale(batch):
        return False
    failed = fail_import(by=by, batch_id=batch.pk)
    batch.refresh_from_db()
    if failed:
        logger.warning("import %s was stale: marked failed", batch.pk)
    return failed


def fail_stale_imports(*, by: Actor = SYSTEM) -> list[str]:
    """Every stale batch → failed (`lindung serve` at start-up and every minute). Their ids."""
    now = timezone.now()
    failed = [
        str(batch.pk)
        for batch in ImportBatch.objects.filter(status__in=ACTIVE)
        if is_stale(batch, now=now) and fail_import(by=by, batch_id=batch.pk)
    ]
    if failed:
        logger.warning("stale imports marked failed: %s", ", ".join(failed))
    return failed


def fail_imports_of(*, runner_prefix: str, by: Actor = SYSTEM) -> list[str]:
    """The batches a process that ended was working on (its runner id, or "host:pid:") →
    failed. Used by `lindung serve` when its worker dies and by `lindung import` on exit."""
    if not runner_prefix:
        return []
    ids = ImportBatch.objects.filter(
        status__in=ACTIVE, runner__startswith=runner_prefix
    ).values_list("pk", flat=True)
    return [str(pk) for pk in list(ids) if fail_import(by=by, batch_id=pk)]


def claim(batch_id: uuid.UUID | str, *, status: str, expect: tuple[str, ...]) -> bool:
    """This process takes up a batch in one of the `expect` statuses: it moves to `status`,
    names this process as its runner and starts its heartbeat. False when it is elsewhere."""
    return bool(
        ImportBatch.objects.filter(pk=batch_id, status__in=expect).update(
            status=status, runner=runner_id(), heartbeat_at=timezone.now()
        )
    )


def retry_import(*, by: Actor, batch: ImportBatch) -> ImportBatch:
    """Try a failed batch again: its commit when it stopped while being committed (the check is
    kept), its check otherwise. The job is queued once the change is saved."""
    from lindung.registry.tasks import check_import_task, commit_import_task

    fail_if_stale(batch, by=SYSTEM)
    commit = _requeue(by=by, batch=batch)
    if commit:
        user = actor_user(by)
        commit_import_task.enqueue(str(batch.pk), user.pk if user else None)
    else:
        check_import_task.enqueue(str(batch.pk))
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _requeue(*, by: Actor, batch: ImportBatch) -> bool:
    from lindung.registry.imports import ImportFailed, batch_dir

    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.FAILED:
        raise ImportFailed(_("Only a failed import can be tried again."), "NOT_RETRYABLE")
    if not locked.interrupted_in:
        raise ImportFailed(
            _("The check refused this file: fix it and upload it again."), "NOT_RETRYABLE"
        )
    if not (Path(settings.VAR_DIR) / locked.file_path).is_file():
        raise ImportFailed(
            _("The uploaded file is no longer kept. Upload the file again."), "FILE_REMOVED"
        )
    checked = (batch_dir(locked) / "checked.parquet").is_file()
    commit = locked.interrupted_in == ImportStatus.COMMITTING and checked
    locked.status = ImportStatus.COMMITTING if commit else ImportStatus.QUEUED
    locked.error = locked.interrupted_in = locked.runner = ""
    locked.heartbeat_at = timezone.now()
    locked.progress_step, locked.progress_done = ("write" if commit else ""), 0
    locked.save(
        update_fields=[
            "status", "error", "interrupted_in", "runner", "heartbeat_at", "progress_step",
            "progress_done",
        ]
    )  # fmt: skip
    record(
        by=by,
        action=Action.IMPORT_RETRIED,
        obj=locked,
        before={"status": ImportStatus.FAILED},
        after={"status": locked.status},
        batch=locked.pk,
    )
    return commit

"""Imports whose process stopped: found stale, shown failed with "try again" and "discard",
tried again from where they were, and the jobs of a dead worker failed (ops/supervise.py).

The real kills are in test_import_kill.py; these tests set a batch's state as a kill leaves it.
"""

import os
import shutil
import socket
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.ops.supervise import JOB_DIED, fail_jobs_of
from lindung.registry import recovery
from lindung.registry.imports import batch_dir
from lindung.registry.models import ImportBatch, ImportStatus, Worker
from lindung.registry.retention import purge_uploads
from lindung.registry.tasks import check_import_task, commit_import_task
from lindung.registry.tests.test_import import good_rows
from lindung.registry.tests.test_import_pages import upload

pytestmark = pytest.mark.django_db

STALE = 600
POLLING = b"hx-trigger"


@pytest.fixture(autouse=True)
def _stale_after(settings: Any) -> None:
    settings.LINDUNG_IMPORT_STALE_SECONDS = STALE


def _dead_runner() -> str:
    """The runner id of a process of this host that has ended."""
    child = subprocess.Popen(["true"])  # a process that ends, for its pid
    runner = recovery.runner_id(child.pid)
    child.wait()
    return runner


def _stopped(batch: ImportBatch, status: str, *, runner: str = "", quiet: int = 0) -> None:
    """Put `batch` in `status`, as a process that stopped `quiet` seconds ago left it."""
    batch.status, batch.runner = status, runner
    batch.heartbeat_at = timezone.now() - timedelta(seconds=quiet)
    batch.save(update_fields=["status", "runner", "heartbeat_at"])


def _job(
    batch: ImportBatch, *, status: str, worker: str = "", commit: bool = False
) -> DBTaskResult:
    task = commit_import_task if commit else check_import_task
    args = [str(batch.pk), None] if commit else [str(batch.pk)]
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": args, "kwargs": {}},
        task_path=task.module_path,
        worker_ids=[worker] if worker else [],
        backend_name="default",
        run_after=timezone.now(),
    )


@pytest.fixture
def batch(client: Client) -> ImportBatch:
    client.force_login(admin())
    return upload(client, *good_rows())


# --- the stale rules -----------------------------------------------------------------------------


def test_it_finds_a_batch_stale_when_its_process_on_this_host_is_gone(batch: ImportBatch) -> None:
    _stopped(batch, ImportStatus.CHECKING, runner=_dead_runner())  # progress a moment ago

    assert recovery.is_stale(batch)


def test_a_batch_whose_process_is_alive_is_not_stale_however_long_it_is_quiet(
    batch: ImportBatch,
) -> None:
    _stopped(batch, ImportStatus.COMMITTING, runner=recovery.runner_id(), quiet=10 * STALE)

    assert not recovery.is_stale(batch)


def test_a_process_id_used_again_by_another_process_is_not_taken_for_the_runner(
    batch: ImportBatch,
) -> None:
    host_pid = recovery.runner_prefix(os.getpid())
    _stopped(batch, ImportStatus.CHECKING, runner=f"{host_pid}1")  # another start time

    assert recovery.is_stale(batch)


def test_it_finds_a_batch_stale_after_no_progress_for_the_set_time(batch: ImportBatch) -> None:
    other_host = f"not-{socket.gethostname()}:4242:1"  # whether it lives cannot be told here
    _stopped(batch, ImportStatus.COMMITTING, runner=other_host, quiet=STALE - 30)
    assert not recovery.is_stale(batch)

    _stopped(batch, ImportStatus.COMMITTING, runner=other_host, quiet=STALE + 30)
    assert recovery.is_stale(batch)


def test_a_queued_batch_whose_job_waits_in_the_queue_is_never_stale(batch: ImportBatch) -> None:
    _stopped(batch, ImportStatus.QUEUED, quiet=10 * STALE)
    job = _job(batch, status="READY")
    assert not recovery.is_stale(batch)

    DBTaskResult.objects.filter(pk=job.pk).update(status="FAILED")  # no job holds it any more
    assert recovery.is_stale(batch)


def test_a_ready_or_failed_batch_is_never_stale(batch: ImportBatch) -> None:
    _stopped(batch, ImportStatus.READY, runner=_dead_runner(), quiet=10 * STALE)
    assert not recovery.is_stale(batch)
    _stopped(batch, ImportStatus.FAILED, runner=_dead_runner(), quiet=10 * STALE)
    assert not recovery.is_stale(batch)


def test_the_sweep_fails_stale_batches_only_and_audits_each(client: Client) -> None:
    client.force_login(admin())
    stale = upload(client, *good_rows())
    alive = upload(client, *good_rows()[:1])
    _stopped(stale, ImportStatus.CHECKING, runner=_dead_runner())
    _stopped(alive, ImportStatus.CHECKING, runner=recovery.runner_id())

    assert recovery.fail_stale_imports() == [str(stale.pk)]

    stale.refresh_from_db()
    alive.refresh_from_db()
    assert (stale.status, stale.interrupted_in) == (ImportStatus.FAILED, ImportStatus.CHECKING)
    assert alive.status == ImportStatus.CHECKING
    [event] = Event.objects.filter(action="import_failed")
    assert event.batch == stale.pk and event.before == {"status": "checking"}


# --- the batch page ------------------------------------------------------------------------------


def test_the_page_of_a_stale_batch_shows_it_failed_with_retry_and_discard_and_stops_polling(
    client: Client, batch: ImportBatch
) -> None:
    _stopped(batch, ImportStatus.COMMITTING, runner=_dead_runner())

    page = client.get(reverse("registry:import-detail", args=[batch.pk]))
    partial = client.get(reverse("registry:import-detail", args=[batch.pk]), HTTP_HX_REQUEST="true")

    assert b'data-status="failed"' in page.content
    assert b'data-testid="import-retry"' in page.content
    assert b'data-testid="import-discard"' in page.content
    assert POLLING not in page.content and POLLING not in partial.content
    batch.refresh_from_db()
    assert (batch.status, batch.interrupted_in) == (ImportStatus.FAILED, ImportStatus.COMMITTING)
    assert Event.objects.filter(action="import_failed", batch=batch.pk).count() == 1


def test_a_running_batch_page_polls_for_progress(client: Client, batch: ImportBatch) -> None:
    _stopped(batch, ImportStatus.CHECKING, runner=recovery.runner_id())

    page = client.get(reverse("registry:import-detail", args=[batch.pk]))

    assert b'data-status="checking"' in page.content and POLLING in page.content


def test_retry_checks_a_batch_stopped_while_checking_again(
    client: Client, batch: ImportBatch
) -> None:
    _stopped(batch, ImportStatus.CHECKING, runner=_dead_runner())
    recovery.fail_stale_imports()

    response = client.post(reverse("registry:import-retry", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()  # the test task backend runs the queued check at once
    assert (batch.status, batch.new, batch.error, batch.interrupted_in) == (
        ImportStatus.READY, 3, "", ""
    )  # fmt: skip
    assert not Worker.objects.exists()
    retried = Event.objects.get(action="import_retried", batch=batch.pk)
    assert retried.after == {"status": "queued"}


def test_retry_saves_a_batch_stopped_while_saving_without_checking_it_again(
    client: Client, batch: ImportBatch
) -> None:
    _stopped(batch, ImportStatus.COMMITTING, runner=_dead_runner())
    recovery.fail_stale_imports()

    client.post(reverse("registry:import-retry", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Worker.objects.count() == 3
    retried = Event.objects.get(action="import_retried", batch=batch.pk)
    assert retried.after == {"status": "committing"}


def test_a_stale_batch_can_be_discarded(
    client: Client, batch: ImportBatch, django_capture_on_commit_callbacks: Any
) -> None:
    _stopped(batch, ImportStatus.COMMITTING, runner=_dead_runner())

    with django_capture_on_commit_callbacks(execute=True):  # the folder goes after the commit
        client.post(reverse("registry:import-discard", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED and not batch_dir(batch).exists()
    assert not Worker.objects.exists()
    actions = set(Event.objects.filter(batch=batch.pk).values_list("action", flat=True))
    assert "import_failed" in actions


def test_retry_is_refused_when_the_purge_removed_the_uploaded_file(
    client: Client, batch: ImportBatch, settings: Any
) -> None:
    _stopped(batch, ImportStatus.CHECKING, runner=_dead_runner())
    recovery.fail_stale_imports()
    later = timezone.now() + timedelta(days=settings.LINDUNG_UPLOAD_RETENTION_DAYS + 1)
    assert purge_uploads(now=later).removed_folders == 1

    page = client.get(reverse("registry:import-detail", args=[batch.pk]))
    response = client.post(reverse("registry:import-retry", args=[batch.pk]))

    assert b'data-testid="import-retry"' not in page.content
    assert b'data-testid="import-discard"' in page.content
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == _("The uploaded file is no longer kept. Upload the file again.")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert not Event.objects.filter(action="import_retried").exists()


def test_retry_is_refused_when_the_file_was_removed_otherwise(
    client: Client, batch: ImportBatch
) -> None:
    _stopped(batch, ImportStatus.CHECKING, runner=_dead_runner())
    recovery.fail_stale_imports()
    shutil.rmtree(batch_dir(batch))

    client.post(reverse("registry:import-retry", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.interrupted_in == ImportStatus.CHECKING


def test_retry_is_refused_when_the_check_rejected_the_file_itself(client: Client) -> None:
    client.force_login(admin())
    client.post(
        reverse("registry:import-list"),
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken"), "source": "X"},
    )
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.interrupted_in) == (ImportStatus.FAILED, "")

    page = client.get(reverse("registry:import-detail", args=[batch.pk]))
    response = client.post(reverse("registry:import-retry", args=[batch.pk]))

    assert b'data-testid="import-retry"' not in page.content
    assert b'data-testid="import-discard"' in page.content
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == _("The check refused this file: fix it and upload it again.")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


# --- the jobs of a dead worker -------------------------------------------------------------------


def test_the_jobs_of_a_dead_worker_are_failed_with_their_batches(batch: ImportBatch) -> None:
    dead, other = "host:1:2/1", "host:1:2/2"
    _stopped(batch, ImportStatus.COMMITTING, runner=_dead_runner())
    job = _job(batch, status="RUNNING", worker=dead, commit=True)
    elsewhere = _job(batch, status="RUNNING", worker=other)

    assert fail_jobs_of({dead}, why="the worker process ended with code -9") == [str(batch.pk)]

    job.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (job.status, job.exception_class_path) == ("FAILED", JOB_DIED)
    assert job.traceback == "the worker process ended with code -9" and job.finished_at
    assert elsewhere.status == "RUNNING"
    batch.refresh_from_db()
    assert (batch.status, batch.interrupted_in) == (ImportStatus.FAILED, ImportStatus.COMMITTING)
    assert Event.objects.filter(action="import_failed", batch=batch.pk).count() == 1
    assert fail_jobs_of({dead}, why="again") == []  # already failed: nothing twice

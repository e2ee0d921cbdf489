"""A job starts once however often it is asked for, reports its steps, fails in words a person
reads, and is marked failed when the process that ran it is gone."""

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lindung.accounts.tests.factories import admin, auditor
from lindung.jobs import kinds, services
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.presenters import describe
from lindung.jobs.runner import runner_id
from lindung.jobs.services import JobError, Progress, run_job, start_job

pytestmark = pytest.mark.django_db

QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
seen: list[tuple[str, int, int]] = []


def _work(job: Job, progress: Progress) -> str | None:
    progress.step("read", total=4)
    for done in range(1, 5):
        progress._written = 0  # write every report, so the test sees each one
        progress.advance(done)
        row = Job.objects.get(pk=job.pk)
        seen.append((row.step, row.done, describe(row).percent))
    progress.step("write")
    if job.params.get("fail") == "words":
        raise JobError("Anggaran belum diisi.")
    if job.params.get("fail") == "crash":
        raise RuntimeError("boom")
    with progress.output("hasil uji.txt").open("w") as out:
        out.write("isi")
    return "/hasil/"


kinds.register(
    kinds.JobKind(
        code="test.work",
        title="Pekerjaan uji",
        steps=(kinds.Step("read", "Membaca"), kinds.Step("write", "Menulis")),
        run=_work,
    )
)


def test_a_second_start_while_it_waits_gives_the_same_job(settings: Any) -> None:
    settings.TASKS = QUEUE
    user = admin()
    first = start_job(by=user, kind="test.work", key="a")
    again = start_job(by=user, kind="test.work", key="a")
    assert again.pk == first.pk
    assert first.status == JobStatus.QUEUED
    other_key = start_job(by=user, kind="test.work", key="b")
    other_person = start_job(by=auditor(), kind="test.work", key="a")
    assert len({first.pk, other_key.pk, other_person.pk}) == 3


def test_the_database_refuses_a_second_active_job_of_the_same_kind_and_key(settings: Any) -> None:
    from django.db import IntegrityError, transaction

    settings.TASKS = QUEUE
    user = admin()
    start_job(by=user, kind="test.work", key="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test.work", key="a", started_by=user)


def test_a_job_reports_its_steps_and_ends_with_its_file(settings: Any) -> None:
    settings.TASKS = QUEUE
    seen.clear()
    job = start_job(by=admin(), kind="test.work")
    run_job(job.pk)
    assert [s[:2] for s in seen] == [("read", 1), ("read", 2), ("read", 3), ("read", 4)]
    assert [s[2] for s in seen] == [12, 25, 37, 50]  # step 1 of 2, a quarter at a time
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result_url == "/hasil/"
    assert job.result_name == "hasil uji.txt"
    path = services.result_path(job)
    assert path is not None
    assert path.read_text() == "isi"
    assert describe(job).percent == 100
    run_job(job.pk)  # a second run of a finished job does nothing
    assert len(seen) == 4


def test_jobs_run_in_the_request_when_tasks_are_immediate() -> None:
    job = start_job(by=admin(), kind="test.work")
    assert job.status == JobStatus.DONE
    # done: the next start is a new job
    assert start_job(by=job.started_by, kind="test.work").pk != job.pk


def test_a_job_that_cannot_go_on_fails_with_its_message() -> None:
    job = start_job(by=admin(), kind="test.work", params={"fail": "words"})
    assert job.status == JobStatus.FAILED
    assert job.error == "Anggaran belum diisi."
    assert job.result_file == ""


def test_a_job_that_crashes_fails_with_a_message_in_indonesian(log_lines: list[str]) -> None:
    job = start_job(by=admin(), kind="test.work", params={"fail": "crash"})
    assert job.status == JobStatus.FAILED
    assert "boom" not in job.error
    assert job.error
    assert any("test.work" in line for line in log_lines)


def _dead_runner() -> str:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return runner_id(process.pid)


def test_a_job_whose_process_died_is_marked_failed_and_a_new_one_can_start(settings: Any) -> None:
    settings.TASKS = QUEUE
    user = admin()
    job = start_job(by=user, kind="test.work")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, runner=_dead_runner())
    assert services.fail_stale_jobs() == [str(job.pk)]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "dihentikan" in job.error or "stopped" in job.error
    assert start_job(by=user, kind="test.work").pk != job.pk


def test_a_second_click_on_a_job_whose_process_died_starts_a_new_one(settings: Any) -> None:
    settings.TASKS = QUEUE
    user = admin()
    job = start_job(by=user, kind="test.work")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, runner=_dead_runner())
    again = start_job(by=user, kind="test.work")
    assert again.pk != job.pk
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_a_running_job_of_a_live_process_is_not_stale(settings: Any) -> None:
    settings.TASKS = QUEUE
    job = start_job(by=admin(), kind="test.work")
    long_ago = timezone.now() - timedelta(hours=5)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, runner=runner_id(), heartbeat_at=long_ago
    )
    assert services.fail_stale_jobs() == []


def test_a_queued_job_no_worker_holds_is_stale_after_the_timeout(settings: Any) -> None:
    settings.TASKS = QUEUE
    job = start_job(by=admin(), kind="test.work")
    assert services.fail_stale_jobs() == []  # just queued
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.fail_stale_jobs() == [str(job.pk)]


def test_files_of_old_jobs_are_removed_then_their_rows() -> None:
    job = start_job(by=admin(), kind="test.work")
    path = services.result_path(job)
    assert path is not None
    assert services.purge_job_files() == 0
    assert services.purge_job_files(now=timezone.now() + timedelta(days=2)) == 1
    assert not path.exists()
    job.refresh_from_db()
    assert services.result_path(job) is None
    services.purge_job_files(now=timezone.now() + timedelta(days=9))
    assert not Job.objects.filter(pk=job.pk).exists()


def test_the_progress_box_polls_until_done_and_only_for_its_owner(
    client: Client, settings: Any
) -> None:
    settings.TASKS = QUEUE
    user = admin()
    job = start_job(by=user, kind="test.work")
    client.force_login(user)
    page = client.get(f"/tugas/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "<progress" in html
    poll = client.get(f"/tugas/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    run_job(job.pk)
    poll = client.get(f"/tugas/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 286  # htmx stops polling
    assert 'data-status="done"' in poll.content.decode()
    download = client.get(f"/tugas/{job.pk}/unduh/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"isi"  # type: ignore[attr-defined]
    assert "hasil uji.txt" in download["Content-Disposition"]
    client.force_login(auditor())
    assert client.get(f"/tugas/{job.pk}/").status_code == 404
    assert client.get(f"/tugas/{job.pk}/unduh/").status_code == 404


def _task(job: Job, *, status: str, worker: str = "") -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [str(job.pk)], "kwargs": {}},
        task_path=services.TASK_PATH,
        worker_ids=[worker] if worker else [],
        backend_name="default",
        run_after=timezone.now(),
    )


def test_a_queued_job_whose_task_waits_in_the_queue_is_not_stale(settings: Any) -> None:
    settings.TASKS = QUEUE
    job = start_job(by=admin(), kind="test.work")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    task = _task(job, status="READY")
    assert services.fail_stale_jobs() == []
    type(task).objects.filter(pk=task.pk).update(status="FAILED")
    assert services.fail_stale_jobs() == [str(job.pk)]


def test_a_job_held_by_a_worker_that_died_is_failed_by_serve(settings: Any) -> None:
    from lindung.ops.supervise import fail_jobs_of

    settings.TASKS = QUEUE
    job = start_job(by=admin(), kind="test.work")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, runner=runner_id())
    _task(job, status="RUNNING", worker="host:1:2/1")

    fail_jobs_of({"host:1:2/1"}, why="the worker process ended with code -9")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == services.interrupted_reason()

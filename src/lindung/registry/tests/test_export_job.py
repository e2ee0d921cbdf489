"""The registry export runs as a background job: the list page shows its progress, the same
filter clicked twice gives one job, the file is its starter's and the export is audited."""

import io
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_kecamatan
from lindung.audit.models import Event
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.services import run_job
from lindung.registry import exports
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
HTMX = {"HX-Request": "true"}
EXPORT = reverse("registry:worker-export")


def test_the_export_shows_its_progress_then_its_file(
    client: Client, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = QUEUE
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    for _ in range(3):
        WorkerFactory(desa_id="52.03.07.1001")
    WorkerFactory(desa_id="52.03.08.2002")
    user = admin()
    client.force_login(user)

    started = client.post(f"{EXPORT}?kecamatan=52.03.07", headers=HTMX)
    again = client.post(f"{EXPORT}?kecamatan=52.03.07", headers=HTMX)

    assert started.status_code == again.status_code == 200
    assert "<progress" in started.content.decode()
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and job.params == {"query": "kecamatan=52.03.07"}
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.step, job.done, job.total) == ("write", 3, 3)
    poll = client.get(reverse("jobs:job", args=[job.pk]), headers=HTMX)
    assert poll.status_code == 286 and 'data-testid="job-download"' in poll.content.decode()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert pl.read_excel(io.BytesIO(content)).height == 3
    assert job.result_name.startswith("pekerja-") and job.result_name.endswith(".xlsx")
    exported = Event.objects.get(action="workers_exported")
    assert exported.actor == user and exported.after["rows"] == 3
    # Another filter is another job.
    client.post(f"{EXPORT}?kecamatan=52.03.08", headers=HTMX)
    assert Job.objects.count() == 2


def test_an_export_file_is_only_its_starters(client: Client, tmp_path: Any, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    WorkerFactory(desa_id="52.03.07.1001")
    client.force_login(admin())
    client.post(EXPORT)
    job = Job.objects.get()
    client.force_login(operator_kecamatan("52.03.07"))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_export_is_started_by_post_only(client: Client) -> None:
    client.force_login(admin())
    assert client.get(EXPORT).status_code == 405
    assert not Job.objects.exists()

"""An operator exports the filtered worker list: the page shows the export's progress, then a
download link; the file holds the filtered workers."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.jobs.models import Job
from lindung.jobs.services import run_job
from lindung.registry.tests.factories import WorkerFactory
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_export_shows_its_progress_then_a_download_link(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    # Jobs wait in a queue that this test works off, so the page shows the waiting.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    WorkerFactory(name="Baiq Nur", desa_id="52.03.07.1001")
    WorkerFactory(name="Amaq Apit", desa_id="52.03.08.2002")
    user = admin(username="admin.dinas")
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")

    page.goto(live_server.url + "/pekerja/?q=baiq")
    page.click("[data-testid=worker-export]")
    page.wait_for_selector("[data-testid=job-body][data-status=queued]")
    assert page.url.endswith("/pekerja/?q=baiq")  # the page stays; the box shows the export
    page.click("[data-testid=worker-export]")  # a second click: the same job
    page.wait_for_selector("[data-testid=job-progress]")
    job = Job.objects.get()
    assert job.params == {"query": "q=baiq"}

    run_job(job.pk)  # what the background worker does
    page.wait_for_selector("[data-testid=job-download]")
    screenshot(page, "worker-export-job-done")
    with page.expect_download() as info:
        page.click("[data-testid=job-download]")
    path = tmp_path / "ekspor.xlsx"
    info.value.save_as(path)
    assert pl.read_excel(path).get_column("Nama").to_list() == ["Baiq Nur"]

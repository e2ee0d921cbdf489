"""An administrator runs a scenario: the page shows the run's progress bar moving through its
steps, then opens the scenario. A second click while it runs starts nothing new."""

from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.services import run_job
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.models import Scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scenario_run_shows_its_progress_then_the_scenario(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    # Jobs wait in a queue that this test works off, so the page shows the waiting and progress.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for desil in (1, 1, 2, 3):
        WorkerFactory(desil=desil)
    user = admin(username="admin.dinas")
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")

    page.goto(live_server.url + "/sasaran/")
    form = page.locator("[data-testid=scenario-run]")
    form.locator("input[name=fiscal_year]").fill("2027")
    form.locator("input[name=name]").fill("Rancangan A")
    form.locator("input[name=budget_apbd]").fill(str(2 * YEAR_COST))
    form.locator("input[name=budget_dbhcht]").fill(str(YEAR_COST))
    form.locator("button[type=submit]").click()

    page.wait_for_selector("[data-testid=job-body][data-status=queued]")
    progress = page.locator("[data-testid=job-progress]")
    assert progress.get_attribute("value") == "0"
    job = Job.objects.get()
    # Opening the page again shows the same run, not a second form.
    page.goto(live_server.url + "/sasaran/")
    page.wait_for_selector(f"#job-{job.pk}")
    assert page.locator("[data-testid=scenario-run]").count() == 0

    # What the worker reports while it runs: the bar moves to step 3 of 4.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, step="optimize")
    page.wait_for_selector("[data-testid=job-progress][value='50']")
    assert "3" in page.locator("[data-testid=job-step]").inner_text()
    screenshot(page, "scenario-job-progress")

    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, step="")
    run_job(job.pk)  # what the background worker does

    page.wait_for_selector("[data-testid=scenario-totals]")  # the page opened the scenario
    scenario = Scenario.objects.get()
    assert page.url.endswith(f"/sasaran/{scenario.pk}/")
    assert scenario.name == "Rancangan A" and Job.objects.count() == 1
    screenshot(page, "scenario-job-done")

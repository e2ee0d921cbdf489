"""A scenario runs as a background job: the page shows its steps, a second click shows the same
run, the result opens when it is done, and a refusal is shown in words a person reads."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.services import run_job
from lindung.targeting.background import SCENARIO_LAMPIRAN, SCENARIO_RUN
from lindung.targeting.models import Scenario
from lindung.targeting.services import STEPS, run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST

pytestmark = pytest.mark.django_db

QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
HTMX = {"HX-Request": "true"}
FORM = {"fiscal_year": 2027, "name": "Rancangan A", "budget_apbd": 2 * YEAR_COST,
        "budget_dbhcht": YEAR_COST}  # fmt: skip


def test_a_run_reports_each_step_in_order(registry: dict[str, Any]) -> None:
    steps: list[str] = []
    run_scenario(by="test", fiscal_year=2027, budgets={"apbd": YEAR_COST}, progress=steps.append)
    assert steps == list(STEPS) == ["read", "eligibility", "optimize", "save"]


def test_the_page_shows_the_run_then_opens_the_scenario(
    client: Client, registry: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = QUEUE
    user = admin()
    client.force_login(user)

    response = client.post(reverse("targeting:scenario-list"), FORM, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<progress" in html and 'hx-trigger="every 1s"' in html
    job = Job.objects.get(kind=SCENARIO_RUN)
    assert job.status == JobStatus.QUEUED and job.started_by == user
    # A second click, or the page opened again, shows the same run and no new form.
    again = client.post(reverse("targeting:scenario-list"), FORM, headers=HTMX)
    assert again.status_code == 200 and Job.objects.count() == 1
    page = client.get(reverse("targeting:scenario-list")).content.decode()
    assert f'id="job-{job.pk}"' in page and 'data-testid="scenario-run"' not in page

    run_job(job.pk)  # the background worker

    scenario = Scenario.objects.get()
    assert scenario.name == "Rancangan A" and scenario.selected == 3
    poll = client.get(reverse("jobs:job", args=[job.pk]), headers=HTMX)
    assert poll["HX-Redirect"] == reverse("targeting:scenario-detail", args=[scenario.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.step == "save"


def test_the_progress_shows_the_step_in_indonesian(
    client: Client, registry: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = QUEUE
    user = admin()
    client.force_login(user)
    client.post(reverse("targeting:scenario-list"), FORM, headers=HTMX)
    Job.objects.update(status=JobStatus.RUNNING, step="eligibility")
    job = Job.objects.get()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    poll = client.get(reverse("jobs:job", args=[job.pk]), headers={**HTMX, "Accept-Language": "id"})

    html = poll.content.decode()
    assert "Langkah 2 dari 4: Menghitung kelayakan" in html
    assert 'value="25"' in html


def test_without_javascript_the_run_page_leads_to_the_scenario(
    client: Client, registry: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = QUEUE
    client.force_login(admin())
    response = client.post(reverse("targeting:scenario-list"), FORM)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    run_job(job.pk)
    done = client.get(response["Location"])
    assert done.status_code == 302
    assert done["Location"] == reverse(
        "targeting:scenario-detail", args=[Scenario.objects.get().pk]
    )


def test_a_refused_run_shows_why(client: Client, registry: dict[str, Any], settings: Any) -> None:
    settings.TASKS = QUEUE
    client.force_login(admin())
    client.post(
        reverse("targeting:scenario-list"),
        {**FORM, "supplement": "on"},
        headers={**HTMX, "Accept-Language": "id"},
    )
    job = Job.objects.get()
    run_job(job.pk)

    poll = client.get(reverse("jobs:job", args=[job.pk]), headers={**HTMX, "Accept-Language": "id"})

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not Scenario.objects.exists()
    assert poll.status_code == 286
    assert 'role="alert"' in poll.content.decode()
    assert "2027" in job.error
    # The next click starts a new run.
    client.post(reverse("targeting:scenario-list"), FORM, headers=HTMX)
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 1


def test_a_refusal_in_the_request_goes_on_the_form(
    client: Client, registry: dict[str, Any]
) -> None:
    client.force_login(admin())
    response = client.post(reverse("targeting:scenario-list"), {**FORM, "supplement": "on"})
    assert response.status_code == 200
    assert "2027" in response.content.decode()
    assert not Scenario.objects.exists()


def test_the_draft_list_is_written_by_a_job_with_a_download_link(
    client: Client, registry: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = QUEUE
    client.force_login(admin())
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST})
    url = reverse("targeting:scenario-lampiran", args=[scenario.pk])

    first = client.post(url, headers=HTMX)
    client.post(url, headers=HTMX)  # a second click: the same job

    assert "<progress" in first.content.decode()
    job = Job.objects.get(kind=SCENARIO_LAMPIRAN)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result_name == f"sasaran-2027-{scenario.pk}.xlsx"
    poll = client.get(reverse("jobs:job", args=[job.pk]), headers=HTMX)
    assert 'data-testid="job-download"' in poll.content.decode()
    assert client.get(url).status_code == 405

"""The scenario pages: run, see, compare, download the list."""

import io
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_kecamatan
from lindung.jobs.models import Job
from lindung.targeting.models import Scenario
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST

pytestmark = pytest.mark.django_db


def test_an_admin_runs_a_scenario_from_the_page(client: Client, registry: dict[str, Any]) -> None:
    client.force_login(admin())

    response = client.post(
        reverse("targeting:scenario-list"),
        {"fiscal_year": 2027, "name": "Rancangan A", "budget_apbd": 2 * YEAR_COST,
         "budget_dbhcht": YEAR_COST},
    )  # fmt: skip

    scenario = Scenario.objects.get()
    assert response.status_code == 302 and scenario.name == "Rancangan A"
    assert scenario.selected == 3
    page = client.get(reverse("targeting:scenario-detail", args=[scenario.pk]))
    assert page.status_code == 200 and b'data-testid="by-kecamatan"' in page.content
    assert "Selong" in page.content.decode()


def test_a_bad_budget_is_refused_with_a_message(client: Client, registry: dict[str, Any]) -> None:
    client.force_login(admin())
    response = client.post(
        reverse("targeting:scenario-list"),
        {"fiscal_year": 2027, "budget_apbd": -5, "budget_dbhcht": 0},
    )
    assert response.status_code == 200 and not Scenario.objects.exists()


def test_two_scenarios_compare_side_by_side(client: Client, registry: dict[str, Any]) -> None:
    client.force_login(admin())
    small = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": YEAR_COST, "dbhcht": 0})
    large = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 4 * YEAR_COST})

    page = client.get(reverse("targeting:scenario-compare"), {"s": [small.pk, large.pk]})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="compare-by_source"' in html and 'data-testid="compare-by_sex"' in html
    assert 'data-testid="compare-totals"' in html


def test_comparing_needs_two_scenarios(client: Client) -> None:
    client.force_login(admin())
    response = client.get(reverse("targeting:scenario-compare"), {"s": ["1"]})
    assert response.status_code == 302


def test_the_list_downloads_with_every_covered_worker(
    client: Client, registry: dict[str, Any]
) -> None:
    client.force_login(admin())
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST})

    started = client.post(reverse("targeting:scenario-lampiran", args=[scenario.pk]))
    job = Job.objects.get()  # a background job, run in the request in tests
    assert started["Location"] == reverse("jobs:job", args=[job.pk])
    response = client.get(reverse("jobs:download", args=[job.pk]))

    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    frame = pl.read_excel(io.BytesIO(data), engine="calamine", read_options={"header_row": 2})
    assert frame.height == scenario.selected


def test_operators_cannot_open_scenarios(client: Client) -> None:
    client.force_login(operator_kecamatan("52.03.07"))
    assert client.get(reverse("targeting:scenario-list")).status_code == 403

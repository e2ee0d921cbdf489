"""Funding sources are shown by the names the policy gives them (APBD), never by their codes
(`apbd`)."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_desa
from lindung.targeting import queries
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db


def _cells(html: str, testid: str) -> list[str]:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return [cell.strip() for cell in re.findall(r"<td[^>]*>([^<]*)</td>", table)]


def test_the_worker_page_names_the_paying_source(
    client: Client, registry: dict[str, Any], approved: BeneficiaryList
) -> None:
    client.force_login(operator_desa("52.03.07.1001"))
    worker = registry["poorest"]
    html = client.get(reverse("registry:worker-detail", args=[worker.pk])).content.decode()
    assert "paid by APBD" in html and "paid by apbd" not in html


def test_the_scenario_page_and_the_comparison_name_the_sources(
    client: Client, approved: BeneficiaryList
) -> None:
    client.force_login(admin())
    scenario = approved.scenario
    html = client.get(reverse("targeting:scenario-detail", args=[scenario.pk])).content.decode()
    sources = _cells(html, "by-source")[::4]
    assert "APBD" in sources and "apbd" not in sources and "dbhcht" not in sources

    labels = [row.label for row in queries.compare([scenario, scenario])["by_source"]]
    assert "APBD" in labels and "apbd" not in labels

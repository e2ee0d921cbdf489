"""The worker page (registry) shows the sections that targeting and rules serve."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import operator_desa
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.services import nominate
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db


def test_it_shows_the_approved_lists_and_nominations_on_the_worker_page(
    client: Client, registry: dict[str, Any], approved: BeneficiaryList
) -> None:
    operator = operator_desa("52.03.07.1001")
    worker = registry["poorest"]
    nominate(by=operator, worker=worker, fiscal_year=2028, reason="Janda, 3 anak")
    client.force_login(operator)

    html = client.get(reverse("registry:worker-detail", args=[worker.pk])).content.decode()

    sponsorship = html.split('data-testid="worker-sponsorship"')[1].split("</div>\n\n<h2>")[0]
    assert f"on beneficiary list {approved.number} (version 1)" in sponsorship
    assert "Nominated for 2028 by" in sponsorship and "Janda, 3 anak" in sponsorship
    # the lists section comes first, then the nominations and the form (with its CSRF token)
    assert sponsorship.index("worker-lists") < sponsorship.index("worker-nominations")
    assert 'data-testid="nominate-form"' in sponsorship
    assert "csrfmiddlewaretoken" in sponsorship


def test_it_says_when_a_worker_is_on_no_approved_list(client: Client) -> None:
    worker = WorkerFactory()
    client.force_login(operator_desa("52.03.07.1001"))

    html = client.get(reverse("registry:worker-detail", args=[worker.pk])).content.decode()

    assert "Not on an approved beneficiary list." in html
    assert 'data-testid="worker-nominations"' not in html

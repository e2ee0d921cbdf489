import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import translation

from lindung.accounts.models import User
from lindung.dashboard.aggregates import state
from lindung.dashboard.models import Cell
from lindung.enrollment.models import Participation, RegistrationBatch
from lindung.ops.demo import DEMO_ACCOUNTS, DEMO_DUPLICATE_SOURCE
from lindung.regions.models import Boundary, Population
from lindung.registry.models import PossibleDuplicate, Worker
from lindung.targeting.models import BeneficiaryList, Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_demo_prepares_accounts_for_every_role_and_reference_data(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--no-serve", "--workers", "300", stdout=out)
    output = out.getvalue()
    password = re.search(r"^\s+(lindung-\w+)$", output, re.MULTILINE)
    assert password is not None, output
    request = RequestFactory().post("/akun/masuk/")
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert (user.role, user.region_id) == (account.role, account.region)
        assert not user.must_change_password
        assert authenticate(request, username=account.username, password=password.group(1))
        assert account.username in output
    assert len({a.role for a in DEMO_ACCOUNTS}) == 7
    if (django_settings.LINDUNG_SHARED_DATA / "lombok_timur_desa.geojson").exists():
        assert (
            Boundary.objects.filter(region__level=4, region__parent__parent="52.03").count() == 254
        )
        assert Boundary.objects.filter(region__level=3, region__parent="52.03").count() == 21
        assert Population.objects.filter(region__parent="52.03", year=2010).count() == 20
        assert Population.objects.get(region="52.03", year=2024).count == 1457591

    # A second run gives everyone a fresh password and creates nobody twice.
    again = StringIO()
    call_command("demo", "--no-serve", "--workers", "300", stdout=again)
    second = re.search(r"^\s+(lindung-\w+)$", again.getvalue(), re.MULTILINE)
    assert second is not None and second.group(1) != password.group(1)
    assert User.objects.filter(username__startswith="demo.").count() == len(DEMO_ACCOUNTS)
    # The synthetic registry is imported once; the second run finds every worker unchanged.
    # A second small list names a few of them again: possible duplicates to review.
    again_listed = Worker.objects.filter(sources__name=DEMO_DUPLICATE_SOURCE).count()
    assert 5 <= PossibleDuplicate.objects.filter(status="open").count() <= 20
    assert Worker.objects.count() == 300 + again_listed
    assert "300 unchanged" in again.getvalue()
    # Two scenarios for next year, the first approved as list 1; the second run adds none.
    # And the pilot year's scenario, approved as list 2 (its claims: claims/tests).
    assert Scenario.objects.count() == 3
    assert BeneficiaryList.objects.get(number=1).selected > 0
    assert BeneficiaryList.objects.filter(number=2).count() == 1
    assert "list 1 approved" in output
    assert "Demo claims of the pilot year" in output
    assert "Demo claims of the pilot year" in again.getvalue()
    # Each list enrolled through the synthetic branch, once: one batch per list, wadah and kind
    # after two runs.
    assert "Demo enrollment of list 1: " in output and "Demo enrollment" in again.getvalue()
    batches = list(RegistrationBatch.objects.values_list("beneficiary_list", "wadah__code", "kind"))
    assert batches and len(batches) == len(set(batches))
    assert Participation.objects.filter(state="TERDAFTAR").exists()
    assert Cell.objects.filter(dimension="total").aggregate(n=Sum("registered"))["n"] == (
        300 + again_listed
    ) * len(state().fiscal_years)

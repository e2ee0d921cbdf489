"""The approved lists over the JSON API and `lindung approve`."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST

pytestmark = pytest.mark.django_db


def _get(user: User, url: str, **params: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url, params)


def test_the_api_lists_the_approved_lists(approved: BeneficiaryList) -> None:
    response = _get(UserFactory(role=Role.PIMPINAN), "/api/v1/targeting/lists/")

    [item] = response.json()
    assert item["number"] == approved.number and item["in_force"] is True
    assert item["selected"] == 5 and item["by_source"]["apbd"]["selected"] == 5


def test_entries_are_scoped_masked_and_paged(
    approved: BeneficiaryList,
    registry: dict[str, Any],
) -> None:
    officer = UserFactory(role=Role.BPJS)
    page = _get(officer, f"/api/v1/targeting/lists/{approved.number}/entries").json()
    assert len(page["items"]) == 5 and page["next_cursor"] is None
    assert {e["nik"] for e in page["items"]} == set(approved.entries.values_list("nik", flat=True))

    desa = _get(
        operator_desa("52.03.08.2001"), f"/api/v1/targeting/lists/{approved.number}/entries"
    )
    assert [e["nik"] for e in desa.json()["items"]] == [registry["pringgabaya"].nik]
    leader = _get(UserFactory(role=Role.PIMPINAN),
                  f"/api/v1/targeting/lists/{approved.number}/entries")  # fmt: skip
    assert leader.status_code == 403


def test_changes_of_a_revision_over_the_api(approved: BeneficiaryList) -> None:
    smaller = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 3 * YEAR_COST})
    revised = approve(by="test", scenario=smaller, note="APBD-P")

    changes = _get(admin(), f"/api/v1/targeting/lists/{revised.number}/changes").json()["items"]

    kinds = sorted(c["kind"] for c in changes)
    assert kinds.count("removed") == revised.removed and len(kinds) == (
        revised.added + revised.removed + revised.moved
    )


def test_lindung_approve_prints_the_json_contract(registry: dict[str, Any]) -> None:
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST,
                                                                  "dbhcht": 0})  # fmt: skip
    out = StringIO()

    call_command("approve", str(scenario.pk), "--decree", "188.45/1", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result == {"list": 1, "fiscal_year": 2027, "version": 1, "previous": None,
                      "selected": 2, "cost": 2 * YEAR_COST, "added": 0, "removed": 0,
                      "moved": 0}  # fmt: skip
    with pytest.raises(CommandError, match="already approved as list 1"):
        call_command("approve", str(scenario.pk), "--note", "again")
    with pytest.raises(CommandError, match="no scenario 999"):
        call_command("approve", "999")


def test_entries_come_in_keyset_pages_without_gaps_or_repeats(monkeypatch: pytest.MonkeyPatch,
                                      approved: BeneficiaryList) -> None:  # fmt: skip
    from lindung.targeting import api

    monkeypatch.setattr(api, "PAGE", 2)
    url = f"/api/v1/targeting/lists/{approved.number}/entries"
    seen, cursor = [], ""
    while True:
        page = _get(admin(), url, cursor=cursor).json()
        seen += [e["worker_id"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(approved.entries.values_list("worker_id", flat=True))
    assert len(seen) == len(set(seen)) == 5

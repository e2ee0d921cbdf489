"""Billing over the JSON API: bills (filtered, paged, one by number) for bill officers, and
the coverage counts on a date within the caller's wilayah, small ones null for pimpinan."""

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.billing import services
from lindung.billing.models import Bill
from lindung.enrollment.models import Participation
from lindung.roles import Role

pytestmark = pytest.mark.django_db
API = "/api/v1/billing"
BILL_DAY = datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC)
FEBRUARY = datetime.datetime(2027, 2, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bills(registered: list[Participation]) -> list[Bill]:
    """The year billed, the APBD bill of January to June paid in full."""
    with time_machine.travel(BILL_DAY, tick=False):
        made = services.make_bills(by="test", fiscal_year=2027)
        first = next(b for b in made if b.source == "apbd" and b.period_start.month == 1)
        services.pay(by="test", bill=first, amount=first.amount, paid_on=datetime.date(2027, 1, 5))
    return made


def test_bills_are_listed_with_filters(bills: list[Bill]) -> None:
    client = _client(UserFactory(role=Role.BPJS))

    body = client.get(f"{API}/bills?fiscal_year=2027").json()
    assert len(body["items"]) == 4 and body["next_cursor"] is None
    assert [b["number"] for b in body["items"]] == sorted((b.number for b in bills), reverse=True)

    paid = client.get(f"{API}/bills?state=DIBAYAR").json()["items"]
    [item] = paid
    assert (item["source"], item["wadah"], item["state"]) == ("apbd", "SG-APBD", "DIBAYAR")
    assert (item["period_start"], item["period_end"], item["months"]) == (
        "2027-01-01",
        "2027-06-30",
        6,
    )
    assert item["paid"] == item["amount"] and item["outstanding"] == 0
    assert len(client.get(f"{API}/bills?source=dbhcht").json()["items"]) == 2


def test_a_bill_by_its_number_with_months_and_payments(bills: list[Bill]) -> None:
    bill = Bill.objects.get(source="apbd", period_start=datetime.date(2027, 1, 1))

    response = _client(admin()).get(f"{API}/bills/{bill.number}")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == bill.number
    assert [m["month"] for m in body["by_month"]] == [f"2027-0{n}-01" for n in range(1, 7)]
    assert {m["participants"] for m in body["by_month"]} == {3}
    assert all(m["paid"] for m in body["by_month"])
    assert body["payments"] == [
        {
            "paid_on": "2027-01-05",
            "amount": bill.amount,
            "sp2d_number": "",
            "reference": "",
            "receipt": False,
        }
    ]
    assert _client(admin()).get(f"{API}/bills/TG-2027-9999").status_code == 404


def test_bills_need_the_bill_capability_and_the_whole_deployment(bills: list[Bill]) -> None:
    number = bills[0].number
    for user in (operator_desa(), UserFactory(role=Role.AUDITOR), UserFactory(role=Role.PIMPINAN)):
        client = _client(user)
        assert client.get(f"{API}/bills").status_code == 403
        assert client.get(f"{API}/bills/{number}").status_code == 403

    area = _client(UserFactory(role=Role.BPJS, region_id="52.03.07"))
    assert area.get(f"{API}/bills").json()["items"] == []
    assert area.get(f"{API}/bills/{number}").status_code == 404


def test_bills_need_a_login(bills: list[Bill]) -> None:
    assert Client().get(f"{API}/bills").status_code == 401


@time_machine.travel(FEBRUARY, tick=False)
def test_coverage_on_a_date_as_the_command_line_gives_it(bills: list[Bill]) -> None:
    body = _client(admin()).get(f"{API}/coverage?on=2027-02-10").json()

    assert body == {
        "date": "2027-02-10",
        "protected": 3,
        "in_grace": 2,
        "lapsed": 0,
        "by_source": {
            "apbd": {"protected": 3, "in_grace": 0, "lapsed": 0},
            "dbhcht": {"protected": 0, "in_grace": 2, "lapsed": 0},
        },
        "by_kecamatan": {
            "52.03.07": {"protected": 2, "in_grace": 2, "lapsed": 0},
            "52.03.08": {"protected": 1, "in_grace": 0, "lapsed": 0},
        },
    }
    assert _client(admin()).get(f"{API}/coverage").json()["date"] == "2027-02-10"
    assert _client(admin()).get(f"{API}/coverage?on=kemarin").status_code == 422


@time_machine.travel(FEBRUARY, tick=False)
def test_coverage_is_scoped_and_small_counts_are_null_for_pimpinan(bills: list[Bill]) -> None:
    desa = _client(operator_desa("52.03.08.2001")).get(f"{API}/coverage").json()
    assert (desa["protected"], desa["in_grace"], list(desa["by_kecamatan"])) == (
        1,
        0,
        ["52.03.08"],
    )

    leader = _client(UserFactory(role=Role.PIMPINAN)).get(f"{API}/coverage").json()
    assert (leader["protected"], leader["in_grace"], leader["lapsed"]) == (None, None, 0)
    assert leader["by_source"]["apbd"]["protected"] is None

"""The coverage page (who is protected on a date) for every role within its wilayah, the small
counts hidden from pimpinan, the workers in grace and lapsed, and the worker page's section."""

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa, operator_kecamatan
from lindung.billing import services
from lindung.billing.models import Bill
from lindung.billing.queries import hidden_cells
from lindung.billing.sections import WORKER_COVERAGE
from lindung.enrollment.models import Participation
from lindung.formats import mask_nik
from lindung.registry.sections import register
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

BILL_DAY = datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC)
FEBRUARY = datetime.datetime(2027, 2, 10, 9, 0, tzinfo=datetime.UTC)
APRIL = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
PANCOR, PRINGGABAYA = "52.03.07.1001", "52.03.08.2001"


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    """Logins made today still hold in the days of 2027 the tests travel to."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture
def paid(registered: list[Participation]) -> list[Bill]:
    """The year billed; the APBD bill of January to June paid in full (three workers, two in
    Pancor and one in Pringgabaya), the DBHCHT ones (two tobacco workers of Pancor) unpaid."""
    with time_machine.travel(BILL_DAY, tick=False):
        bills = services.make_bills(by="test", fiscal_year=2027)
        first = next(b for b in bills if b.source == "apbd" and b.period_start.month == 1)
        services.pay(
            by="test", bill=first, amount=first.amount, paid_on=first.period_start.replace(day=5)
        )
    return bills


def _names(source: str) -> list[str]:
    return list(Participation.objects.filter(source=source).values_list("name", flat=True))


@time_machine.travel(FEBRUARY, tick=False)
def test_it_counts_who_is_protected_per_source_and_kecamatan(paid: list[Bill]) -> None:
    response = _client(admin()).get("/tagihan/cakupan/")

    assert response.status_code == 200
    tables = response.context["tables"]
    assert [f.value for f in tables["totals"]] == [3, 2, 0]
    by_source = {row.key: [f.value for f in row.figures] for row in tables["by_source"]}
    assert by_source == {"apbd": [3, 0, 0], "dbhcht": [0, 2, 0]}
    by_kecamatan = {row.key: [f.value for f in row.figures] for row in tables["by_kecamatan"]}
    assert by_kecamatan == {"52.03.07": [2, 2, 0], "52.03.08": [1, 0, 0]}
    html = response.content.decode()
    assert "Who is protected on 10 February 2027" in html
    assert not tables["any_hidden"]


@time_machine.travel(FEBRUARY, tick=False)
def test_it_lists_the_workers_in_grace_with_the_reason(paid: list[Bill]) -> None:
    response = _client(admin()).get("/tagihan/cakupan/")

    html = response.content.decode()
    rows = response.context["workers"]
    assert {r["participation"].name for r in rows} == set(_names("dbhcht"))
    assert {r["status"] for r in rows} == {"in_grace"}
    assert {r["grace_until"] for r in rows} == {datetime.date(2027, 3, 31)}
    assert html.count('data-testid="attention-row"') == 2
    assert "contributions not paid" in html
    for name in _names("apbd"):
        assert name not in html.split('data-testid="coverage-workers"')[1]


@time_machine.travel(FEBRUARY, tick=False)
def test_a_date_and_a_kecamatan_can_be_chosen(paid: list[Bill]) -> None:
    client = _client(admin())

    response = client.get("/tagihan/cakupan/?tanggal=2027-01-20&kecamatan=52.03.07")

    assert response.context["on"] == datetime.date(2027, 1, 20)
    by_desa = {
        row.key: [f.value for f in row.figures] for row in response.context["tables"]["by_desa"]
    }
    assert by_desa == {PANCOR: [2, 2, 0]}
    assert 'data-testid="coverage-by-desa"' in response.content.decode()

    unreadable = client.get("/tagihan/cakupan/?tanggal=kemarin")
    assert unreadable.status_code == 200
    assert unreadable.context["on"] == datetime.date(2027, 2, 10)


@time_machine.travel(APRIL, tick=False)
def test_workers_unpaid_past_their_grace_show_as_lapsed_this_month(paid: list[Bill]) -> None:
    response = _client(admin()).get("/tagihan/cakupan/")

    assert [f.value for f in response.context["tables"]["totals"]] == [3, 0, 2]
    rows = response.context["workers"]
    assert {(r["participation"].name, r["status"]) for r in rows} == {
        (name, "lapsed") for name in _names("dbhcht")
    }
    assert 'data-status="lapsed"' in response.content.decode()


@time_machine.travel(APRIL, tick=False)
def test_late_funds_keep_workers_in_grace_with_the_reason(paid: list[Bill]) -> None:
    dbhcht = next(b for b in paid if b.source == "dbhcht" and b.period_start.month == 1)
    services.set_funds_delayed(by="test", bill=dbhcht, delayed=True, reason="DBHCHT belum cair")

    response = _client(admin()).get("/tagihan/cakupan/")

    rows = response.context["workers"]
    assert {(r["status"], r["late_funds"], str(r["reason"])) for r in rows} == {
        ("in_grace", True, "DBHCHT belum cair")
    }
    assert "DBHCHT belum cair" in response.content.decode()


@time_machine.travel(FEBRUARY, tick=False)
def test_pimpinan_sees_counts_only_with_the_small_ones_hidden(paid: list[Bill]) -> None:
    response = _client(UserFactory(role=Role.PIMPINAN)).get("/tagihan/cakupan/")

    assert response.status_code == 200
    tables = response.context["tables"]
    assert tables["any_hidden"]
    assert [f.hidden for f in tables["totals"]] == [True, True, False]  # 3 and 2; 0 is shown
    html = response.content.decode()
    assert 'data-testid="counts-hidden"' in html
    assert 'data-testid="coverage-workers"' not in html
    for p in Participation.objects.all():
        assert p.name not in html
        assert p.nik not in html and mask_nik(p.nik) not in html


@time_machine.travel(FEBRUARY, tick=False)
def test_a_desa_operator_sees_only_the_desa(paid: list[Bill]) -> None:
    response = _client(operator_desa(PANCOR)).get("/tagihan/cakupan/")

    assert response.status_code == 200
    assert [f.value for f in response.context["tables"]["totals"]] == [2, 2, 0]
    html = response.content.decode()
    pringgabaya = Participation.objects.get(desa_id=PRINGGABAYA)
    assert pringgabaya.name not in html
    assert {r["participation"].desa_id for r in response.context["workers"]} == {PANCOR}

    elsewhere = _client(operator_desa(PRINGGABAYA)).get("/tagihan/cakupan/?kecamatan=52.03.07")
    assert [f.value for f in elsewhere.context["tables"]["totals"]] == [1, 0, 0]
    assert elsewhere.context["workers"] == []
    assert not elsewhere.context["tables"]["by_desa"]


@time_machine.travel(FEBRUARY, tick=False)
def test_a_kecamatan_operator_picks_a_desa_of_the_kecamatan(paid: list[Bill]) -> None:
    client = _client(operator_kecamatan("52.03.07"))

    response = client.get("/tagihan/cakupan/?kecamatan=52.03.07")

    assert [row.key for row in response.context["tables"]["by_kecamatan"]] == ["52.03.07"]
    assert [row.key for row in response.context["tables"]["by_desa"]] == [PANCOR]


def test_hidden_cells_follow_the_small_count_rule() -> None:
    # a total of 12 over 3 + 9: the 3 is small, the 9 goes too, else 12 - 9 gives it away
    cells = {"total": 12, "a": 3, "b": 9, "c": 0}
    assert hidden_cells(cells, [("total", ["a", "b", "c"])]) == {"a", "b"}
    # 5 + 1 + 6: hiding 1 alone is not enough, the smallest other (5) joins it
    cells = {"total": 12, "a": 5, "b": 1, "c": 6}
    assert hidden_cells(cells, [("total", ["a", "b", "c"])]) == {"a", "b"}
    # one part that is the whole total: the total goes with it
    cells = {"total": 7, "a": 7, "other": 2, "sum": 9}
    groups = [("total", ["a"]), ("sum", ["total", "other"])]
    assert hidden_cells(cells, groups) == {"other", "total", "a"}
    assert hidden_cells({"total": 10, "a": 5, "b": 5}, [("total", ["a", "b"])]) == set()


# --- the worker page -----------------------------------------------------------------------------
@time_machine.travel(FEBRUARY, tick=False)
def test_the_worker_page_shows_the_months_paid_and_today(paid: list[Bill]) -> None:
    register(WORKER_COVERAGE)  # as BillingConfig.ready() does
    apbd = Participation.objects.filter(source="apbd").order_by("pk").first()
    dbhcht = Participation.objects.filter(source="dbhcht").order_by("pk").first()
    assert apbd is not None and dbhcht is not None
    client = _client(admin())

    html = client.get(f"/pekerja/{apbd.worker_id}/").content.decode()
    section = html.split('data-testid="worker-coverage"')[1].split("</table>")[0]
    assert "1 January 2027 – 30 June 2027" in section
    assert 'data-status="protected"' in section
    assert "until 30 June 2027" in section

    html = client.get(f"/pekerja/{dbhcht.worker_id}/").content.decode()
    section = html.split('data-testid="worker-coverage"')[1].split("</table>")[0]
    assert "nothing paid yet" in section
    assert "grace until 31 March 2027" in section

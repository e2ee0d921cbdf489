"""The realisation page and its XLSX and PDF: who may open them, the filters, the numbers in
Indonesian formats, the files' contents."""

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook
from time_machine import TimeMachineFixture

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    UserFactory,
    admin,
    auditor,
    operator_desa,
    operator_kecamatan,
)
from lindung.billing import services
from lindung.billing.models import Bill
from lindung.enrollment.models import Participation
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

PAGE = reverse("billing:realisation")
XLSX = reverse("billing:realisation-xlsx")
PDF = reverse("billing:realisation-pdf")
MONTH = 16_800


def _client(user: User, *, english: bool = True) -> Client:
    client = english_client() if english else Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    """A download's bytes. Read to the end, the test client closes the response itself, with
    the connection-closing signal held off; `response.close()` from the test would close the
    test's database connection (PostgreSQL) when CONN_MAX_AGE is 0."""
    return b"".join(response.streaming_content)


def _status(client: Client, url: str) -> int:
    response = client.get(url, {"tahun": 2027})
    if response.streaming:
        _body(response)
    return int(response.status_code)


@pytest.fixture
def paid(registered: list[Participation], time_machine: TimeMachineFixture) -> list[Bill]:
    """2027's bills made on 5 January, APBD's first half paid on 10 January; the page is read
    on 20 February."""
    time_machine.move_to(datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC), tick=False)
    bills = services.make_bills(by="test", fiscal_year=2027)
    time_machine.move_to(datetime.datetime(2027, 1, 10, 9, tzinfo=datetime.UTC), tick=False)
    services.pay(
        by="test", bill=bills[0], amount=bills[0].amount, paid_on=datetime.date(2027, 1, 10)
    )
    time_machine.move_to(datetime.datetime(2027, 2, 20, 9, tzinfo=datetime.UTC), tick=False)
    return bills


def test_the_page_shows_each_source_by_month_with_the_warnings(
    paid: list[Bill], django_assert_max_num_queries: Any
) -> None:
    client = _client(admin())
    with django_assert_max_num_queries(25):  # aggregates only: no query per row
        response = client.get(PAGE, {"tahun": 2027})
    assert response.status_code == 200
    result = response.context["result"]
    assert [f.code for f in result.sources] == ["apbd", "dbhcht"]
    html = response.content.decode()
    assert 'data-testid="realisation-warnings"' in html
    assert html.count('data-kind="unspent"') == 2  # billions of the default pagu unused
    assert 'data-testid="realisation-total"' in html
    assert html.count('data-testid="realisation-months"') == 2
    assert html.count('data-testid="realisation-chart"') == 2
    assert f'href="{XLSX}?tahun=2027"' in html
    assert f'href="{PDF}?tahun=2027"' in html


def test_the_page_speaks_indonesian_formats(paid: list[Bill]) -> None:
    html = _client(admin(), english=False).get(PAGE, {"tahun": 2027}).content.decode()
    assert "Rp12.000.000.000" in html  # the APBD pagu
    assert "Rp302.400" in html  # paid in January
    assert "<td>Januari</td>" in html  # the month rows
    assert "20 Februari 2027" in html  # the figures' date
    assert "30 September 2027" in html  # the APBD-P deadline
    assert "10,0%" in html


def test_a_source_filter_shows_that_source_only(paid: list[Bill]) -> None:
    response = _client(admin()).get(PAGE, {"tahun": 2027, "sumber": "dbhcht"})
    result = response.context["result"]
    assert [f.code for f in result.sources] == ["dbhcht"]
    html = response.content.decode()
    assert 'data-testid="realisation-total"' not in html
    assert f'href="{XLSX}?tahun=2027&amp;sumber=dbhcht"' in html


def test_an_unknown_year_or_source_falls_back_to_the_default(paid: list[Bill]) -> None:
    response = _client(admin()).get(PAGE, {"tahun": 1999, "sumber": "zakat"})
    assert response.status_code == 200
    assert response.context["result"].fiscal_year == 2027  # the year that has a list and bills
    assert len(response.context["result"].sources) == 2


@pytest.mark.parametrize(
    "make",
    [
        admin,
        lambda: UserFactory(role=Role.OPERATOR_KABUPATEN),
        lambda: UserFactory(role=Role.BPJS),
        lambda: UserFactory(role=Role.PIMPINAN),
    ],
)
def test_billing_configuring_and_leadership_roles_open_the_page_and_files(
    paid: list[Bill], make: Any
) -> None:
    client = _client(make())
    assert [_status(client, url) for url in (PAGE, XLSX, PDF)] == [200, 200, 200]


@pytest.mark.parametrize("make", [operator_desa, operator_kecamatan, auditor])
def test_area_operators_and_others_get_403(registered: list[Participation], make: Any) -> None:
    client = _client(make())
    assert [_status(client, url) for url in (PAGE, XLSX, PDF)] == [403, 403, 403]


def test_a_kabupaten_role_bound_to_a_kecamatan_gets_403(registered: list[Participation]) -> None:
    user = UserFactory(role=Role.OPERATOR_KABUPATEN, region_id="52.03.07")
    assert _client(user).get(PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_xlsx_holds_the_months_totals_and_warnings(paid: list[Bill]) -> None:
    response = _client(admin()).get(XLSX, {"tahun": 2027})
    assert response["Content-Disposition"].endswith('filename="realisasi-2027.xlsx"')
    book = CalamineWorkbook.from_filelike(io.BytesIO(_body(response)))
    assert book.sheet_names == ["Realisation", "Summary"]
    rows = book.get_sheet_by_name("Realisation").to_python()
    header = next(i for i, row in enumerate(rows) if row[0] == "Funding source")
    assert rows[header][:6] == [
        "Funding source",
        "Month",
        "Pagu (monthly share)",
        "Committed by the list",
        "Billed",
        "Paid",
    ]
    january = rows[header + 1]
    assert january[:2] == ["APBD", "January 2027"]
    assert january[2:6] == [1_000_000_000, 3 * 12 * MONTH / 12, 3 * MONTH, 302_400]
    total = rows[header + 13]
    assert total[:2] == ["APBD", "Total"]
    assert total[2:6] == [12_000_000_000, 3 * 12 * MONTH, 3 * 12 * MONTH, 302_400]
    assert rows[header + 14][:2] == ["DBHCHT", "January 2027"]
    summary = book.get_sheet_by_name("Summary").to_python()
    labels = [row[0] for row in summary]
    assert {"APBD", "DBHCHT", "All sources", "Warnings"} <= set(labels)
    all_sources = summary[labels.index("All sources")]
    assert all_sources[1] == 15_000_000_000
    warnings = summary[labels.index("Warnings") + 1 :]
    assert sum("unspent" in row[0] for row in warnings) == 2


def test_the_pdf_is_a_pdf(paid: list[Bill]) -> None:
    response = _client(admin()).get(PDF, {"tahun": 2027, "sumber": "apbd"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('filename="realisasi-2027-apbd.pdf"')
    assert _body(response).startswith(b"%PDF")

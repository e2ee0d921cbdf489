"""The impact page (/klaim/dampak/), its XLSX and the Bupati's PDF, and the dashboard's section:
who may open them, the wilayah scope, small cells hidden from pimpinan, the files' contents."""

import datetime
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
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
from lindung.claims.tests.test_impact import (
    APBD_PAID,
    BENEFITS,
    JKM_PAID,
    MONTH,
    PREMIUMS,
    Year,
    build,
)
from lindung.enrollment.models import Participation
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

PAGE = reverse("claims:impact")
SUMMARY = reverse("claims:impact-summary")
XLSX = reverse("claims:impact-xlsx", kwargs={"year": 2027})
PDF = reverse("claims:impact-pdf", kwargs={"year": 2027})


@pytest.fixture
def year(registered: list[Participation], time_machine: TimeMachineFixture) -> Year:
    """The year of `test_impact`, read on 20 June 2027."""
    built = build(registered, time_machine)
    time_machine.move_to(datetime.datetime(2027, 6, 20, 9, tzinfo=datetime.UTC), tick=False)
    return built


def _client(user: User, *, english: bool = True) -> Client:
    client = english_client() if english else Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    """A download's bytes (read to the end: the test client closes the response itself)."""
    return b"".join(response.streaming_content)


def _status(client: Client, url: str) -> int:
    response = client.get(url, {"tahun": 2027})
    if response.streaming:
        _body(response)
    return int(response.status_code)


def pimpinan() -> User:
    return UserFactory(role=Role.PIMPINAN)


def test_the_page_shows_the_headline_tables_and_downloads(
    year: Year, django_assert_max_num_queries: Any
) -> None:
    client = _client(admin())
    with django_assert_max_num_queries(30):  # aggregates only: no query per row
        response = client.get(PAGE, {"tahun": 2027})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["result"]["premiums"] == PREMIUMS
    assert "Rp369.600" in html and "Rp48.000.000" in html
    assert html.count('data-testid="impact-card"') == 5
    tables = [t["key"] for t in response.context["tables"]]
    assert tables == [
        "by_source", "by_type", "by_kecamatan", "by_occupation", "by_desil", "expected"
    ]  # fmt: skip
    assert html.count('data-testid="impact-table"') == 6
    assert 'data-testid="impact-unverified"' in html
    assert "UNVERIFIED" in html
    assert f'href="{XLSX}"' in html and f'href="{PDF}"' in html
    assert XLSX.endswith("/klaim/dampak/dampak-2027.xlsx")
    assert PDF.endswith("/klaim/dampak/dampak-2027.pdf")


def test_the_page_speaks_indonesian(year: Year) -> None:
    html = _client(admin(), english=False).get(PAGE, {"tahun": 2027}).content.decode()
    assert "Rp302.400" in html  # APBD's premiums
    assert "Rp42.000.000" in html  # the JKM paid


def test_the_year_defaults_to_one_with_data(year: Year) -> None:
    response = _client(admin()).get(PAGE)
    assert response.context["year"] == 2027
    assert _client(admin()).get(PAGE, {"tahun": 1999}).context["year"] == 2027


def test_a_kecamatan_operator_sees_only_the_kecamatan(year: Year) -> None:
    response = _client(operator_kecamatan("52.03.08")).get(PAGE, {"tahun": 2027})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["premiums"] == 6 * MONTH
    assert (result["benefits"], result["cases"]) == (0, 1)
    assert list(result["by_kecamatan"]) == ["52.03.08"]
    assert response.context["area"]  # the kecamatan's name


def test_pimpinan_sees_aggregates_with_small_cells_hidden(year: Year) -> None:
    response = _client(pimpinan()).get(PAGE, {"tahun": 2027})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["families"] == "< 5"
    assert result["benefits"] == "< 5"
    assert result["premiums"] == PREMIUMS
    html = response.content.decode()
    assert "&lt; 5" in html
    assert "Rp48.000.000" not in html and "Rp42.000.000" not in html
    # an operator who sees persons gets every count
    shown = _client(admin()).get(PAGE, {"tahun": 2027}).context["result"]
    assert shown["families"] == 3


@pytest.mark.parametrize(
    "make",
    [
        admin,
        pimpinan,
        auditor,
        operator_desa,
        operator_kecamatan,
        lambda: UserFactory(role=Role.BPJS),
        lambda: UserFactory(role=Role.OPERATOR_KABUPATEN),
    ],
)
def test_every_role_with_a_wilayah_opens_the_page_and_files(year: Year, make: Any) -> None:
    client = _client(make())
    assert [_status(client, url) for url in (PAGE, SUMMARY, XLSX, PDF)] == [200] * 4


def test_a_user_without_a_wilayah_gets_403(registered: list[Participation]) -> None:
    client = _client(UserFactory(role=Role.AUDITOR, region_id="52"))  # outside the deployment
    assert [_status(client, url) for url in (PAGE, SUMMARY, XLSX, PDF)] == [403] * 4


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_xlsx_holds_the_tables(year: Year) -> None:
    response = _client(admin()).get(XLSX)
    assert response["Content-Disposition"].endswith('filename="dampak-2027.xlsx"')
    content = _body(response)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == [
        "Summary",
        "Funding sources",
        "Types of benefit",
        "Kecamatan",
        "Occupations",
        "Desil",
        "Expected and actual",
    ]
    summary = {row[0]: row[1] for row in book.get_sheet_by_name("Summary").to_python() if row}
    assert summary["Premiums paid"] == PREMIUMS
    assert summary["Benefits paid"] == BENEFITS
    assert summary["Families reached"] == 3
    sources = pl.read_excel(
        io.BytesIO(content), sheet_name="Funding sources", read_options={"header_row": 2}
    )
    apbd = sources.filter(pl.col("Funding source") == "APBD").row(0, named=True)
    assert (apbd["Premiums paid"], apbd["Benefits paid"]) == (APBD_PAID, JKM_PAID)
    assert sources["Funding source"].to_list()[-1] == "Total"


def test_the_xlsx_of_pimpinan_hides_small_cells(year: Year) -> None:
    content = _body(_client(pimpinan()).get(XLSX))
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    summary = {row[0]: row[1] for row in book.get_sheet_by_name("Summary").to_python() if row}
    assert summary["Families reached"] == "< 5"
    assert summary["Premiums paid"] == PREMIUMS


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "dampak.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def test_the_pdf_is_one_page_for_the_bupati_with_the_numbers(year: Year, tmp_path: Path) -> None:
    response = _client(admin(), english=False).get(PDF)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('filename="dampak-2027.pdf"')
    content = _body(response)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    assert "\f" not in text.rstrip("\f")  # one page
    assert "Rp369.600" in text
    assert "Rp48.000.000" in text
    assert "Rp42.000.000" in text  # the JKM row of the types
    assert "20 Juni 2027" in text  # the date printed
    assert "UNVERIFIED" in text


def test_the_dashboard_loads_the_impact_section(year: Year) -> None:
    html = _client(admin()).get(reverse("dashboard:home"), {"tahun": 2027}).content.decode()
    assert 'data-testid="dashboard-impact"' in html
    assert f'hx-get="{SUMMARY}?tahun=2027"' in html
    assert f'href="{PAGE}?tahun=2027"' in html
    section = _client(admin()).get(SUMMARY, {"tahun": 2027}).content.decode()
    assert "Rp48.000.000" in section
    assert 'data-testid="impact-summary-families">3<' in section
    assert f'href="{PAGE}?tahun=2027"' in section


def test_the_dashboard_section_hides_small_cells_from_pimpinan(year: Year) -> None:
    section = _client(pimpinan()).get(SUMMARY, {"tahun": 2027}).content.decode()
    assert 'data-testid="impact-summary-families">&lt; 5<' in section
    assert "Rp48.000.000" not in section


def test_a_year_without_claims_shows_the_latest_year_before_it_that_has_some(year: Year) -> None:
    section = _client(admin()).get(SUMMARY, {"tahun": 2028}).content.decode()
    assert "2027" in section and "Rp48.000.000" in section
    assert f'href="{PAGE}?tahun=2027"' in section

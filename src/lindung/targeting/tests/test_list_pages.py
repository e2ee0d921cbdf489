"""The approval page and the approved lists' pages and downloads, per role and wilayah."""

import io
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import (
    UserFactory,
    admin,
    auditor,
    operator_desa,
    operator_kecamatan,
)
from lindung.audit.models import Event
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.test_scenarios import YEAR_COST
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


def _get(user: User, name: str, *args: Any, **params: Any) -> Any:
    client = english_client()
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_an_admin_approves_a_scenario_on_its_page(client: Client, registry: dict[str, Any]) -> None:
    scenario = run_scenario(
        by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST, "dbhcht": 0}
    )
    client.force_login(admin())
    detail = client.get(reverse("targeting:scenario-detail", args=[scenario.pk]))
    assert 'data-testid="approve-link"' in detail.content.decode()
    assert 'data-testid="projection"' in detail.content.decode()

    response = client.post(
        reverse("targeting:scenario-approve", args=[scenario.pk]), {"decree": "188.45/1/2027"}
    )

    approved = BeneficiaryList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("targeting:list-detail", args=[approved.number])
    assert approved.decree == "188.45/1/2027" and approved.selected == 2
    again = client.get(reverse("targeting:scenario-approve", args=[scenario.pk]))
    assert "already approved as list 1" in again.content.decode()


def test_a_revision_without_a_note_is_refused_on_the_page(
    client: Client, approved: BeneficiaryList
) -> None:
    other = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": YEAR_COST})
    client.force_login(admin())

    response = client.post(reverse("targeting:scenario-approve", args=[other.pk]), {"note": " "})

    assert response.status_code == 200 and "say in the note why" in response.content.decode()
    assert BeneficiaryList.objects.count() == 1


@pytest.mark.parametrize("role", [Role.OPERATOR_KABUPATEN, Role.BPJS, Role.AUDITOR])
def test_only_an_admin_may_approve(role: str, registry: dict[str, Any]) -> None:
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": YEAR_COST})
    client = Client()
    client.force_login(UserFactory(role=role))
    response = client.post(reverse("targeting:scenario-approve", args=[scenario.pk]), {})
    assert response.status_code == 403 and not BeneficiaryList.objects.exists()


def test_the_list_page_shows_totals_and_workers(approved: BeneficiaryList) -> None:
    page = _get(auditor(), "targeting:list-detail", approved.number)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="list-selected">5<' in html and "188.45/7/2027" in html
    assert "Selong" in html and "Pringgabaya" in html
    index = _get(auditor(), "targeting:list-index")
    assert f'href="{reverse("targeting:list-detail", args=[approved.number])}"' in (
        index.content.decode()
    )


def test_a_desa_operator_sees_only_their_desa(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    page = _get(operator_desa("52.03.08.2001"), "targeting:list-detail", approved.number)

    html = page.content.decode()
    assert 'data-testid="list-selected">1<' in html
    assert registry["pringgabaya"].name in html and registry["poorest"].name not in html


def test_leadership_sees_no_person_level_list(approved: BeneficiaryList) -> None:
    page = _get(UserFactory(role=Role.PIMPINAN), "targeting:list-detail", approved.number)
    assert page.status_code == 403


def test_the_xlsx_has_the_workers_the_totals_and_is_audited(
    approved: BeneficiaryList, registry: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = operator_kecamatan("52.03.07")
    with django_capture_on_commit_callbacks(execute=True):  # the page starts their extract
        _get(user, "targeting:list-detail", approved.number)
    response = _get(user, "targeting:list-xlsx", approved.number)

    content = b"".join(response.streaming_content)
    sheet = pl.read_excel(io.BytesIO(content), sheet_name="Lampiran", has_header=False)
    cells = [str(v) for row in sheet.iter_rows() for v in row if v is not None]
    assert {registry[k].nik for k in ("poorest", "farmer", "tobacco", "tobacco_2")} <= set(cells)
    assert registry["pringgabaya"].nik not in cells  # their wilayah's extract
    totals = pl.read_excel(io.BytesIO(content), sheet_name="Jumlah", has_header=False)
    cells = [str(v) for row in totals.iter_rows() for v in row if v is not None]
    assert str(4 * YEAR_COST) in cells
    event = Event.objects.get(action="list_exported")
    assert event.after == {"format": "xlsx", "rows": 4, "nik": True}


def test_the_pdf_downloads(approved: BeneficiaryList) -> None:
    response = _get(admin(), "targeting:list-pdf", approved.number)

    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and content.startswith(b"%PDF")
    assert Event.objects.filter(action="list_exported", after__format="pdf").exists()

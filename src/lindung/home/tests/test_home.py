"""Each role lands on its own work at "/" and after login, with counts of its own wilayah."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    admin,
    auditor,
    operator_desa,
    operator_kecamatan,
)
from lindung.registry import services
from lindung.registry.models import PossibleDuplicate, Sex
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.roles import Role
from lindung.rules.services import nominate
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario

pytestmark = pytest.mark.django_db

PANCOR, SELONG, BAGIK_PAPAN = "52.03.07.1001", "52.03.07.1002", "52.03.08.2001"


def _pair(desa: str, serial: int) -> PossibleDuplicate:
    born = datetime.date(1971, 3, 4)
    one, two = (
        WorkerFactory(desa_id=desa, nik=nik_for(desa[:8], born, Sex.MALE, serial + n), desil=None)
        for n in (0, 1)
    )
    return PossibleDuplicate.objects.create(worker=one, other=two, score=90)


@pytest.fixture
def work() -> dict[str, Any]:
    """A duplicate pair in Pancor and one in Bagik Papan (another kecamatan), a move request
    for a Pancor worker, a nomination in Pancor, and an approved list."""
    boss = admin(username="admin.home")
    pancor = _pair(PANCOR, 7100)
    _pair(BAGIK_PAPAN, 7200)
    WorkerFactory(desa_id=SELONG, desil=3)
    services.request_move(by=boss, worker=pancor.worker, target_desa=SELONG, fields={})
    nominate(
        by=operator_desa(PANCOR, username="op.pancor"),
        worker=pancor.other,
        fiscal_year=timezone.localdate().year + 1,
        reason="Nelayan tanpa perahu",
    )
    scenario = run_scenario(
        by="test",
        fiscal_year=timezone.localdate().year,
        budgets={"apbd": 10**10},
    )
    approved = approve(by="test", scenario=scenario, decree="188.45/1")
    return {"admin": boss, "list": approved}


def test_login_lands_on_the_home_page(client: Client) -> None:
    UserFactory(username="siti")
    response = client.post(reverse("accounts:login"), {"username": "siti", "password": PASSWORD})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("role", "target"),
    [(Role.PIMPINAN, "/dasbor/"), (Role.AUDITOR, "/audit/")],
)
def test_roles_whose_work_is_one_page_are_sent_there(
    client: Client, role: str, target: str
) -> None:
    client.force_login(UserFactory(role=role))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, target)
    assert client.get(target).status_code == 200


def test_a_desa_operator_sees_the_work_of_their_desa_only(
    client: Client, work: dict[str, Any]
) -> None:
    client.force_login(operator_desa(PANCOR, username="op.pancor"))
    response = client.get("/")
    assert response.status_code == 200
    counts = response.context["work"]
    assert counts.workers.count == 2  # Pancor's pair; not Selong's nor Bagik Papan's workers
    assert (counts.duplicates, counts.moves_to_decide, counts.nominations) == (1, 1, 1)
    assert counts.without_desil.count == 2
    assert 'href="/pekerja/duplikat/"' in response.text
    assert 'href="/dasbor/' not in response.text.split("<main", 1)[1]  # no desa dashboard box
    # The list in force, as their desa's share of it.
    row = response.context["lists"][0]
    assert row.approved == work["list"] and row.summary["selected"] <= 2


def test_a_kecamatan_operator_gets_their_dashboard_and_report_links(
    client: Client, work: dict[str, Any]
) -> None:
    client.force_login(operator_kecamatan("52.03.08"))
    response = client.get("/")
    counts = response.context["work"]
    assert (counts.workers.count, counts.duplicates, counts.moves_to_decide) == (2, 1, 0)
    assert 'href="/dasbor/?area=52.03.08"' in response.text
    assert 'href="/dasbor/kecamatan.pdf?area=52.03.08"' in response.text
    assert "Policy" not in response.context  # no scenario section without CONFIGURE


def test_an_admin_gets_the_work_overview_of_the_deployment(
    client: Client, work: dict[str, Any]
) -> None:
    client.force_login(work["admin"])
    response = client.get("/")
    counts = response.context["work"]
    assert (counts.workers.count, counts.duplicates, counts.moves_to_decide) == (5, 2, 1)
    assert response.context["scenarios"] and 'data-testid="home-targeting"' in response.text
    assert 'href="/sasaran/"' in response.text


def test_bpjs_sees_the_lists_in_force_and_their_downloads(
    client: Client, work: dict[str, Any]
) -> None:
    client.force_login(UserFactory(role=Role.BPJS))
    response = client.get("/")
    assert response.status_code == 200
    number = work["list"].number
    assert f'href="/sasaran/daftar/{number}/lampiran.xlsx"' in response.text
    assert "work" not in response.context  # no registry tasks for a reader


def test_the_menu_has_home_for_the_roles_whose_home_is_its_own_page(client: Client) -> None:
    for user, shown in (
        (admin(), True),
        (UserFactory(role=Role.BPJS), True),
        (auditor(), False),
        (UserFactory(role=Role.PIMPINAN), False),
    ):
        client.force_login(user)
        nav = client.get("/wilayah/").text.split('class="nav"', 1)[1].split("</nav>", 1)[0]
        assert ('href="/"' in nav) == shown
        assert 'href="/wilayah/"' in nav  # Wilayah stays in the menu


def test_a_user_outside_the_deployment_is_sent_to_the_wilayah_page(client: Client) -> None:
    client.force_login(operator_kecamatan("52.01.01"))
    assert client.get("/")["Location"] == "/wilayah/"

"""The participation list (filters, scope, pages) and its two changes: end, propose again."""

import datetime
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.audit.models import Event
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import EndReason, Participation, State, Wadah
from lindung.roles import Role
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList

from .conftest import run

pytestmark = pytest.mark.django_db
LIST = "/kepesertaan/peserta/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(admin())
    return client


def _names(response: Any) -> list[str]:
    return [p.name for p in response.context["page"]]


def _participation(worker: Any) -> Participation:
    return Participation.objects.get(worker=worker, state__in=list(State.values[:-1]))


def test_the_list_shows_the_participations_with_their_worker_pages(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any], wadah: Wadah
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1))
    farmer = registry["farmer"]

    response = admin_client.get(LIST)

    assert response.status_code == 200
    assert len(_names(response)) == 5
    html = response.content.decode()
    assert f'href="/pekerja/{farmer.pk}/"' in html and farmer.nik in html
    assert "SG-APBD" in html and "Submitted" in html and "Kel. Pancor" in html
    assert registry["rich"].name not in html  # not on the list


def test_the_filters_narrow_the_list(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any], wadah: Wadah
) -> None:
    poorest = registry["poorest"]
    Participation.objects.filter(worker=poorest).update(state=State.DITOLAK, reason="NIK salah")
    pringgabaya = registry["pringgabaya"]

    by_state = admin_client.get(LIST, {"state": State.DITOLAK})
    by_nik = admin_client.get(LIST, {"q": pringgabaya.nik[:6] + "." + pringgabaya.nik[6:]})
    by_name = admin_client.get(LIST, {"q": pringgabaya.name})
    by_desa = admin_client.get(LIST, {"kecamatan": "52.03.08"})
    by_wadah = admin_client.get(LIST, {"wadah": wadah.code})
    other_year = admin_client.get(LIST, {"year": "2028"})

    assert _names(by_state) == [poorest.name]
    assert "NIK salah" in by_state.content.decode()
    assert _names(by_nik) == [pringgabaya.name]
    assert pringgabaya.name in _names(by_name)
    assert _names(by_desa) == [pringgabaya.name]
    assert _names(by_wadah) == []  # candidates are not in a wadah yet
    assert "year" in other_year.context["form"].errors and len(_names(other_year)) == 5


def test_the_latest_fiscal_year_is_shown_unless_another_is_chosen(
    admin_client: Client, approved: BeneficiaryList
) -> None:
    approve(by="test", scenario=run(year=2028, apbd=2))

    assert {p.fiscal_year for p in admin_client.get(LIST).context["page"]} == {2028}
    every_year = admin_client.get(LIST, {"year": ""}).context["page"]
    assert every_year.paginator.count == 7


def test_a_desa_operator_sees_only_their_desa(
    client: Client, approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    client.force_login(operator_desa("52.03.08.2001"))

    response = client.get(LIST, {"q": registry["farmer"].nik})
    assert _names(response) == []
    response = client.get(LIST, {"kecamatan": "52.03.07", "desa": "52.03.07.1001"})
    assert _names(response) == [registry["pringgabaya"].name]
    assert registry["farmer"].name not in response.content.decode()
    assert "kecamatan" not in response.context["form"].fields
    assert "participation-end" not in response.content.decode()  # no ENROLL: no change forms


def test_leaders_do_not_open_the_list(client: Client, approved: BeneficiaryList) -> None:
    client.force_login(UserFactory(role=Role.PIMPINAN))
    assert client.get(LIST).status_code == 403


def test_the_page_reads_a_fixed_number_of_queries(
    admin_client: Client,
    approved: BeneficiaryList,
    wadah: Wadah,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1))
    # session, user, the scope (2), years, the policy (3), wadah codes, the filter's regions,
    # count, the page with its wadah, the page's desa names: none per row
    with django_assert_num_queries(13):
        admin_client.get(LIST)


def test_an_htmx_request_gets_the_table_only(
    admin_client: Client, approved: BeneficiaryList
) -> None:
    response = admin_client.get(LIST, {"state": State.CALON}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="participation-table"' in html and "<html" not in html


def test_ending_a_participation_is_audited_and_keeps_the_filters(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    p = _participation(registry["farmer"])

    response = admin_client.post(
        f"{LIST}{p.pk}/akhiri/", {"reason": EndReason.DIED, "back": "state=CALON&q=Lalu"}
    )

    assert response.status_code == 302 and response["Location"] == f"{LIST}?state=CALON&q=Lalu"
    p.refresh_from_db()
    assert (p.state, p.end_reason) == (State.BERAKHIR, EndReason.DIED)
    event = Event.objects.get(action="participation_ended")
    assert event.after["end_reason"] == EndReason.DIED
    page = admin_client.get(response["Location"].replace("state=CALON", "state=BERAKHIR"))
    assert "has ended" in page.content.decode()


@pytest.mark.parametrize("reason", [EndReason.LAPSED, EndReason.LIST_REVISION, "bored"])
def test_the_reasons_the_system_sets_are_not_chosen_by_hand(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any], reason: str
) -> None:
    p = _participation(registry["farmer"])

    response = admin_client.post(f"{LIST}{p.pk}/akhiri/", {"reason": reason}, follow=True)

    assert response.status_code == 200
    assert "Choose why the participation ends." in response.content.decode()
    p.refresh_from_db()
    assert p.state == State.CALON and not Event.objects.filter(action="participation_ended")


def test_a_refused_transition_is_a_message_not_an_error(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    p = _participation(registry["farmer"])
    admin_client.post(f"{LIST}{p.pk}/akhiri/", {"reason": EndReason.MOVED_OUT})

    again = admin_client.post(f"{LIST}{p.pk}/akhiri/", {"reason": EndReason.DIED}, follow=True)
    candidate = _participation(registry["poorest"])
    resubmitted = admin_client.post(f"{LIST}{candidate.pk}/ajukan-ulang/", follow=True)

    assert again.status_code == 200 and "has ended; it cannot change" in again.content.decode()
    assert "Candidate cannot become Candidate" in resubmitted.content.decode()
    p.refresh_from_db()
    assert p.end_reason == EndReason.MOVED_OUT


def test_a_rejected_worker_is_proposed_again(
    admin_client: Client, approved: BeneficiaryList, registry: dict[str, Any], wadah: Wadah
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1))
    p = _participation(registry["poorest"])
    Participation.objects.filter(pk=p.pk).update(state=State.DITOLAK, reason="NIK salah")

    page = admin_client.get(LIST, {"state": State.DITOLAK}).content.decode()
    response = admin_client.post(f"{LIST}{p.pk}/ajukan-ulang/", {"back": "state=DITOLAK"})

    assert f'action="{LIST}{p.pk}/ajukan-ulang/"' in page
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.batch_id, p.wadah_id, p.reason) == (State.CALON, None, None, "")
    assert Event.objects.filter(action="participation_resubmitted").count() == 1


@pytest.mark.parametrize("role", [Role.BPJS, Role.OPERATOR_DESA, Role.AUDITOR])
def test_roles_without_enroll_and_edit_data_change_nothing(
    client: Client, approved: BeneficiaryList, registry: dict[str, Any], role: str
) -> None:
    user = operator_desa() if role == Role.OPERATOR_DESA else UserFactory(role=role)
    client.force_login(user)
    p = _participation(registry["farmer"])

    assert client.post(f"{LIST}{p.pk}/akhiri/", {"reason": EndReason.DIED}).status_code == 403
    assert client.post(f"{LIST}{p.pk}/ajukan-ulang/").status_code == 403
    assert "participation-end" not in client.get(LIST).content.decode()
    p.refresh_from_db()
    assert p.state == State.CALON


def test_a_participation_outside_the_users_area_is_not_found(
    client: Client, approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    client.force_login(UserFactory(role=Role.OPERATOR_KABUPATEN, region_id="52.03.08"))
    outside = _participation(registry["farmer"])
    inside = _participation(registry["pringgabaya"])

    assert client.post(f"{LIST}{outside.pk}/akhiri/", {"reason": "died"}).status_code == 404
    assert client.post(f"{LIST}{outside.pk}/ajukan-ulang/").status_code == 404
    assert client.post(f"{LIST}{inside.pk}/akhiri/", {"reason": "died"}).status_code == 302
    assert client.get(f"{LIST}{outside.pk}/akhiri/").status_code == 405

"""The wadah pages: the list with its counts, the form (code, source, area, layout), CONFIGURE."""

import datetime
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.tests.factories import UserFactory, admin
from lindung.audit.models import Event
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import Wadah, WadahType
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db

NEW = {
    "code": "SD-PANCOR",
    "name": "Aparat Desa Pancor",
    "source": "apbd",
    "type_code": WadahType.SD,
    "npw": "NPW7654321",
    "branch": "KC Selong",
    "area": "52.03.07.1001",
    "contact_name": "Baiq Rahmawati",
    "contact_phone": "081234567890",
    "contact_email": "pancor@example.org",
    "active": "on",
    "layout": "",
}


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(admin())
    return client


def test_the_list_shows_each_wadah_with_its_source_area_and_participations(
    admin_client: Client, approved: BeneficiaryList, wadah: Wadah, tobacco_wadah: Wadah
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1))
    Wadah.objects.filter(pk=tobacco_wadah.pk).update(area="52.03.08", active=False)

    response = admin_client.get("/kepesertaan/wadah/")

    assert response.status_code == 200
    rows = {w.code: w for w in response.context["wadah_list"]}
    assert rows["SG-APBD"].participations_count == 5
    assert rows["SG-DBHCHT"].participations_count == 0
    html = response.content.decode()
    assert "Kec. Pringgabaya" in html and "KC Selong" in html and "NPW1234567" in html
    assert f'href="/kepesertaan/wadah/{wadah.pk}/"' in html


def test_an_admin_makes_a_wadah_and_the_change_is_audited(admin_client: Client) -> None:
    response = admin_client.post("/kepesertaan/wadah/baru/", NEW)

    assert response.status_code == 302 and response["Location"] == "/kepesertaan/wadah/"
    made = Wadah.objects.get(code="SD-PANCOR")
    assert (made.source, made.type_code, made.area, made.layout) == (
        "apbd",
        "SD",
        "52.03.07.1001",
        [],
    )
    assert made.contact_email == "pancor@example.org" and made.active
    event = Event.objects.get(action="wadah_saved")
    assert event.after["code"] == "SD-PANCOR" and event.after["npw"] == "NPW7654321"


def test_the_form_offers_the_active_policys_sources_and_the_default_layout(
    admin_client: Client,
) -> None:
    response = admin_client.get("/kepesertaan/wadah/baru/")

    choices = dict(response.context["form"].fields["source"].choices)
    assert {"apbd", "dbhcht"} <= set(choices)
    html = response.content.decode()
    assert "nik = NIK" in html and "baris_lampiran = Baris Lampiran" in html


def test_a_layout_is_saved_as_columns_and_shown_again_as_text(
    admin_client: Client, wadah: Wadah
) -> None:
    data = {
        **NEW,
        "code": wadah.code,
        "area": "",
        "layout": "nik\nnama_lengkap = NAMA\ntanggal_lahir",
    }

    admin_client.post(f"/kepesertaan/wadah/{wadah.pk}/", data)

    wadah.refresh_from_db()
    assert wadah.layout == [
        ["nik", "NIK"],
        ["nama_lengkap", "NAMA"],
        ["tanggal_lahir", "Tanggal Lahir"],
    ]
    form = admin_client.get(f"/kepesertaan/wadah/{wadah.pk}/").context["form"]
    assert form.initial["layout"] == "nik = NIK\nnama_lengkap = NAMA\ntanggal_lahir = Tanggal Lahir"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"layout": "nik\nnama_ibu = Nama Ibu"}, "layout", "nama_ibu is not a column"),
        ({"layout": "nik\nno_hp"}, "layout", "must keep the columns nama_lengkap"),
        ({"code": "SG APBD"}, "code", "letters, digits and dashes"),
        ({"code": "sg-apbd"}, "code", "Another wadah has this code"),
        ({"area": "52.01.01"}, "area", "Select a valid choice"),
        ({"source": "apbdes"}, "source", "Select a valid choice"),
        ({"contact_email": "not an address"}, "contact_email", "valid email"),
    ],
)
def test_a_wrong_value_is_refused_and_nothing_is_saved(
    admin_client: Client, wadah: Wadah, changes: dict[str, str], field: str, message: str
) -> None:
    response = admin_client.post("/kepesertaan/wadah/baru/", {**NEW, **changes})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(Wadah.objects.values_list("code", flat=True)) == ["SG-APBD"]
    assert not Event.objects.filter(action="wadah_saved").exists()


def test_the_code_stays_once_the_wadah_has_batches(
    admin_client: Client, approved: BeneficiaryList, wadah: Wadah
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1))
    data = {**NEW, "code": "RENAMED", "area": "", "name": "Pekerja Rentan (APBD)"}

    response = admin_client.post(f"/kepesertaan/wadah/{wadah.pk}/", data)

    assert response.status_code == 302
    wadah.refresh_from_db()
    assert (wadah.code, wadah.name) == ("SG-APBD", "Pekerja Rentan (APBD)")
    assert (
        "has registration batches"
        in admin_client.get(f"/kepesertaan/wadah/{wadah.pk}/").content.decode()
    )


def test_saving_an_unchanged_wadah_records_nothing(admin_client: Client, wadah: Wadah) -> None:
    form = admin_client.get(f"/kepesertaan/wadah/{wadah.pk}/").context["form"]
    data: dict[str, Any] = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["active"] = "on"

    assert admin_client.post(f"/kepesertaan/wadah/{wadah.pk}/", data).status_code == 302
    assert not Event.objects.filter(action="wadah_saved").exists()


@pytest.mark.parametrize("role", [Role.OPERATOR_KABUPATEN, Role.BPJS, Role.AUDITOR])
def test_only_an_administrator_manages_wadah(client: Client, wadah: Wadah, role: str) -> None:
    client.force_login(UserFactory(role=role))

    assert client.get("/kepesertaan/wadah/").status_code == 403
    assert client.post("/kepesertaan/wadah/baru/", NEW).status_code == 403
    assert client.post(f"/kepesertaan/wadah/{wadah.pk}/", NEW).status_code == 403
    assert not Wadah.objects.filter(code="SD-PANCOR").exists()


def test_an_unknown_wadah_is_not_found(admin_client: Client) -> None:
    assert admin_client.get("/kepesertaan/wadah/999/").status_code == 404

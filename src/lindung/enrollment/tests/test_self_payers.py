"""Self-paying participants: the service (by hand, a BPJS list), targeting treating them as
covered unless the policy sponsors them, and the page (scope, record, end, upload)."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.audit.models import Event
from lindung.enrollment.models import Participation
from lindung.enrollment.self_paying import (
    end_self_payment,
    import_self_payments,
    record_self_payment,
)
from lindung.enrollment.services import EnrollmentError
from lindung.registry.models import SelfPayment, SelfPaymentOrigin
from lindung.roles import Role
from lindung.rules.eligibility import eligibility, registry_frame, self_paying_workers
from lindung.rules.policy import Policy, active_policy, deployment
from lindung.rules.services import save_policy_version
from lindung.targeting.models import Selection

from .conftest import run

pytestmark = pytest.mark.django_db
PAGE = "/kepesertaan/mandiri/"
KPJ = "12345678901"


def _csv(rows: list[str]) -> bytes:
    return "\n".join(["NIK;No. KPJ;TMT;Status Kepesertaan", *rows]).encode()


# --- the service ---------------------------------------------------------------------------------
def test_a_self_payment_is_recorded_and_audited(registry: dict[str, Any]) -> None:
    farmer = registry["farmer"]

    payment = record_self_payment(
        by="test", worker=farmer, kpj="123.456.789-01", since=datetime.date(2025, 3, 1)
    )

    assert (payment.kpj, payment.active, payment.origin) == (KPJ, True, SelfPaymentOrigin.MANUAL)
    event = Event.objects.get(action="self_payment_recorded")
    assert event.after["kpj"] == KPJ and event.after["since"] == "2025-03-01"
    ended = end_self_payment(by="test", worker=farmer, until=datetime.date(2026, 6, 30))
    assert (ended.active, ended.until) == (False, datetime.date(2026, 6, 30))


def test_a_kpj_another_worker_holds_is_refused(registry: dict[str, Any]) -> None:
    record_self_payment(by="test", worker=registry["farmer"], kpj=KPJ)

    with pytest.raises(EnrollmentError, match="already recorded for another worker"):
        record_self_payment(by="test", worker=registry["poorest"], kpj=KPJ)
    with pytest.raises(EnrollmentError, match="11 digits"):
        record_self_payment(by="test", worker=registry["poorest"], kpj="1234567890")
    assert SelfPayment.objects.count() == 1


def test_a_kpj_of_another_workers_participation_is_refused(
    approved: Any, registry: dict[str, Any]
) -> None:
    Participation.objects.filter(worker=registry["farmer"]).update(kpj="99999999999")

    with pytest.raises(EnrollmentError):
        record_self_payment(by="test", worker=registry["poorest"], kpj="99999999999")


def test_a_bpjs_list_is_imported_once(registry: dict[str, Any], tmp_path: Path) -> None:
    farmer, poorest = registry["farmer"], registry["poorest"]
    path = tmp_path / "mandiri.csv"
    path.write_bytes(
        _csv(
            [
                f"{farmer.nik};{KPJ};01-03-2025;Aktif",
                f"{poorest.nik};22222222222;;Non Aktif",
                "5203999999990001;33333333333;;Aktif",  # not in the registry
                f"{registry['tobacco'].nik};1234;;Aktif",  # a KPJ of four digits
            ]
        )
    )

    first = import_self_payments(by="test", path=path)
    second = import_self_payments(by="test", path=path)

    assert (first.rows, first.recorded, first.unchanged) == (4, 2, 0)
    assert sorted(p["code"] for p in first.problems) == ["KPJ_INVALID", "NIK_NOT_IN_REGISTRY"]
    assert (second.recorded, second.unchanged, len(second.problems)) == (0, 2, 2)
    farmer_payment = SelfPayment.objects.get(worker=farmer)
    assert farmer_payment.since == datetime.date(2025, 3, 1)
    assert farmer_payment.origin == SelfPaymentOrigin.BPJS_LIST
    assert SelfPayment.objects.get(worker=poorest).active is False
    assert Event.objects.filter(action="self_payment_recorded").count() == 2
    assert Event.objects.filter(action="self_payments_imported").count() == 2


# --- targeting -----------------------------------------------------------------------------------
def test_an_active_self_payer_counts_as_covered_by_default(registry: dict[str, Any]) -> None:
    farmer = registry["farmer"]
    record_self_payment(by="test", worker=farmer, kpj=KPJ)
    policy, _version = active_policy()
    assert policy.sponsor_self_paying is False

    frame = eligibility(registry_frame(), policy, 2027, self_paying=self_paying_workers())
    scenario = run()

    assert frame.filter(frame["id"] == farmer.pk).get_column("reason").to_list() == ["self_paying"]
    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert farmer.pk not in chosen and len(chosen) == 4


def test_a_policy_that_sponsors_self_payers_may_select_them(registry: dict[str, Any]) -> None:
    farmer = registry["farmer"]
    record_self_payment(by="test", worker=farmer, kpj=KPJ)
    data = Policy.default(deployment()).to_data()
    data["sponsor_self_paying"] = True
    save_policy_version(by="test", data=data, name="sponsor mandiri", note="")

    scenario = run()

    chosen = set(Selection.objects.filter(scenario=scenario).values_list("worker_id", flat=True))
    assert farmer.pk in chosen and len(chosen) == 5


def test_an_ended_self_payment_no_longer_holds_a_worker_back(registry: dict[str, Any]) -> None:
    farmer = registry["farmer"]
    record_self_payment(by="test", worker=farmer, kpj=KPJ)
    end_self_payment(by="test", worker=farmer)

    scenario = run()

    assert Selection.objects.filter(scenario=scenario, worker=farmer).exists()


# --- the page ------------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(admin())
    return client


def _rows(response: Any) -> list[str]:
    return [p.worker.name for p in response.context["page"]]


def test_the_page_lists_the_self_payers_of_the_users_area(
    client: Client, registry: dict[str, Any]
) -> None:
    record_self_payment(by="test", worker=registry["farmer"], kpj=KPJ)
    record_self_payment(by="test", worker=registry["pringgabaya"], kpj="22222222222")

    client.force_login(admin())
    assert sorted(_rows(client.get(PAGE))) == sorted(
        [registry["farmer"].name, registry["pringgabaya"].name]
    )
    assert _rows(client.get(PAGE, {"q": registry["farmer"].nik[:10]})) == [registry["farmer"].name]
    client.force_login(operator_desa("52.03.08.2001"))
    response = client.get(PAGE, {"q": registry["farmer"].nik})
    assert _rows(response) == []
    response = client.get(PAGE)
    assert _rows(response) == [registry["pringgabaya"].name]
    assert registry["farmer"].nik not in response.content.decode()
    assert "self-payer-record" not in response.content.decode()  # no ENROLL: reading only


def test_an_operator_records_a_self_payer_by_nik(
    admin_client: Client, registry: dict[str, Any]
) -> None:
    farmer = registry["farmer"]
    nik = f"{farmer.nik[:6]}.{farmer.nik[6:12]}.{farmer.nik[12:]}"

    response = admin_client.post(PAGE, {"nik": nik, "kpj": KPJ, "since": "2025-03-01"})

    assert response.status_code == 302
    payment = SelfPayment.objects.get(worker=farmer)
    assert (payment.kpj, payment.since) == (KPJ, datetime.date(2025, 3, 1))
    assert Event.objects.filter(action="self_payment_recorded").count() == 1


def test_an_unknown_nik_or_a_taken_kpj_is_shown_on_the_form(
    admin_client: Client, registry: dict[str, Any]
) -> None:
    record_self_payment(by="test", worker=registry["farmer"], kpj=KPJ)

    unknown = admin_client.post(PAGE, {"nik": "5203999999990001", "kpj": "22222222222"})
    taken = admin_client.post(PAGE, {"nik": registry["poorest"].nik, "kpj": KPJ})

    assert unknown.status_code == 200
    assert unknown.context["record_form"].errors["nik"] == ["No worker with this NIK in your area."]
    assert taken.status_code == 200
    assert "already recorded for another worker" in taken.context["record_form"].errors["kpj"][0]
    assert SelfPayment.objects.count() == 1


def test_an_operator_ends_a_self_payment(admin_client: Client, registry: dict[str, Any]) -> None:
    farmer = registry["farmer"]
    record_self_payment(by="test", worker=farmer, kpj=KPJ)

    response = admin_client.post(
        PAGE, {"action": "end", "worker": str(farmer.pk), "until": "2026-06-30"}, follow=True
    )

    assert response.status_code == 200 and "no longer pays themselves" in response.content.decode()
    payment = SelfPayment.objects.get(worker=farmer)
    assert (payment.active, payment.until) == (False, datetime.date(2026, 6, 30))
    unknown = admin_client.post(PAGE, {"action": "end", "worker": "999999"}, follow=True)
    assert "not recorded as paying themselves" in unknown.content.decode()


def test_an_uploaded_bpjs_list_shows_its_counts_and_problem_rows(
    admin_client: Client, registry: dict[str, Any], settings: Any
) -> None:
    content = _csv(
        [
            f"{registry['farmer'].nik};{KPJ};01-03-2025;Aktif",
            "5203999999990001;33333333333;;Aktif",
        ]
    )

    def upload() -> Any:
        file = SimpleUploadedFile("mandiri bpjs.csv", content, content_type="text/csv")
        return admin_client.post("/kepesertaan/mandiri/unggah/", {"file": file})

    first, second = upload(), upload()

    assert first.status_code == 200
    assert (first.context["result"].recorded, len(first.context["result"].problems)) == (1, 1)
    html = first.content.decode()
    assert "2 rows: 1 recorded, 0 unchanged, 1 with a problem." in html
    assert "NIK_NOT_IN_REGISTRY" in html and "No worker with this NIK in the registry." in html
    assert "2 rows: 0 recorded, 1 unchanged, 1 with a problem." in second.content.decode()
    assert SelfPayment.objects.get().worker == registry["farmer"]
    event = Event.objects.filter(action="self_payments_imported").first()
    assert event is not None and event.after["file"] == "mandiri bpjs.csv"
    assert list((Path(settings.VAR_DIR) / "enrollment" / "incoming").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.csv", b"Nama;Alamat\nInaq;Selong\n", "NIK"),
        ("list.pdf", b"%PDF-1.4", "XLSX, XLS, ODS or CSV"),
    ],
)
def test_a_file_that_is_no_list_is_refused_with_one_message(
    admin_client: Client, registry: dict[str, Any], name: str, content: bytes, message: str
) -> None:
    file = SimpleUploadedFile(name, content)

    response = admin_client.post("/kepesertaan/mandiri/unggah/", {"file": file})

    assert response.status_code == 200 and response.context["result"] is None
    assert message in " ".join(response.context["upload_form"].errors["file"])
    assert not Event.objects.filter(action="self_payments_imported").exists()


def test_who_may_read_and_who_may_change(client: Client, registry: dict[str, Any]) -> None:
    record_self_payment(by="test", worker=registry["farmer"], kpj=KPJ)
    client.force_login(UserFactory(role=Role.BPJS))
    assert client.get(PAGE).status_code == 200
    assert (
        client.post(PAGE, {"nik": registry["poorest"].nik, "kpj": "22222222222"}).status_code == 403
    )
    file = SimpleUploadedFile("list.csv", io.BytesIO(_csv([])).read())
    assert client.post("/kepesertaan/mandiri/unggah/", {"file": file}).status_code == 403
    assert client.post(PAGE, {"action": "end", "worker": registry["farmer"].pk}).status_code == 403
    client.force_login(UserFactory(role=Role.PIMPINAN))
    assert client.get(PAGE).status_code == 403
    assert SelfPayment.objects.get().active is True

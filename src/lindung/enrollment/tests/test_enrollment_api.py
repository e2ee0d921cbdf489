"""Enrollment over the JSON API: a worker's participations by NIK, batches, counts per state."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import EndReason, Participation, RegistrationBatch, State, Wadah
from lindung.enrollment.services import end_participation
from lindung.formats import mask_nik
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db
API = "/api/v1/enrollment"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lookup(user: User, nik: str) -> Any:
    return _client(user).post(
        f"{API}/participations/lookup", json.dumps({"nik": nik}), content_type="application/json"
    )


@pytest.fixture
def batch(approved: BeneficiaryList, wadah: Wadah) -> RegistrationBatch:
    return create_batch(
        by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 1, 1)
    )


def test_a_workers_participations_by_nik(
    batch: RegistrationBatch, registry: dict[str, Any]
) -> None:
    farmer = registry["farmer"]
    Participation.objects.filter(worker=farmer).update(
        state=State.TERDAFTAR, kpj="12345678901", effective_from=datetime.date(2027, 1, 1)
    )
    spaced = f"{farmer.nik[:6]} {farmer.nik[6:12]}-{farmer.nik[12:]}"

    response = _lookup(UserFactory(role=Role.BPJS), spaced)

    assert response.status_code == 200
    body = response.json()
    assert (body["worker_id"], body["nik"], body["name"]) == (farmer.pk, farmer.nik, farmer.name)
    [item] = body["participations"]
    assert item == {
        "fiscal_year": 2027,
        "state": "TERDAFTAR",
        "source": "apbd",
        "wadah": "SG-APBD",
        "kind": "new",
        "kpj": "12345678901",
        "effective_from": "2027-01-01",
        "ended_on": None,
        "end_reason": "",
        "reason": "",
        "batch": batch.pk,
        "beneficiary_list": batch.beneficiary_list.number,
    }


def test_the_history_is_newest_first_with_the_end_reason(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    farmer = registry["farmer"]
    p = Participation.objects.get(worker=farmer)
    end_participation(by="test", participation=p, reason=EndReason.WAGE_WORKER)

    [item] = _lookup(admin(), farmer.nik).json()["participations"]

    assert (item["state"], item["end_reason"], item["wadah"]) == ("BERAKHIR", "wage_worker", None)
    assert item["ended_on"] is not None


def test_a_nik_outside_the_callers_area_or_unknown_is_not_found(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    pringgabaya_operator = operator_desa("52.03.08.2001")

    assert _lookup(pringgabaya_operator, registry["farmer"].nik).status_code == 404
    assert _lookup(admin(), "5203999999990001").status_code == 404
    own = _lookup(pringgabaya_operator, registry["pringgabaya"].nik)
    assert own.status_code == 200 and len(own.json()["participations"]) == 1


def test_a_worker_without_a_participation_has_an_empty_history(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    body = _lookup(admin(), registry["rich"].nik).json()
    assert body["participations"] == []


def test_the_nik_is_masked_without_view_nik(
    approved: BeneficiaryList, registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = UserFactory(role=Role.BPJS)
    real_can = User.can
    monkeypatch.setattr(User, "can", lambda self, c: c != "view_nik" and real_can(self, c))

    body = _lookup(user, registry["farmer"].nik).json()

    assert body["nik"] == mask_nik(registry["farmer"].nik) != registry["farmer"].nik


def test_leaders_and_anonymous_callers_get_no_participation(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    assert _lookup(UserFactory(role=Role.PIMPINAN), registry["farmer"].nik).status_code == 403
    anonymous = Client().post(
        f"{API}/participations/lookup",
        json.dumps({"nik": registry["farmer"].nik}),
        content_type="application/json",
    )
    assert anonymous.status_code == 401


def test_the_batches_and_one_batch(batch: RegistrationBatch) -> None:
    client = _client(UserFactory(role=Role.BPJS))

    page = client.get(f"{API}/batches").json()
    one = client.get(f"{API}/batches/{batch.pk}").json()

    assert page["next_cursor"] is None and [b["id"] for b in page["items"]] == [batch.pk]
    assert one == page["items"][0]
    assert one["wadah"] == "SG-APBD" and one["list"] == batch.beneficiary_list.number
    assert (one["kind"], one["start"], one["months"]) == ("new", "2027-01-01", 12)
    assert (one["workers"], one["registered"], one["waiting"], one["status"]) == (5, 0, 5, "sent")
    assert client.get(f"{API}/batches", {"fiscal_year": 2028}).json()["items"] == []
    assert client.get(f"{API}/batches/999").status_code == 404


def test_batches_are_paged_newest_first(batch: RegistrationBatch, monkeypatch: Any) -> None:
    from lindung.enrollment import api

    second = RegistrationBatch.objects.create(
        beneficiary_list=batch.beneficiary_list,
        wadah=batch.wadah,
        source="apbd",
        fiscal_year=2027,
        start=datetime.date(2027, 7, 1),
        months=6,
        layout_version="1",
        folder="x",
    )
    monkeypatch.setattr(api, "PAGE", 1)
    client = _client(admin())

    first = client.get(f"{API}/batches").json()
    rest = client.get(f"{API}/batches", {"cursor": first["next_cursor"]}).json()

    assert [b["id"] for b in first["items"]] == [second.pk]
    assert [b["id"] for b in rest["items"]] == [batch.pk] and rest["next_cursor"] is None


def test_area_operators_get_no_batch(batch: RegistrationBatch) -> None:
    client = _client(operator_desa())

    assert client.get(f"{API}/batches").json()["items"] == []
    assert client.get(f"{API}/batches/{batch.pk}").status_code == 404


def test_the_counts_per_state_within_the_callers_area(
    batch: RegistrationBatch, registry: dict[str, Any]
) -> None:
    Participation.objects.filter(worker=registry["poorest"]).update(state=State.DITOLAK)

    whole = _client(admin()).get(f"{API}/status", {"year": 2027}).json()
    desa = _client(operator_desa("52.03.08.2001")).get(f"{API}/status").json()

    [row] = whole
    assert (row["fiscal_year"], row["source"], row["wadah"], row["total"]) == (
        2027,
        "apbd",
        "SG-APBD",
        5,
    )
    assert row["states"]["DIAJUKAN"] == 4 and row["states"]["DITOLAK"] == 1
    assert [(r["total"], r["states"]["DIAJUKAN"]) for r in desa] == [(1, 1)]
    assert _client(admin()).get(f"{API}/status", {"year": 2030}).json() == []

"""Move requests: a worker of another wilayah asked for by an import, decided where they live."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import UserFactory, auditor, operator_desa, operator_kecamatan
from lindung.audit.models import Event
from lindung.formats import mask_nik
from lindung.registry.models import MoveRequest, MoveState, Sex, Worker
from lindung.registry.services import (
    RegistryError,
    accept_move,
    refuse_move,
    request_move,
)
from lindung.registry.tests.factories import WorkerFactory, nik_for

pytestmark = pytest.mark.django_db

PANCOR = "52.03.07.1001"  # Kec. Selong
APIT_AIK = "52.03.08.2002"  # Kec. Pringgabaya
BORN = datetime.date(1980, 5, 28)


@pytest.fixture
def worker() -> Worker:
    w: Worker = WorkerFactory(
        desa_id=APIT_AIK,
        nik=nik_for("52.03.08", BORN, Sex.FEMALE, 7),
        sex=Sex.FEMALE,
        name="Inaq Asli",
        name_key="inaq asli",
        phone="081999888777",
    )
    return w


@pytest.fixture
def move(worker: Worker) -> MoveRequest:
    return request_move(
        by=operator_desa(PANCOR, username="op.pancor"),
        worker=worker,
        target_desa=PANCOR,
        fields={"name": "Inaq Baru", "phone": "081111111111", "birth_date": "1980-05-28"},
    )


def test_a_move_request_is_pending_and_audited(move: MoveRequest, worker: Worker) -> None:
    assert (move.state, move.target_desa_id, move.worker) == (MoveState.PENDING, PANCOR, worker)
    event = Event.objects.get(action="move_requested")
    assert (event.actor, event.object_id) == (move.requested_by, str(move.pk))
    assert event.after["target_desa"] == PANCOR and event.after["fields"]["name"] == "Inaq Baru"
    worker.refresh_from_db()
    assert (worker.desa_id, worker.name) == (APIT_AIK, "Inaq Asli")


def test_accepting_moves_the_worker_and_applies_the_row_values_through_the_edit_path(
    move: MoveRequest, worker: Worker
) -> None:
    decider = operator_kecamatan("52.03.08", username="op.pringgabaya")

    accept_move(by=decider, move=move, note="Sudah pindah domisili")

    worker.refresh_from_db()
    assert (worker.desa_id, worker.kecamatan_id, worker.kabupaten_id) == (
        PANCOR,
        "52.03.07",
        "52.03",
    )
    assert (worker.name, worker.name_key, worker.phone) == (
        "Inaq Baru",
        "inaq baru",
        "081111111111",
    )
    move.refresh_from_db()
    assert (move.state, move.decided_by, move.note) == (
        MoveState.ACCEPTED,
        decider,
        "Sudah pindah domisili",
    )
    assert move.decided_at is not None
    edit = Event.objects.get(action="worker_updated", object_id=str(worker.pk))
    assert edit.actor == decider
    assert edit.before == {"desa": APIT_AIK, "name": "Inaq Asli", "phone": "081999888777"}
    assert edit.after == {"desa": PANCOR, "name": "Inaq Baru", "phone": "081111111111"}
    decided = Event.objects.get(action="move_accepted")
    assert decided.before == {"state": "pending"}
    assert decided.after == {"state": "accepted", "note": "Sudah pindah domisili"}


def test_refusing_leaves_the_worker_where_they_are(move: MoveRequest, worker: Worker) -> None:
    decider = UserFactory(username="op.kabupaten")  # a regency operator decides anywhere

    refuse_move(by=decider, move=move, note="Data tidak cocok")

    worker.refresh_from_db()
    assert (worker.desa_id, worker.name) == (APIT_AIK, "Inaq Asli")
    move.refresh_from_db()
    assert (move.state, move.decided_by) == (MoveState.REFUSED, decider)
    assert Event.objects.get(action="move_refused").after == {
        "state": "refused",
        "note": "Data tidak cocok",
    }
    assert not Event.objects.filter(action="worker_updated").exists()


@pytest.mark.parametrize("decide", [accept_move, refuse_move])
def test_an_operator_of_a_third_area_cannot_decide(
    decide: object, move: MoveRequest, worker: Worker
) -> None:
    third = operator_kecamatan("52.03.09", username="op.aikmel")

    with pytest.raises(RegistryError):
        decide(by=third, move=move)  # type: ignore[operator]
    with pytest.raises(RegistryError):
        decide(by=move.requested_by, move=move)  # type: ignore[operator]

    move.refresh_from_db()
    worker.refresh_from_db()
    assert move.state == MoveState.PENDING and worker.desa_id == APIT_AIK


def test_a_role_without_edit_rights_cannot_decide(move: MoveRequest) -> None:
    with pytest.raises(RegistryError):
        accept_move(by=auditor(), move=move)


def test_a_decided_request_cannot_be_decided_again(move: MoveRequest) -> None:
    decider = UserFactory(username="op.kabupaten")
    refuse_move(by=decider, move=move)

    with pytest.raises(RegistryError):
        accept_move(by=decider, move=move)
    assert MoveRequest.objects.get().state == MoveState.REFUSED


def test_a_request_must_target_a_desa_of_the_requester(worker: Worker) -> None:
    with pytest.raises(RegistryError):
        request_move(
            by=operator_desa(PANCOR, username="op.pancor"),
            worker=worker,
            target_desa="52.03.07.1002",
            fields={},
        )
    assert not MoveRequest.objects.exists()


# --- pages --------------------------------------------------------------------------------------
def test_the_worker_s_wilayah_sees_the_request_and_accepts_it_by_post(
    client: Client, move: MoveRequest, worker: Worker
) -> None:
    decider = operator_kecamatan("52.03.08", username="op.pringgabaya")
    client.force_login(decider)

    page = client.get(reverse("registry:move-list"))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="move-row"') == 1 and "Inaq Asli" in html
    assert "Inaq Baru" in html and worker.nik in html
    assert client.get(reverse("registry:move-accept", args=[move.pk])).status_code == 405

    response = client.post(reverse("registry:move-accept", args=[move.pk]), {"note": "ok"})

    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.desa_id == PANCOR
    assert Event.objects.filter(action="move_accepted", actor=decider).exists()


def test_the_refuse_button_refuses(client: Client, move: MoveRequest, worker: Worker) -> None:
    client.force_login(operator_kecamatan("52.03.08", username="op.pringgabaya"))

    client.post(reverse("registry:move-refuse", args=[move.pk]))

    move.refresh_from_db()
    worker.refresh_from_db()
    assert move.state == MoveState.REFUSED and worker.desa_id == APIT_AIK


def test_an_operator_of_a_third_area_neither_sees_nor_decides_a_request(
    client: Client, move: MoveRequest, worker: Worker
) -> None:
    client.force_login(operator_kecamatan("52.03.09", username="op.aikmel"))

    html = client.get(reverse("registry:move-list")).content.decode()
    assert 'data-testid="move-row"' not in html and "Inaq Asli" not in html
    assert client.post(reverse("registry:move-accept", args=[move.pk])).status_code == 404
    assert client.post(reverse("registry:move-refuse", args=[move.pk])).status_code == 404
    move.refresh_from_db()
    assert move.state == MoveState.PENDING


def test_the_requester_sees_only_the_masked_nik_and_the_state(
    client: Client, move: MoveRequest, worker: Worker
) -> None:
    client.force_login(move.requested_by)

    html = client.get(reverse("registry:move-list")).content.decode()

    assert html.count('data-testid="own-move-row"') == 1
    assert 'data-testid="move-row"' not in html
    assert mask_nik(worker.nik) in html and worker.nik not in html
    assert str(MoveState.PENDING.label) in html
    for secret in ("Inaq Asli", "Apit Aik", "Pringgabaya", "081999888777"):
        assert secret not in html
    assert client.post(reverse("registry:move-accept", args=[move.pk])).status_code == 404


def test_the_worker_list_links_to_the_move_requests(client: Client) -> None:
    client.force_login(operator_desa(PANCOR, username="op.pancor"))

    html = client.get(reverse("registry:worker-list")).content.decode()

    assert reverse("registry:move-list") in html

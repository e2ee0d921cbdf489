"""An import by a kecamatan or desa operator touches only workers of their own wilayah.

A row whose NIK belongs to a worker registered elsewhere is rejected with NIK_OUTSIDE_SCOPE, says
nothing about that worker, changes nothing and becomes a move request at commit.
"""

import datetime
import io
import json
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin, operator_desa, operator_kecamatan
from lindung.audit.models import Event
from lindung.registry import imports
from lindung.registry.models import (
    ImportStatus,
    MoveRequest,
    MoveState,
    PossibleDuplicate,
    Sex,
    Worker,
)
from lindung.registry.services import update_worker
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.registry.tests.test_import import csv_file
from lindung.registry.tests.test_import_pages import upload

pytestmark = pytest.mark.django_db

PANCOR = "52.03.07.1001"  # Kec. Selong
SELONG = "52.03.07.1002"  # Kec. Selong
APIT_AIK = "52.03.08.2002"  # Kec. Pringgabaya
BORN = datetime.date(1980, 5, 28)
FAKE_ROW = "1;{nik};Nama Palsu;P;;Pancor;Selong;Pedagang;;081111111111"


def _victim(desa: str = APIT_AIK, serial: int = 7, **kwargs: object) -> Worker:
    worker: Worker = WorkerFactory(
        desa_id=desa,
        nik=nik_for(desa[:8], BORN, Sex.FEMALE, serial),
        sex=Sex.FEMALE,
        name="Inaq Asli",
        name_key="inaq asli",
        phone="081999888777",
        address="Dusun Asli",
        no_kk="5203080101090007",
        **kwargs,
    )
    return worker


def _state(worker: Worker) -> dict[str, object]:
    return dict(Worker.objects.filter(pk=worker.pk).values().get().items())


def _import(path: Path, *extra: str) -> dict:
    out = StringIO()
    call_command("import", str(path), "--source", "DTKS 2025", "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_an_operator_cannot_take_over_a_worker_of_another_desa_through_an_import(
    client: Client,
) -> None:
    victim = _victim()
    before = _state(victim)
    uploader = operator_desa(PANCOR, username="op.pancor")
    client.force_login(uploader)

    batch = upload(client, FAKE_ROW.format(nik=victim.nik))

    assert batch.status == ImportStatus.READY
    assert (batch.new, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 0, 1)
    assert batch.code_counts == {"NIK_OUTSIDE_SCOPE": 1}
    preview = client.get(reverse("registry:import-detail", args=[batch.pk])).content.decode()
    assert "NIK_OUTSIDE_SCOPE" in preview
    for secret in ("Inaq Asli", "Apit Aik", "Pringgabaya", "081999888777", "Dusun Asli"):
        assert secret not in preview

    client.post(reverse("registry:import-commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert (batch.updated, batch.rejected) == (0, 1)
    assert _state(victim) == before
    rows = imports.outcome_rows(batch)
    assert rows is not None
    assert rows.select("status", "errors", "changed").row(0) == (
        "rejected",
        ["NIK_OUTSIDE_SCOPE"],
        [],
    )
    page = client.get(reverse("registry:import-detail", args=[batch.pk])).content.decode()
    for secret in ("Inaq Asli", "Apit Aik", "Pringgabaya", "081999888777", "Dusun Asli"):
        assert secret not in page
    assert client.get(reverse("registry:worker-detail", args=[victim.pk])).status_code == 404
    assert not Event.objects.filter(object_id=str(victim.pk), action__startswith="worker_")
    move = MoveRequest.objects.get()
    assert (move.worker, move.target_desa_id, move.state) == (victim, PANCOR, MoveState.PENDING)
    assert (move.requested_by, move.batch_id) == (uploader, batch.pk)
    assert move.fields["name"] == "Nama Palsu" and move.fields["occupation"] == "pedagang"
    # The worker's own kecamatan still has them.
    client.force_login(operator_kecamatan("52.03.08", username="op.pringgabaya"))
    assert client.get(reverse("registry:worker-detail", args=[victim.pk])).status_code == 200


def test_an_operator_cannot_take_over_a_worker_through_lindung_import_user(
    tmp_path: Path,
) -> None:
    victim = _victim()
    before = _state(victim)
    operator_desa(PANCOR, username="op.pancor")
    report = tmp_path / "hasil.xlsx"

    result = _import(
        csv_file(tmp_path, FAKE_ROW.format(nik=victim.nik)),
        "--user",
        "op.pancor",
        "--report",
        str(report),
    )

    assert (result["updated"], result["rejected"]) == (0, 1)
    assert result["rows"] == [
        {
            "row": 2,
            "nik": victim.nik,
            "status": "rejected",
            "errors": ["NIK_OUTSIDE_SCOPE"],
            "warnings": [],
        }
    ]
    assert _state(victim) == before
    assert MoveRequest.objects.filter(worker=victim, state=MoveState.PENDING).count() == 1
    cells = pl.read_excel(io.BytesIO(report.read_bytes()), engine="calamine")
    text = " ".join(str(v) for row in cells.iter_rows() for v in row)
    assert "NIK_OUTSIDE_SCOPE" in text
    assert "Inaq Asli" not in text and "Apit Aik" not in text and "081999888777" not in text


def test_the_preview_does_not_reveal_where_the_nik_is_registered(tmp_path: Path) -> None:
    """A worker of the next desa and one of another kecamatan give the very same answer."""
    near = _victim(SELONG, serial=8)
    far = _victim(APIT_AIK, serial=9)
    operator_desa(PANCOR, username="op.pancor")

    result = _import(
        csv_file(tmp_path, FAKE_ROW.format(nik=near.nik), FAKE_ROW.format(nik=far.nik)),
        "--user",
        "op.pancor",
        "--dry-run",
    )

    answers = [{k: v for k, v in row.items() if k not in ("row", "nik")} for row in result["rows"]]
    assert (
        answers[0]
        == answers[1]
        == {
            "status": "rejected",
            "errors": ["NIK_OUTSIDE_SCOPE"],
            "warnings": [],
        }
    )
    assert "Selong" not in json.dumps(result) and "Inaq" not in json.dumps(result)
    assert not MoveRequest.objects.exists()


def test_a_worker_who_moved_out_of_scope_after_the_check_is_rejected_at_commit(
    client: Client,
) -> None:
    worker = _victim(PANCOR)
    uploader = operator_desa(PANCOR, username="op.pancor")
    client.force_login(uploader)
    batch = upload(client, FAKE_ROW.format(nik=worker.nik))
    assert (batch.updated, batch.rejected) == (1, 0)
    update_worker(by=admin(), worker=worker, changes={"desa": APIT_AIK})
    before = _state(worker)

    client.post(reverse("registry:import-commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and (batch.updated, batch.rejected) == (0, 1)
    assert batch.code_counts == {"NIK_OUTSIDE_SCOPE": 1}
    assert _state(worker) == before
    assert MoveRequest.objects.get().worker == worker


def test_a_kabupaten_operator_still_updates_a_worker_anywhere(tmp_path: Path) -> None:
    victim = _victim()
    UserFactory(username="op.kabupaten")

    result = _import(csv_file(tmp_path, FAKE_ROW.format(nik=victim.nik)), "--user", "op.kabupaten")

    assert result["rows"][0]["status"] == "updated"
    victim.refresh_from_db()
    assert (victim.desa_id, victim.name) == (PANCOR, "Nama Palsu")
    assert not MoveRequest.objects.exists()


def test_a_kecamatan_operator_still_updates_a_worker_of_their_kecamatan(tmp_path: Path) -> None:
    worker = _victim(SELONG)
    operator_kecamatan("52.03.07", username="op.selong")

    result = _import(csv_file(tmp_path, FAKE_ROW.format(nik=worker.nik)), "--user", "op.selong")

    assert result["rows"][0]["status"] == "updated"
    worker.refresh_from_db()
    assert worker.desa_id == PANCOR and not MoveRequest.objects.exists()


def test_importing_the_same_row_again_keeps_one_pending_request(tmp_path: Path) -> None:
    victim = _victim()
    operator_desa(PANCOR, username="op.pancor")
    path = csv_file(tmp_path, FAKE_ROW.format(nik=victim.nik))

    _import(path, "--user", "op.pancor")
    _import(path, "--user", "op.pancor")

    assert MoveRequest.objects.filter(worker=victim).count() == 1
    assert Event.objects.filter(action="move_requested").count() == 1


def test_a_possible_duplicate_outside_the_uploaders_wilayah_is_not_shown_to_them(
    client: Client, tmp_path: Path
) -> None:
    other = WorkerFactory(
        desa_id=SELONG, name="Lalu Ahmad Fauzi", name_key="lalu ahmad fauzi", birth_date=BORN
    )
    uploader = operator_desa(PANCOR, username="op.pancor")
    nik = nik_for("52.03.07", BORN, Sex.MALE, 50)
    row = f"1;{nik};Lalu Ahmad Fauzi;L;28-05-1980;Pancor;Selong;Petani;;"

    result = _import(csv_file(tmp_path, row), "--user", "op.pancor")

    assert result["rows"][0]["status"] == "new"
    assert result["rows"][0]["warnings"] == []
    pair = PossibleDuplicate.objects.get()  # kept for those who see both workers
    client.force_login(uploader)
    listing = client.get(reverse("registry:duplicate-list")).content.decode()
    assert "Lalu Ahmad Fauzi" not in listing and other.nik not in listing
    assert client.get(reverse("registry:duplicate-detail", args=[pair.pk])).status_code == 404
    client.force_login(operator_kecamatan("52.03.07", username="op.selong"))
    assert client.get(reverse("registry:duplicate-detail", args=[pair.pk])).status_code == 200


def test_a_possible_duplicate_inside_the_uploaders_wilayah_is_still_flagged(
    tmp_path: Path,
) -> None:
    WorkerFactory(desa_id=PANCOR, name="Lalu Ahmad Fauzi", name_key="lalu ahmad fauzi")
    uploader: User = operator_desa(PANCOR, username="op.pancor")
    nik = nik_for("52.03.07", BORN, Sex.MALE, 50)
    row = f"1;{nik};Lalu Ahmad Fauzi;L;28-05-1980;Pancor;Selong;Petani;;"

    result = _import(csv_file(tmp_path, row), "--user", uploader.username)

    assert result["rows"][0]["warnings"] == ["POSSIBLE_DUPLICATE"]

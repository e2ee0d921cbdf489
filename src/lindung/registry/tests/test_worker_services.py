import datetime
from typing import Any

import pytest
from django.utils import timezone

from lindung.accounts.tests.factories import admin, operator_desa, operator_kecamatan
from lindung.audit.models import Event
from lindung.registry.models import Occupation, Worker, WorkerStatus
from lindung.registry.services import (
    RegistryError,
    record_worker_export,
    set_worker_status,
    update_worker,
)
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

PANCOR = "52.03.07.1001"  # Kec. Selong
APIT_AIK = "52.03.08.2002"  # Kec. Pringgabaya


@pytest.fixture
def worker() -> Worker:
    return WorkerFactory(
        name="Siti Aminah",
        name_key="siti aminah",
        desil=2,
        income=1_000_000,
        updated_at=timezone.now() - datetime.timedelta(days=3),
    )


def _events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("id"))


def test_it_records_only_the_changed_fields(worker: Worker) -> None:
    by = admin()
    update_worker(
        by=by,
        worker=worker,
        changes={"name": "Siti Aminah", "desil": 3, "occupation": Occupation.NELAYAN},
    )
    [event] = _events("worker_updated")
    assert event.actor == by
    assert (event.object_type, event.object_id, event.object_repr) == (
        "registry.worker",
        str(worker.pk),
        "Siti Aminah",
    )
    assert event.before == {"desil": 2, "occupation": "petani"}
    assert event.after == {"desil": 3, "occupation": "nelayan"}
    assert event.batch is None
    worker.refresh_from_db()
    assert (worker.desil, worker.occupation) == (3, Occupation.NELAYAN)


def test_nothing_is_saved_or_recorded_when_nothing_changes(worker: Worker) -> None:
    updated_at = worker.updated_at
    update_worker(by=admin(), worker=worker, changes={"desil": 2, "name": "  Siti   Aminah "})
    assert _events("worker_updated") == []
    worker.refresh_from_db()
    assert worker.updated_at == updated_at


def test_it_sets_updated_at_and_the_name_key(worker: Worker) -> None:
    before = timezone.now()
    update_worker(by=admin(), worker=worker, changes={"name": "  Baiq   Siti Aminah "})
    worker.refresh_from_db()
    assert (worker.name, worker.name_key) == ("Baiq Siti Aminah", "baiq siti aminah")
    assert worker.updated_at >= before


def test_the_name_key_drops_titles_and_degrees_like_the_import(worker: Worker) -> None:
    update_worker(by=admin(), worker=worker, changes={"name": "Hj. Siti Aminah, S.Pd"})
    worker.refresh_from_db()
    assert (worker.name, worker.name_key) == ("Hj. Siti Aminah, S.Pd", "siti aminah")


def test_a_new_desa_also_sets_kecamatan_and_kabupaten(worker: Worker) -> None:
    update_worker(by=admin(), worker=worker, changes={"desa": APIT_AIK})
    worker.refresh_from_db()
    assert (worker.desa_id, worker.kecamatan_id, worker.kabupaten_id) == (
        APIT_AIK,
        "52.03.08",
        "52.03",
    )
    [event] = _events("worker_updated")
    assert (event.before, event.after) == ({"desa": PANCOR}, {"desa": APIT_AIK})


@pytest.mark.parametrize(
    "code",
    [
        "52.03.08",  # a kecamatan, not a desa
        "52.01.01.2001",  # another kabupaten (outside the deployment)
        "52.03.99.9999",  # does not exist
    ],
)
def test_the_desa_must_be_a_desa_of_the_deployment(worker: Worker, code: str) -> None:
    with pytest.raises(RegistryError) as error:
        update_worker(by=admin(), worker=worker, changes={"desa": code})
    assert error.value.field == "desa"
    worker.refresh_from_db()
    assert worker.desa_id == PANCOR


def test_the_desa_must_be_in_the_actors_scope(worker: Worker) -> None:
    with pytest.raises(RegistryError):
        update_worker(by=operator_kecamatan("52.03.07"), worker=worker, changes={"desa": APIT_AIK})
    update_worker(
        by=operator_kecamatan("52.03.07"), worker=worker, changes={"desa": "52.03.07.1002"}
    )


def test_an_operator_cannot_change_a_worker_outside_their_wilayah(worker: Worker) -> None:
    with pytest.raises(RegistryError):
        update_worker(by=operator_desa("52.03.07.1002"), worker=worker, changes={"desil": 5})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"desil": 0}, "desil"),
        ({"desil": 11}, "desil"),
        ({"income": -1}, "income"),
        ({"name": "   "}, "name"),
        ({"no_kk": "52030701010900"}, "no_kk"),
        ({"sex": "X"}, "sex"),
        ({"status": "hilang"}, "status"),
        ({"birth_date": timezone.localdate() + datetime.timedelta(days=1)}, "birth_date"),
    ],
)
def test_it_rejects_invalid_values(worker: Worker, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(RegistryError) as error:
        update_worker(by=admin(), worker=worker, changes=changes)
    assert error.value.field == field
    assert _events("worker_updated") == []


def test_empty_desil_and_income_are_allowed(worker: Worker) -> None:
    update_worker(by=admin(), worker=worker, changes={"desil": None, "income": None})
    worker.refresh_from_db()
    assert (worker.desil, worker.income) == (None, None)


def test_a_merged_away_record_cannot_be_changed(worker: Worker) -> None:
    worker.merged_into = WorkerFactory()
    worker.save()
    with pytest.raises(RegistryError):
        update_worker(by=admin(), worker=worker, changes={"desil": 5})


def test_the_nik_is_not_editable(worker: Worker) -> None:
    with pytest.raises(ValueError, match="nik"):
        update_worker(by=admin(), worker=worker, changes={"nik": "5203070000000001"})


def test_the_command_line_may_change_any_worker_of_the_deployment(worker: Worker) -> None:
    update_worker(by=None, worker=worker, changes={"desil": 7})
    assert _events("worker_updated")[0].actor_label == "system"


def test_set_worker_status_records_the_change_once(worker: Worker) -> None:
    by = operator_kecamatan("52.03.07")
    set_worker_status(by=by, worker=worker, status=WorkerStatus.MENINGGAL)
    set_worker_status(by=by, worker=worker, status=WorkerStatus.MENINGGAL)
    [event] = _events("worker_status_changed")
    assert (event.before, event.after) == ({"status": "aktif"}, {"status": "meninggal"})
    worker.refresh_from_db()
    assert worker.status == WorkerStatus.MENINGGAL
    with pytest.raises(RegistryError):
        set_worker_status(by=by, worker=worker, status="hilang")


def test_an_export_is_recorded() -> None:
    by = admin()
    record_worker_export(by=by, filters={"desa": PANCOR}, rows=12)
    [event] = _events("workers_exported")
    assert (event.actor, event.object_type) == (by, "registry.worker")
    assert event.after == {"filters": {"desa": PANCOR}, "rows": 12}

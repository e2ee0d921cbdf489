"""The registry in bulk: `workers_frame` over the database, on SQLite and PostgreSQL."""

import datetime

import polars as pl
import pytest

from lindung.registry.frames import WORKER_SCHEMA, workers_frame
from lindung.registry.models import Worker
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_it_reads_every_declared_column_with_its_declared_type() -> None:
    registered = datetime.datetime(2026, 1, 5, 2, 3, 4, 123456, tzinfo=datetime.UTC)
    worker = WorkerFactory(
        desil=4,
        income=1_250_000,
        female_head=True,
        phone="081234567890",
        address='Jl. Pejanggik 1, "Selong"',
        created_at=registered,
        updated_at=registered + datetime.timedelta(days=3),
    )
    frame = workers_frame(list(WORKER_SCHEMA))
    assert frame.schema == pl.Schema(WORKER_SCHEMA)
    row = frame.row(0, named=True)
    assert row["id"] == worker.pk
    assert row["nik"] == worker.nik
    assert row["name"] == worker.name
    assert row["no_kk"] == ""
    assert row["address"] == 'Jl. Pejanggik 1, "Selong"'
    assert row["birth_date"] == datetime.date(1980, 5, 28)
    assert (row["kabupaten_id"], row["kecamatan_id"]) == ("52.03", "52.03.07")
    assert (row["income"], row["desil"]) == (1_250_000, 4)
    assert (row["female_head"], row["disability"]) == (True, False)
    assert row["merged_into_id"] is None
    assert row["created_at"] == registered
    assert row["updated_at"] == registered + datetime.timedelta(days=3)


def test_it_reads_the_current_workers_by_id_in_the_columns_asked() -> None:
    kept = WorkerFactory(desil=None)
    other = WorkerFactory(desa_id="52.03.08.2001", desil=2)
    WorkerFactory(merged_into=kept)
    frame = workers_frame(["desil", "id", "kecamatan_id"])
    assert frame.columns == ["desil", "id", "kecamatan_id"]
    assert frame.rows() == [(None, kept.pk, "52.03.07"), (2, other.pk, "52.03.08")]
    assert frame.height == Worker.objects.current().count()


def test_it_reads_only_the_workers_merged_away_when_asked() -> None:
    kept = WorkerFactory()
    merged = WorkerFactory(merged_into=kept, desil=7)
    frame = workers_frame(["id", "desil", "merged_into_id"], merged=True)
    assert frame.rows() == [(merged.pk, 7, kept.pk)]


def test_it_gives_an_empty_typed_frame_for_an_empty_registry() -> None:
    frame = workers_frame(["id", "birth_date", "created_at"])
    assert frame.height == 0
    assert frame.schema == pl.Schema({c: WORKER_SCHEMA[c] for c in frame.columns})


def test_it_refuses_a_column_the_registry_does_not_declare() -> None:
    with pytest.raises(ValueError, match="name_key"):
        workers_frame(["id", "name_key"])

"""`lindung demo` leaves possible duplicates to review in the Lombok Timur registry."""

from pathlib import Path
from typing import Any

import pytest

from lindung.ops.demo import DEMO_KABUPATEN, ensure_demo_duplicates
from lindung.registry.imports import import_file
from lindung.registry.models import DuplicateStatus, PossibleDuplicate, Worker
from lindung.registry.synth import generate, write
from lindung.registry.synth.duplicates import name_variant, other_nik

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_a_dozen_pairs_to_review_and_adds_none_the_second_time(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    registry = tmp_path / "pekerja.csv"
    write(generate(300, kabupaten=DEMO_KABUPATEN, seed=1), registry)
    import_file(by="demo", path=registry, source="DTKS (sintetis)")
    workers = Worker.objects.count()

    pairs = ensure_demo_duplicates(tmp_path)

    assert 5 <= pairs <= 20
    open_pairs = PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN)
    assert open_pairs.count() == pairs
    assert Worker.objects.count() == workers + pairs  # one new record per pair
    for pair in open_pairs.select_related("worker", "other"):
        assert pair.worker.birth_date == pair.other.birth_date
        assert pair.worker.desa_id == pair.other.desa_id
        assert pair.worker.nik != pair.other.nik
    assert ensure_demo_duplicates(tmp_path) == pairs
    assert Worker.objects.count() == workers + pairs


def test_a_near_duplicate_is_spelt_a_little_differently_under_a_free_nik() -> None:
    assert name_variant("Baiq Nurhayati") == "Baiq Nurhayat"
    assert name_variant("Amaq Rus") == "Amaq Russ"
    nik = "5203072805800001"
    assert other_nik(nik, {nik}) == "5203072805805001"
    assert other_nik(nik, {nik, "5203072805805001"}) == "5203072805805008"

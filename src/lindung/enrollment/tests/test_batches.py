"""Registration batches: who goes in, the checks that hold a worker back, the files."""

import datetime
from typing import Any

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from lindung.audit.models import Event
from lindung.enrollment import batches
from lindung.enrollment.batches import batch_files, cancel_batch, create_batch
from lindung.enrollment.models import BatchStatus, Kind, Participation, State, Wadah
from lindung.enrollment.services import EnrollmentError
from lindung.registry.models import SelfPayment, SelfPaymentOrigin, Worker
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db


def _rows(path: Any) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Peserta").to_python()


START = datetime.date(2027, 1, 1)


def test_a_batch_sends_every_candidate_of_the_wadah_in_lampiran_order(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    assert (batch.workers, batch.months, batch.problems) == (5, 12, [])
    assert set(Participation.objects.values_list("state", flat=True)) == {State.DIAJUKAN}
    assert set(Participation.objects.values_list("batch_id", flat=True)) == {batch.pk}
    rows = _rows(batch_files(batch)["xlsx"])
    assert rows[0][:4] == ["NIK", "No. KK", "Nama Lengkap", "Tempat Lahir"]
    assert rows[0][-1] == "Baris Lampiran" and len(rows) == 6
    niks = [r[0] for r in rows[1:]]
    assert all(isinstance(n, str) and len(n) == 16 for n in niks)
    # lampiran order: kecamatan 52.03.07 before 52.03.08, by name within
    assert [r[-1] for r in rows[1:]] == [1, 2, 3, 4, 5]
    first = rows[1]
    assert first[14] == "JKK,JKM" and str(first[15])[:10] == "2027-01-01"
    assert first[18] == "SG-APBD" and first[19] == "NPW1234567" and first[20] == "188.45/7/2027"
    csv = pl.read_csv(batch_files(batch)["csv"], infer_schema=False)
    assert csv.columns[0] == "NIK" and csv.get_column("NIK").to_list() == niks
    assert csv.get_column("Tanggal Mulai").to_list()[0] == "2027-01-01"
    event = Event.objects.get(action="batch_created")
    assert event.after["workers"] == 5 and event.after["wadah"] == "SG-APBD"


def test_a_second_batch_finds_nobody_left(approved: BeneficiaryList, wadah: Wadah) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    with pytest.raises(EnrollmentError, match="no new registration candidates"):
        create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)


def test_the_checks_hold_back_with_their_codes(
    approved: BeneficiaryList, wadah: Wadah, registry: dict[str, Any]
) -> None:
    Worker.objects.filter(pk=registry["farmer"].pk).update(address="")
    Worker.objects.filter(pk=registry["tobacco"].pk).update(birth_date=datetime.date(1960, 6, 1))
    Worker.objects.filter(pk=registry["tobacco_2"].pk).update(nik="5203071234567890")
    SelfPayment.objects.create(
        worker=registry["pringgabaya"], kpj="12345678901", origin=SelfPaymentOrigin.MANUAL
    )
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    codes = {p["code"]: p for p in batch.problems}
    assert set(codes) == {"MISSING_FIELD", "AGE_LIMIT", "NIK_INVALID", "SELF_PAYING"}
    assert all(p["blocking"] for p in batch.problems)
    assert (
        "Address" in codes["MISSING_FIELD"]["message"]
        or "Alamat" in codes["MISSING_FIELD"]["message"]
    )
    assert batch.workers == 1
    held = Participation.objects.filter(state=State.CALON).count()
    assert held == 4


def test_a_nik_of_another_regency_is_sent_with_a_warning_by_default(
    approved: BeneficiaryList, wadah: Wadah, registry: dict[str, Any]
) -> None:
    Worker.objects.filter(pk=registry["farmer"].pk).update(nik="5201072805800001")
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    assert [(p["code"], p["blocking"]) for p in batch.problems] == [("NIK_OTHER_REGION", False)]
    assert batch.workers == 5


def test_already_submitted_elsewhere_is_held_back(
    approved: BeneficiaryList, wadah: Wadah, registry: dict[str, Any]
) -> None:
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    cancel_batch(by="test", batch=batch)
    other = Participation.objects.get(worker=registry["farmer"])
    # another submitted participation of the year for the same worker (e.g. an ended one
    # registered under another wadah that is not over yet)
    Participation.objects.filter(pk=other.pk).update(
        state=State.BERAKHIR, ended_on=datetime.date(2027, 3, 1), submitted_at=batch.created_at,
        wadah=wadah,
    )  # fmt: skip
    Participation.objects.create(
        worker_id=other.worker_id, fiscal_year=2027, source="apbd", beneficiary_list=approved,
        state=State.CALON, nik=other.nik, name=other.name, desa_id=other.desa_id,
        kecamatan_id=other.kecamatan_id,
    )  # fmt: skip
    again = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    assert [p["code"] for p in again.problems] == ["ALREADY_SUBMITTED"]


def test_cancelling_a_batch_makes_its_workers_candidates_again(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    cancelled = cancel_batch(by="test", batch=batch)
    assert cancelled.status == BatchStatus.CANCELLED
    assert set(Participation.objects.values_list("state", flat=True)) == {State.CALON}
    assert Event.objects.filter(action="batch_cancelled").count() == 1


def test_the_start_month_must_lie_in_the_fiscal_year(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    with pytest.raises(EnrollmentError):
        batches.parse_start("2026-12", 2027)
    assert batches.parse_start("03-2027", 2027) == datetime.date(2027, 3, 1)
    batch = create_batch(
        by="test", beneficiary_list=approved, wadah=wadah, start=datetime.date(2027, 4, 1)
    )
    assert batch.months == 9


def test_the_default_start_is_january_or_next_month() -> None:
    assert batches.default_start(2027, on=datetime.date(2026, 12, 3)) == START
    assert batches.default_start(2027, on=datetime.date(2027, 5, 20)) == datetime.date(2027, 6, 1)
    assert batches.default_start(2027, on=datetime.date(2027, 12, 20)) == datetime.date(2027, 12, 1)


def test_a_wadah_of_another_source_has_no_candidates(
    approved: BeneficiaryList, tobacco_wadah: Wadah
) -> None:
    with pytest.raises(EnrollmentError):
        create_batch(by="test", beneficiary_list=approved, wadah=tobacco_wadah, start=START)


def test_a_wadah_layout_orders_and_names_the_columns(
    approved: BeneficiaryList, wadah: Wadah
) -> None:
    wadah.layout = [["nama_lengkap", "NAMA"], ["nik", "NO KTP"], ["tanggal_lahir", "TGL LAHIR"]]
    wadah.save()
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)
    assert _rows(batch_files(batch)["xlsx"])[0] == ["NAMA", "NO KTP", "TGL LAHIR"]


def test_a_renewal_batch_carries_the_known_kpj(registry: dict[str, Any], wadah: Wadah) -> None:
    from lindung.enrollment.tests.conftest import run
    from lindung.targeting.approval import approve

    first = approve(by="test", scenario=run(year=2027, apbd=5))
    Participation.objects.filter(worker=registry["farmer"]).update(
        state=State.TERDAFTAR, kpj="11111111111", effective_from=START
    )
    second = approve(by="test", scenario=run(year=2028, apbd=5))
    renewal = Participation.objects.get(fiscal_year=2028, worker=registry["farmer"])
    assert (renewal.kind, renewal.kpj) == (Kind.RENEWAL, "11111111111")
    batch = create_batch(
        by="test", beneficiary_list=second, wadah=wadah, kind=Kind.RENEWAL,
        start=datetime.date(2028, 1, 1),
    )  # fmt: skip
    assert batch.workers == 1 and batch.kind == Kind.RENEWAL
    rows = _rows(batch_files(batch)["xlsx"])
    assert rows[0][1] == "KPJ" and rows[1][1] == "11111111111"
    assert first.fiscal_year == 2027
    new = create_batch(
        by="test", beneficiary_list=second, wadah=wadah, start=datetime.date(2028, 1, 1)
    )
    assert new.workers == 4

"""The branch's answer: any header names, KPJ as numbers, row codes, idempotent commits."""

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lindung import xlsx
from lindung.audit.models import Event
from lindung.enrollment.answers import service as answers
from lindung.enrollment.answers.check import classify
from lindung.enrollment.batches import batch_files, create_batch
from lindung.enrollment.models import (
    AnswerStatus,
    BatchStatus,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
)
from lindung.enrollment.services import EnrollmentError
from lindung.enrollment.synth import fake_answer
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db
START = datetime.date(2027, 1, 1)


@pytest.fixture
def batch(approved: BeneficiaryList, wadah: Wadah) -> RegistrationBatch:
    return create_batch(by="test", beneficiary_list=approved, wadah=wadah, start=START)


def _niks(batch: RegistrationBatch) -> list[str]:
    return list(batch.items.order_by("row").values_list("nik", flat=True))


def _answer(path: Path, rows: list[list[Any]], header: list[str], *, title: bool = True) -> Path:
    kinds = {"KPJ": xlsx.Kind.INTEGER, "No. Peserta": xlsx.Kind.INTEGER, "TMT": xlsx.Kind.DATE}
    with xlsx.Workbook(path) as book:
        sheet = book.sheet("Jawaban")
        top = 0
        if title:
            sheet.text(0, 0, "HASIL PENDAFTARAN BPU KC SELONG")
            top = 2
        sheet.header(top, [xlsx.Column(h, kinds.get(h, xlsx.Kind.TEXT)) for h in header])
        for number, row in enumerate(rows, start=top + 1):
            sheet.row(number, row)
    return path


def _registered_rows(batch: RegistrationBatch) -> list[list[Any]]:
    return [
        [nik, 10_000_000_000 + i, "Berhasil", "", START]
        for i, nik in enumerate(_niks(batch), start=1)
    ]


HEADER = ["NIK", "No. Peserta", "Status", "Keterangan", "TMT"]


def test_statuses_are_read_as_branches_write_them() -> None:
    assert classify("Berhasil", "") == State.TERDAFTAR
    assert classify("SUKSES", None) == State.TERDAFTAR
    assert classify("Ditolak", "Data tidak sesuai Dukcapil") == State.DITOLAK
    assert classify("Gagal", "Sudah terdaftar aktif (peserta mandiri)") == State.GANDA_AKTIF
    assert classify("", "NIK tidak valid") == State.DITOLAK
    assert classify("Sudah Terdaftar Aktif", "") == State.GANDA_AKTIF
    assert classify("??", "") is None
    assert classify("", "") is None


def test_a_full_answer_registers_everyone_and_a_second_upload_changes_nothing(
    batch: RegistrationBatch, tmp_path: Path
) -> None:
    path = _answer(tmp_path / "jawaban.xlsx", _registered_rows(batch), HEADER)
    answer = answers.receive(by="test", batch=batch, source=path, file_name="jawaban.xlsx")
    assert answer.status == AnswerStatus.CHECKED and answer.registered == 5
    assert answer.problems == 0
    assert set(Participation.objects.values_list("state", flat=True)) == {State.DIAJUKAN}
    committed = answers.commit(by="test", answer=answer)
    assert committed.status == AnswerStatus.COMMITTED
    registered = Participation.objects.filter(state=State.TERDAFTAR)
    assert registered.count() == 5
    assert {p.effective_from for p in registered} == {START}
    assert {len(p.kpj) for p in registered} == {11}
    batch.refresh_from_db()
    assert (batch.registered, batch.status) == (5, BatchStatus.ANSWERED)
    events = Event.objects.filter(action="participation_answered").count()
    assert events == 5
    again = answers.receive(by="test", batch=batch, source=path, file_name="jawaban.xlsx")
    assert again.unchanged == 5 and answers.earlier_same_file(again) == committed
    answers.commit(by="test", answer=again)
    assert Event.objects.filter(action="participation_answered").count() == events
    assert Participation.objects.filter(state=State.TERDAFTAR).count() == 5


def test_every_row_code(batch: RegistrationBatch, tmp_path: Path) -> None:
    niks = _niks(batch)
    rows = [
        [niks[0], 1234567890, "Berhasil", "", START],  # KPJ of 10 digits
        ["5203070101010001", 10000000002, "Berhasil", "", START],  # not in the batch
        [niks[1], 10000000003, "Entah", "", START],  # status unknown
        [niks[2], 10000000004, "Berhasil", "", datetime.date(2031, 1, 1)],  # date
        [niks[3], 10000000005, "Berhasil", "", START],  # duplicate …
        [niks[3], 10000000005, "Berhasil", "", START],  # … in the file
        [niks[4], 10000000004, "Berhasil", "", START],  # KPJ of niks[2] as well
    ]
    path = _answer(tmp_path / "a.xlsx", rows, HEADER)
    result = answers.result_json(batch, answers.check_file(batch, path))
    codes = {r["row"]: r["errors"] for r in result["rows"]}
    assert codes[4] == ["KPJ_INVALID"]
    assert codes[5] == ["NIK_NOT_IN_BATCH"]
    assert codes[6] == ["STATUS_UNKNOWN"]
    assert codes[7] == ["DATE_INVALID", "KPJ_CONFLICT"]
    assert codes[8] == codes[9] == ["DUPLICATE_IN_FILE"]
    assert codes[10] == ["KPJ_CONFLICT"]
    assert result["problems"] == 7 and result["registered"] == 0


def test_a_worker_with_another_kpj_is_a_conflict(batch: RegistrationBatch, tmp_path: Path) -> None:
    niks = _niks(batch)
    first = _answer(tmp_path / "1.xlsx", [[niks[0], 10000000001, "Berhasil", "", START]], HEADER)
    answers.commit(
        by="test", answer=answers.receive(by="test", batch=batch, source=first, file_name="1.xlsx")
    )
    rows = [
        [niks[0], 10000000009, "Berhasil", "", START],
        [niks[1], 10000000001, "Berhasil", "", START],
    ]
    second = _answer(tmp_path / "2.xlsx", rows, HEADER)
    result = answers.result_json(batch, answers.check_file(batch, second))
    assert [r["errors"] for r in result["rows"]] == [["KPJ_CONFLICT"], ["KPJ_CONFLICT"]]


def test_rejected_and_already_active_keep_the_branch_reason(
    batch: RegistrationBatch, tmp_path: Path
) -> None:
    niks = _niks(batch)
    rows = [
        [niks[0], None, "Ditolak", "Data tidak sesuai Dukcapil", None],
        [niks[1], 10000000002, "Gagal", "Sudah terdaftar aktif (peserta mandiri)", None],
    ]
    path = _answer(tmp_path / "a.xlsx", rows, HEADER, title=False)
    answer = answers.commit(
        by="test", answer=answers.receive(by="test", batch=batch, source=path, file_name="a.xlsx")
    )
    assert (answer.rejected, answer.already_active) == (1, 1)
    rejected = Participation.objects.get(nik=niks[0])
    assert (rejected.state, rejected.reason) == (State.DITOLAK, "Data tidak sesuai Dukcapil")
    active = Participation.objects.get(nik=niks[1])
    assert (active.state, active.kpj) == (State.GANDA_AKTIF, "10000000002")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PARTLY_ANSWERED


def test_another_batch_file_is_refused_whole(
    batch: RegistrationBatch, approved: BeneficiaryList, tmp_path: Path
) -> None:
    other = RegistrationBatch.objects.create(
        beneficiary_list=approved, wadah=batch.wadah, source="apbd", fiscal_year=2027,
        start=START, months=12, layout_version="1", folder="",
    )  # fmt: skip
    path = _answer(tmp_path / "a.xlsx", _registered_rows(batch), HEADER)
    with pytest.raises(EnrollmentError, match=f"answers batch {batch.pk}"):
        answers.check_file(other, path)
    answer = answers.receive(by="test", batch=other, source=path, file_name="a.xlsx")
    assert answer.status == AnswerStatus.FAILED and str(batch.pk) in answer.error


def test_empty_and_truncated_files_get_one_message_and_change_nothing(
    batch: RegistrationBatch, tmp_path: Path
) -> None:
    empty = _answer(tmp_path / "empty.xlsx", [], HEADER)
    answer = answers.receive(by="test", batch=batch, source=empty, file_name="empty.xlsx")
    assert answer.status == AnswerStatus.FAILED and answer.error
    full = _answer(tmp_path / "full.xlsx", _registered_rows(batch), HEADER)
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    answer = answers.receive(by="test", batch=batch, source=truncated, file_name="cut.xlsx")
    assert answer.status == AnswerStatus.FAILED and answer.error
    assert set(Participation.objects.values_list("state", flat=True)) == {State.DIAJUKAN}


def test_the_synthetic_branch_answer_goes_through_the_command_line(
    batch: RegistrationBatch, tmp_path: Path
) -> None:
    out = tmp_path / "jawaban.xlsx"
    counts = fake_answer(batch_files(batch)["xlsx"], out, seed=3)
    assert sum(counts.values()) == 5
    stdout = io.StringIO()
    call_command("enroll", "response", str(out), "--batch", str(batch.pk), "--dry-run", "--json",
                 stdout=stdout)  # fmt: skip
    result = json.loads(stdout.getvalue())
    assert set(result) >= {"batch", "rows_total", "registered", "rejected", "already_active",
                           "problems", "rows"}  # fmt: skip
    assert result["rows_total"] == 5 and result["registered"] == counts["registered"]
    assert not Participation.objects.filter(state=State.TERDAFTAR).exists()
    call_command("enroll", "response", str(out), "--batch", str(batch.pk), stdout=io.StringIO())
    assert Participation.objects.filter(state=State.TERDAFTAR).count() == counts["registered"]


def test_a_row_problem_exits_1(batch: RegistrationBatch, tmp_path: Path) -> None:
    path = _answer(tmp_path / "a.xlsx", [["5203070101010001", 1, "Berhasil", "", START]], HEADER)
    with pytest.raises((SystemExit, CommandError)):
        call_command("enroll", "response", str(path), "--batch", str(batch.pk), "--json",
                     stdout=io.StringIO())  # fmt: skip

"""Reconciliation with BPJS: a recap compared with the list, the ledger and the paid bills;
the four lists with their counts, the bills a commit moves, idempotence, bad files, the
command line and the synthetic recap."""

import datetime
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management.base import OutputWrapper
from django.utils import translation

from lindung import xlsx
from lindung.audit.models import Event
from lindung.billing import services
from lindung.billing.models import Bill, BillState, Reconciliation, ReconciliationStatus
from lindung.billing.reconcile import check, command, service, synth, words
from lindung.billing.states import BillingError
from lindung.enrollment.models import Participation
from lindung.jobs.kinds import register
from lindung.sheets import ReadError

pytestmark = pytest.mark.django_db

MONTH = 16_800
HALF_YEAR = 6 * MONTH
BILL_DAY = datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)
CHECK_DAY = datetime.datetime(2027, 3, 10, 9, tzinfo=datetime.UTC)
HEADER = ["No. KPJ", "NIK", "Nama Peserta", "Status Kepesertaan", "Iuran s.d.", "Total Iuran"]
STRANGER = ["19999999999", "5203014101900001", "Siti", "Aktif", "Juni 2027", "100.800"]


@pytest.fixture(autouse=True)
def _kind() -> None:
    from lindung.billing.reconcile.background import CHECK_KIND

    register(CHECK_KIND)


@pytest.fixture
def paid(registered: list[Participation]) -> list[Participation]:
    """The five workers' bills of January to June paid in full on 5 January (July to December
    billed, unpaid); the clock then stands on 10 March 2027."""
    with time_machine.travel(BILL_DAY, tick=False):
        bills = services.make_bills(by="test", fiscal_year=2027)
        for bill in bills:
            if bill.period_start.month == 1:
                services.pay(by="test", bill=bill, amount=bill.amount, paid_on=BILL_DAY.date())
    return sorted(registered, key=lambda p: p.pk)


@pytest.fixture
def march() -> Iterator[None]:
    with time_machine.travel(CHECK_DAY, tick=False):
        yield


def recap(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    """An XLSX recap with a title row above the header, KPJs stored as numbers."""
    kinds = {"No. KPJ": xlsx.Kind.INTEGER, "Tgl Iuran Terakhir": xlsx.Kind.DATE}
    with xlsx.Workbook(path) as book:
        sheet = book.sheet("Rekap")
        sheet.text(0, 0, "REKAP KEPESERTAAN BPU KC SELONG")
        sheet.header(2, [xlsx.Column(h, kinds.get(h, xlsx.Kind.TEXT)) for h in header])
        for number, row in enumerate(rows, start=3):
            sheet.row(number, row)
    return path


def row(
    p: Participation, status: str = "Aktif", through: str = "Juni 2027", amount: Any = "100.800"
) -> list[Any]:
    return [int(p.kpj), p.nik, p.name, status, through, amount]


def four_lists(tmp_path: Path, people: list[Participation]) -> Path:
    """One of each: matched, amount short by a month, Non Aktif, paid through March, a
    stranger; the fifth participant is missing."""
    return recap(
        tmp_path / "rekap-kc-selong.xlsx",
        [
            row(people[0]),
            row(people[1], through="2027-06-30", amount=HALF_YEAR - MONTH),
            row(people[2], status="Non Aktif", through="", amount=""),
            row(people[3], through="2027-03", amount=3 * MONTH),
            STRANGER,
        ],
    )


def _states() -> dict[str, str]:
    return dict(Bill.objects.values_list("number", "state"))


def test_the_recap_falls_into_four_lists_with_their_counts(
    paid: list, tmp_path: Path, march: None
) -> None:
    checked = service.check_file(four_lists(tmp_path, paid), fiscal_year=2027)
    rows = checked.rows
    assert checked.rows_total == 5
    assert check.counts(rows) == {
        "matched": 1,
        "not_on_list": 1,
        "not_active": 2,
        "amount_mismatch": 1,
        "status_mismatch": 1,
    }
    codes = {(r["row"], r["kpj"], r["code"]) for r in rows.iter_rows(named=True)}
    assert codes == {
        (4, paid[0].kpj, "MATCHED"),
        (5, paid[1].kpj, "AMOUNT_DIFFERS"),
        (6, paid[2].kpj, "NOT_ACTIVE_AT_BPJS"),
        (7, paid[3].kpj, "PAID_THROUGH_DIFFERS"),
        (8, STRANGER[0], "UNKNOWN_MEMBER"),
        (None, paid[4].kpj, "MISSING_FROM_RECAP"),
    }
    amount = rows.filter(rows["code"] == "AMOUNT_DIFFERS").row(0, named=True)
    assert (amount["amount"], amount["lindung_amount"]) == (HALF_YEAR - MONTH, HALF_YEAR)
    # Lindung's paid-through month counts every paid period of the year, not only to today.
    status = rows.filter(rows["code"] == "PAID_THROUGH_DIFFERS").row(0, named=True)
    assert status["paid_until"] == datetime.date(2027, 6, 30)
    message = words.message(amount, fiscal_year=2027)
    assert message.startswith(f"Row 5 (KPJ {paid[1].kpj}): BPJS received Rp84.000, Lindung paid")
    assert "January to June 2027" in message
    assert Reconciliation.objects.count() == 0  # a check stores nothing


def test_committing_reconciles_the_bills_it_confirms_and_marks_the_differences(
    paid: list, tmp_path: Path, march: None
) -> None:
    path = four_lists(tmp_path, paid)
    reconciliation = service.receive(by="test", source=path, file_name=path.name)
    assert reconciliation.status == ReconciliationStatus.CHECKED
    apbd_first = Bill.objects.get(source="apbd", period_start__month=1)
    assert paid[1].source == "apbd"
    assert reconciliation.bills == [
        {
            "bill": apbd_first.pk,
            "number": apbd_first.number,
            "before": "DIBAYAR",
            "after": "SELISIH",
        }
    ]
    assert set(_states().values()) == {BillState.DIBAYAR, BillState.RENCANA}  # nothing yet
    committed = service.commit(by="test", reconciliation=reconciliation)
    assert committed.status == ReconciliationStatus.COMMITTED
    states = _states()
    assert states[apbd_first.number] == BillState.SELISIH
    dbhcht_first = Bill.objects.get(source="dbhcht", period_start__month=1)
    assert states[dbhcht_first.number] == BillState.DIBAYAR  # a status differs: left alone
    event = Event.objects.get(action="reconciliation_committed")
    assert event.after["not_active"] == 2 and event.after["rows_total"] == 5
    assert event.after["bills"] == [f"{apbd_first.number}: DIBAYAR → SELISIH"]
    assert Event.objects.filter(action="bill_reconciled").count() == 1
    assert (committed.matched, committed.not_on_list, committed.not_active) == (1, 1, 2)


def test_a_recap_that_agrees_reconciles_every_paid_bill(
    paid: list, tmp_path: Path, march: None
) -> None:
    path = recap(tmp_path / "rekap.xlsx", [row(p) for p in paid])
    reconciliation = service.commit(
        by="test", reconciliation=service.receive(by="test", source=path, file_name="rekap.xlsx")
    )
    assert reconciliation.matched == 5 and reconciliation.rows_total == 5
    reconciled = Bill.objects.filter(state=BillState.DIREKONSILIASI)
    assert {b.period_start.month for b in reconciled} == {1} and reconciled.count() == 2
    assert all(b.reconciled_on == CHECK_DAY.date() for b in reconciled)


def test_the_same_file_again_changes_nothing(paid: list, tmp_path: Path, march: None) -> None:
    path = four_lists(tmp_path, paid)
    first = service.commit(
        by="test", reconciliation=service.receive(by="test", source=path, file_name="a.xlsx")
    )
    before = _states()
    events = Event.objects.count()
    # committing it again returns it as it is
    assert service.commit(by="test", reconciliation=first).decided_at == first.decided_at
    # the same content uploaded again is checked, but saving it is refused
    again = service.receive(by="test", source=path, file_name="lagi.xlsx")
    assert service.earlier_same_file(again) == first
    with pytest.raises(BillingError, match="saved already"):
        service.commit(by="test", reconciliation=again)
    again.refresh_from_db()
    assert again.status == ReconciliationStatus.CHECKED
    assert _states() == before and Event.objects.count() == events
    # a new file saying the same moves no bill
    copy = recap(tmp_path / "b.xlsx", [*[row(p) for p in paid[:1]], STRANGER])
    other = service.commit(
        by="test", reconciliation=service.receive(by="test", source=copy, file_name="b.xlsx")
    )
    assert other.bills == [] or all(m["before"] != m["after"] for m in other.bills)


def test_rows_of_one_kpj_are_added_up(paid: list, tmp_path: Path, march: None) -> None:
    """A recap per month: six rows of 16.800 are one member paid through June."""
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni"]
    rows = [row(paid[0], through=f"{m} 2027", amount=MONTH) for m in months]
    checked = service.check_file(recap(tmp_path / "per-bulan.xlsx", rows), fiscal_year=2027)
    first = checked.rows.filter(checked.rows["kpj"] == paid[0].kpj).row(0, named=True)
    assert (first["code"], first["rows"], first["amount"], first["row"]) == (
        "MATCHED",
        6,
        HALF_YEAR,
        4,
    )
    assert checked.rows_total == 6


@pytest.mark.parametrize(
    ("setup", "code", "category"),
    [
        ("ended", "ENDED_BUT_ACTIVE", "status_mismatch"),
        ("removed", "NOT_ON_LIST", "not_on_list"),
        ("candidate", "NOT_REGISTERED_BUT_ACTIVE", "status_mismatch"),
        ("other_kpj", "IDENTITY_DIFFERS", "status_mismatch"),
    ],
)
def test_lindung_and_bpjs_disagree_about_the_participation(
    paid: list, tmp_path: Path, march: None, setup: str, code: str, category: str
) -> None:
    target = paid[0]
    entry = row(target)
    if setup == "ended":
        Participation.objects.filter(pk=target.pk).update(
            state="BERAKHIR", end_reason="died", ended_on=datetime.date(2027, 2, 1)
        )
    elif setup == "removed":
        Participation.objects.filter(pk=target.pk).update(
            state="BERAKHIR", end_reason="list_revision", ended_on=datetime.date(2027, 2, 1)
        )
    elif setup == "candidate":
        Participation.objects.filter(pk=target.pk).update(
            state="DIAJUKAN", kpj="", effective_from=None
        )
        entry[0] = 27_999_999_999
    else:
        entry[0] = 27_999_999_998  # a KPJ Lindung does not have for this NIK
    checked = service.check_file(recap(tmp_path / "r.xlsx", [entry]), fiscal_year=2027)
    found = checked.rows.filter(checked.rows["row"] == 4).row(0, named=True)
    assert (found["code"], found["category"]) == (code, category)
    assert words.message(found, fiscal_year=2027)


def test_a_recap_of_another_wadah_leaves_the_others_out(
    paid: list, tmp_path: Path, march: None
) -> None:
    apbd = [p for p in paid if p.source == "apbd"]
    rows = [[*row(p), "NPWAPBD"] for p in apbd]
    checked = service.check_file(
        recap(tmp_path / "apbd.xlsx", rows, [*HEADER, "NPW"]), fiscal_year=2027
    )
    assert check.counts(checked.rows)["matched"] == 3
    assert "MISSING_FROM_RECAP" not in checked.rows["code"].to_list()


def bad_files(tmp_path: Path, people: list[Participation]) -> dict[str, Path]:
    empty = tmp_path / "kosong.xlsx"
    empty.write_bytes(b"")
    garbage = tmp_path / "sampah.csv"
    garbage.write_bytes(b"\x00\x01zz;;\n" + bytes(range(32, 127)) * 20 + b"\n@@@;;;\n")
    # NIKs typed as numbers: Excel kept 15 digits and a 0
    numeric_nik = tmp_path / "nik-angka.xlsx"
    with xlsx.Workbook(numeric_nik) as book:
        sheet = book.sheet("Rekap")
        columns = [
            xlsx.Column("No. KPJ", xlsx.Kind.INTEGER),
            xlsx.Column("NIK", xlsx.Kind.INTEGER),
            xlsx.Column("Status"),
            xlsx.Column("Iuran s.d."),
        ]
        sheet.header(0, columns)
        for number, p in enumerate(people, start=1):
            sheet.row(number, [int(p.kpj), int(p.nik[:15] + "0"), "Aktif", "Juni 2027"])
    return {
        "empty": empty,
        "headers": recap(tmp_path / "salah.xlsx", [["a", "b", "c"]], ["Nama", "Alamat", "Telepon"]),
        "garbage": garbage,
        "nothing to compare": recap(
            tmp_path / "kpj-saja.xlsx", [[int(people[0].kpj), "x"]], ["KPJ", "Nama"]
        ),
        "numeric nik": numeric_nik,
        "foreign": recap(tmp_path / "lain.xlsx", [STRANGER]),
    }


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("empty", "contains no rows"),
        ("headers", "No row with the column names"),
        ("garbage", ""),
        ("nothing to compare", "nothing to compare"),
        ("numeric nik", "lost their last digits"),
        ("foreign", "None of the KPJs and NIKs"),
    ],
)
def test_a_bad_file_gets_a_message_and_changes_nothing(
    paid: list, tmp_path: Path, march: None, kind: str, words: str
) -> None:
    path = bad_files(tmp_path, paid)[kind]
    before, events = _states(), Event.objects.count()
    with pytest.raises((ReadError, BillingError)) as raised:
        service.check_file(path, fiscal_year=2027)
    assert words in raised.value.message
    reconciliation = service.receive(by="test", source=path, file_name=path.name)
    assert reconciliation.status == ReconciliationStatus.FAILED
    assert reconciliation.error == raised.value.message
    with pytest.raises(BillingError):
        service.commit(by="test", reconciliation=reconciliation)
    assert _states() == before and Event.objects.count() == events
    with pytest.raises(BillingError) as cli:
        command.run(
            path, dry_run=False, as_json=True, stdout=OutputWrapper(io.StringIO()), by="cli"
        )
    assert cli.value.message == raised.value.message


def test_bad_files_are_refused_in_indonesian(paid: list, tmp_path: Path, march: None) -> None:
    files = bad_files(tmp_path, paid)
    png = tmp_path / "foto.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with translation.override("id"):
        with pytest.raises(ReadError) as raised:
            service.check_file(png, fiscal_year=2027)
        assert raised.value.message.startswith("Berkas bukan lembar kerja atau berkas CSV.")
        with pytest.raises(BillingError) as lost:
            service.check_file(files["numeric nik"], fiscal_year=2027)
        assert lost.value.message.startswith(
            "Excel menyimpan kolom NIK sebagai angka dan menghilangkan digit terakhirnya (baris "
        )
        with pytest.raises(ReadError) as empty:
            service.check_file(files["empty"], fiscal_year=2027)
        assert empty.value.message.startswith("Rekap tidak berisi baris.")


def _run(path: Path, *, dry_run: bool = False) -> dict[str, Any]:
    out = io.StringIO()
    command.run(path, dry_run=dry_run, as_json=True, stdout=OutputWrapper(out), by="cli")
    return json.loads(out.getvalue())


def test_the_command_prints_the_contract_and_a_dry_run_stores_nothing(
    paid: list, tmp_path: Path, march: None
) -> None:
    path = four_lists(tmp_path, paid)
    result = _run(path, dry_run=True)
    assert list(result) == [
        "rows_total",
        "matched",
        "not_on_list",
        "not_active",
        "amount_mismatch",
        "status_mismatch",
        "rows",
    ]
    assert (result["rows_total"], result["not_active"], result["status_mismatch"]) == (5, 2, 1)
    assert {tuple(r) for r in result["rows"]} == {
        ("row", "kpj", "nik", "category", "code", "message")
    }
    missing = next(r for r in result["rows"] if r["row"] is None)
    assert (missing["kpj"], missing["nik"], missing["code"]) == (
        paid[4].kpj,
        paid[4].nik,
        "MISSING_FROM_RECAP",
    )
    assert Reconciliation.objects.count() == 0 and set(_states().values()) == {"DIBAYAR", "RENCANA"}
    saved = _run(path)
    assert saved == result
    assert Reconciliation.objects.get().status == ReconciliationStatus.COMMITTED
    states = _states()
    assert _run(path) == result  # the same file again: nothing changes
    assert Reconciliation.objects.count() == 1 and _states() == states
    text = io.StringIO()
    command.run(path, dry_run=True, as_json=False, stdout=OutputWrapper(text), by="cli")
    printed = text.getvalue()
    assert "5 rows. Matched 1, not on the list 1, not active at BPJS 2" in printed
    assert "[MISSING_FROM_RECAP]" in printed and "(--dry-run)" in printed


def test_the_synthetic_recap_has_one_of_each_mismatch(
    paid: list, tmp_path: Path, march: None
) -> None:
    path = tmp_path / "rekap-sintetis.xlsx"
    counts = synth.write_recap(path, fiscal_year=2027, on=CHECK_DAY.date(), seed=3)
    assert counts == {
        "rows": 5,
        "not_active": 1,
        "missing": 1,
        "amount": 1,
        "status": 1,
        "unknown": 1,
    }
    rows = service.check_file(path, fiscal_year=2027).rows
    assert check.counts(rows) == {
        "matched": 1,
        "not_on_list": 1,
        "not_active": 2,
        "amount_mismatch": 1,
        "status_mismatch": 1,
    }
    clean = tmp_path / "bersih.xlsx"
    assert (
        synth.write_recap(clean, fiscal_year=2027, on=CHECK_DAY.date(), faults=False)["rows"] == 5
    )
    assert check.counts(service.check_file(clean, fiscal_year=2027).rows)["matched"] == 5


def test_discarding_removes_the_files(
    paid: list, tmp_path: Path, march: None, django_capture_on_commit_callbacks: Any
) -> None:
    path = four_lists(tmp_path, paid)
    reconciliation = service.receive(by="test", source=path, file_name=path.name)
    folder = Path(tmp_path) / reconciliation.folder
    assert (folder / service.ROWS_FILE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        service.discard(by="test", reconciliation=reconciliation)
    assert not folder.exists()
    assert Event.objects.filter(action="reconciliation_discarded").count() == 1
    with pytest.raises(BillingError):
        service.commit(by="test", reconciliation=reconciliation)


def test_lindung_billing_reconcile_runs_it(paid: list, tmp_path: Path, march: None) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command(
        "billing", "reconcile", str(four_lists(tmp_path, paid)), "--dry-run", "--json", stdout=out
    )
    assert json.loads(out.getvalue())["not_active"] == 2
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="contains no rows"):
        call_command("billing", "reconcile", str(empty), stdout=io.StringIO())


def test_lindung_synth_bpjs_recap_writes_it(paid: list, tmp_path: Path, march: None) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    path = tmp_path / "rekap.xlsx"
    call_command(synth.BpjsRecapCommand(), "--out", str(path), "--seed", "2", stdout=out)
    assert "5 rows; not active 1, missing 1, amount 1, paid through 1, unknown 1." in out.getvalue()
    assert check.counts(service.check_file(path, fiscal_year=2027).rows)["matched"] == 1


def test_the_command_line_finds_the_year_the_recap_speaks_of(
    registered: list, tmp_path: Any, time_machine: Any
) -> None:
    """A recap read in December for a list of next year is next year's, not this year's."""
    from lindung.billing.reconcile import service as reconcile_service
    from lindung.billing.reconcile.synth import write_recap

    time_machine.move_to(datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC), tick=False)
    path = tmp_path / "rekap.xlsx"
    write_recap(path, fiscal_year=2027, on=datetime.date(2027, 1, 5), faults=False, seed=3)
    time_machine.move_to(datetime.datetime(2026, 12, 20, 9, tzinfo=datetime.UTC), tick=False)
    assert reconcile_service.guess_year(path) == 2027

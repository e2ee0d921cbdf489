"""BPJS claim reports against the database: reading with the branch's headers (KPJ as
numbers), each status, commit (matched claims paid with the branch's date and amount, new ones
recorded), idempotence, a bad file, `lindung claims import` and the synthetic report."""

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from lindung import xlsx
from lindung.audit.models import Event as AuditEvent
from lindung.claims import services
from lindung.claims.models import Claim, ClaimReport, ClaimState, Event, ReportStatus
from lindung.claims.reports import check, service
from lindung.claims.reports.synth import write_report
from lindung.claims.states import ClaimError
from lindung.claims.tests.conftest import on
from lindung.enrollment.models import Participation
from lindung.registry.models import Worker

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 4, 15)
UNKNOWN_NIK = "5203051207850042"  # a valid NIK of nobody
D = datetime.date


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """A branch's report: two title rows, then `headers`; ints are number cells."""
    kinds = [
        xlsx.Kind.INTEGER
        if any(isinstance(r[i], int) for r in rows)
        else xlsx.Kind.DATE
        if any(isinstance(r[i], datetime.date) for r in rows)
        else xlsx.Kind.TEXT
        for i in range(len(headers))
    ]
    with xlsx.Workbook(path) as book:
        sheet = book.sheet("Klaim")
        sheet.text(0, 0, "LAPORAN KLAIM DIBAYAR")
        sheet.text(1, 0, "Kantor Cabang Selong")
        sheet.header(3, [xlsx.Column(h, k) for h, k in zip(headers, kinds, strict=True)])
        for n, row in enumerate(rows, start=4):
            sheet.row(n, row)
    return path


@pytest.fixture
def recorded(registered: list[Participation]) -> dict[str, Any]:
    """Claims of the five registered workers of 2027, as on 10 March 2027: a medical claim
    submitted to BPJS (w0), a JKM claim just reported (w1), a medical claim paid Rp750.000
    (w2); w3 and w4 have none."""
    p = registered
    workers = [Worker.objects.get(pk=x.worker_id) for x in p]
    with on(D(2027, 3, 10)):
        accident = services.report_event(
            by="test", worker=workers[0], kind="accident", occurred_on=D(2027, 2, 20),
            place="Sawah", cause="at_work",
        )  # fmt: skip
        medical = services.open_claim(by="test", event=accident, kind="jkk-medical")
        Claim.objects.filter(pk=medical.pk).update(state=ClaimState.DIAJUKAN)
        death = services.report_event(
            by="test", worker=workers[1], kind="death", occurred_on=D(2027, 3, 1),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        jkm = services.open_claim(by="test", event=death, kind="jkm")
        other = services.report_event(
            by="test", worker=workers[2], kind="accident", occurred_on=D(2027, 2, 1),
            place="Kebun", cause="at_work",
        )  # fmt: skip
        paid = services.open_claim(by="test", event=other, kind="jkk-medical")
        paid = services.settle(by="test", claim=paid, paid_on=D(2027, 2, 15), amount=750_000)
    return {"p": p, "workers": workers, "medical": medical, "jkm": jkm, "paid": paid}


HEADERS = [
    "No",
    "No. KPJ",
    "NIK Peserta",
    "Nama Tenaga Kerja",
    "Program",
    "Tgl Kejadian",
    "Tanggal Pembayaran",
    "Nominal",
    "Nomor Kasus",
]


def report_rows(r: dict[str, Any]) -> list[list[Any]]:
    p = r["p"]
    kpj = [int(x.kpj) for x in p]
    return [
        # matched by KPJ (a number cell), event date a day off, Indonesian text dates
        [1, kpj[0], None, "A", "Perawatan", "21-02-2027", "10 Maret 2027", "2.500.000", "K/1"],
        # matched by NIK only
        [2, None, p[1].nik, "B", "JKM", D(2027, 3, 1), D(2027, 3, 20), "Rp42.000.000", "K/2"],
        # already paid with the same amount
        [3, kpj[2], None, "C", "JKK Pengobatan", D(2027, 2, 1), D(2027, 2, 15), 750000, ""],
        # a participant without a claim
        [4, kpj[3], p[3].nik, "D", "STMB", "5 Mar 2027", "1 April 2027", "1.200.000", "K/4"],
        # nobody Lindung knows
        [5, 99999999999, UNKNOWN_NIK, "E", "jkm", D(2027, 3, 2), D(2027, 3, 30), 42000000, ""],
        # problems
        [6, kpj[4], None, "F", "JKK", D(2027, 3, 1), D(2027, 3, 5), 100000, ""],
        [7, kpj[4], None, "F", "Cacat", "31-02-2027", D(2027, 3, 5), 100000, ""],
        [8, kpj[4], None, "F", "cacat", D(2027, 3, 1), D(2027, 2, 1), 100000, ""],
        [9, kpj[4], None, "F", "cacat", D(2027, 3, 1), D(2027, 5, 1), 100000, ""],
        [10, None, "1234567890123456", "G", "cacat", D(2027, 3, 1), D(2027, 3, 5), 100000, ""],
        [11, kpj[4], None, "F", "stmb", D(2027, 3, 1), D(2027, 3, 5), "0", ""],
    ]


EXPECTED = [
    (5, "matched", "MATCHED"),
    (6, "matched", "MATCHED"),
    (7, "unchanged", "UNCHANGED"),
    (8, "new", "NEW"),
    (9, "unmatched", "UNKNOWN_WORKER"),
    (10, "problem", "TYPE_UNKNOWN"),
    (11, "problem", "EVENT_DATE_UNREADABLE"),
    (12, "problem", "PAID_BEFORE_EVENT"),
    (13, "problem", "PAID_IN_FUTURE"),
    (14, "problem", "NIK_INVALID"),
    (15, "problem", "AMOUNT_NOT_POSITIVE"),
]


@pytest.fixture
def report_file(recorded: dict[str, Any], tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "klaim-maret.xlsx", HEADERS, report_rows(recorded))


def test_every_status_from_the_branchs_headers(recorded: dict, report_file: Path) -> None:
    with on(TODAY):
        checked = service.check_file(report_file)
    rows = checked.rows
    assert [(e["row"], e["status"], e["code"]) for e in rows.iter_rows(named=True)] == [
        (r, s, c) for r, s, c in EXPECTED
    ]
    first = rows.row(0, named=True)
    assert first["kpj"] == recorded["p"][0].kpj  # a number cell read in full
    assert first["claim"] == recorded["medical"].number
    assert first["event_date"] == D(2027, 2, 21) and first["paid_on"] == D(2027, 3, 10)
    assert first["amount"] == 2_500_000 and first["kind"] == "jkk-medical"
    assert rows.row(1, named=True)["claim"] == recorded["jkm"].number
    assert check.counts(rows) == {
        "rows_total": 11,
        "matched": 3,
        "new": 1,
        "unmatched": 1,
        "problems": 6,
        "unchanged": 1,
    }


def test_commit_pays_the_matched_records_the_new_and_audits(
    recorded: dict, report_file: Path
) -> None:
    with on(TODAY):
        report = service.receive(by="test", source=report_file, file_name=report_file.name)
        assert report.status == ReportStatus.CHECKED
        assert (report.rows_total, report.matched, report.new, report.unmatched) == (11, 3, 1, 1)
        assert report.problems == 6
        assert (Path(service.reports_dir()) / str(report.pk) / "report.xlsx").is_file()
        report = service.commit(by="test", report=report)
    assert report.status == ReportStatus.COMMITTED
    medical = Claim.objects.get(pk=recorded["medical"].pk)
    assert (medical.state, medical.paid_on, medical.paid_amount) == (
        ClaimState.DIBAYAR, D(2027, 3, 10), 2_500_000,
    )  # fmt: skip
    assert medical.bpjs_number == "K/1"
    jkm = Claim.objects.get(pk=recorded["jkm"].pk)
    assert (jkm.state, jkm.paid_amount) == (ClaimState.DIBAYAR, 42_000_000)
    paid = Claim.objects.get(pk=recorded["paid"].pk)
    assert (paid.paid_on, paid.paid_amount) == (D(2027, 2, 15), 750_000)
    new = Claim.objects.get(worker_id=recorded["p"][3].worker_id)
    assert (new.kind, new.state, new.paid_on, new.paid_amount) == (
        "stmb", ClaimState.DIBAYAR, D(2027, 4, 1), 1_200_000,
    )  # fmt: skip
    assert new.event.occurred_on == D(2027, 3, 5)
    assert not Claim.objects.filter(worker_id=recorded["p"][4].worker_id).exists()
    rows = service.checked_rows(report)
    assert rows.filter(rows["status"] == "new").row(0, named=True)["claim"] == new.number
    [audit] = AuditEvent.objects.filter(action="claim_report_committed")
    assert audit.after["matched"] == 3 and audit.after["new"] == 1
    assert audit.after["problems"] == 6 and audit.after["rows_total"] == 11


def test_the_same_file_twice_is_refused_and_a_second_commit_changes_nothing(
    recorded: dict, report_file: Path
) -> None:
    with on(TODAY):
        first = service.receive(by="test", source=report_file, file_name="a.xlsx")
        first = service.commit(by="test", report=first)
        assert service.commit(by="test", report=first) == first  # committed: unchanged
        claims = Claim.objects.count()
        second = service.receive(by="test", source=report_file, file_name="b.xlsx")
        # checked again, everything is recorded now: the paid and new rows are unchanged
        assert (second.matched, second.new) == (4, 0)
        statuses = service.checked_rows(second).get_column("status").to_list()
        assert statuses[:4] == ["unchanged"] * 4
        with pytest.raises(ClaimError, match="saved already"):
            service.commit(by="test", report=second)
    assert Claim.objects.count() == claims
    second.refresh_from_db()
    assert second.status == ReportStatus.CHECKED


def test_a_bad_file_fails_with_an_indonesian_message_and_changes_nothing(
    recorded: dict, tmp_path: Path
) -> None:
    from django.utils import translation

    path = write_xlsx(
        tmp_path / "salah.xlsx", ["No. KPJ", "Nama"], [[int(recorded["p"][0].kpj), "A"]]
    )
    with on(TODAY), translation.override("id"):
        report = service.receive(by="test", source=path, file_name=path.name)
    assert report.status == ReportStatus.FAILED
    assert "Jenis Klaim" in report.error
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIAJUKAN
    with pytest.raises(ClaimError):
        service.commit(by="test", report=report)
    no_id = write_xlsx(
        tmp_path / "tanpa-kpj.xlsx",
        ["Nama", "Jenis Klaim", "Tanggal Kejadian", "Tanggal Bayar", "Jumlah Dibayar"],
        [["A", "JKM", "1-3-2027", "2-3-2027", "1.000"]],
    )
    with on(TODAY):
        report = service.receive(by="test", source=no_id, file_name=no_id.name)
    assert report.status == ReportStatus.FAILED and "KPJ" in report.error


def test_discard_removes_the_files_and_is_audited(
    recorded: dict, report_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with on(TODAY):
        report = service.receive(by="test", source=report_file, file_name=report_file.name)
    folder = Path(service.reports_dir()) / str(report.pk)
    assert (folder / "rows.parquet").is_file()
    with django_capture_on_commit_callbacks(execute=True):
        report = service.discard(by="test", report=report)
    assert report.status == ReportStatus.DISCARDED and not folder.exists()
    with pytest.raises(ClaimError), on(TODAY):
        service.commit(by="test", report=report)
    assert AuditEvent.objects.filter(action="claim_report_discarded").count() == 1
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIAJUKAN


def test_a_csv_with_english_headers_and_a_rejected_claim(recorded: dict, tmp_path: Path) -> None:
    claim = recorded["medical"]
    Claim.objects.filter(pk=claim.pk).update(state=ClaimState.DITOLAK)
    kpj = recorded["p"][0].kpj
    path = tmp_path / "claims.csv"
    path.write_text(
        "KPJ;Claim Type;Event Date;Paid Date;Amount\n"
        f"{kpj};jkk-medical;2027-02-20;2027-03-01;2,500,000\n"
        f"{kpj};jkk-medical;2027-02-20;2027-03-01;2,500,000\n",
        encoding="utf-8",
    )
    with on(TODAY):
        rows = service.check_file(path).rows
    assert rows.get_column("code").to_list() == ["CLAIM_REJECTED", "CLAIM_REJECTED"]
    Claim.objects.filter(pk=claim.pk).update(state=ClaimState.DIAJUKAN)
    with on(TODAY):
        rows = service.check_file(path).rows
    assert rows.get_column("code").to_list() == ["MATCHED", "DUPLICATE_ROW"]


def test_a_paid_claim_with_another_amount_is_a_problem(recorded: dict, tmp_path: Path) -> None:
    kpj = int(recorded["p"][2].kpj)
    path = write_xlsx(
        tmp_path / "k.xlsx",
        ["KPJ", "Jenis Klaim", "Tanggal Kejadian", "Tanggal Bayar", "Jumlah Dibayar"],
        [[kpj, "Perawatan", D(2027, 2, 3), D(2027, 2, 15), 800000]],
    )
    with on(TODAY):
        [entry] = service.check_file(path).rows.iter_rows(named=True)
    assert (entry["status"], entry["code"]) == ("problem", "PAID_AMOUNT_DIFFERS")
    assert entry["claim"] == recorded["paid"].number


# ---------------------------------------------------------------------------------------------
# The command line


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("claims", "import", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_cli_json_contract_and_exit_codes(
    recorded: dict, report_file: Path, tmp_path: Path
) -> None:
    with on(TODAY):
        code, out = _cli(str(report_file), "--dry-run", "--json")
    assert code == 1  # rows with problems
    result = json.loads(out)
    assert {k: result[k] for k in ("rows_total", "matched", "new", "unmatched", "problems")} == {
        "rows_total": 11, "matched": 3, "new": 1, "unmatched": 1, "problems": 6,
    }  # fmt: skip
    assert result["unchanged"] == 1
    first = result["rows"][0]
    assert set(first) >= {
        "row", "kpj", "nik", "type", "event_date", "paid_on", "amount", "status", "claim",
        "errors",
    }  # fmt: skip
    assert first == first | {
        "row": 5, "kpj": recorded["p"][0].kpj, "type": "jkk-medical", "event_date": "2027-02-21",
        "paid_on": "2027-03-10", "amount": 2_500_000, "status": "matched",
        "claim": recorded["medical"].number, "errors": [],
    }  # fmt: skip
    assert result["rows"][1]["nik"] == recorded["p"][1].nik  # printed as read
    problem = result["rows"][6]
    assert problem["errors"] == ["EVENT_DATE_UNREADABLE"] and "Row 11" in problem["message"]
    # dry run: nothing stored
    assert ClaimReport.objects.count() == 0
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIAJUKAN
    # a clean file: exit 0, committed
    clean = write_xlsx(tmp_path / "bersih.xlsx", HEADERS, report_rows(recorded)[:5])
    with on(TODAY):
        code, out = _cli(str(clean), "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["matched"], result["new"], result["unmatched"], result["problems"]) == (
        3,
        1,
        1,
        0,
    )
    assert Claim.objects.get(pk=recorded["medical"].pk).state == ClaimState.DIBAYAR
    assert ClaimReport.objects.get().status == ReportStatus.COMMITTED
    # the same file again: its first result, nothing changes
    with on(TODAY):
        code, out = _cli(str(clean))
    assert code == 0 and "saved already" in out
    assert ClaimReport.objects.count() == 1


def test_cli_refuses_a_missing_or_unusable_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no file"):
        call_command("claims", "import", str(tmp_path / "nope.xlsx"), stdout=io.StringIO())
    bad = tmp_path / "x.csv"
    bad.write_text("Nama;Alamat\nA;B\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("claims", "import", str(bad), "--json", stdout=out)
    assert "error" in json.loads(out.getvalue())


def test_cli_text_lists_the_unmatched_and_problem_rows(recorded: dict, report_file: Path) -> None:
    with on(TODAY):
        code, out = _cli(str(report_file), "--dry-run")
    assert code == 1
    assert "[unmatched] Row 9" in out and "[problem] Row 10" in out
    assert "Nothing saved (--dry-run)." in out


# ---------------------------------------------------------------------------------------------
# The synthetic report


def test_synth_report_reads_back_with_the_expected_statuses(recorded: dict, tmp_path: Path) -> None:
    path = tmp_path / "synth.xlsx"
    with on(TODAY):
        counts = write_report(path, on=TODAY, seed=3)
        rows = service.check_file(path).rows
    assert counts == {"rows": 4, "paid": 1, "new": 1, "unmatched": 1, "bad_date": 1}
    statuses = sorted(rows.get_column("status").to_list())
    assert statuses == ["matched", "new", "problem", "unmatched"]
    matched = rows.filter(rows["status"] == "matched").row(0, named=True)
    assert matched["claim"] == recorded["medical"].number
    problem = rows.filter(rows["status"] == "problem").row(0, named=True)
    assert problem["code"] == "EVENT_DATE_UNREADABLE"
    for seed in (1, 2, 4, 5):
        write_report(path, on=TODAY, seed=seed)
        with on(TODAY):
            again = service.check_file(path).rows
        assert sorted(again.get_column("status").to_list()) == statuses, seed


def test_synth_command_writes_the_file(recorded: dict, tmp_path: Path) -> None:
    from lindung.claims.reports.synth import BpjsClaimsCommand

    out = io.StringIO()
    command = BpjsClaimsCommand(stdout=out)
    with on(TODAY):
        call_command(command, "--out", str(tmp_path / "k.xlsx"), "--seed", "2")
    assert (tmp_path / "k.xlsx").is_file() and "4 rows" in out.getvalue()
    assert Event.objects.count() == 3

"""`lindung import` and the import service end to end, on small files built inline."""

import datetime
import json
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from django.core.management import call_command
from django.utils import timezone, translation

from lindung.audit.models import Event
from lindung.registry import imports
from lindung.registry.models import ImportBatch, ImportStatus, PossibleDuplicate, Worker
from lindung.registry.pipeline import load
from lindung.registry.tests.factories import WorkerFactory, nik_for

pytestmark = pytest.mark.django_db

HEADER = "No;NIK;Nama Lengkap;JK;Tgl Lahir;Desa/Kelurahan;Kecamatan;Pekerjaan;Penghasilan;No HP"
BORN = datetime.date(1980, 5, 28)
NIK_1 = nik_for("52.03.07", BORN, "L", 1)  # Selong, 28-05-1980, man
NIK_2 = nik_for("52.03.07", datetime.date(1985, 1, 2), "P", 2)
NIK_3 = nik_for("52.03.08", datetime.date(1990, 12, 31), "L", 3)


def csv_file(tmp_path: Path, *rows: str, name: str = "daftar.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def good_rows() -> list[str]:
    return [
        f"1;{NIK_1};Lalu Ahmad;L;28-05-1980;Pancor;Selong;Petani;1.500.000;081234567890",
        f"2;{NIK_2};Baiq Sainah;P;02/01/1985;Kel. Selong;Selong;Pedagang;Rp 2.000.000;",
        f"3;{NIK_3};Amaq Rusdi;L;31 Des 1990;Bagik Papan;Pringgabaya;Nelayan;1,5 jt;",
    ]


def run_import(path: Path, *extra: str) -> dict:
    out = StringIO()
    call_command("import", str(path), "--source", "DTKS 2025", "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_it_imports_a_clean_file_and_prints_the_json_contract(tmp_path: Path) -> None:
    result = run_import(csv_file(tmp_path, *good_rows()))

    assert set(result) == {
        "batch", "file_sha256", "rows_total", "rows_skipped", "new", "updated",
        "unchanged", "rejected", "warnings", "rows",
    }  # fmt: skip
    assert (result["rows_total"], result["new"], result["rejected"]) == (3, 3, 0)
    assert result["rows"][0] == {
        "row": 2, "nik": NIK_1, "status": "new", "errors": [], "warnings": [],
    }  # fmt: skip
    worker = Worker.objects.get(nik=NIK_1)
    assert (worker.desa_id, worker.kecamatan_id, worker.kabupaten_id) == (
        "52.03.07.1001", "52.03.07", "52.03",
    )  # fmt: skip
    assert worker.income == 1_500_000 and worker.phone == "081234567890"
    assert Worker.objects.get(nik=NIK_3).income == 1_500_000
    assert Worker.objects.get(nik=NIK_2).birth_date == datetime.date(1985, 1, 2)
    assert list(worker.sources.values_list("name", flat=True)) == ["DTKS 2025"]
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.status == ImportStatus.COMMITTED and batch.file_sha256 == result["file_sha256"]
    assert (Path(imports.batch_dir(batch)) / "daftar.csv").exists()
    assert Event.objects.filter(action="workers_imported", batch=batch.pk).count() == 1


def test_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = csv_file(tmp_path, *good_rows())
    run_import(path)
    before = list(Worker.objects.order_by("id").values())

    again = run_import(path)

    assert (again["unchanged"], again["new"], again["updated"]) == (3, 0, 0)
    assert list(Worker.objects.order_by("id").values()) == before
    assert not Event.objects.filter(action="worker_imported_update").exists()


def test_a_dry_run_counts_and_writes_nothing(tmp_path: Path) -> None:
    result = run_import(csv_file(tmp_path, *good_rows()), "--dry-run")

    assert result["batch"] is None and result["new"] == 3
    assert not Worker.objects.exists() and not ImportBatch.objects.exists()


def test_a_changed_row_is_updated_and_audited_with_the_batch(tmp_path: Path) -> None:
    run_import(csv_file(tmp_path, *good_rows()))
    changed = good_rows()
    changed[0] = changed[0].replace("Petani;1.500.000", "Peternak;1.750.000")

    result = run_import(csv_file(tmp_path, *changed, name="v2.csv"))

    assert (result["updated"], result["unchanged"]) == (1, 2)
    assert result["rows"][0]["status"] == "updated"
    worker = Worker.objects.get(nik=NIK_1)
    assert (worker.occupation, worker.income) == ("peternak", 1_750_000)
    event = Event.objects.get(action="worker_imported_update")
    assert str(event.batch) == result["batch"] and event.object_id == str(worker.pk)
    assert event.before == {"income": 1_500_000, "occupation": "petani"}
    assert event.after == {"income": 1_750_000, "occupation": "peternak"}


def test_an_empty_cell_never_erases_a_known_value(tmp_path: Path) -> None:
    run_import(csv_file(tmp_path, *good_rows()))
    blanked = good_rows()
    blanked[0] = f"1;{NIK_1};Lalu Ahmad;;;Pancor;Selong;Petani;;"

    result = run_import(csv_file(tmp_path, *blanked, name="v2.csv"))

    assert result["rows"][0]["status"] == "unchanged"
    assert Worker.objects.get(nik=NIK_1).phone == "081234567890"


def test_a_new_source_for_a_known_worker_is_an_update(tmp_path: Path) -> None:
    path = csv_file(tmp_path, *good_rows())
    run_import(path)
    out = StringIO()
    call_command("import", str(path), "--source", "P3KE", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result["updated"] == 3
    names = Worker.objects.get(nik=NIK_1).sources.values_list("name", flat=True)
    assert sorted(names) == ["DTKS 2025", "P3KE"]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("1;;Lalu Ahmad;L;28-05-1980;Pancor;Selong;Petani;;", "NIK_MISSING"),
        ("1;52030712345;Lalu Ahmad;L;28-05-1980;Pancor;Selong;Petani;;", "NIK_INVALID"),
        ("1;5203072813800000;Lalu Ahmad;L;;Pancor;Selong;Petani;;", "NIK_INVALID"),
        (f"1;{NIK_1};;L;28-05-1980;Pancor;Selong;Petani;;", "NAME_MISSING"),
        (f"1;{NIK_1};Lalu Ahmad;L;31-02-1980;Pancor;Selong;Petani;;", "DOB_INVALID"),
        (f"1;{NIK_1};Lalu Ahmad;L;28-05-2021;Pancor;Selong;Petani;;", "AGE_IMPLAUSIBLE"),
        (f"1;{NIK_1};Lalu Ahmad;L;28-05-1980;Antah Berantah;Selong;Petani;;", "WILAYAH_UNKNOWN"),
        (
            f"1;{NIK_1};Lalu Ahmad;L;28-05-1980;Gerunung;Praya;Petani;;",
            "WILAYAH_OUTSIDE_DEPLOYMENT",
        ),
    ],
)
def test_it_rejects_rows_with_an_error_code(tmp_path: Path, row: str, code: str) -> None:
    result = run_import(csv_file(tmp_path, row))

    assert result["rows"][0]["status"] == "rejected"
    assert code in result["rows"][0]["errors"]
    assert not Worker.objects.exists()


def test_it_rejects_the_second_row_of_a_nik_as_duplicate_in_file(tmp_path: Path) -> None:
    rows = good_rows()
    result = run_import(csv_file(tmp_path, *rows, rows[0].replace("Lalu Ahmad", "L. Ahmad")))

    assert [r["status"] for r in result["rows"]] == ["new", "new", "new", "rejected"]
    assert result["rows"][3]["errors"] == ["DUPLICATE_IN_FILE"]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (
            f"1;{nik_for('52.01.01', BORN, 'L', 7)};Lalu Ahmad;L;28-05-1980;Pancor;Selong;;;",
            "NIK_OTHER_REGION",
        ),
        (f"1;{NIK_1};Lalu Ahmad;L;29-05-1980;Pancor;Selong;;;", "DOB_NIK_MISMATCH"),
        (f"1;{NIK_1};Lalu Ahmad;P;28-05-1980;Pancor;Selong;;;", "SEX_NIK_MISMATCH"),
        (f"1;{NIK_1};Lalu Ahmad;L;28-05-1980;Pancorr;Selong;;;", "WILAYAH_FUZZY"),
        (f"1;{NIK_1};Lalu Ahmad;L;28-05-1980;Pancor;Selong;;sekitar sejuta;", "INCOME_UNREADABLE"),
    ],
)
def test_it_keeps_rows_with_a_warning_code(tmp_path: Path, row: str, code: str) -> None:
    result = run_import(csv_file(tmp_path, row))

    assert result["rows"][0]["status"] == "new"
    assert result["rows"][0]["warnings"] == [code]
    assert result["warnings"] == 1


def test_it_derives_missing_birth_date_and_sex_from_the_nik(tmp_path: Path) -> None:
    run_import(csv_file(tmp_path, f"1;{NIK_2};Baiq Sainah;;;Pancor;Selong;;;"))

    worker = Worker.objects.get(nik=NIK_2)
    assert (worker.sex, worker.birth_date) == ("P", datetime.date(1985, 1, 2))


def test_it_flags_a_possible_duplicate_under_another_nik(tmp_path: Path) -> None:
    existing = WorkerFactory(
        name="Lalu Ahmad Fauzi", name_key="lalu ahmad fauzi", birth_date=BORN, serial=9
    )
    result = run_import(
        csv_file(tmp_path, f"1;{NIK_1};LALU AHMAD FAUZI;L;28-05-1980;Pancor;Selong;;;")
    )

    assert result["rows"][0]["warnings"] == ["POSSIBLE_DUPLICATE"]
    pair = PossibleDuplicate.objects.get()
    assert {pair.worker_id, pair.other_id} == {existing.pk, Worker.objects.get(nik=NIK_1).pk}


def test_it_reads_a_header_below_title_rows_and_skips_totals(tmp_path: Path) -> None:
    rows = [*good_rows(), "", "JUMLAH;;;;;;;;;"]
    path = csv_file(tmp_path, *[HEADER, *rows], header="DAFTAR PEKERJA BPU DESA PANCOR;;;;\n;;;;")

    result = run_import(path)

    assert (result["rows_total"], result["rows_skipped"], result["new"]) == (3, 2, 3)
    assert [r["row"] for r in result["rows"]] == [4, 5, 6]


def test_it_rejects_a_numeric_excel_nik_that_lost_digits(tmp_path: Path) -> None:
    path = tmp_path / "excel.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["NIK", "Nama", "Desa", "Kecamatan"])
    lost = int(NIK_1[:-1] + "0")
    kept = int(NIK_2)
    sheet.write_number(1, 0, lost)
    sheet.write_row(1, 1, ["Lalu Ahmad", "Pancor", "Selong"])
    sheet.write_number(2, 0, kept)
    sheet.write_row(2, 1, ["Baiq Sainah", "Pancor", "Selong"])
    workbook.close()

    result = run_import(path)

    assert result["rows"][0]["errors"] == ["NIK_EXCEL_PRECISION"]
    assert result["rows"][1]["status"] == "new"
    assert result["rows"][1]["warnings"] == ["NIK_EXCEL_PRECISION"]


def test_the_error_report_fixed_and_uploaded_again_leaves_good_rows_unchanged(
    tmp_path: Path,
) -> None:
    bad = f"4;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;"
    report = tmp_path / "laporan.xlsx"
    first = run_import(csv_file(tmp_path, *good_rows(), bad), "--report", str(report))
    assert (first["new"], first["rejected"]) == (3, 1)

    frame = pl.read_excel(report, engine="calamine", infer_schema_length=0)
    assert frame.get_column("NIK").to_list()[0] == NIK_1  # written as text, all 16 digits
    fixed = frame.with_columns(
        pl.when(pl.col("NIK") == NIK_1[:-1] + "9")
        .then(pl.lit("Amaq Salim"))
        .otherwise(pl.col("Nama Lengkap"))
        .alias("Nama Lengkap")
    )
    again_path = tmp_path / "diperbaiki.xlsx"
    fixed.write_excel(again_path)
    again = run_import(again_path)

    assert [r["status"] for r in again["rows"]] == ["unchanged"] * 3 + ["new"]


def test_a_reused_check_still_writes_the_report_with_the_file_s_own_columns(
    tmp_path: Path,
) -> None:
    bad = f"4;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;"
    path = csv_file(tmp_path, *good_rows(), bad)
    first, again = tmp_path / "pertama.xlsx", tmp_path / "lagi.xlsx"
    run_import(path, "--report", str(first))

    result = run_import(path, "--report", str(again))  # the check of the first run is reused

    assert (result["unchanged"], result["rejected"]) == (3, 1)
    read = [pl.read_excel(p, engine="calamine", infer_schema_length=0) for p in (first, again)]
    assert read[1].columns == read[0].columns and "Nama Lengkap" in read[1].columns
    assert read[1].get_column("NIK").to_list() == read[0].get_column("NIK").to_list()


def test_a_failure_while_writing_leaves_no_partial_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "_insert_links", broken)
    with pytest.raises(RuntimeError):
        run_import(csv_file(tmp_path, *good_rows()))

    assert not Worker.objects.exists()
    assert ImportBatch.objects.get().status == ImportStatus.FAILED
    assert not Event.objects.filter(action="workers_imported").exists()


def test_a_file_without_nik_and_name_columns_is_refused_with_the_columns_found(
    tmp_path: Path,
) -> None:
    path = csv_file(tmp_path, "1;Pancor;Selong", header="No;Desa;Kecamatan")
    out = StringIO()
    with translation.override("en"), pytest.raises(Exception, match="COLUMNS_MISSING"):
        call_command("import", str(path), "--source", "X", "--json", stdout=out)
    assert json.loads(out.getvalue())["error"] == "COLUMNS_MISSING"


def test_a_desa_operator_cannot_import_rows_of_another_desa(tmp_path: Path) -> None:
    from lindung.accounts.tests.factories import operator_desa

    operator_desa("52.03.07.1001", username="op.pancor")
    result = run_import(csv_file(tmp_path, *good_rows()), "--user", "op.pancor")

    assert [r["status"] for r in result["rows"]] == ["new", "rejected", "rejected"]
    assert result["rows"][1]["errors"] == ["WILAYAH_OUTSIDE_SCOPE"]


def test_workers_get_aware_timestamps(tmp_path: Path) -> None:
    run_import(csv_file(tmp_path, *good_rows()))
    worker = Worker.objects.get(nik=NIK_1)
    assert timezone.is_aware(worker.created_at)
    assert abs((timezone.now() - worker.created_at).total_seconds()) < 600


def test_a_file_checked_before_is_not_read_again_unless_the_conditions_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lindung.accounts.tests.factories import operator_desa

    path = csv_file(tmp_path, *good_rows())
    run_import(path)
    reads: list[Path] = []
    real_read = imports.read_table

    def counting_read(p: Path, **kwargs: object) -> object:
        reads.append(p)
        return real_read(p, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_table", counting_read)

    again = run_import(path)
    assert reads == [] and again["unchanged"] == 3

    operator_desa("52.03.07.1001", username="op.pancor")  # another scope: checked afresh
    scoped = run_import(path, "--user", "op.pancor")
    assert len(reads) == 1 and scoped["rejected"] == 2

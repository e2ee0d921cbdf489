"""lindung.xlsx, the one XLSX writer: data never becomes a formula in any export."""

import datetime
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import xlsxwriter
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, auditor
from lindung.audit.actions import Action
from lindung.audit.services import record
from lindung.dashboard.aggregates import refresh
from lindung.jobs.models import Job
from lindung.regions.models import Level, Region
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.targeting.approval import approve
from lindung.targeting.models import Scenario
from lindung.targeting.services import run_scenario
from lindung.xlsx import Column, Kind, Workbook, neutralise

# What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVIL = ['=HYPERLINK("http://x.example","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
YEAR_COST = 12 * 16_800  # one APBD-paid worker in 2027


def _write(path: Path, columns: list[Column], rows: list[list[Any]]) -> bytes:
    with Workbook(path) as book:
        sheet = book.sheet("Data")
        sheet.header(0, columns)
        for i, row in enumerate(rows, start=1):
            sheet.row(i, row)
    return path.read_bytes()


def _cells(content: bytes) -> list[Any]:
    """Every cell value of every sheet, as python-calamine reads it."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [
        value
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for value in row
    ]


def _sheets(content: bytes) -> list[ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(content)) as xlsx:
        return [
            ElementTree.fromstring(xlsx.read(name))  # noqa: S314 — our own file
            for name in xlsx.namelist()
            if name.startswith("xl/worksheets/sheet")
        ]


def _assert_no_formula_from_data(content: bytes, expected: list[str]) -> None:
    sheets = _sheets(content)
    assert sheets
    for sheet in sheets:
        assert list(sheet.iter(f"{MAIN}f")) == []  # no formula cell
        assert list(sheet.iter(f"{MAIN}hyperlink")) == []  # no link
    texts = [v for v in _cells(content) if isinstance(v, str)]
    assert [t for t in texts if t.startswith(FORMULA_STARTS)] == []
    assert {"'" + name for name in expected} <= set(texts)


# --- the writer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [*((e, "'" + e) for e in EVIL), ("Baiq Sainah", "Baiq Sainah"), ("'=1", "'=1"),
     ("Ma'ruf", "Ma'ruf"), ("", ""), (" =1", " =1"), ("a=b", "a=b")],
)  # fmt: skip
def test_it_neutralises_only_a_formula_like_start(text: str, shown: str) -> None:
    assert neutralise(text) == shown


@given(
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"),
        min_size=1,
        max_size=60,
    )
)
def test_any_text_reads_back_as_written_or_after_one_neutralising_apostrophe(text: str) -> None:
    out = io.BytesIO()
    with Workbook(out) as book:
        sheet = book.sheet("Data")
        sheet.header(0, [Column("Name"), Column("Amount", Kind.MONEY)])
        sheet.row(1, [text, text])
    content = out.getvalue()

    read = _cells(content)[2:]
    assert all(isinstance(value, str) for value in read)
    for value in read:
        if text.startswith(FORMULA_STARTS):
            assert value == "'" + text
        else:
            assert value == text
    assert all(list(sheet.iter(f"{MAIN}f")) == [] for sheet in _sheets(content))


def test_numbers_and_dates_stay_typed_in_their_columns(tmp_path: Path) -> None:
    columns = [Column("Name"), Column("Income", Kind.MONEY), Column("Desil", Kind.INTEGER),
               Column("Born", Kind.DATE), Column("Rank")]  # fmt: skip
    content = _write(tmp_path / "x.xlsx", columns, [
        ["Lalu Ahmad", 1_500_000, 1, datetime.date(1980, 5, 28), 7],
        ["-2+3", -250_000, "fewer than 5", "28 Mei 1980", None],
    ])  # fmt: skip

    assert _cells(content)[5:] == [
        "Lalu Ahmad", 1_500_000, 1, datetime.date(1980, 5, 28), "7",
        "'-2+3", -250_000, "fewer than 5", "28 Mei 1980", "",
    ]  # fmt: skip
    (sheet,) = _sheets(content)
    assert sheet.find(f".//{MAIN}c[@r='B3']").get("t") is None  # type: ignore[union-attr]
    _assert_no_formula_from_data(content, ["-2+3"])


def test_the_header_row_is_frozen_and_filterable(tmp_path: Path) -> None:
    content = _write(tmp_path / "x.xlsx", [Column("A"), Column("B")], [["1", "2"], ["3", "4"]])

    (sheet,) = _sheets(content)
    pane = sheet.find(f".//{MAIN}pane")
    assert pane is not None and pane.get("ySplit") == "1" and pane.get("state") == "frozen"
    assert sheet.find(f"{MAIN}autoFilter").get("ref") == "A1:B3"  # type: ignore[union-attr]


def test_only_lindung_xlsx_writes_xlsx_files_for_people() -> None:
    """synth/layout.py writes synthetic input files (a NIK as a number on purpose), not exports."""
    root = Path(__file__).resolve().parents[1]
    writers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "import xlsxwriter" in path.read_text(encoding="utf-8")
    }
    assert writers == {"xlsx.py", "registry/synth/layout.py"}


# --- every export -------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _download(user: User, name: str, *args: Any, **params: Any) -> bytes:
    response = _client(user).get(reverse(name, args=args), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _job_download(user: User, name: str, *args: Any) -> bytes:
    """An export that a background job writes (run in the request in tests), downloaded."""
    client = _client(user)
    client.post(reverse(name, args=args))
    job = Job.objects.latest("created_at")
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200, job.error
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _scenario(workers: int) -> Scenario:
    return run_scenario(
        by="test", fiscal_year=2027, budgets={"apbd": workers * YEAR_COST, "dbhcht": 0}
    )


def _list_lampiran(tmp_path: Path) -> bytes:
    with TestCase.captureOnCommitCallbacks(execute=True):  # approval starts the files' job
        approve(by="test", scenario=_scenario(len(EVIL)), decree=EVIL[0])
        revised = approve(by="test", scenario=_scenario(3), note=EVIL[1])  # 3 removed: "Changes"
    return _download(admin(), "targeting:list-xlsx", revised.number)


def _scenario_lampiran(tmp_path: Path) -> bytes:
    return _job_download(admin(), "targeting:scenario-lampiran", _scenario(len(EVIL)).pk)


def _target_command(tmp_path: Path) -> bytes:
    path = tmp_path / "lampiran.xlsx"
    call_command("target", "--year", "2027", "--budget", f"apbd={len(EVIL) * YEAR_COST}",
                 "--budget", "dbhcht=0", "--out", str(path), stdout=io.StringIO())  # fmt: skip
    return path.read_bytes()


def _worker_export(tmp_path: Path) -> bytes:
    return _job_download(admin(), "registry:worker-export")


def _audit_export(tmp_path: Path) -> bytes:
    for name in EVIL:
        record(by=None, action=Action.LOGIN, object_repr=name)
    return _download(auditor(), "audit:event-export")


def _import_report(tmp_path: Path) -> bytes:
    source, report = tmp_path / "daftar.xlsx", tmp_path / "laporan.xlsx"
    workbook = xlsxwriter.Workbook(str(source))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["NIK", "Nama", "Desa", "Kecamatan", "No HP"])
    for i, name in enumerate(EVIL, start=1):
        nik = nik_for("52.03.07", datetime.date(1980, 5, 28), "L", 100 + i)
        for col, text in enumerate([nik, name, "Pancor", "Selong", "+62 812 3456 7890"]):
            sheet.write_string(i, col, text)
    workbook.close()
    call_command("import", str(source), "--source", "=cmd|' /C calc'!A0", "--report",
                 str(report), stdout=io.StringIO())  # fmt: skip
    return report.read_bytes()


def _dashboard_table(tmp_path: Path) -> bytes:
    approve(by="test", scenario=_scenario(len(EVIL)))
    kecamatan = Region.objects.filter(parent_id="52.03", level=Level.KECAMATAN).order_by("code")
    for region, name in zip(kecamatan, EVIL, strict=False):
        Region.objects.filter(code=region.code).update(name=name)
    refresh()
    return _download(admin(), "dashboard:table", tabel="areas", tahun=2027)


# Each export and the names it must show neutralised (the import reads cells trimmed).
EXPORTS: dict[str, tuple[Callable[[Path], bytes], list[str]]] = {
    "list-lampiran": (_list_lampiran, EVIL),
    "scenario-lampiran": (_scenario_lampiran, EVIL),
    "target-command": (_target_command, EVIL),
    "worker-export": (_worker_export, EVIL),
    "audit-export": (_audit_export, EVIL),
    "import-report": (_import_report, [name.strip() for name in EVIL]),
    "dashboard-table": (_dashboard_table, EVIL),
}


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS)
def test_no_export_writes_a_formula_from_data(export: str, tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    for name in EVIL:
        WorkerFactory(name=name, desil=1, phone="+62 812 3456 7890")
    write, shown = EXPORTS[export]

    content = write(tmp_path)

    _assert_no_formula_from_data(content, shown)

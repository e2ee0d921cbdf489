"""Importing the same file again changes nothing: a value that cannot be read (and is reported
or dropped) is not "given", so it is never compared, never stored, never erases what the
registry knows, whichever source stored it."""

import dataclasses
import datetime
import itertools
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.audit.models import Event
from lindung.registry import imports
from lindung.registry.models import Worker
from lindung.registry.pipeline.values import clean_text, parse_flag_answer
from lindung.registry.synth import COLUMNS, MESSY_FAULTS, generate, write
from lindung.registry.tests.factories import WorkerFactory, nik_for

pytestmark = pytest.mark.django_db

HEADER = (
    "NIK", "No KK", "Nama Lengkap", "JK", "Tempat Lahir", "Tgl Lahir", "Alamat",
    "Desa/Kelurahan", "Kecamatan", "Pekerjaan", "Penghasilan", "No HP", "Desil", "Disabilitas",
    "Perempuan Kepala Keluarga",
)  # fmt: skip
BORN = datetime.date(1980, 5, 28)
NIK = nik_for("52.03.07", BORN, "L", 1)  # Selong, 28-05-1980, man
GOOD = {
    "NIK": NIK,
    "No KK": "5203070101080001",
    "Nama Lengkap": "Lalu Ahmad",
    "JK": "L",
    "Tempat Lahir": "Selong",
    "Tgl Lahir": "28-05-1980",
    "Alamat": "Dusun Lendang Bagek",
    "Desa/Kelurahan": "Pancor",
    "Kecamatan": "Selong",
    "Pekerjaan": "Petani",
    "Penghasilan": "1.500.000",
    "No HP": "081234567890",
    "Desil": "3",
    "Disabilitas": "Ya",
    "Perempuan Kepala Keluarga": "Ya",
}
# The worker GOOD stores, by field.
STORED = {
    "no_kk": "5203070101080001",
    "name": "Lalu Ahmad",
    "sex": "L",
    "birth_date": BORN,
    "birth_place": "Selong",
    "address": "Dusun Lendang Bagek",
    "desa_id": "52.03.07.1001",
    "occupation": "petani",
    "income": 1_500_000,
    "phone": "081234567890",
    "desil": 3,
    "disability": True,
    "female_head": True,
}
_names = itertools.count()


def csv_file(tmp_path: Path, **cells: str) -> Path:
    path = tmp_path / f"daftar-{next(_names)}.csv"
    row = {**GOOD, **cells}
    path.write_text(
        ";".join(HEADER) + "\n" + ";".join(row[c] for c in HEADER) + "\n", encoding="utf-8"
    )
    return path


def import_rows(path: Path, source: str = "DTKS 2025") -> list[dict[str, Any]]:
    outcome = imports.import_file(by="test", path=path, source=source)
    return outcome.rows.to_dicts()


def stored() -> dict[str, Any]:
    return Worker.objects.filter(nik=NIK).values(*STORED).get()


def assert_the_second_import_changes_nothing(path: Path) -> dict[str, Any]:
    """Import `path` twice; the second reports the row unchanged. The row of the first."""
    [first] = import_rows(path)
    [second] = import_rows(path)
    assert (second["status"], second["changed"]) == ("unchanged", [])
    return first


# --- a value that is reported or dropped is not a change --------------------------------------


def test_a_phone_that_is_reported_but_not_stored_is_not_a_change(tmp_path: Path) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{"No HP": "0819"}))

    assert (first["status"], first["changed"]) == ("unchanged", [])
    assert stored()["phone"] == "081234567890"


def test_a_phone_that_cannot_be_read_is_stored_as_none_for_a_new_worker(tmp_path: Path) -> None:
    [first] = import_rows(csv_file(tmp_path, **{"No HP": "0819"}))
    [second] = import_rows(csv_file(tmp_path, **{"No HP": "0819"}))

    assert (first["status"], second["status"], second["changed"]) == ("new", "unchanged", [])
    assert stored()["phone"] == ""


def test_an_unreadable_income_is_reported_and_is_not_a_change(tmp_path: Path) -> None:
    import_rows(csv_file(tmp_path))

    path = csv_file(tmp_path, Penghasilan="sekitar sejuta")
    first = assert_the_second_import_changes_nothing(path)

    assert first["changed"] == [] and first["warnings"] == ["INCOME_UNREADABLE"]
    assert stored()["income"] == 1_500_000


@pytest.mark.parametrize("kk", ["123", "-", "5,20307E+15", "52030701010800011"])
def test_a_no_kk_that_is_not_16_digits_is_not_a_change(tmp_path: Path, kk: str) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{"No KK": kk}))

    assert first["changed"] == []
    assert stored()["no_kk"] == "5203070101080001"


@pytest.mark.parametrize("desil", ["0", "11", "Desil", "-", "tiga"])
def test_a_desil_outside_1_to_10_is_not_a_change(tmp_path: Path, desil: str) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, Desil=desil))

    assert first["changed"] == []
    assert stored()["desil"] == 3


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("Alamat", "address"),
        ("Tempat Lahir", "birth_place"),
        ("Pekerjaan", "occupation"),
        ("Penghasilan", "income"),
        ("No HP", "phone"),
    ],
)
@pytest.mark.parametrize("cell", ["-", "--", " . ", "?"])
def test_a_cell_without_a_letter_or_digit_never_erases_a_value(
    tmp_path: Path, column: str, field: str, cell: str
) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{column: cell}))

    assert first["changed"] == []
    assert stored()[field] == STORED[field]


@pytest.mark.parametrize("column", ["Disabilitas", "Perempuan Kepala Keluarga"])
@pytest.mark.parametrize("cell", ["-", "entah", "abc"])
def test_a_flag_that_answers_neither_yes_nor_no_keeps_the_stored_one(
    tmp_path: Path, column: str, cell: str
) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{column: cell}))

    assert first["changed"] == []
    assert (stored()["disability"], stored()["female_head"]) == (True, True)


@pytest.mark.parametrize("cell", ["Tidak", "T", "tidak ada", "0", "Bukan"])
def test_a_flag_that_says_no_is_stored(tmp_path: Path, cell: str) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, Disabilitas=cell))

    assert first["changed"] == ["disability"]
    assert stored()["disability"] is False


def test_an_unreadable_sex_keeps_a_sex_that_differs_from_the_nik(tmp_path: Path) -> None:
    import_rows(csv_file(tmp_path, JK="P"))  # SEX_NIK_MISMATCH: the file's "P" is stored
    assert stored()["sex"] == "P"

    for cell in ("X", "-", "?"):
        first = assert_the_second_import_changes_nothing(csv_file(tmp_path, JK=cell))
        assert first["changed"] == []
    assert stored()["sex"] == "P"


def test_an_empty_birth_date_keeps_a_birth_date_that_differs_from_the_nik(
    tmp_path: Path,
) -> None:
    import_rows(csv_file(tmp_path, **{"Tgl Lahir": "29-05-1980"}))  # DOB_NIK_MISMATCH
    assert stored()["birth_date"] == datetime.date(1980, 5, 29)

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{"Tgl Lahir": "-"}))

    assert first["changed"] == []
    assert stored()["birth_date"] == datetime.date(1980, 5, 29)


def test_an_unrecognised_occupation_is_stored_as_lainnya_and_imports_again_unchanged(
    tmp_path: Path,
) -> None:
    import_rows(csv_file(tmp_path))

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, Pekerjaan="Guru"))

    assert first["changed"] == ["occupation"]
    assert stored()["occupation"] == "lainnya"


# --- what is compared is what is stored ------------------------------------------------------


def test_a_name_longer_than_its_column_is_cut_and_imports_again_unchanged(
    tmp_path: Path,
) -> None:
    long_name = "Lalu " + "Ahmad " * 60  # 365 characters; the column holds 200

    [first] = import_rows(csv_file(tmp_path, **{"Nama Lengkap": long_name}))
    [second] = import_rows(csv_file(tmp_path, **{"Nama Lengkap": long_name}))

    assert (first["status"], second["status"]) == ("new", "unchanged")
    worker = Worker.objects.get(nik=NIK)
    assert len(worker.name) <= 200 and worker.name == long_name[:200].strip()
    assert len(worker.name_key) <= 200


@pytest.mark.parametrize(("limit", "column", "field"), [(300, "Alamat", "address")])
def test_a_text_longer_than_its_column_is_cut_and_imports_again_unchanged(
    tmp_path: Path, limit: int, column: str, field: str
) -> None:
    import_rows(csv_file(tmp_path))
    text = "Dusun Lendang " * 40

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **{column: text}))

    assert first["changed"] == [field]
    assert stored()[field] == text[:limit].strip()


def test_spacing_and_control_characters_are_stored_as_one_space(tmp_path: Path) -> None:
    import_rows(csv_file(tmp_path))
    cells = {"Nama Lengkap": " LALU \t AHMAD\x01 ", "Alamat": "Dusun\x00 Lendang\tBagek "}

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **cells))

    assert first["changed"] == ["name"]
    assert (stored()["name"], stored()["address"]) == ("LALU AHMAD", "Dusun Lendang Bagek")


def test_region_text_written_differently_is_not_a_change(tmp_path: Path) -> None:
    import_rows(csv_file(tmp_path))
    cells = {"Desa/Kelurahan": "KEL. PANCOR", "Kecamatan": "KEC. SELONG"}

    first = assert_the_second_import_changes_nothing(csv_file(tmp_path, **cells))

    assert (first["status"], first["changed"]) == ("unchanged", [])


def test_a_flag_answer_is_yes_no_or_none() -> None:
    cells = pl.Series(["Ya", "✓", "1", "Tidak", "tdk", "0", "Bukan", "-", "entah", "", None])

    assert parse_flag_answer(cells).to_list() == [True] * 3 + [False] * 4 + [None] * 4


def test_free_text_is_collapsed_cut_to_its_column_and_none_without_a_letter_or_digit() -> None:
    cells = pl.Series([" Jl.\t Raya\x00 Selong ", "-", " . ", "", None, "abcd efgh"])

    assert clean_text(cells, 5).to_list() == ["Jl. R", None, None, None, None, "abcd"]


# --- values stored from another source ------------------------------------------------------


UNREADABLE = {
    "No KK": "123",
    "JK": "X",
    "Tempat Lahir": "-",
    "Tgl Lahir": "-",
    "Alamat": "-",
    "Pekerjaan": "-",
    "Penghasilan": "sekitar sejuta",
    "No HP": "0819",
    "Desil": "11",
    "Disabilitas": "entah",
    "Perempuan Kepala Keluarga": "-",
}


def test_unreadable_values_from_another_source_never_change_a_stored_worker(
    tmp_path: Path,
) -> None:
    WorkerFactory(
        nik=NIK, name="Lalu Ahmad", name_key="lalu ahmad", sex="P", birth_date=BORN,
        **{f: v for f, v in STORED.items() if f not in ("name", "sex", "birth_date")},
    )  # fmt: skip
    before = stored()
    path = csv_file(tmp_path, **UNREADABLE)

    [first] = import_rows(path, source="P3KE")
    [second] = import_rows(path, source="P3KE")

    assert (first["status"], first["changed"]) == ("updated", ["sources"])
    assert (second["status"], second["changed"]) == ("unchanged", [])
    assert stored() == before
    event = Event.objects.get(action="worker_imported_update")
    assert (event.before, event.after) == ({}, {"sources": "+"})


# --- any messy file, imported twice ---------------------------------------------------------

# Cells that lists really hold, by column of the synthetic file: readable in another way,
# reported, or dropped.
_NOISE = {
    "No KK": ["123", "-", "5,20307E+15", "'5203070101080001", "0"],
    "Nama Lengkap": ["LALU  AHMAD", " siti\taminah ", "Hj. Baiq Nur, S.Pd", "-", "x" * 250],
    "Jenis Kelamin": ["X", "-", "laki2", "2", "Wanita", "?"],
    "Tempat Lahir": ["-", "  Selong  ", "y" * 150, "Lombok Timur, 28-05-1980"],
    "Tanggal Lahir": ["-", "tgl ?", "28 Agt. 1980", "29369", "1980"],
    "Alamat": ["-", "z" * 400, " Jl.  Raya\tSelong "],
    "Desa/Kelurahan": ["-", "Antah Berantah"],
    "Pekerjaan": ["-", "Guru", "PETANI/PEKEBUN", "tukang ojek", "?"],
    "Penghasilan": ["sekitar sejuta", "-", "0", "Rp 1.500.000,-", "1,5 jt", "-500", "1e3"],
    "No HP": ["0819", "-", "0812-3456-7890 / 0819-1111-2222", "+62 812 3456 7890", "8123456"],
    "Desil": ["11", "0", "-", "Desil 3", "D10", "tiga"],
    "Disabilitas": ["abc", "-", "Tidak", "Ya", "✓", "entah"],
    "Perempuan Kepala Keluarga": ["abc", "-", "T", "1", "entah"],
}
_TEXT = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs"], include_characters="-./,'"),
    max_size=12,
)
_noise = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=200),
        st.sampled_from(sorted(_NOISE)),
        st.one_of(st.integers(min_value=0, max_value=50), _TEXT),
    ),
    max_size=30,
)
_shares = st.dictionaries(
    st.sampled_from(sorted(MESSY_FAULTS)), st.floats(min_value=0, max_value=0.1), max_size=8
)


def _noisy(frame: pl.DataFrame, noise: list[tuple[int, str, int | str]]) -> pl.DataFrame:
    cells: dict[str, dict[int, str]] = {}
    for row, column, value in noise:
        pool = _NOISE[column]
        text = pool[value % len(pool)] if isinstance(value, int) else value
        cells.setdefault(column, {})[row % frame.height] = text
    return frame.with_columns(
        frame[column].scatter(list(by_row), pl.Series(list(by_row.values()), dtype=pl.String))
        for column, by_row in cells.items()
    )


def _snapshot() -> list[dict[str, Any]]:
    return list(Worker.objects.order_by("id").values(*(f.name for f in Worker._meta.fields)))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=1, max_value=100_000),
    rows=st.integers(min_value=30, max_value=80),
    shares=_shares,
    noise=_noise,
    suffix=st.sampled_from([".csv", ".xlsx"]),
    source=st.sampled_from(["DTKS 2025", "P3KE"]),
)
def test_any_messy_file_imported_again_gives_nothing_new_or_updated(
    tmp_path: Path,
    seed: int,
    rows: int,
    shares: dict[str, float],
    noise: list[tuple[int, str, int | str]],
    suffix: str,
    source: str,
) -> None:
    # The examples share one database: later files meet workers earlier ones stored, from the
    # same or another source.
    synthetic = generate(rows, kabupaten="52.03", seed=seed, messy=True, shares=shares)
    synthetic = dataclasses.replace(synthetic, frame=_noisy(synthetic.frame, noise))
    path = tmp_path / f"messy-{next(_names)}{suffix}"
    write(synthetic, path)
    assert len(COLUMNS) == synthetic.frame.width

    first = imports.import_file(by="test", path=path, source=source)
    after_first = _snapshot()
    second = imports.import_file(by="test", path=path, source=source)

    assert (second.summary()["new"], second.summary()["updated"]) == (0, 0)
    rejected = {r["_row"]: r["errors"] for r in first.rows.to_dicts() if r["status"] == "rejected"}
    assert {
        r["_row"]: r["errors"] for r in second.rows.to_dicts() if r["status"] == "rejected"
    } == rejected
    assert _snapshot() == after_first
    assert not Event.objects.filter(action="worker_imported_update", batch=second.batch).exists()

"""`lindung regions load-population`: population counts per region and year from a CSV."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from lindung.audit.models import Event
from lindung.regions.loaders import load_population
from lindung.regions.models import Population

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form: the tests match their text."""
    with translation.override("en"):
        yield


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def counts() -> list[tuple[str, int, int]]:
    return list(
        Population.objects.order_by("region_id", "year").values_list("region_id", "year", "count")
    )


def shared_file(name: str) -> Path:
    path = settings.LINDUNG_SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not in LINDUNG_SHARED_DATA ({settings.LINDUNG_SHARED_DATA})")
    return path


def test_it_creates_then_updates_counts_per_region_and_year(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "kode,tahun,jumlah\n52.03,2024,1457591\n52.03.07,2024,90000\n")
    result = load_population(path)
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    write(path, "kode,tahun,jumlah\n52.03,2024,1457591\n52.03.07,2024,91000\n52.03.07,2025,92000\n")
    result = load_population(path)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert counts() == [
        ("52.03", 2024, 1457591),
        ("52.03.07", 2024, 91000),
        ("52.03.07", 2025, 92000),
    ]


def test_a_second_load_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "kode,tahun,jumlah\n52.03,2024,1457591\n")
    load_population(path)
    result = load_population(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_it_notes_the_label_as_the_source_and_a_new_label_updates(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "kode,tahun,jumlah\n52.03,2024,1457591\n")
    load_population(path)
    assert Population.objects.get().source == "p.csv"
    assert load_population(path, label="Dukcapil 2024 S2").updated == 1
    assert Population.objects.get().source == "Dukcapil 2024 S2"


def test_it_takes_the_year_and_count_column_from_the_options(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "kode,nama,total\n52.03,Lombok Timur,1457591\n")
    load_population(path, year=2024, count_column="total")
    assert counts() == [("52.03", 2024, 1457591)]


def test_it_loads_the_dukcapil_file_leaving_out_the_indonesia_row_when_allowed() -> None:
    path = shared_file("penduduk_prov_kab_dukcapil_2024s2.csv")
    with pytest.raises(
        CommandError, match=re.escape("codes that are not known regions (1): line 2: 0. Nothing")
    ):
        call_command("regions", "load-population", str(path), "--year=2024", "--count-column=total")
    assert not Population.objects.exists()
    result = load_population(path, year=2024, count_column="total", allow_unmatched=True)
    assert (result.created, result.unmatched) == (38 + 514, [(2, "0")])
    assert Population.objects.get(region_id="52.03", year=2024).count == 1457591


def test_it_loads_the_sp2010_kecamatan_file_leaving_out_lenek_when_told() -> None:
    path = shared_file("lombok_timur_penduduk_kecamatan_sp2010.csv")
    with pytest.raises(
        CommandError, match=re.escape("rows with an empty count (1): line 22: 52.03.21. Nothing")
    ):
        call_command("regions", "load-population", str(path), "--year=2010", "--count-column=total")
    assert not Population.objects.exists()
    result = load_population(path, year=2010, count_column="total", skip_empty=True)
    assert (result.created, result.empty) == (20, [(22, "52.03.21")])
    assert Population.objects.get(region_id="52.03.20", year=2010).count == 53200


GOOD_ROW = "52.03,2024,200\n"  # would update the count loaded first (100)
BROKEN_FILES = {
    "empty": ("", [], "p.csv is empty"),
    "header-only": ("kode,tahun,jumlah\n", [], "p.csv has a header but no rows"),
    "cut-last-line": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,20",
        [],
        "line 3 has 2 values where the header has 3",
    ),
    "wrong-header": (
        "code,year,population\n" + GOOD_ROW,
        [],
        "expected the columns kode,tahun,jumlah in line 1, found code,year,population",
    ),
    "no-tahun-column": (
        "kode,jumlah\n52.03,200\n",
        [],
        "found kode,jumlah. For a file without tahun, pass --year.",
    ),
    "tahun-column-and-year": (
        "kode,tahun,jumlah\n" + GOOD_ROW,
        ["--year=2024"],
        "p.csv has a tahun column: give the year there, not with --year",
    ),
    "year-option-out-of-range": (
        "kode,jumlah\n52.03,200\n",
        ["--year=1850"],
        "The year 1850 is not between 1900 and 2100",
    ),
    "empty-code": (
        "kode,tahun,jumlah\n" + GOOD_ROW + ",2024,5\n",
        [],
        r"line 3: the code \(kode\) is empty",
    ),
    "year-out-of-range": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,2101,5\n",
        [],
        r"line 3: the year \(tahun\) '2101' is not between 1900 and 2100",
    ),
    "year-not-a-number": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,2O24,5\n",
        [],
        r"line 3: the year \(tahun\) '2O24'",
    ),
    "negative-count": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,2024,-5\n",
        [],
        "line 3: jumlah '-5' is not a whole number of people",
    ),
    "count-with-dots": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,2024,1.234.567\n",
        [],
        "line 3: jumlah '1.234.567' is not a whole number",
    ),
    "count-too-large": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.07,2024,99999999999\n",
        [],
        "line 3: jumlah '99999999999' is not a whole number",
    ),
    "repeated-row": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03,2024,300\n",
        [],
        r"line 3 repeats 52.03 for 2024 \(first on line 2\)",
    ),
    "unknown-code": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "5203,2024,5\n",
        [],
        re.escape("codes that are not known regions (1): line 3: 5203. Nothing was loaded"),
    ),
    "empty-count": (
        "kode,tahun,jumlah\n" + GOOD_ROW + "52.03.21,2024,\n",
        [],
        re.escape("rows with an empty count (1): line 3: 52.03.21. Nothing was loaded"),
    ),
}


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_it_refuses_a_broken_file_and_changes_nothing(tmp_path: Path, case: str) -> None:
    text, options, message = BROKEN_FILES[case]
    path = write(tmp_path / "p.csv", "kode,tahun,jumlah\n52.03,2024,100\n")
    load_population(path)
    write(path, text)
    with pytest.raises(CommandError, match=message):
        call_command("regions", "load-population", str(path), *options)
    assert counts() == [("52.03", 2024, 100)]


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(
        b"kode,nama,tahun,jumlah\n52.03,Lombok Timur,2024,5\n52.03.07,Sel\xe9ng,2024,5\n"
    )
    with pytest.raises(CommandError, match=r"p.csv is not UTF-8 text \(invalid byte at line 3\)"):
        call_command("regions", "load-population", str(path))
    assert not Population.objects.exists()


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"File not found: .*missing\.csv"):
        call_command("regions", "load-population", str(tmp_path / "missing.csv"))


def test_a_load_that_changes_data_is_audited_once_and_a_rerun_is_not(tmp_path: Path) -> None:
    path = tmp_path / "penduduk.csv"
    path.write_text("kode,tahun,jumlah\n52.03.07,2031,91000\n52.03.08,2031,88000\n")
    load_population(path)
    event = Event.objects.get(action="population_loaded")
    assert event.actor_label == "system" and event.batch is not None
    assert event.after == {"created": 2, "updated": 0, "unchanged": 0, "years": [2031]}
    load_population(path)
    assert Event.objects.filter(action="population_loaded").count() == 1

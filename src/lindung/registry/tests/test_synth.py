"""Synthetic worker lists: deterministic, consistent, and faults in the shares they promise."""

import datetime
import json
import re
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook
from stdnum.id import nik as stdnum_nik

from lindung.regions.lookup import Match, RegionIndex
from lindung.regions.models import Region
from lindung.registry.synth import (
    COLUMNS,
    MESSY_FAULTS,
    SynthError,
    Synthetic,
    generate,
    splitmix64,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form: the tests match their text."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def messy(django_db_blocker: Any) -> Synthetic:
    with django_db_blocker.unblock():
        return generate(5_000, kabupaten="52.03", seed=3, messy=True)


def _kecamatan_codes() -> dict[str, str]:
    return dict(Region.objects.filter(level=3, parent_id="52.03").values_list("name", "code"))


def test_the_same_seed_gives_the_same_file_byte_for_byte(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write(generate(400, kabupaten="52.03", seed=7, messy=True), first)
    write(generate(400, kabupaten="52.03", seed=7, messy=True), again)
    write(generate(400, kabupaten="52.03", seed=8, messy=True), other)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_the_csv_is_semicolon_separated_with_the_header_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "pekerja.csv"
    write(generate(50, kabupaten="52.03"), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ";".join(COLUMNS)
    assert len(lines) == 51
    assert lines[1].startswith("1;5203")


def test_niks_agree_with_kecamatan_birth_date_and_sex() -> None:
    synthetic = generate(3_000, kabupaten="52.03", seed=2)
    kecamatan = _kecamatan_codes()
    moved = {row.row for row in synthetic.manifest if row.fault == "nik_other_region"}
    province_kecamatan = set(
        Region.objects.filter(level=3, code__startswith="52.").values_list("code", flat=True)
    )
    frame = synthetic.frame.with_row_index("i")
    for i, nik, kk, sex, born, kec in frame.select(
        "i", "NIK", "No KK", "Jenis Kelamin", "Tanggal Lahir", "Kecamatan"
    ).iter_rows():
        assert stdnum_nik.is_valid(nik), nik
        birth = datetime.datetime.strptime(born, "%d-%m-%Y").date()  # noqa: DTZ007
        nik_birth = stdnum_nik.get_birth_date(nik)
        assert (nik_birth.day, nik_birth.month, nik_birth.year % 100) == (
            birth.day,
            birth.month,
            birth.year % 100,
        )
        assert (int(nik[6:8]) > 40) == (sex == "P")
        assert nik[12:] != "0000"
        place = f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"
        if i + 2 in moved:
            assert not place.startswith("52.03.") and place in province_kecamatan
        else:
            assert place == kecamatan[kec]
        assert re.fullmatch(r"\d{16}", kk) and kk.startswith(kecamatan[kec].replace(".", ""))
    assert frame["NIK"].is_unique().all()
    assert frame["No KK"].value_counts()["count"].max() <= 2  # spouses share a KK
    assert 0.015 <= len(moved) / frame.height <= 0.025


def test_people_are_plausible() -> None:
    frame = generate(3_000, kabupaten="52.03", seed=4).frame
    men = (frame["Jenis Kelamin"] == "L").mean()
    assert 0.55 <= men <= 0.65  # type: ignore[operator]
    years = frame["Tanggal Lahir"].str.slice(6, 4).cast(pl.Int32)
    assert years.min() >= 1944 and years.max() <= 2011  # type: ignore[operator]
    income = frame["Penghasilan"].cast(pl.Int64)
    assert 0.05 <= income.null_count() / frame.height <= 0.15
    assert (income.drop_nulls() % 50_000 == 0).all()
    desil = frame["Desil"].cast(pl.Int32)
    assert (desil.drop_nulls() <= 4).mean() > 0.6  # type: ignore[operator]
    names = frame["Nama Lengkap"]
    assert names.str.starts_with("Lalu ").any() and names.str.starts_with("Baiq ").any()
    assert names.str.starts_with("H. ").any() and names.str.starts_with("Hj. ").any()
    words = names.str.replace(r"^(H\.|Hj\.) ", "").str.replace(", S.Pd", "").str.split(" ")
    assert words.list.len().is_between(1, 3).all()
    tobacco = frame.filter(pl.col("Pekerjaan").str.contains("Tembakau"))["Kecamatan"]
    assert not tobacco.is_in(["Sembalun", "Sambelia", "Labuhan Haji"]).any()
    fishers = frame.filter(pl.col("Pekerjaan") == "Nelayan")["Kecamatan"].unique().to_list()
    assert "Sembalun" not in fishers and "Jerowaru" in fishers


def test_every_desa_and_kecamatan_of_a_clean_file_resolves_exactly() -> None:
    frame = generate(2_000, kabupaten="52.03", seed=5).frame
    index = RegionIndex.for_areas(["52.03"])
    places = frame.select("Kecamatan", "Desa/Kelurahan").unique()
    assert places.height > 150
    for kecamatan, desa in places.iter_rows():
        kec = index.resolve(kecamatan, level=3, parent="52.03")
        assert kec.match == Match.EXACT, kecamatan
        assert index.resolve(desa, level=4, parent=kec.code).match == Match.EXACT, desa


def test_messy_faults_come_in_their_shares(messy: Synthetic) -> None:
    rows = len(messy.manifest)
    counted = Counter(row.fault for row in messy.manifest if row.fault)
    for fault, share in MESSY_FAULTS.items():
        assert counted[fault] == int(share * rows + 0.5), fault
    assert len({row.row for row in messy.manifest}) == rows  # one fault a row at most
    counts = messy.expected_counts()
    assert counts["new"] + counts["rejected"] == rows
    assert counts["DUPLICATE_IN_FILE"] == counted["duplicate_row"]
    assert counts["NIK_INVALID"] == sum(
        counted[f] for f in ("nik_wrong_length", "nik_bad_date", "nik_serial_zero")
    )
    assert messy.skipped_rows == rows // 2500 + 2


def test_messy_rows_hold_the_fault_the_manifest_names(messy: Synthetic) -> None:
    index = RegionIndex.for_areas(["52.03"])
    kecamatan = _kecamatan_codes()
    frame = messy.frame
    earlier: dict[str, int] = {}
    for row in messy.manifest:
        cells = dict(zip(COLUMNS, frame.row(row.row - 2), strict=True))
        nik, desa, kec = cells["NIK"], cells["Desa/Kelurahan"], cells["Kecamatan"]
        if row.fault == "nik_missing":
            assert nik is None
        elif row.fault == "nik_bad_date":
            assert nik[8:10] == "13"
        elif row.fault in ("nik_numeric", "nik_numeric_zero"):
            assert re.fullmatch(r"\d,\d{5}E\+15", nik)  # how Excel exports a number cell
        elif row.fault == "desa_misspelt":
            found = index.resolve(desa, level=4, parent=kecamatan[kec])
            assert found.match == Match.FUZZY
        elif row.fault == "desa_outside":
            assert kec not in kecamatan
        elif row.fault == "duplicate_row":
            assert nik in earlier
        elif row.fault is None:
            assert re.fullmatch(r"\d{16}", nik)
        if nik and row.fault != "duplicate_row":
            earlier[nik] = row.row
    assert frame.row(frame.height - 1)[0] == "JUMLAH"


def test_excel_number_faults_differ_between_csv_and_xlsx(messy: Synthetic) -> None:
    csv = {row.row: row for row in messy.manifest}
    for row in messy.manifest_for(".xlsx"):
        before = csv[row.row - 2]
        assert row.fault == before.fault
        if row.fault == "nik_numeric":
            assert before.errors == ("NIK_EXCEL_PRECISION",) and not row.errors
            assert row.warnings == ("NIK_EXCEL_PRECISION",)
        else:
            assert (row.errors, row.warnings) == (before.errors, before.warnings)


def test_the_command_writes_csv_and_xlsx_and_prints_one_line(tmp_path: Path) -> None:
    for name in ("pekerja.csv", "pekerja.xlsx"):
        out = StringIO()
        path, manifest = tmp_path / name, tmp_path / f"{name}.json"
        arguments = ["--rows", "300", "--messy", "--out", str(path), "--manifest", str(manifest)]
        call_command("synth", *arguments, stdout=out)
        assert re.fullmatch(
            rf"{name}: 300 workers of 52\.03, seed 1, in \d+,\d s\. An import would give "
            r"\d+ new and \d+ rejected rows and skip 3\.\n",
            out.getvalue(),
        )
        data = json.loads(manifest.read_text())
        assert data["rows"] == len(data["manifest"]) == 300
        assert data["expected_counts"]["new"] + data["expected_counts"]["rejected"] == 300
    sheet = CalamineWorkbook.from_path(str(tmp_path / "pekerja.xlsx")).get_sheet_by_index(0)
    cells = sheet.to_python()
    assert cells[0][0] == "DAFTAR PEKERJA BUKAN PENERIMA UPAH KABUPATEN LOMBOK TIMUR"
    assert not any(cells[1]) and tuple(cells[2]) == COLUMNS
    first = data["manifest"][0][0]
    assert isinstance(cells[first - 1][1], str) and isinstance(cells[first - 1][2], str)
    assert cells[-1][0] == "JUMLAH"


def test_the_command_refuses_other_formats_and_unknown_kabupaten(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"must end in \.csv or \.xlsx"):
        call_command("synth", "--rows", "5", "--out", str(tmp_path / "a.ods"))
    with pytest.raises(CommandError, match=r"52\.99 is not a kabupaten/kota code"):
        call_command(
            "synth", "--rows", "5", "--kabupaten", "52.99", "--out", str(tmp_path / "a.csv")
        )
    with pytest.raises(SynthError):
        generate(0, kabupaten="52.03")


def test_splitmix64_in_polars_matches_the_reference() -> None:
    """The draws rely on Polars wrapping UInt64 arithmetic around, as Rust does."""

    def reference(state: int) -> int:
        mask = 2**64 - 1
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    states = [0, 1, 2**63 + 12345, 2**64 - 1]
    got = pl.select(splitmix64(pl.lit(pl.Series(states, dtype=pl.UInt64)))).to_series()
    assert got.to_list() == [reference(state) for state in states]

"""Synthetic worker lists: realistic Disnakertrans files for tests, demonstrations and benchmarks.

    synthetic = generate(5_000, kabupaten="52.03", seed=1, messy=True)
    manifest = write(synthetic, Path("pekerja.xlsx"))  # or .csv; returns that file's manifest
    synthetic.expected_counts(".xlsx")                 # {"new": …, "rejected": …, "NIK_INVALID": …}

The people are plausible for Lombok: Sasak names ("Lalu", "Baiq", "Amaq", "Inaq", haji titles),
tobacco in the dry south, fishers on the coast, traders and ojek in Selong and Masbagik, 60%
men, spouses sharing a No. KK, ~2% with a NIK issued in another kabupaten of the province. Ages
are counted on REFERENCE_DATE, so a file does not change with the calendar.

Every random draw is seeded by the seed and its purpose (see `_Random`): the same arguments
give the same file, byte for byte. Columns are built whole with Polars; Python loops only over
the faulty rows.

With `messy=True`, MESSY_FAULTS[fault] * rows rows (rounded half up) carry that fault, one fault
a row at most, and the manifest gives per data row the codes (registry/pipeline/codes.py) that an
import into an empty registry of this kabupaten gives it. The two Excel-number faults exist only
in XLSX; a CSV writes those NIKs the way Excel exports a number cell ("5,20307E+15"), which
loses digits. A fault that no row can carry (no desa of another kabupaten in the province…) is
left out.
"""

import bisect
import datetime
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from lindung.regions.lookup import Match, RegionIndex, RegionRow
from lindung.regions.models import Level, Population, Region, RegionType
from lindung.regions.names import normalise_name
from lindung.registry.models import Occupation
from lindung.registry.pipeline.codes import RowError, RowWarning
from lindung.ui.templatetags.lindung_format import format_number

# The headers of a Disnakertrans list, in its order.
COLUMNS = (
    "No", "NIK", "No KK", "Nama Lengkap", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir",
    "Alamat", "Desa/Kelurahan", "Kecamatan", "Pekerjaan", "Penghasilan", "No HP", "Desil",
    "Disabilitas", "Perempuan Kepala Keluarga",
)  # fmt: skip
SUFFIXES = (".csv", ".xlsx")
# Ages are counted on this day, not today: the same seed gives the same file in any year.
REFERENCE_DATE = datetime.date(2026, 1, 1)
# The row number of the first data row: CSV has the header on line 1; XLSX has a title row and a
# blank row above the header, as real files do.
FIRST_ROW = {".csv": 2, ".xlsx": 4}
XLSX_MAX_ROWS = 1_048_576
# Share of workers whose NIK was issued in another kabupaten of the province (they moved).
OTHER_REGION_SHARE = 0.02

_E, _W = RowError, RowWarning
# fault → (share of rows, errors, warnings) for an import of the XLSX file.
_FAULTS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "nik_other_region": (OTHER_REGION_SHARE, (), (_W.NIK_OTHER_REGION,)),
    "age_implausible": (0.002, (_E.AGE_IMPLAUSIBLE,), ()),  # born 2021-2023, NIK consistent
    "nik_numeric_zero": (0.003, (_E.NIK_EXCEL_PRECISION,), ()),  # number cell ending in 0
    "nik_numeric": (0.005, (), (_W.NIK_EXCEL_PRECISION,)),  # number cell, full 16 digits
    "nik_formatted": (0.02, (), ()),  # "5203 0745 …", dots, dashes, leading apostrophe
    "nik_wrong_length": (0.005, (_E.NIK_INVALID,), ()),  # 15 or 17 digits
    "nik_bad_date": (0.003, (_E.NIK_INVALID,), ()),  # month 13
    "nik_serial_zero": (0.002, (_E.NIK_INVALID,), ()),  # digits 13-16 are 0000
    "nik_missing": (0.005, (_E.NIK_MISSING,), ()),
    "name_missing": (0.003, (_E.NAME_MISSING,), ()),
    "name_upper": (0.05, (), ()),  # "LALU MUHAMMAD ZAINUL"
    "name_double_space": (0.02, (), ()),  # "Siti  Aminah"
    "dob_unreadable": (0.004, (_E.DOB_INVALID,), ()),  # "31-02-1980", "tgl ?"
    "dob_missing": (0.01, (), ()),  # taken from the NIK
    "dob_other_format": (0.03, (), ()),  # "28 Mei 1980", "28/05/1980"
    "dob_nik_mismatch": (0.005, (), (_W.DOB_NIK_MISMATCH,)),
    "sex_missing": (0.01, (), ()),  # taken from the NIK
    "sex_nik_mismatch": (0.005, (), (_W.SEX_NIK_MISMATCH,)),
    "desa_misspelt": (0.01, (), (_W.WILAYAH_FUZZY,)),  # one letter off, unambiguous
    "desa_unknown": (0.003, (_E.WILAYAH_UNKNOWN,), ()),  # "Antah Berantah"
    "desa_outside": (0.003, (_E.WILAYAH_OUTSIDE_DEPLOYMENT,), ()),  # a desa of another kabupaten
    "wilayah_prefixed": (0.02, (), ()),  # "DESA RUMBUK", "KEC. SAKRA"
    "income_unreadable": (0.005, (), (_W.INCOME_UNREADABLE,)),  # "sekitar sejuta"
    "income_other_format": (0.03, (), ()),  # "Rp 1.500.000", "1,5 jt"
    "duplicate_row": (0.005, (_E.DUPLICATE_IN_FILE,), ()),  # a copy of an earlier clean row
}
MESSY_FAULTS: dict[str, float] = {fault: entry[0] for fault, entry in _FAULTS.items()}
# Excel-number faults in a CSV: the NIK is exported as "5,20307E+15", its digits lost.
_CSV_CODES = {
    "nik_numeric_zero": ((_E.NIK_EXCEL_PRECISION.value,), ()),
    "nik_numeric": ((_E.NIK_EXCEL_PRECISION.value,), ()),
}


class SynthError(ValueError):
    """The arguments cannot give a file (unknown kabupaten, too many rows for XLSX…)."""


class ManifestRow(NamedTuple):
    row: int  # as the spreadsheet user sees it: CSV line number or XLSX row number
    fault: str | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Synthetic:
    """A generated worker list.

    `frame` holds COLUMNS as strings (null for an empty cell), in file order, blank rows and the
    "JUMLAH" footer included: exactly what a CSV holds. `manifest` has one row per data row, with
    CSV row numbers and codes; `manifest_for(".xlsx")` gives the XLSX ones.
    """

    frame: pl.DataFrame
    manifest: list[ManifestRow]
    skipped_rows: int  # blank rows and the footer, which an import skips
    kabupaten: str
    title: str  # "DAFTAR PEKERJA BUKAN PENERIMA UPAH KABUPATEN LOMBOK TIMUR"
    seed: int
    messy: bool
    # frame position → the NIK that an XLSX file writes as a number cell (Excel-number faults)
    numeric_niks: dict[int, int] = field(default_factory=dict)

    def manifest_for(self, suffix: str) -> list[ManifestRow]:
        """The manifest of the file written with this suffix (".csv" or ".xlsx")."""
        suffix = check_suffix(suffix)
        if suffix == ".csv":
            return self.manifest
        shift = FIRST_ROW[".xlsx"] - FIRST_ROW[".csv"]
        codes = {fault: _codes(fault, ".xlsx") for fault in _CSV_CODES}
        return [
            ManifestRow(row + shift, fault, *codes[fault])
            if fault in codes
            else ManifestRow(row + shift, fault, errors, warnings)
            for row, fault, errors, warnings in self.manifest
        ]

    def expected_counts(self, suffix: str = ".csv") -> dict[str, int]:
        """Rows per status ("new", "rejected") and per error or warning code for an import of
        the file into an empty registry: a row with an error is rejected; of rows sharing a
        NIK the first is new and the later ones are rejected with DUPLICATE_IN_FILE."""
        counts: Counter[str] = Counter({"new": 0, "rejected": 0})
        for row in self.manifest_for(suffix):
            counts["rejected" if row.errors else "new"] += 1
            counts.update(set(row.errors) | set(row.warnings))
        return dict(counts)


def generate(
    rows: int,
    *,
    kabupaten: str,
    seed: int = 1,
    messy: bool = False,
    shares: Mapping[str, float] | None = None,
) -> Synthetic:
    """A list of `rows` workers living in `kabupaten` ("52.03"); see the module docstring.

    `shares` replaces the share of rows of some faults (MESSY_FAULTS names; tests use it to
    make small files with other mixes of faults)."""
    if rows < 1:
        raise SynthError(_("The number of rows must be at least 1."))
    areas = _Areas.load(kabupaten, messy=messy)
    people = _people(rows, areas, seed)
    faults = _Faults(rows, seed, {**MESSY_FAULTS, **(shares or {})})
    faults.assign("nik_other_region", None)
    if messy:
        faults.assign("age_implausible", None)
        faults.assign("nik_numeric_zero", None)
    people = _with_nik(people, areas, faults, seed)
    frame = _text_columns(people, areas)
    numeric: dict[int, int] = {}
    if messy:
        frame, numeric = _make_messy(frame, people, areas, faults, seed)
    fault_of = faults.by_row()
    frame, positions, skipped = _layout(frame, rows, seed, messy=messy)
    first = FIRST_ROW[".csv"]
    codes = {fault: _codes(fault, ".csv") for fault in set(fault_of)}
    manifest = [
        ManifestRow(position + first, fault, *codes[fault])
        for position, fault in zip(positions, fault_of, strict=True)
    ]
    return Synthetic(
        frame=frame,
        manifest=manifest,
        skipped_rows=skipped,
        kabupaten=kabupaten,
        title=f"DAFTAR PEKERJA BUKAN PENERIMA UPAH {areas.title}",
        seed=seed,
        messy=messy,
        numeric_niks={positions[row]: nik for row, nik in numeric.items()},
    )


def write(synthetic: Synthetic, path: Path) -> list[ManifestRow]:
    """Write the list as CSV (";"-separated UTF-8) or XLSX, by the suffix; return the manifest
    of that file."""
    suffix = check_suffix(path.suffix)
    if suffix == ".csv":
        synthetic.frame.write_csv(path, separator=";", null_value="", line_terminator="\n")
    else:
        _write_xlsx(synthetic, path)
    return synthetic.manifest_for(suffix)


def write_manifest(synthetic: Synthetic, path: Path, *, suffix: str) -> None:
    """The manifest of the file written with `suffix`, as JSON: its arguments, the expected
    counts and one [row, fault, errors, warnings] list per data row."""
    data = {
        "kabupaten": synthetic.kabupaten,
        "seed": synthetic.seed,
        "messy": synthetic.messy,
        "format": suffix.lstrip("."),
        "rows": len(synthetic.manifest),
        "skipped_rows": synthetic.skipped_rows,
        "expected_counts": synthetic.expected_counts(suffix),
        "manifest": [list(row) for row in synthetic.manifest_for(suffix)],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def check_suffix(suffix: str) -> str:
    """The suffix in lower case; SynthError unless it is .csv or .xlsx."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise SynthError(_("The file name must end in .csv or .xlsx."))
    return suffix


def _codes(fault: str | None, suffix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if fault is None:
        return (), ()
    if suffix == ".csv" and fault in _CSV_CODES:
        return _CSV_CODES[fault]
    _share, errors, warnings = _FAULTS[fault]
    return tuple(str(e) for e in errors), tuple(str(w) for w in warnings)


# --- randomness -----------------------------------------------------------------------------


_GOLDEN = 0x9E3779B97F4A7C15


def splitmix64(state: pl.Expr) -> pl.Expr:
    """SplitMix64's output function over UInt64 (Polars wraps on overflow, as the algorithm
    needs): a well-mixed 64-bit value for each counter value."""
    z = (state ^ (state // 2**30)) * pl.lit(0xBF58476D1CE4E5B9, dtype=pl.UInt64)
    z = (z ^ (z // 2**27)) * pl.lit(0x94D049BB133111EB, dtype=pl.UInt64)
    return z ^ (z // 2**31)


class _Random:
    """Uniform draws in [0, 1), seeded by the seed and a purpose: a change to one purpose's
    draws leaves the others' values alone.

    Columns come from SplitMix64 over a counter, computed by Polars (a million draws in a few
    milliseconds, where a million `random.random()` calls take a tenth of a second); the few
    draws of Python loops come from `random.Random` seeded the same way.
    """

    def __init__(self, seed: int, purpose: str) -> None:
        text = f"lindung.synth:{seed}:{purpose}"
        self._rng = random.Random(text)  # noqa: S311 - test data, not secrets
        self._key = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        self._drawn = 0

    def uniform(self, n: int) -> pl.Series:
        counter = pl.int_range(self._drawn, self._drawn + n, dtype=pl.UInt64)
        self._drawn += n
        state = counter * pl.lit(_GOLDEN, dtype=pl.UInt64) + pl.lit(self._key, dtype=pl.UInt64)
        # The top 53 bits as the fraction, as random.random() does.
        fraction = (splitmix64(state) // 2**11).cast(pl.Float64) / 2.0**53
        return pl.select(fraction.alias("u")).to_series()

    def below(self, n: int, size: int) -> pl.Series:
        """n integers in [0, size)."""
        return (self.uniform(n) * size).floor().cast(pl.Int64).clip(0, size - 1)

    def choose(self, n: int, weights: Sequence[float]) -> pl.Series:
        """n indices into `weights`, drawn in proportion to them."""
        return _choose(self.uniform(n), weights)

    def pick(self, options: Sequence[str]) -> str:
        return options[int(self._rng.random() * len(options))]

    def random(self) -> float:
        return self._rng.random()


def _choose(u: pl.Series, weights: Sequence[float]) -> pl.Series:
    total = float(sum(weights))
    bounds, running = [], 0.0
    for weight in weights:
        running += weight
        bounds.append(running / total)
    bounds[-1] = 1.0
    index = pl.Series(bounds).search_sorted(u, side="right")
    return index.cast(pl.Int64).clip(0, len(weights) - 1)


def _choose_by_group(u: pl.Series, group: pl.Series, table: list[list[float]]) -> pl.Series:
    """Per row, an index into `table[group]`, drawn in proportion to those weights: group g's
    cumulative weights are laid out in [g, g + 1], so one search serves every group."""
    width = len(table[0])
    bounds: list[float] = []
    for g, weights in enumerate(table):
        total, running = float(sum(weights)), 0.0
        for weight in weights:
            running += weight
            bounds.append(g + running / total)
        bounds[-1] = g + 1.0
    index = pl.Series(bounds).search_sorted(group.cast(pl.Float64) + u, side="right")
    return (index.cast(pl.Int64) - group * width).clip(0, width - 1)


# --- where the workers live -----------------------------------------------------------------


@dataclass(frozen=True)
class _Desa:
    code: str
    name: str
    kecamatan: str  # code
    kecamatan_name: str
    kelurahan: bool


@dataclass
class _Areas:
    """The kabupaten's desa, their weights, and what faults need of the province around it."""

    kabupaten: str
    title: str  # "KABUPATEN LOMBOK TIMUR"
    name: str  # "Lombok Timur"
    desa: list[_Desa]
    weights: list[float]
    kecamatan: list[tuple[str, str]]  # (code, name) in code order
    origins: list[tuple[str, str, float]]  # other kabupaten's kecamatan: code, name, weight
    elsewhere: list[str]  # other kabupaten names: birth places
    misspelt: dict[int, list[str]] = field(default_factory=dict)  # desa index → spellings
    prefixed: set[int] = field(default_factory=set)  # desa indexes "DESA X"/"KEC. Y" resolves
    unknown: list[str] = field(default_factory=list)  # desa names found under no kecamatan
    outside: list[tuple[str, str]] = field(default_factory=list)  # (kecamatan, desa) elsewhere

    @classmethod
    def load(cls, kabupaten: str, *, messy: bool) -> "_Areas":
        province = kabupaten.split(".")[0]
        rows: list[RegionRow] = list(
            Region.objects.within([province])
            .filter(level__gte=Level.KABUPATEN_KOTA)
            .order_by("code")
            .values_list("code", "name", "name_key", "level", "type", "parent_id")
        )
        by_code = {row[0]: row for row in rows}
        kab = by_code.get(kabupaten)
        if kab is None or kab[3] != Level.KABUPATEN_KOTA:
            raise SynthError(_("%(code)s is not a kabupaten/kota code.") % {"code": kabupaten})
        inside = [row for row in rows if row[0].startswith(kabupaten + ".")]
        kecamatan = [(row[0], row[1]) for row in inside if row[3] == Level.KECAMATAN]
        kec_names = dict(kecamatan)
        desa = [
            _Desa(
                row[0],
                row[1],
                row[5] or "",
                kec_names[row[5] or ""],
                row[4] == RegionType.KELURAHAN,
            )
            for row in inside
            if row[3] == Level.DESA_KELURAHAN and row[5] in kec_names
        ]
        if not desa:
            raise SynthError(
                _("%(code)s has no desa/kelurahan in the wilayah tree.") % {"code": kabupaten}
            )
        areas = cls(
            kabupaten=kabupaten,
            title=kab[1].upper(),
            name=_short_name(kab[1]),
            desa=desa,
            weights=_desa_weights(desa, kabupaten),
            kecamatan=kecamatan,
            origins=_origins(rows, kabupaten),
            elsewhere=[
                _short_name(row[1])
                for row in rows
                if row[3] == Level.KABUPATEN_KOTA and row[0] != kabupaten
            ],
        )
        if messy:
            areas._prepare_faults(rows, inside)
        return areas

    def _prepare_faults(self, rows: list[RegionRow], inside: list[RegionRow]) -> None:
        """Spellings that give exactly the expected lookup result (see regions.lookup)."""
        index = RegionIndex(inside)
        for i, desa in enumerate(self.desa):
            spellings = [
                text
                for text in _one_letter_off(desa.name)
                if index.resolve(text, level=4, parent=desa.kecamatan).match == Match.FUZZY
                and index.resolve(text, level=4, parent=desa.kecamatan).code == desa.code
                and index.resolve(text, level=4).match not in (Match.EXACT, Match.CODE)
            ]
            if spellings:
                self.misspelt[i] = spellings
            prefix = "KEL." if desa.kelurahan else "DESA"
            written = (f"{prefix} {desa.name}".upper(), f"KEC. {desa.kecamatan_name}".upper())
            if (
                index.resolve(written[1], level=3).code == desa.kecamatan
                and index.resolve(written[0], level=4, parent=desa.kecamatan).code == desa.code
            ):
                self.prefixed.add(i)
        self.unknown = [
            text
            for text in ("Antah Berantah", "Desa Antah Berantah", "Dusun Entah Dimana")
            if all(
                index.resolve(text, level=4, parent=code).match == Match.NOT_FOUND
                for code, _name in self.kecamatan
            )
        ]
        self.outside = _outside_places(rows, self.kabupaten, index)


def _short_name(kabupaten: str) -> str:
    """ "Kabupaten Lombok Timur" → "Lombok Timur", as people write where they were born."""
    return re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", kabupaten)


def _desa_weights(desa: list[_Desa], kabupaten: str) -> list[float]:
    """Population (latest year) where known; else seeded lognormal weights, the same for every
    file of the kabupaten."""
    # Ordered by year: the latest count of a desa is the one the dict keeps.
    latest = dict(
        Population.objects.filter(region__code__startswith=kabupaten + ".")
        .order_by("region_id", "year")
        .values_list("region_id", "count")
    )
    known = [latest[d.code] for d in desa if latest.get(d.code)]
    rng = random.Random(f"lindung.synth:desa:{kabupaten}")  # noqa: S311 - not secret
    if not known:
        return [rng.lognormvariate(0.0, 0.5) for _desa in desa]
    fallback = sorted(known)[len(known) // 2]
    return [float(latest.get(d.code) or fallback) for d in desa]


def _origins(rows: list[RegionRow], kabupaten: str) -> list[tuple[str, str, float]]:
    """Kecamatan of the province's other kabupaten, weighted to favour the nearest codes
    (52.02 and 52.04 for 52.03): where workers with an outside NIK come from."""
    number = int(kabupaten.split(".")[1])
    kecamatan: dict[str, list[tuple[str, str]]] = {}
    for code, name, _key, level, _type, parent in rows:
        if level == Level.KECAMATAN and parent and parent != kabupaten:
            kecamatan.setdefault(parent, []).append((code, name))
    origins: list[tuple[str, str, float]] = []
    for kab, members in kecamatan.items():
        weight = 1.0 / min(abs(int(kab.split(".")[1]) - number), 4)
        origins.extend((code, name, weight / len(members)) for code, name in members)
    return origins


def _outside_places(
    rows: list[RegionRow], kabupaten: str, local: RegionIndex
) -> list[tuple[str, str]]:
    """(kecamatan, desa) names of the province's other kabupaten that an importer finds outside:
    the kecamatan name unknown here and unique in the country, the desa unique under it."""
    province = RegionIndex(rows)
    kecamatan = {
        row[0]: row
        for row in rows
        if row[3] == Level.KECAMATAN
        and not row[0].startswith(kabupaten + ".")
        and local.resolve(row[1], level=3).match == Match.NOT_FOUND
    }
    national = Counter(
        Region.objects.filter(
            level=Level.KECAMATAN, name_key__in=sorted({row[2] for row in kecamatan.values()})
        ).values_list("name_key", flat=True)
    )
    places = []
    for _code, name, _key, level, _type, parent in rows:
        kec = kecamatan.get(parent or "")
        if level != Level.DESA_KELURAHAN or kec is None or national[kec[2]] != 1:
            continue
        if province.resolve(name, level=4, parent=kec[0]).match == Match.EXACT:
            places.append((kec[1], name))
    return places


_VOWEL_SWAP = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o"}


def _one_letter_off(name: str) -> list[str]:
    """The name with one letter dropped, doubled or a vowel swapped, as operators misspell."""
    variants = set()
    for i, letter in enumerate(name):
        if not letter.isalpha():
            continue
        variants.add(name[:i] + name[i + 1 :])
        variants.add(name[:i] + letter + name[i:])
        swap = _VOWEL_SWAP.get(letter.lower())
        if swap:
            variants.add(name[:i] + (swap.upper() if letter.isupper() else swap) + name[i + 1 :])
    key = normalise_name(name, 4)
    return sorted(v for v in variants if normalise_name(v, 4) not in ("", key))


# --- the people -----------------------------------------------------------------------------

_OCCUPATIONS = list(Occupation)
_O = Occupation
# How a list writes each occupation.
OCCUPATION_LABELS = {
    _O.PETANI: "Petani", _O.BURUH_TANI: "Buruh Tani", _O.PETANI_TEMBAKAU: "Petani Tembakau",
    _O.BURUH_TANI_TEMBAKAU: "Buruh Tani Tembakau", _O.PEKEBUN: "Pekebun",
    _O.PETERNAK: "Peternak", _O.NELAYAN: "Nelayan", _O.PEDAGANG: "Pedagang", _O.OJEK: "Ojek",
    _O.TUKANG: "Tukang", _O.BURUH_HARIAN_LEPAS: "Buruh Harian Lepas", _O.SOPIR: "Sopir",
    _O.LAINNYA: "Lainnya",
}  # fmt: skip
_BASE_WEIGHTS = {
    _O.PETANI: 20, _O.BURUH_TANI: 20, _O.PEKEBUN: 4, _O.PETERNAK: 6, _O.PEDAGANG: 9, _O.OJEK: 4,
    _O.TUKANG: 6, _O.BURUH_HARIAN_LEPAS: 12, _O.SOPIR: 3, _O.LAINNYA: 5,
}  # fmt: skip
# Lombok Timur: Virginia tobacco in the dry south and centre, fishing on the coasts, trade in the
# towns, vegetables on Rinjani's slopes. Keys are Region.name_key of the kecamatan.
_TOBACCO = {
    "sakra", "sakra barat", "sakra timur", "keruak", "jerowaru", "terara", "montong gading",
    "sikur", "pringgasela", "aikmel", "wanasaba", "masbagik",
}  # fmt: skip
_COAST = {
    "labuhan haji": 24, "pringgabaya": 18, "keruak": 22, "jerowaru": 22, "sambelia": 20,
    "sakra timur": 5,
}  # fmt: skip
_TOWNS = {"selong", "masbagik"}
_HIGHLANDS = {"sembalun"}
_WOMEN_FACTOR = {
    _O.OJEK: 0.05, _O.SOPIR: 0.05, _O.NELAYAN: 0.15, _O.TUKANG: 0.1, _O.PEDAGANG: 1.8,
    _O.BURUH_TANI_TEMBAKAU: 1.3, _O.LAINNYA: 1.5,
}  # fmt: skip
_INCOME_MEDIAN = {
    _O.PETANI: 1_300_000, _O.BURUH_TANI: 900_000, _O.PETANI_TEMBAKAU: 1_600_000,
    _O.BURUH_TANI_TEMBAKAU: 1_000_000, _O.PEKEBUN: 1_300_000, _O.PETERNAK: 1_200_000,
    _O.NELAYAN: 1_500_000, _O.PEDAGANG: 1_800_000, _O.OJEK: 1_600_000, _O.TUKANG: 1_900_000,
    _O.BURUH_HARIAN_LEPAS: 1_100_000, _O.SOPIR: 2_200_000, _O.LAINNYA: 1_200_000,
}  # fmt: skip
_DESIL_WEIGHTS = (22, 20, 17, 13, 9, 7, 5, 3, 2, 2)
# (lowest age, age below which, weight): working age mostly, a few teenagers and elders.
_AGE_BANDS = (
    (15, 18, 2), (18, 25, 12), (25, 35, 22), (35, 45, 24), (45, 55, 20), (55, 65, 13),
    (65, 70, 4), (70, 81, 3),
)  # fmt: skip

_MEN = (
    "Zainul", "Sahnan", "Hamdan", "Saprudin", "Mahsun", "Rusdi", "Hasanudin", "Suhaimi",
    "Ismail", "Usman", "Zulkifli", "Sahabudin", "Jumadil", "Muhlis", "Supardi", "Amrullah",
    "Syamsul", "Rusnan", "Haerudin", "Muhsin", "Junaidi", "Marzuki", "Sukardi", "Hairul",
    "Fahrurrozi", "Mukhtar", "Sahril", "Jumaidi", "Salman", "Zulhadi", "Badarudin", "Kamarudin",
    "Mahrup", "Mursid", "Jaelani", "Zohri", "Sahdan", "Ridwan", "Azhar", "Anwar", "Burhan",
    "Fauzi", "Hasan", "Husni", "Idris", "Lukman", "Nasrullah", "Sapoan", "Yusuf", "Bahri",
    "Mahnan", "Rosidi", "Abdurrahman", "Sahwan",
)  # fmt: skip
_WOMEN = (
    "Sainah", "Halimah", "Sumiati", "Rohani", "Nurhasanah", "Mariati", "Aminah", "Raehan",
    "Fatimah", "Juariah", "Rukiah", "Saenab", "Hadijah", "Murniati", "Suhartini", "Rabiah",
    "Maesarah", "Sapiah", "Hartini", "Nurhayati", "Salmah", "Zaenab", "Marhamah", "Sukmawati",
    "Rahmawati", "Herniati", "Masnun", "Rumini", "Samsiah", "Kartini", "Rohimah", "Hamidah",
    "Mahniah", "Jumenah", "Rusmini", "Saridah", "Nuraini", "Sariani", "Mulyani", "Sahnun",
    "Inun", "Rumenah",
)  # fmt: skip
# The first of two or three names, with weights: Muhammad and Siti lead by far.
_MEN_FIRST = (("Muhammad", 30), ("Ahmad", 14), ("Abdul", 10), ("M.", 6), ("Moh.", 3))
_WOMEN_FIRST = (("Siti", 30), ("Nur", 8), ("Sri", 5), ("Nurul", 4))
_DUSUN_FIRST = (
    "Lendang", "Montong", "Karang", "Gubuk", "Bagik", "Dasan", "Kebon", "Batu", "Tanak",
    "Lingkok", "Gunung", "Embung", "Aik", "Orong", "Repok", "Tibu", "Kokoq", "Pengadangan",
)  # fmt: skip
_DUSUN_SECOND = (
    "Baru", "Lauk", "Daye", "Timuk", "Bat", "Tengak", "Atas", "Bawak", "Bilus", "Nyaka", "Jaya",
    "Indah", "Sari", "Luah", "Bunut", "Beleq", "Malang", "Paok",
)  # fmt: skip
_DUSUN_PER_DESA = 6
_PHONE_PREFIXES = (
    "0812", "0813", "0817", "0818", "0819", "0821", "0822", "0823", "0852", "0853", "0857",
    "0859", "0877", "0878", "0831", "0838", "0895", "0896", "0898",
)  # fmt: skip


def _occupation_table(areas: _Areas) -> list[list[float]]:
    """Occupation weights per (kecamatan index * 2 + woman)."""
    table = []
    for _code, name in areas.kecamatan:
        key = normalise_name(name, 3)
        weights = {o: float(_BASE_WEIGHTS.get(o, 0)) for o in _OCCUPATIONS}
        if key in _TOWNS:
            for o in (_O.PETANI, _O.BURUH_TANI, _O.PEKEBUN, _O.PETERNAK):
                weights[o] *= 0.4
            for o, extra in ((_O.PEDAGANG, 14), (_O.OJEK, 8), (_O.SOPIR, 3), (_O.TUKANG, 4)):
                weights[o] += extra
        if key in _TOBACCO:
            weights[_O.PETANI_TEMBAKAU] += 12
            weights[_O.BURUH_TANI_TEMBAKAU] += 16
        weights[_O.NELAYAN] += _COAST.get(key, 0)
        if key in _HIGHLANDS:
            weights[_O.PETANI] += 15
            weights[_O.PEKEBUN] += 6
        table.append([weights[o] for o in _OCCUPATIONS])
        table.append([weights[o] * _WOMEN_FACTOR.get(o, 1.0) for o in _OCCUPATIONS])
    return table


def _gather(options: Sequence[str], index: pl.Series) -> pl.Series:
    return pl.Series(list(options), dtype=pl.String).gather(index)


def _people(rows: int, areas: _Areas, seed: int) -> pl.DataFrame:
    """Typed columns, one row per worker, in file order: by desa, then household."""
    rng = _Random(seed, "households")
    # Households of one worker, or two (spouses sharing a No. KK when the first is 20 or older).
    n = rows
    band = rng.choose(n, [w for _lo, _hi, w in _AGE_BANDS])
    low = pl.Series([lo for lo, _hi, _w in _AGE_BANDS]).gather(band)
    span = pl.Series([hi - lo for lo, hi, _w in _AGE_BANDS]).gather(band)
    households = pl.DataFrame(
        {
            "desa": rng.choose(n, areas.weights),
            "key": rng.uniform(n),
            "man": rng.uniform(n) < 0.63,
            "age": low + rng.uniform(n) * span,
            "couple": rng.uniform(n) < 0.16,
            "dusun": rng.below(n, _DUSUN_PER_DESA),
            "rt": rng.below(n, 8) + 1,
            "kk_issued": rng.below(
                n, (datetime.date(2025, 12, 31) - datetime.date(2008, 1, 1)).days
            ),
        }
    ).with_columns(size=1 + (pl.col("couple") & (pl.col("age") >= 20)).cast(pl.Int64))
    households = (
        households.with_columns(before=pl.col("size").cum_sum() - pl.col("size"))
        .filter(pl.col("before") < rows)
        .with_columns(size=pl.min_horizontal("size", rows - pl.col("before")))
        .with_row_index("household")
        .sort("desa", "key")
    )
    people = households.with_columns(member=pl.int_ranges(0, "size")).explode("member")
    n = people.height
    rng = _Random(seed, "people")
    desa_kec = pl.Series(
        [areas.kecamatan.index((d.kecamatan, d.kecamatan_name)) for d in areas.desa]
    )
    spouse = pl.col("member") == 1
    offset = rng.uniform(n) * 8
    people = people.with_columns(
        man=pl.col("man") ^ spouse,
        age=pl.when(spouse)
        .then(pl.col("age") + pl.when(pl.col("man")).then(-offset).otherwise(offset))
        .otherwise(pl.col("age"))
        .clip(17, 80.99),
        kecamatan=desa_kec.gather(people["desa"]),
        kelurahan=pl.Series([d.kelurahan for d in areas.desa]).gather(people["desa"]),
    )
    ref = (REFERENCE_DATE - datetime.date(1970, 1, 1)).days
    born = (ref - (people["age"] * 365.2425).floor().cast(pl.Int64)).cast(pl.Int32).cast(pl.Date)
    year = pl.lit(born.dt.year())
    # Elders whose birth day was never known are registered on 1 January or 31 December.
    unknown_day = (rng.uniform(n) < 0.06) & (people["age"] >= 45)
    year_end = rng.uniform(n) < 0.4
    people = people.with_columns(
        birth_date=pl.when(unknown_day & year_end)
        .then(pl.date(year, 12, 31))
        .when(unknown_day)
        .then(pl.date(year, 1, 1))
        .otherwise(born)
    )
    group = people["kecamatan"] * 2 + (~people["man"]).cast(pl.Int64)
    occupation = _choose_by_group(rng.uniform(n), group, _occupation_table(areas))
    median = pl.Series([float(_INCOME_MEDIAN[o]) for o in _OCCUPATIONS]).gather(occupation)
    z = (-2 * rng.uniform(n).clip(1e-12, 1).log()).sqrt() * (
        6.283185307179586 * rng.uniform(n)
    ).cos()
    income = (median * pl.when(people["man"]).then(1.0).otherwise(0.8) * (0.45 * z).exp()).clip(
        300_000, 6_000_000
    )
    rounded = ((income / 50_000).round() * 50_000).cast(pl.Int64)
    phone = pl.concat_str(
        _gather(_PHONE_PREFIXES, rng.below(n, len(_PHONE_PREFIXES))),
        rng.below(n, 10**8).cast(pl.String).str.zfill(8),
        pl.when(rng.uniform(n) < 0.5).then(rng.below(n, 10).cast(pl.String)),  # 12 or 13 digits
        ignore_nulls=True,
    )
    people = people.with_columns(
        occupation=occupation,
        income=pl.when(rng.uniform(n) >= 0.10).then(rounded),
        desil=pl.when(rng.uniform(n) >= 0.15).then(rng.choose(n, _DESIL_WEIGHTS) + 1),
        disability=rng.uniform(n) < 0.02,
        phone=pl.when(rng.uniform(n) < 0.85).then(phone),
    )
    women = int((~people["man"]).sum())
    single_women = int((~people["man"] & (people["size"] == 1)).sum())
    head_share = min(1.0, 0.08 * women / single_women) if single_women else 0.0
    people = people.with_columns(
        female_head=(~pl.col("man")) & (pl.col("size") == 1) & (rng.uniform(n) < head_share),
        name=_names(people, rng),
        birth_place=_birth_places(people, areas, rng),
    )
    return people


def _names(people: pl.DataFrame, rng: _Random) -> pl.Series:
    """Sasak names of 1-3 words: "Lalu"/"Baiq" (nobility), "Amaq"/"Inaq" (parent of…) in
    villages, haji titles for elders, rarely a degree."""
    n = people.height
    man, age = people["man"], people["age"]
    village = ~people["kelurahan"]
    words = rng.choose(n, (40, 54, 6)) + 1
    prefix_u, title_u = rng.uniform(n), rng.uniform(n)
    given_m = _gather(_MEN, rng.below(n, len(_MEN)))
    given_w = _gather(_WOMEN, rng.below(n, len(_WOMEN)))
    second_m = _gather(_MEN, rng.below(n, len(_MEN)))
    second_w = _gather(_WOMEN, rng.below(n, len(_WOMEN)))
    first_m = _gather([f for f, _ in _MEN_FIRST], rng.choose(n, [w for _, w in _MEN_FIRST]))
    first_w = _gather([f for f, _ in _WOMEN_FIRST], rng.choose(n, [w for _, w in _WOMEN_FIRST]))
    child = _gather(_MEN + _WOMEN, rng.below(n, len(_MEN) + len(_WOMEN)))
    frame = pl.DataFrame({"man": man, "age": age, "village": village, "words": words})
    frame = frame.with_columns(
        p=prefix_u,
        t=title_u,
        given=pl.when(man).then(given_m).otherwise(given_w),
        second=pl.when(man).then(second_m).otherwise(second_w),
        first=pl.when(man).then(first_m).otherwise(first_w),
        child=child,
    )

    def by_sex(man_word: str, woman_word: str) -> pl.Expr:
        return pl.when(pl.col("man")).then(pl.lit(man_word)).otherwise(pl.lit(woman_word))

    parent_of = pl.col("village") & (pl.col("p") < 0.04)
    noble = (pl.col("p") >= 0.04) & (pl.col("p") < 0.14)
    haji = (pl.col("age") >= 45) & (pl.col("t") < pl.when(pl.col("man")).then(0.12).otherwise(0.08))
    degree = pl.col("age").is_between(25, 55) & (pl.col("t") > 0.995) & ~parent_of
    written = pl.concat_str(
        pl.when(haji).then(by_sex("H.", "Hj.")),
        pl.when(noble).then(by_sex("Lalu", "Baiq")),
        pl.when(pl.col("words") >= 2).then(pl.col("first")),
        pl.col("given"),
        pl.when((pl.col("words") == 3) & ~noble).then(pl.col("second")),
        separator=" ",
        ignore_nulls=True,
    )
    name = (
        pl.when(parent_of)
        .then(pl.concat_str(by_sex("Amaq", "Inaq"), pl.col("child"), separator=" "))
        .when(degree)
        .then(pl.concat_str(written, pl.lit(", S.Pd")))
        .otherwise(written)
    )
    return frame.select(name.alias("name")).to_series()


def _birth_places(people: pl.DataFrame, areas: _Areas, rng: _Random) -> pl.Series:
    n = people.height
    kind = rng.choose(n, (45, 25, 15, 15))
    elsewhere = areas.elsewhere or [areas.name]
    return pl.select(
        pl.when(kind == 0)
        .then(_gather([d.name for d in areas.desa], people["desa"]))
        .when(kind == 1)
        .then(_gather([name for _c, name in areas.kecamatan], people["kecamatan"]))
        .when(kind == 2)
        .then(pl.lit(areas.name))
        .otherwise(_gather(elsewhere, rng.below(n, len(elsewhere))))
    ).to_series()


# --- faults ---------------------------------------------------------------------------------


class _Faults:
    """Which rows carry which fault: exact counts, drawn in a seeded order, one fault a row."""

    def __init__(self, rows: int, seed: int, shares: Mapping[str, float]) -> None:
        self.rows = rows
        self.shares = shares
        self.order = _Random(seed, "fault-order").uniform(rows).arg_sort()
        self.free = pl.Series([True] * rows)
        self.rows_of: dict[str, list[int]] = {}

    def assign(self, fault: str, eligible: pl.Series | None) -> list[int]:
        count = int(self.shares[fault] * self.rows + 0.5)
        mask = self.free if eligible is None else self.free & eligible
        chosen = self.order.filter(mask.gather(self.order)).head(count)
        self.free = self.free.scatter(chosen, False)
        self.rows_of[fault] = sorted(chosen.to_list())
        return self.rows_of[fault]

    def get(self, fault: str) -> list[int]:
        return self.rows_of.get(fault, [])

    def by_row(self) -> list[str | None]:
        fault_of: list[str | None] = [None] * self.rows
        for fault, rows in self.rows_of.items():
            for row in rows:
                fault_of[row] = fault
        return fault_of


def _with_nik(people: pl.DataFrame, areas: _Areas, faults: _Faults, seed: int) -> pl.DataFrame:
    """NIK and No. KK. A NIK is the kecamatan (6 digits), the birth date DDMMYY (women +40 on
    the day) and a serial from 0001 up among the file's NIKs of that kecamatan and date."""
    n = people.height
    rng = _Random(seed, "nik")
    kec_digits = pl.Series([int(code.replace(".", "")) for code, _ in areas.kecamatan])
    nik_kec = kec_digits.gather(people["kecamatan"])
    moved = faults.get("nik_other_region")
    if moved and areas.origins:
        origin = rng.choose(len(moved), [w for _c, _n, w in areas.origins])
        codes = pl.Series([int(c.replace(".", "")) for c, _n, _w in areas.origins]).gather(origin)
        places = _gather([name for _c, name, _w in areas.origins], origin)
        nik_kec = nik_kec.scatter(moved, codes)
        people = people.with_columns(birth_place=people["birth_place"].scatter(moved, places))
    young = faults.get("age_implausible")
    if young:
        first = (datetime.date(2021, 1, 1) - datetime.date(1970, 1, 1)).days
        days = (rng.below(len(young), 3 * 365) + first).cast(pl.Int32).cast(pl.Date)
        people = people.with_columns(birth_date=people["birth_date"].scatter(young, days))
    zero = pl.Series([False] * n).scatter(faults.get("nik_numeric_zero"), True)
    women = (~people["man"]).cast(pl.Int64) * 40 * 10**4  # 40 added to the day
    prefix = nik_kec * 10**6 + _ddmmyy(people["birth_date"]) + women
    serial = _serials(prefix, zero)
    households = people.select("household", "kecamatan", "kk_issued").unique("household")
    households = households.sort("household")
    first_issue = (datetime.date(2008, 1, 1) - datetime.date(1970, 1, 1)).days
    issued = (households["kk_issued"] + first_issue).cast(pl.Int32).cast(pl.Date)
    kk_prefix = kec_digits.gather(households["kecamatan"]) * 10**6 + _ddmmyy(issued)
    kk = households.select(
        "household", no_kk=(kk_prefix * 10**4 + _serials(kk_prefix, None)).cast(pl.String)
    )
    people = people.with_columns(nik=(prefix * 10**4 + serial).cast(pl.String))
    return people.join(kk, on="household", how="left", maintain_order="left")


def _ddmmyy(date: pl.Series) -> pl.Series:
    """The date as the number DDMMYY."""
    day, month = date.dt.day().cast(pl.Int64), date.dt.month().cast(pl.Int64)
    return day * 10**4 + month * 100 + date.dt.year().cast(pl.Int64) % 100


def _serials(prefix: pl.Series, zero: pl.Series | None) -> pl.Series:
    """0001, 0002… in file order among rows sharing a prefix. Rows flagged `zero` get serials
    ending in 0 above the others' (their NIK ends in 0 anyway: Excel loses nothing, but an
    importer cannot know)."""
    if zero is None:
        zero = pl.Series([False] * len(prefix))
    frame = pl.DataFrame({"prefix": prefix, "zero": zero})
    frame = frame.with_columns(rank=pl.int_range(pl.len()).over("prefix", "zero"))
    normal_top = pl.when(~pl.col("zero")).then(pl.col("rank") + 1).otherwise(0).max().over("prefix")
    serial = frame.select(
        pl.when(pl.col("zero"))
        .then((normal_top // 10 + 1 + pl.col("rank")) * 10)
        .otherwise(pl.col("rank") + 1)
    ).to_series()
    if len(serial) and (serial > 9999).any():
        raise SynthError(_("More than 9999 workers share a kecamatan and birth date."))
    return serial.cast(pl.Int64)


def _text_columns(people: pl.DataFrame, areas: _Areas) -> pl.DataFrame:
    """COLUMNS as strings, as a clean file writes them."""
    yes_no = {True: "Ya", False: "Tidak"}
    dusun = [
        f"Dusun {_DUSUN_FIRST[(i * 7 + j * 5) % len(_DUSUN_FIRST)]} "
        f"{_DUSUN_SECOND[(i * 11 + j * 3) % len(_DUSUN_SECOND)]}"
        for i in range(len(areas.desa))
        for j in range(_DUSUN_PER_DESA)
    ]
    labels = [OCCUPATION_LABELS[o] for o in _OCCUPATIONS]
    rt = pl.col("rt").cast(pl.String).str.zfill(3)
    return people.select(
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("No"),
        pl.col("nik").alias("NIK"),
        pl.col("no_kk").alias("No KK"),
        pl.col("name").alias("Nama Lengkap"),
        pl.when(pl.col("man")).then(pl.lit("L")).otherwise(pl.lit("P")).alias("Jenis Kelamin"),
        pl.col("birth_place").alias("Tempat Lahir"),
        pl.col("birth_date").dt.strftime("%d-%m-%Y").alias("Tanggal Lahir"),
        pl.concat_str(
            _gather(dusun, people["desa"] * _DUSUN_PER_DESA + people["dusun"]),
            pl.when(pl.col("rt") <= 5).then(pl.format(", RT {}", rt)),
            ignore_nulls=True,
        ).alias("Alamat"),
        _gather([d.name for d in areas.desa], people["desa"]).alias("Desa/Kelurahan"),
        _gather([name for _c, name in areas.kecamatan], people["kecamatan"]).alias("Kecamatan"),
        _gather(labels, people["occupation"]).alias("Pekerjaan"),
        pl.col("income").cast(pl.String).alias("Penghasilan"),
        pl.col("phone").alias("No HP"),
        pl.col("desil").cast(pl.String).alias("Desil"),
        pl.col("disability").replace_strict(yes_no, return_dtype=pl.String).alias("Disabilitas"),
        pl.col("female_head")
        .replace_strict(yes_no, return_dtype=pl.String)
        .alias("Perempuan Kepala Keluarga"),
    )  # fmt: skip


_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip


def _make_messy(
    frame: pl.DataFrame, people: pl.DataFrame, areas: _Areas, faults: _Faults, seed: int
) -> tuple[pl.DataFrame, dict[int, int]]:
    """Assign the remaining faults and write them into the text columns. Returns the frame and
    row → NIK of the Excel-number faults."""
    rng = _Random(seed, "messy")
    nik_text = frame["NIK"]
    year = people["birth_date"].dt.year()
    age = REFERENCE_DATE.year - year
    has_space = frame["Nama Lengkap"].str.contains(" ")
    has_income = frame["Penghasilan"].is_not_null()
    ends_in_zero = nik_text.str.ends_with("0")
    eligible: dict[str, pl.Series | None] = {
        "nik_numeric": ~ends_in_zero,
        "dob_missing": year.is_between(1940, 1999),
        "dob_nik_mismatch": age.is_between(20, 65),
        "name_double_space": has_space,
        "desa_misspelt": people["desa"].is_in(list(areas.misspelt)),
        "desa_unknown": pl.Series([bool(areas.unknown)] * frame.height),
        "desa_outside": pl.Series([bool(areas.outside)] * frame.height),
        "wilayah_prefixed": people["desa"].is_in(sorted(areas.prefixed)),
        "income_other_format": has_income,
    }
    for fault in MESSY_FAULTS:
        if fault not in faults.rows_of and fault != "duplicate_row":
            faults.assign(fault, eligible.get(fault))

    edits = _Edits(frame)
    dates, desa_index = people["birth_date"], people["desa"]
    numeric: dict[int, int] = {}
    for row in faults.get("nik_numeric_zero") + faults.get("nik_numeric"):
        numeric[row] = int(edits.get("NIK", row) or 0)
        edits.set("NIK", row, f"{numeric[row]:.5E}".replace(".", ","))
    for row in faults.get("nik_formatted"):
        text = edits.get("NIK", row) or ""
        styles = (
            f"{text[:4]} {text[4:8]} {text[8:12]} {text[12:]}",
            f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:12]}.{text[12:]}",
            f"{text[:6]}-{text[6:12]}-{text[12:]}",
            f"'{text}",
        )
        edits.set("NIK", row, rng.pick(styles))
    for row in faults.get("nik_wrong_length"):
        text = edits.get("NIK", row) or ""
        edits.set("NIK", row, text[:15] if rng.random() < 0.5 else text + text[-1])
    for row in faults.get("nik_bad_date"):
        text = edits.get("NIK", row) or ""
        edits.set("NIK", row, text[:8] + "13" + text[10:])
    for row in faults.get("nik_serial_zero"):
        edits.set("NIK", row, (edits.get("NIK", row) or "")[:12] + "0000")
    for row in faults.get("nik_missing"):
        edits.set("NIK", row, None)
    for row in faults.get("name_missing"):
        edits.set("Nama Lengkap", row, None)
    for row in faults.get("name_upper"):
        edits.set("Nama Lengkap", row, (edits.get("Nama Lengkap", row) or "").upper())
    for row in faults.get("name_double_space"):
        name = edits.get("Nama Lengkap", row) or ""
        edits.set("Nama Lengkap", row, name.replace(" ", "  ", 1))
    for row in faults.get("dob_unreadable"):
        year = dates[row].year
        edits.set("Tanggal Lahir", row, rng.pick([f"31-02-{year}", f"30-02-{year}", "tgl ?"]))
    for row in faults.get("dob_missing"):
        edits.set("Tanggal Lahir", row, None)
    for row in faults.get("dob_other_format"):
        born = dates[row]
        written = (f"{born.day} {_MONTHS[born.month - 1]} {born.year}", f"{born:%d/%m/%Y}")
        edits.set("Tanggal Lahir", row, rng.pick(written))
    for row in faults.get("dob_nik_mismatch"):
        shift = 1 + int(rng.random() * 700)
        moved = dates[row] + datetime.timedelta(days=shift if rng.random() < 0.5 else -shift)
        edits.set("Tanggal Lahir", row, f"{moved:%d-%m-%Y}")
    for row in faults.get("sex_missing"):
        edits.set("Jenis Kelamin", row, None)
    for row in faults.get("sex_nik_mismatch"):
        edits.set("Jenis Kelamin", row, "P" if edits.get("Jenis Kelamin", row) == "L" else "L")
    for row in faults.get("desa_misspelt"):
        edits.set("Desa/Kelurahan", row, rng.pick(areas.misspelt[desa_index[row]]))
    for row in faults.get("desa_unknown"):
        edits.set("Desa/Kelurahan", row, rng.pick(areas.unknown))
    for row in faults.get("desa_outside"):
        kecamatan, desa = areas.outside[int(rng.random() * len(areas.outside))]
        edits.set("Kecamatan", row, kecamatan)
        edits.set("Desa/Kelurahan", row, desa)
    for row in faults.get("wilayah_prefixed"):
        place = areas.desa[desa_index[row]]
        prefix = "KEL." if place.kelurahan else "DESA"
        edits.set("Desa/Kelurahan", row, f"{prefix} {place.name}".upper())
        edits.set("Kecamatan", row, f"KEC. {place.kecamatan_name}".upper())
    for row in faults.get("income_unreadable"):
        edits.set(
            "Penghasilan", row, rng.pick(["sekitar sejuta", "tergantung panen", "tidak menentu"])
        )
    for row in faults.get("income_other_format"):
        amount = int(edits.get("Penghasilan", row) or 0)
        edits.set("Penghasilan", row, _income_text(amount, rng.random()))
    frame = edits.apply()
    return _duplicate_rows(frame, faults, seed), numeric


class _Edits:
    """Changes to cells of the faulty rows, applied to the frame in one go."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.changes: dict[str, dict[int, str | None]] = {}

    def get(self, column: str, row: int) -> str | None:
        changed = self.changes.get(column, {})
        return changed[row] if row in changed else self.frame[column][row]

    def set(self, column: str, row: int, value: str | None) -> None:
        self.changes.setdefault(column, {})[row] = value

    def apply(self) -> pl.DataFrame:
        return self.frame.with_columns(
            self.frame[column].scatter(
                list(cells), pl.Series(list(cells.values()), dtype=pl.String)
            )
            for column, cells in self.changes.items()
        )


def _income_text(amount: int, u: float) -> str:
    dotted = f"{amount:,}".replace(",", ".")
    if u < 0.4:
        return f"Rp {dotted}"
    if u < 0.7 or amount < 1_000_000:
        return dotted
    millions = Decimal(amount) / Decimal(1_000_000)
    return f"{millions.normalize():f}".replace(".", ",") + " jt"


def _duplicate_rows(frame: pl.DataFrame, faults: _Faults, seed: int) -> pl.DataFrame:
    """Rows that repeat an earlier fault-free row (same NIK), as lists merged by hand do."""
    fault_of = faults.by_row()
    clean = [row for row, fault in enumerate(fault_of) if fault is None]
    eligible = pl.Series([bool(clean) and row > clean[0] for row in range(frame.height)])
    duplicates = faults.assign("duplicate_row", eligible)
    if not duplicates:
        return frame
    rng = _Random(seed, "duplicates")
    taken = set(duplicates)
    clean = [row for row in clean if row not in taken]
    source = list(range(frame.height))
    for row in duplicates:
        before = bisect.bisect_left(clean, row)
        source[row] = clean[int(rng.random() * before)]
    return frame.select(pl.exclude("No").gather(source)).insert_column(0, frame["No"])


def _layout(
    frame: pl.DataFrame, rows: int, seed: int, *, messy: bool
) -> tuple[pl.DataFrame, list[int], int]:
    """The frame as the file has it: with `messy`, blank rows between data rows and a blank row
    and a "JUMLAH" footer at the end. Returns it, each data row's position and the count of
    skipped rows."""
    if not messy:
        return frame, list(range(rows)), 0
    rng = _Random(seed, "layout")
    blanks = sorted(
        1 + int(rng.random() * max(rows - 1, 1)) for _blank in range(max(1, rows // 2500))
    )
    source: list[int | None] = []
    positions: list[int] = []
    blank_iter = iter([*blanks, rows + 1])
    next_blank = next(blank_iter)
    for row in range(rows):
        while row == next_blank:
            source.append(None)
            next_blank = next(blank_iter)
        positions.append(len(source))
        source.append(row)
    source.extend([None, None])
    index = pl.Series(source, dtype=pl.UInt32)
    laid_out = frame.select(pl.all().gather(index))
    footer = laid_out.height - 1
    is_footer = pl.int_range(pl.len()) == footer
    laid_out = laid_out.with_columns(
        pl.when(is_footer).then(pl.lit("JUMLAH")).otherwise(pl.col("No")).alias("No")
    )
    return laid_out, positions, len(source) - rows


# --- XLSX -----------------------------------------------------------------------------------

_WIDTHS = (7, 19, 19, 28, 6, 16, 12, 26, 20, 16, 20, 12, 15, 6, 10, 12)
_NUMBER_COLUMNS = frozenset({0, 11, 13})  # No, Penghasilan, Desil: number cells when digits


def _write_xlsx(synthetic: Synthetic, path: Path) -> None:
    """One sheet in xlsxwriter's constant-memory mode: a title row, a blank row, the header,
    then the rows. NIK, No KK, No HP and dates are text cells; No, income and desil numbers."""
    frame = synthetic.frame
    first = FIRST_ROW[".xlsx"] - 1  # 0-based
    if first + frame.height > XLSX_MAX_ROWS:
        raise SynthError(
            _("An XLSX sheet holds at most %(count)s rows.")
            % {"count": format_number(XLSX_MAX_ROWS - first)}
        )
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Data Pekerja")
    bold = workbook.add_format({"bold": True})
    for column, width in enumerate(_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, synthetic.title, bold)
    for column, header in enumerate(COLUMNS):
        sheet.write_string(first - 1, column, header, bold)
    write_string, write_number = sheet.write_string, sheet.write_number
    numbers, numeric = _NUMBER_COLUMNS, synthetic.numeric_niks
    for position, values in enumerate(frame.iter_rows()):
        row = first + position
        for column, value in enumerate(values):
            if value is None:
                continue
            if column in numbers and value.isdigit():
                write_number(row, column, int(value))
            elif column == 1 and position in numeric:
                write_number(row, column, numeric[position])
            else:
                write_string(row, column, value)
    workbook.close()

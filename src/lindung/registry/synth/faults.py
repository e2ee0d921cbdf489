"""The faults of a messy list: their shares and the row codes an import gives them, which rows
carry which, and how each is written into the cells."""

import bisect
import datetime
from collections.abc import Mapping
from decimal import Decimal

import polars as pl

from lindung.registry.pipeline.codes import RowError, RowWarning
from lindung.registry.synth.people import REFERENCE_DATE
from lindung.registry.synth.places import Areas
from lindung.registry.synth.randomness import Seed, SeededRandom

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
CSV_CODES = {
    "nik_numeric_zero": ((_E.NIK_EXCEL_PRECISION.value,), ()),
    "nik_numeric": ((_E.NIK_EXCEL_PRECISION.value,), ()),
}


def fault_codes(fault: str | None, suffix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if fault is None:
        return (), ()
    if suffix == ".csv" and fault in CSV_CODES:
        return CSV_CODES[fault]
    _share, errors, warnings = _FAULTS[fault]
    return tuple(str(e) for e in errors), tuple(str(w) for w in warnings)


class Faults:
    """Which rows carry which fault: exact counts, drawn in a seeded order, one fault a row."""

    def __init__(self, rows: int, seed: Seed, shares: Mapping[str, float]) -> None:
        self.rows = rows
        self.shares = shares
        self.order = SeededRandom(seed, "fault-order").uniform(rows).arg_sort()
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


_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip


def make_messy(
    frame: pl.DataFrame, people: pl.DataFrame, areas: Areas, faults: Faults, seed: Seed
) -> tuple[pl.DataFrame, dict[int, int]]:
    """Assign the remaining faults and write them into the text columns. Returns the frame and
    row → NIK of the Excel-number faults."""
    rng = SeededRandom(seed, "messy")
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


def _duplicate_rows(frame: pl.DataFrame, faults: Faults, seed: Seed) -> pl.DataFrame:
    """Rows that repeat an earlier fault-free row (same NIK), as lists merged by hand do."""
    fault_of = faults.by_row()
    clean = [row for row, fault in enumerate(fault_of) if fault is None]
    eligible = pl.Series([bool(clean) and row > clean[0] for row in range(frame.height)])
    duplicates = faults.assign("duplicate_row", eligible)
    if not duplicates:
        return frame
    rng = SeededRandom(seed, "duplicates")
    taken = set(duplicates)
    clean = [row for row in clean if row not in taken]
    source = list(range(frame.height))
    for row in duplicates:
        before = bisect.bisect_left(clean, row)
        source[row] = clean[int(rng.random() * before)]
    return frame.select(pl.exclude("No").gather(source)).insert_column(0, frame["No"])

"""A generated list (`Synthetic`, its manifest), `generate` and `write`."""

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import polars as pl
from django.utils.translation import gettext as _

from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.faults import CSV_CODES, MESSY_FAULTS, Faults, fault_codes, make_messy
from lindung.registry.synth.layout import FIRST_ROW, check_suffix, lay_out, write_xlsx
from lindung.registry.synth.nik import with_nik
from lindung.registry.synth.people import make_people, text_columns
from lindung.registry.synth.places import Areas
from lindung.registry.synth.randomness import Seed


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
        codes = {fault: fault_codes(fault, ".xlsx") for fault in CSV_CODES}
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
    areas = Areas.load(kabupaten, messy=messy)
    made = make_list(rows, areas, seed, messy=messy, shares=shares)
    first = FIRST_ROW[".csv"]
    fault_of = made.faults.by_row()
    codes = {fault: fault_codes(fault, ".csv") for fault in set(fault_of)}
    manifest = [
        ManifestRow(position + first, fault, *codes[fault])
        for position, fault in zip(made.positions, fault_of, strict=True)
    ]
    return Synthetic(
        frame=made.frame,
        manifest=manifest,
        skipped_rows=made.skipped,
        kabupaten=kabupaten,
        title=f"DAFTAR PEKERJA BUKAN PENERIMA UPAH {areas.title}",
        seed=seed,
        messy=messy,
        numeric_niks=made.numeric_niks,
    )


class MadeList(NamedTuple):
    frame: pl.DataFrame  # as `Synthetic.frame`
    faults: Faults
    positions: list[int]  # each data row's position in the frame
    skipped: int  # blank rows and the footer
    numeric_niks: dict[int, int]  # as `Synthetic.numeric_niks`


def nik_faults(
    rows: int, seed: Seed, *, messy: bool, shares: Mapping[str, float] | None = None
) -> Faults:
    """The faults that the NIKs are built with, assigned first (the others come after)."""
    faults = Faults(rows, seed, {**MESSY_FAULTS, **(shares or {})})
    faults.assign("nik_other_region", None)
    if messy:
        faults.assign("age_implausible", None)
        faults.assign("nik_numeric_zero", None)
    return faults


def make_list(
    rows: int,
    areas: Areas,
    seed: Seed,
    *,
    messy: bool,
    shares: Mapping[str, float] | None = None,
    moved_serials: pl.Series | None = None,
) -> MadeList:
    """The list of one kabupaten: people, NIKs, text columns, faults and layout.
    `moved_serials`: see `nik.with_nik`."""
    people = make_people(rows, areas, seed)
    faults = nik_faults(rows, seed, messy=messy, shares=shares)
    people = with_nik(people, areas, faults, seed, moved_serials=moved_serials)
    frame = text_columns(people, areas)
    numeric: dict[int, int] = {}
    if messy:
        frame, numeric = make_messy(frame, people, areas, faults, seed)
    del people
    frame, positions, skipped = lay_out(frame, rows, seed, messy=messy)
    return MadeList(
        frame, faults, positions, skipped, {positions[row]: nik for row, nik in numeric.items()}
    )


def write(synthetic: Synthetic, path: Path) -> list[ManifestRow]:
    """Write the list as CSV (";"-separated UTF-8) or XLSX, by the suffix; return the manifest
    of that file."""
    suffix = check_suffix(path.suffix)
    if suffix == ".csv":
        synthetic.frame.write_csv(path, separator=";", null_value="", line_terminator="\n")
    else:
        write_xlsx(
            path, synthetic.frame, title=synthetic.title, numeric_niks=synthetic.numeric_niks
        )
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

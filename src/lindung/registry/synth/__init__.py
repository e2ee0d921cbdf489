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

A whole province (`lindung synth --province 52`): `province.plan_province` and
`province.write_province`, the workers of every kabupaten/kota in proportion to its population,
NIKs unique across the province, one file or one per kabupaten/kota, one kabupaten in memory at
a time.

Modules: `synthetic` (the API below), `randomness` (seeded draws), `places` (where the workers
live), `people` (who they are, as columns), `regional` (the names and trades of each
kabupaten/kota of NTB, for province files), `nik` (NIK and No. KK), `faults` (which rows carry
which fault, and how it is written), `layout` (columns, blank rows, footer, the XLSX sheet),
`province` (a province's lists).
"""

from lindung.registry.synth.errors import SynthError
from lindung.registry.synth.faults import MESSY_FAULTS, OTHER_REGION_SHARE
from lindung.registry.synth.layout import (
    COLUMNS,
    FIRST_ROW,
    SUFFIXES,
    XLSX_MAX_ROWS,
    check_suffix,
)
from lindung.registry.synth.people import OCCUPATION_LABELS, REFERENCE_DATE
from lindung.registry.synth.randomness import splitmix64
from lindung.registry.synth.synthetic import (
    ManifestRow,
    Synthetic,
    generate,
    write,
    write_manifest,
)

__all__ = [
    "COLUMNS",
    "FIRST_ROW",
    "MESSY_FAULTS",
    "OCCUPATION_LABELS",
    "OTHER_REGION_SHARE",
    "REFERENCE_DATE",
    "SUFFIXES",
    "XLSX_MAX_ROWS",
    "ManifestRow",
    "SynthError",
    "Synthetic",
    "check_suffix",
    "generate",
    "splitmix64",
    "write",
    "write_manifest",
]

"""Time writing the lampiran SK Bupati as PDF for 75.000 workers (landscape A4, ~2.000 pages).

    uv run python bench/lampiran_pdf.py [rows]

Synthetic rows streamed from a generator (as a query iterator would stream them): 16-digit NIK,
names of 2-5 words, 21 kecamatan, 250 desa, 12 occupations, 2 funding sources; then totals per
source and per kecamatan. Prints the seconds, the pages, the file size and the peak resident
memory of the process (ru_maxrss, start-up included).
"""

import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()

import reportlab  # noqa: E402

from lindung.pdf import FONT_SIZE, REGULAR, Rupiah  # noqa: E402
from lindung.targeting.pdf import write_list_pdf  # noqa: E402

SEED = 20240528
WORDS = [
    "Ahmad",
    "Baiq",
    "Lalu",
    "Muhammad",
    "Siti",
    "Nurul",
    "Hasan",
    "Rahmawati",
    "Zainudin",
    "Saparudin",
    "Hj.",
    "Inaq",
]
OCCUPATIONS = [f"Pekerjaan {i}" for i in range(12)]
KECAMATAN = [f"Kecamatan {i:02d}" for i in range(21)]
DESA = [f"Desa Nomor {i:03d}" for i in range(250)]
HEADER = ["No", "NIK", "Nama", "L/P", "Tanggal lahir", "Pekerjaan", "Desa", "Kecamatan", "Sumber"]


def _rows(n: int) -> Iterator[list[str | int]]:
    rng = random.Random(SEED)
    for i in range(1, n + 1):
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        yield [
            i,
            f"5203{rng.randrange(10**12):012d}",
            name,
            rng.choice("LP"),
            f"{rng.randint(1, 28)} Mei {rng.randint(1960, 2005)}",
            rng.choice(OCCUPATIONS),
            rng.choice(DESA),
            rng.choice(KECAMATAN),
            rng.choice(["APBD", "DBHCHT"]),
        ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 75_000
    per = [[k, n // 21, Rupiah(n // 21 * 201_600)] for k in KECAMATAN]
    totals: list[tuple[str, list[str], list[list[str | int]]]] = [
        ("Per sumber dana", ["Sumber dana", "Pekerja", "Iuran"], [["Jumlah", n, Rupiah(0)]]),
        ("Per kecamatan", ["Kecamatan", "Pekerja", "Iuran"], [*per, ["Jumlah", n, Rupiah(0)]]),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lampiran.pdf"
        started = time.perf_counter()
        written = write_list_pdf(
            path,
            title="Lampiran Keputusan Bupati Lombok Timur Nomor 100/2027",
            subtitle_lines=["Daftar penerima versi 1", "Tahun anggaran 2027"],
            header=HEADER,
            rows=_rows(n),
            totals=totals,
            signature=["Bupati Lombok Timur", "", "", "(nama)"],
        )
        seconds = time.perf_counter() - started
        size = path.stat().st_size
        pages = path.read_bytes().count(b"/Type /Page\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{platform.processor() or platform.machine()}, reportlab {reportlab.Version}, "
          f"font {REGULAR} {FONT_SIZE:g} pt")  # fmt: skip
    print(f"lampiran PDF  {written:>9,} rows  {seconds:>6.1f} s  {pages:,} pages  "
          f"{size / 2**20:.1f} MiB  peak RSS {peak:,.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()

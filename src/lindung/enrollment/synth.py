"""A synthetic branch: the answer a BPJS TK branch office might send back for a batch file.

    counts = fake_answer(Path("pendaftaran.xlsx"), Path("jawaban.xlsx"), seed=1)

Realistic faults, each in a known share of the rows (seeded, the same file each time):
- the branch's own headers ("No. Peserta" or "Nomor KPJ", "Keterangan", "TMT" or "Tgl
  Efektif"), two title rows above the header, KPJ stored as numbers;
- REJECTED_SHARE rows rejected with a reason (data not matching Dukcapil, …);
- ALREADY_ACTIVE_SHARE rows already active elsewhere (self-paying, a wage worker), with that KPJ;
- one NIK typed wrong (the branch's typo: the row answers nobody in the batch).
A renewal keeps the KPJ the batch sent.

`lindung synth bpjs-response BATCH_FILE --out ANSWER.xlsx [--seed S]` (registered with the
registry's `synth` command).
"""

import datetime
import random
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung import sheets, xlsx
from lindung.formats import format_number
from lindung.registry.pipeline.values import parse_date

REJECTED_SHARE = 0.03
ALREADY_ACTIVE_SHARE = 0.02
REJECTIONS = (
    "Data tidak sesuai Dukcapil",
    "NIK tidak valid di Dukcapil",
    "NIK terdaftar di kabupaten lain",
    "Nama tidak sesuai KTP",
)
ACTIVE = (
    "Sudah terdaftar aktif (peserta mandiri)",
    "Sudah terdaftar aktif sebagai penerima upah",
)
BATCH = sheets.Table(
    aliases={
        "nik": "NIK",
        "kpj": "KPJ",
        "name": "Nama Lengkap | Nama",
        "start": "Tanggal Mulai | TMT",
    },
    required=("nik",),
    identifiers=("nik", "kpj"),
)


def _kpj(rng: random.Random) -> str:
    return str(rng.randint(10_000_000_000, 99_999_999_999))


def fake_answer(batch_file: Path, out: Path, *, seed: int = 1) -> dict[str, int]:
    """Write the branch's answer to `batch_file` as `out` (.xlsx). Returns the counts per
    outcome: registered, rejected, already_active, typo."""
    if out.suffix.lower() != ".xlsx":
        raise CommandError(_("The answer is written as .xlsx."))
    try:
        frame = sheets.read_table(batch_file, BATCH).frame
    except sheets.ReadError as error:
        raise CommandError(error.message) from error
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    starts = parse_date(frame.get_column("start").fill_null("")).get_column("date")
    rows: list[dict[str, Any]] = []
    counts = {"registered": 0, "rejected": 0, "already_active": 0, "typo": 0}
    used: set[str] = set()
    typo_at = rng.randrange(frame.height) if frame.height >= 20 else -1
    sent = set(frame.get_column("nik").drop_nulls().to_list())
    for index, (nik, known, name, start) in enumerate(
        zip(
            frame.get_column("nik").to_list(),
            frame.get_column("kpj").to_list(),
            frame.get_column("name").to_list(),
            starts.to_list(),
            strict=True,
        )
    ):
        draw = rng.random()
        kpj = known or _kpj(rng)
        while kpj in used:
            kpj = _kpj(rng)
        used.add(kpj)
        row: dict[str, Any] = {"nik": nik, "name": name, "kpj": None, "status": "", "note": ""}
        # one digit of the serial typed wrong, never into another worker's NIK of the batch
        # (none when every variant is taken, as in a batch of consecutive NIKs)
        typo = (
            next(
                (
                    nik[:-1] + str((int(nik[-1]) + step) % 10)
                    for step in range(1, 10)
                    if nik[:-1] + str((int(nik[-1]) + step) % 10) not in sent
                ),
                None,
            )
            if index == typo_at and nik
            else None
        )
        if typo is not None:
            row.update(nik=typo, kpj=int(kpj), status="Berhasil", tmt=start)
            counts["typo"] += 1
        elif draw < REJECTED_SHARE:
            row.update(status="Ditolak", note=rng.choice(REJECTIONS))
            counts["rejected"] += 1
        elif draw < REJECTED_SHARE + ALREADY_ACTIVE_SHARE:
            row.update(kpj=int(kpj), status="Gagal", note=rng.choice(ACTIVE))
            counts["already_active"] += 1
        else:
            row.update(kpj=int(kpj), status="Berhasil", note="Terdaftar", tmt=start)
            counts["registered"] += 1
        rows.append(row)
    kpj_header = rng.choice(("No. Peserta", "Nomor KPJ", "KPJ"))
    date_header = rng.choice(("TMT", "Tgl Efektif"))
    with xlsx.Workbook(out) as book:
        book.properties(title="Hasil pendaftaran peserta BPU", author="BPJS Ketenagakerjaan")
        sheet = book.sheet("Hasil")
        sheet.text(0, 0, "DAFTAR HASIL PENDAFTARAN PESERTA BUKAN PENERIMA UPAH", book.bold)
        sheet.text(1, 0, f"Dicetak {datetime.date(2026, 12, 1):%d-%m-%Y}")
        sheet.header(
            3,
            [
                xlsx.Column("No", xlsx.Kind.INTEGER, 6),
                xlsx.Column(kpj_header, xlsx.Kind.INTEGER, 14),
                xlsx.Column("NIK", width=19),
                xlsx.Column("Nama Tenaga Kerja", width=28),
                xlsx.Column("Status", width=10),
                xlsx.Column("Keterangan", width=40),
                xlsx.Column(date_header, xlsx.Kind.DATE, 12),
            ],
        )
        for number, row in enumerate(rows, start=1):
            sheet.row(
                3 + number,
                [number, row["kpj"], row["nik"], row["name"], row["status"], row["note"],
                 row.get("tmt")],
            )  # fmt: skip
    return counts


class BpjsResponseCommand(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Write the answer a BPJS branch might send for a registration batch file, with "
            "realistic faults."
        )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("batch_file", type=Path, metavar="BATCH_FILE")
        parser.add_argument("--out", type=Path, required=True, metavar="ANSWER.xlsx")
        parser.add_argument("--seed", type=int, default=1, metavar="S")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        counts = fake_answer(options["batch_file"], options["out"], seed=options["seed"])
        self.stdout.write(
            _(
                "%(file)s: %(registered)s registered, %(rejected)s rejected, %(active)s already "
                "active, %(typo)s NIK typo, in %(seconds)s s."
            )
            % {
                "file": options["out"].name,
                "registered": format_number(counts["registered"]),
                "rejected": format_number(counts["rejected"]),
                "active": format_number(counts["already_active"]),
                "typo": format_number(counts["typo"]),
                "seconds": format_number(time.perf_counter() - started, 1),
            }
        )

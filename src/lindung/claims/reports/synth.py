"""A synthetic BPJS claim report of the current data: what a branch office might send after
paying claims, with one row of each other kind.

    counts = write_report(Path("klaim.xlsx"), on=date(2027, 7, 1), seed=1)

One row per claim Lindung submitted to BPJS (DIAJUKAN) and did not hear back on: paid a few
days after its submission (never after `on`) with the amount the rules give (Rp1.000.000 when
there is none). Then, with `extras`:
- `new`: a claim for a registered participant with no claim recorded (medical care after a
  work accident a month before `on`), when there is one;
- `unmatched`: a worker Lindung does not know (a KPJ and a valid NIK of nobody);
- `bad_date`: a row whose event date is not a date ("31-02-<year>").
The branch's own headers (drawn by the seed), two title rows, KPJ stored as numbers, dates as
date cells or as Indonesian text ("3 Mei 2027"), amounts as numbers or as text ("2.500.000").
The same data and seed give the same file.

`lindung synth bpjs-claims --out KLAIM.xlsx [--on D] [--seed S]` (`BpjsClaimsCommand`,
registered with the registry's `synth` command).
"""

import datetime
import random
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lindung import xlsx
from lindung.claims.models import Claim, ClaimKind, ClaimState
from lindung.enrollment.models import Participation, State
from lindung.formats import format_number, month_name

HEADERS = {
    "kpj": ("No. KPJ", "KPJ", "Nomor Peserta"),
    "nik": ("NIK", "No. KTP", "NIK Peserta"),
    "name": ("Nama Peserta", "Nama Tenaga Kerja", "Nama"),
    "type": ("Jenis Klaim", "Program", "Jenis Manfaat"),
    "event_date": ("Tanggal Kejadian", "Tgl Kejadian", "Tanggal Kasus"),
    "paid_on": ("Tanggal Bayar", "Tgl Pembayaran", "Tanggal Transfer"),
    "amount": ("Jumlah Dibayar", "Nominal", "Jumlah Manfaat"),
    "bpjs_number": ("No. Klaim", "Nomor Kasus", "No. Penetapan"),
}
# How the branch names each benefit (all read by `check.parse_kind`).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    ClaimKind.JKM: ("JKM", "Jaminan Kematian", "JKM - Meninggal Dunia"),
    ClaimKind.JKK_DEATH: ("JKK Meninggal", "JKK - Meninggal Dunia"),
    ClaimKind.JKK_DISABILITY: ("JKK Cacat", "Cacat Tetap Sebagian"),
    ClaimKind.STMB: ("STMB", "JKK STMB"),
    ClaimKind.JKK_MEDICAL: ("Perawatan", "JKK Pengobatan", "Biaya Perawatan dan Pengobatan"),
}
FALLBACK_AMOUNT = 1_000_000
EXTRAS = ("new", "unmatched", "bad_date")


def _paid_day(claim: Claim, on: datetime.date, rng: random.Random) -> datetime.date:
    start = claim.submitted_on or claim.event.occurred_on
    return min(on, max(start, claim.event.occurred_on) + datetime.timedelta(rng.randint(2, 10)))


def _row(
    *,
    kpj: str,
    nik: str,
    name: str,
    kind: str,
    event: datetime.date,
    paid: datetime.date,
    amount: int,
    number: str,
    rng: random.Random,
) -> dict[str, Any]:
    return {
        "kpj": int(kpj) if kpj.isdigit() else kpj,
        "nik": nik,
        "name": name,
        "type": rng.choice(TYPE_WORDS[kind]),
        "event_date": event,
        "paid_on": paid,
        "amount": amount,
        "bpjs_number": number,
    }


def _kpj_of(worker_id: int) -> tuple[str, str, str]:
    participation = (
        Participation.objects.filter(worker_id=worker_id)
        .exclude(kpj="")
        .order_by("-fiscal_year", "-pk")
        .first()
    )
    if participation is None:
        return "", "", ""
    return participation.kpj, participation.nik, participation.name


def write_report(
    path: Path, *, on: datetime.date, extras: bool = True, seed: int = 1
) -> dict[str, int]:
    """Write the report as `path` (.xlsx); returns the rows of each kind and in all (`rows`)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    counts = {"rows": 0, "paid": 0, **dict.fromkeys(EXTRAS, 0)}
    rows: list[dict[str, Any]] = []
    submitted = Claim.objects.filter(state=ClaimState.DIAJUKAN).select_related("event")
    for claim in submitted.order_by("pk"):
        kpj, nik, name = _kpj_of(claim.worker_id)
        if not (kpj or nik):
            continue
        rows.append(
            _row(
                kpj=kpj,
                nik=nik,
                name=name,
                kind=claim.kind,
                event=claim.event.occurred_on,
                paid=_paid_day(claim, on, rng),
                amount=claim.expected_amount or FALLBACK_AMOUNT,
                number=f"KLM/{on.year}/{rng.randint(10000, 99999)}",
                rng=rng,
            )
        )
        counts["paid"] += 1
    if extras:
        with_claims = Claim.objects.values_list("worker_id", flat=True)
        newcomer = (
            Participation.objects.filter(state=State.TERDAFTAR, effective_from__lte=on)
            .exclude(kpj="")
            .exclude(worker_id__in=with_claims)
            .order_by("pk")
            .first()
        )
        if newcomer is not None:
            event = max(newcomer.effective_from or on, on - datetime.timedelta(days=30))
            rows.append(
                _row(
                    kpj=newcomer.kpj,
                    nik=newcomer.nik,
                    name=newcomer.name,
                    kind=ClaimKind.JKK_MEDICAL,
                    event=event,
                    paid=min(on, event + datetime.timedelta(days=14)),
                    amount=rng.randrange(500_000, 5_000_000, 50_000),
                    number=f"KLM/{on.year}/{rng.randint(10000, 99999)}",
                    rng=rng,
                )
            )
            counts["new"] += 1
        rows.append(
            _row(
                kpj=str(rng.randint(90_000_000_000, 99_999_999_999)),
                nik=_nik(rng),
                name="Baiq Nurhayati",
                kind=ClaimKind.JKM,
                event=on - datetime.timedelta(days=40),
                paid=on - datetime.timedelta(days=10),
                amount=42_000_000,
                number=f"KLM/{on.year}/{rng.randint(10000, 99999)}",
                rng=rng,
            )
        )
        counts["unmatched"] += 1
        bad = _row(
            kpj=str(rng.randint(90_000_000_000, 99_999_999_999)),
            nik="",
            name="Lalu Ahmad",
            kind=ClaimKind.STMB,
            event=on,
            paid=on,
            amount=1_200_000,
            number="",
            rng=rng,
        )
        bad["event_date"] = f"31-02-{on.year}"
        rows.append(bad)
        counts["bad_date"] += 1
    rng.shuffle(rows)
    _write(path, rows, rng, on)
    counts["rows"] = len(rows)
    return counts


def _nik(rng: random.Random) -> str:
    """A valid NIK of a man born in 1985 in Kecamatan 52.03.05."""
    day, month, serial = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1, 9999)
    return f"520305{day:02d}{month:02d}85{serial:04d}"


def _indonesian(day: datetime.date) -> str:
    with translation.override("id"):
        return f"{day.day} {month_name(day.month)} {day.year}"


def _write(path: Path, rows: list[dict[str, Any]], rng: random.Random, on: datetime.date) -> None:
    headers = {field: rng.choice(names) for field, names in HEADERS.items()}
    dates_as_text = rng.random() < 0.5
    amounts_as_text = rng.random() < 0.5
    date_kind = xlsx.Kind.TEXT if dates_as_text else xlsx.Kind.DATE
    with xlsx.Workbook(path) as book:
        book.properties(title="Laporan klaim dibayar", author="BPJS Ketenagakerjaan")
        sheet = book.sheet("Klaim")
        sheet.text(0, 0, f"LAPORAN PEMBAYARAN KLAIM PESERTA BPU TAHUN {on.year}", book.bold)
        sheet.text(1, 0, "Kantor Cabang Selong")
        sheet.header(
            3,
            [
                xlsx.Column("No", xlsx.Kind.INTEGER, 6),
                xlsx.Column(headers["kpj"], xlsx.Kind.INTEGER, 14),
                xlsx.Column(headers["nik"], width=19),
                xlsx.Column(headers["name"], width=24),
                xlsx.Column(headers["type"], width=22),
                xlsx.Column(headers["event_date"], date_kind, 16),
                xlsx.Column(headers["paid_on"], date_kind, 16),
                xlsx.Column(
                    headers["amount"], xlsx.Kind.TEXT if amounts_as_text else xlsx.Kind.MONEY, 16
                ),
                xlsx.Column(headers["bpjs_number"], width=18),
            ],
        )
        for number, row in enumerate(rows, start=1):
            dates = [
                _indonesian(value) if dates_as_text and isinstance(value, datetime.date) else value
                for value in (row["event_date"], row["paid_on"])
            ]
            amount: Any = format_number(row["amount"]) if amounts_as_text else row["amount"]
            sheet.row(
                3 + number,
                [
                    number,
                    row["kpj"],
                    row["nik"] or None,
                    row["name"],
                    row["type"],
                    *dates,
                    amount,
                    row["bpjs_number"] or None,
                ],
            )


class BpjsClaimsCommand(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Write the claim report a BPJS branch might send: the submitted claims paid, one "
            "new claim, one unmatched worker and one row with a bad date."
        )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, required=True, metavar="KLAIM.xlsx")
        parser.add_argument("--on", default="", metavar="YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=1, metavar="S")
        parser.add_argument("--clean", action="store_true", help=_("only the paid claims"))

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError(_("The claim report is written as .xlsx."))
        try:
            on = datetime.date.fromisoformat(options["on"]) if options["on"] else None
        except ValueError as error:
            raise CommandError(
                _("%(text)s is not a date: write it as YYYY-MM-DD.") % {"text": options["on"]}
            ) from error
        counts = write_report(
            out,
            on=on or timezone.localdate(),
            extras=not options["clean"],
            seed=options["seed"],
        )
        self.stdout.write(
            _(
                "%(file)s: %(rows)s rows; paid claims %(paid)s, new %(new)s, unmatched "
                "%(unmatched)s, bad date %(bad_date)s."
            )
            % {"file": out.name, **{key: format_number(value) for key, value in counts.items()}}
        )

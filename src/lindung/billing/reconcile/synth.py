"""A synthetic BPJS recap of the current data: what a branch office might send for the
reconciliation, with a few known mismatches.

    counts = write_recap(Path("rekap.xlsx"), fiscal_year=2027, on=date(2027, 7, 1), seed=1)

One row per registered participant of the year (on the approved list, protected from `on` or
earlier) as BPJS would see it when every payment arrived: status Aktif, paid through
Lindung's `paid_until` month, the amount Lindung paid for the months of the year up to it.
The branch's own headers (drawn by the seed), two title rows, KPJ stored as numbers, the
paid-through month as text ("Juni 2027") or as a date.

With `faults`, in this order while participants last (each named in the counts):
- `not_active`: one participant "Non Aktif";
- `missing`: one participant left out of the file;
- `amount`: one participant's amount a month's contribution short;
- `status`: one participant paid through two months earlier than Lindung says (and the
  amount of those months);
- `unknown`: one member Lindung does not know, "Aktif" (always, even without participants).
The seed decides who; the same data and seed give the same file.

`lindung synth bpjs-recap --out REKAP.xlsx [--year Y] [--on D] [--seed S] [--clean]`
(`BpjsRecapCommand`, registered with the registry's `synth` command).
"""

import datetime
import random
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lindung import xlsx
from lindung.billing.ledger import add_months
from lindung.billing.reconcile import service
from lindung.enrollment.models import State
from lindung.formats import format_number, month_name

HEADERS = {
    "kpj": ("No. KPJ", "KPJ", "Nomor Peserta"),
    "status": ("Status Kepesertaan", "Status"),
    "paid_through": ("Iuran s.d.", "Bulan Terakhir Dibayar", "Tgl Iuran Terakhir"),
    "amount": ("Total Iuran", "Jumlah Iuran"),
}
FAULTS = ("not_active", "missing", "amount", "status")
MONTHLY = 16_800  # an unknown member's contribution per month (JKK + JKM at the UMK floor)


def _members(fiscal_year: int, on: datetime.date) -> list[dict[str, Any]]:
    side = service.lindung_frames(fiscal_year=fiscal_year, on=on)
    people = side.participations.filter(
        (pl.col("state") == State.TERDAFTAR.value)
        & pl.col("on_list")
        & (pl.col("effective_from") <= on)
    ).sort("participation_id")
    last = datetime.date(fiscal_year, 12, 1)
    members = []
    for person in people.iter_rows(named=True):
        through = person["paid_until"].replace(day=1)
        window = min(through, last)
        paid = side.paid.filter(
            (pl.col("worker_id") == person["worker_id"])
            & pl.col("month").is_between(datetime.date(fiscal_year, 1, 1), window)
        )
        amounts = paid.get_column("amount").to_list()
        members.append(
            {
                **person,
                "through": through,
                "amount": sum(amounts),
                "monthly": max(amounts, default=0),
            }
        )
    return members


def write_recap(
    path: Path,
    *,
    fiscal_year: int,
    on: datetime.date,
    faults: bool = True,
    seed: int = 1,
) -> dict[str, int]:
    """Write the recap as `path` (.xlsx); returns how many rows carry each fault and the
    rows written (`rows`)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    members = _members(fiscal_year, on)
    counts = {"rows": 0, **dict.fromkeys(FAULTS, 0), "unknown": 0}
    rows: list[dict[str, Any]] = []
    chosen = rng.sample(range(len(members)), k=min(len(FAULTS), len(members))) if faults else []
    fault_of = dict(zip(chosen, FAULTS, strict=False))
    for index, member in enumerate(members):
        row = {
            "kpj": int(member["kpj"]) if member["kpj"].isdigit() else member["kpj"],
            "nik": member["nik"],
            "status": "Aktif",
            "through": member["through"],
            "amount": member["amount"],
        }
        fault = fault_of.get(index)
        if fault == "missing":
            counts["missing"] += 1
            continue
        if fault == "not_active":
            row["status"] = "Non Aktif"
        elif fault == "amount":
            # a month's contribution short (or too much when nothing was paid)
            monthly = member["monthly"] or MONTHLY
            short = member["amount"] >= monthly
            row["amount"] = member["amount"] - monthly if short else member["amount"] + monthly
        elif fault == "status":
            row["through"] = add_months(member["through"], -2)
            row["amount"] = max(0, member["amount"] - 2 * member["monthly"])
        if fault:
            counts[fault] += 1
        rows.append(row)
    if faults:
        rows.append(
            {
                "kpj": rng.randint(10_000_000_000, 19_999_999_999),
                "nik": _nik(rng),
                "status": "Aktif",
                "through": datetime.date(fiscal_year, max(1, on.month - 1), 1),
                "amount": MONTHLY * max(1, on.month - 1),
            }
        )
        counts["unknown"] += 1
    rng.shuffle(rows)
    _write(path, rows, rng, fiscal_year)
    counts["rows"] = len(rows)
    return counts


def _nik(rng: random.Random) -> str:
    """A valid NIK of a woman born in 1990 in Kecamatan 52.03.01."""
    day, month, serial = rng.randint(1, 28) + 40, rng.randint(1, 12), rng.randint(1, 9999)
    return f"520301{day:02d}{month:02d}90{serial:04d}"


def _write(path: Path, rows: list[dict[str, Any]], rng: random.Random, fiscal_year: int) -> None:
    headers = {field: rng.choice(names) for field, names in HEADERS.items()}
    as_text = rng.random() < 0.5  # the paid-through month as "Juni 2027" or as a date
    with xlsx.Workbook(path) as book:
        book.properties(title="Rekap kepesertaan dan iuran BPU", author="BPJS Ketenagakerjaan")
        sheet = book.sheet("Rekap")
        sheet.text(0, 0, f"REKAP KEPESERTAAN DAN IURAN PESERTA BPU TAHUN {fiscal_year}", book.bold)
        sheet.text(1, 0, "Kantor Cabang Selong")
        sheet.header(
            3,
            [
                xlsx.Column("No", xlsx.Kind.INTEGER, 6),
                xlsx.Column(headers["kpj"], xlsx.Kind.INTEGER, 14),
                xlsx.Column("NIK", width=19),
                xlsx.Column(headers["status"], width=14),
                xlsx.Column(
                    headers["paid_through"], xlsx.Kind.TEXT if as_text else xlsx.Kind.DATE, 16
                ),
                xlsx.Column(headers["amount"], xlsx.Kind.MONEY, 14),
            ],
        )
        for number, row in enumerate(rows, start=1):
            through: datetime.date = row["through"]
            shown: Any = (
                f"{_month(through.month)} {through.year}"
                if as_text
                else add_months(through, 1) - datetime.timedelta(days=1)
            )
            sheet.row(
                3 + number,
                [number, row["kpj"], row["nik"], row["status"], shown, row["amount"]],
            )


def _month(month: int) -> str:
    """The Indonesian month name whatever the active language (BPJS writes Indonesian)."""
    with translation.override("id"):
        return month_name(month)


class BpjsRecapCommand(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Write the recap a BPJS branch might send for the reconciliation of the current "
            "data, with one of each mismatch."
        )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, required=True, metavar="REKAP.xlsx")
        parser.add_argument("--year", type=int, default=0, metavar="Y")
        parser.add_argument("--on", default="", metavar="YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=1, metavar="S")
        parser.add_argument("--clean", action="store_true", help=_("without mismatches"))

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError(_("The recap is written as .xlsx."))
        try:
            on = datetime.date.fromisoformat(options["on"]) if options["on"] else None
        except ValueError as error:
            raise CommandError(
                _("%(text)s is not a date: write it as YYYY-MM-DD.") % {"text": options["on"]}
            ) from error
        year = options["year"] or (on or timezone.localdate()).year
        day = on or min(timezone.localdate(), datetime.date(year, 12, 31))
        counts = write_recap(
            out, fiscal_year=year, on=day, faults=not options["clean"], seed=options["seed"]
        )
        self.stdout.write(
            _(
                "%(file)s: %(rows)s rows; not active %(not_active)s, missing %(missing)s, "
                "amount %(amount)s, paid through %(status)s, unknown %(unknown)s."
            )
            % {
                "file": out.name,
                **{key: format_number(value) for key, value in counts.items()},
            }
        )

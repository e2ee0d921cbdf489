"""Time billing and coverage: bills for 100.000 participants x 6 months, their payment into the
coverage ledger, and coverage on a date over 1.000.000 participations.

    uv run python bench/billing.py                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/billing.py
    uv run python bench/billing.py --bill 20000 --cover 200000       # smaller, quicker

A fresh database per run (a scratch database on the PostgreSQL server of DATABASE_URL):
`lindung setup`, 200 synthetic workers imported and approved as list 1 of 2027 (so that the
participations have a real list), then --cover participations of 2027 written in bulk (SQL),
registered from 1 January under wadah SG-APBD, spread over the deployment's desa; --bill of
them are the APBD wadah's (the rest DBHCHT). Steps, in one process:

- `services.make_bills` for the APBD source, January to June: one bill of --bill x 6 lines;
- `services.pay` of that bill in full: its paid periods written (`ledger.rebuild_bill`);
- the DBHCHT participants' bills made and paid the same way, so every participation has a
  paid period (the ledger then holds --cover periods);
- `groups.rebuild()`: the coverage groups written again from the ledger (what the background
  rebuild after a change does);
- `coverage.counts(on=…)` over all --cover participations: a date inside the paid months, a
  date in the grace months after them; three runs each, the best and the worst shown.

Targets (issue 15): bills ≤ 5 s; coverage of 1.000.000 participations on a date ≤ 2 s.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402
from registry_import import DATA, _run, _synthetic  # noqa: E402

YEAR_COST = 12 * 16_800
APPROVE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
scenario = run_scenario(by="bench", fiscal_year=2027, budgets={{"apbd": {budget}, "dbhcht": 0}})
approve(by="bench", scenario=scenario, decree="188.45/BENCH/2027")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bill", type=int, default=100_000, help="participants on the bill")
    parser.add_argument("--cover", type=int, default=1_000_000, help="participations in all")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps:
        _steps(args.bill, args.cover)
        return
    python = platform.python_version()
    print(f"billing · a bill of {args.bill:,} x 6 months · coverage of "
          f"{args.cover:,} · Python {python} · {os.cpu_count()} CPUs")  # fmt: skip
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(200, "csv", var)
        if args.only in (None, "sqlite"):
            _bench("sqlite", f"sqlite:///{var / 'billing.sqlite3'}", var, path, args)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")) and args.only != "sqlite":
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, path, args)


def _bench(vendor: str, url: str, var: Path, path: Path, args: argparse.Namespace) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var), "BENCH_VENDOR": vendor}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    _run(env, "import", str(path), "--source", "BENCH")
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", APPROVE.format(budget=50 * YEAR_COST)], env=env, check=True
    )
    command = [sys.executable, __file__, "--steps", "--bill", str(args.bill),
               "--cover", str(args.cover)]  # fmt: skip
    subprocess.run(command, env=env, check=True)  # noqa: S603


def _line(label: str, seconds: float, note: str = "") -> None:
    vendor = os.environ.get("BENCH_VENDOR", "-")
    print(f"{vendor:<11} {label:<48} {seconds:>8.2f} s  {note}".rstrip(), flush=True)


def _participations(bill: int, cover: int) -> None:
    """--cover registered participations of 2027 in bulk, --bill of them APBD."""
    import datetime

    import polars as pl
    from django.db import transaction

    from lindung import bulk
    from lindung.enrollment.models import Participation, Wadah, WadahType
    from lindung.regions.models import Region
    from lindung.targeting.models import BeneficiaryList

    approved = BeneficiaryList.objects.get(fiscal_year=2027, number=1)
    apbd = Wadah.objects.create(code="SG-APBD", name="APBD", source="apbd", type_code=WadahType.SG)
    dbhcht = Wadah.objects.create(
        code="SG-DBHCHT", name="DBHCHT", source="dbhcht", type_code=WadahType.SG
    )
    desa = list(
        Region.objects.filter(level=4, code__startswith="52.03.").values_list("code", flat=True)
    )
    n = pl.int_range(0, cover, eager=True)
    first = datetime.date(2027, 1, 1)
    now = datetime.datetime.now(datetime.UTC)
    frame = pl.DataFrame(
        {
            "worker_id": n + 10_000_000,
            "fiscal_year": pl.repeat(2027, cover, dtype=pl.Int32, eager=True),
            "source": pl.Series(["apbd"] * min(bill, cover) + ["dbhcht"] * max(0, cover - bill)),
            "beneficiary_list_id": pl.repeat(approved.pk, cover, dtype=pl.Int64, eager=True),
            "wadah_id": pl.Series(
                [apbd.pk] * min(bill, cover) + [dbhcht.pk] * max(0, cover - bill), dtype=pl.Int64
            ),
            "kind": pl.repeat("new", cover, eager=True),
            "state": pl.repeat("TERDAFTAR", cover, eager=True),
            "kpj": (n + 27_000_000_000).cast(pl.String),
            "nik": (n + 5_203_010_101_900_001).cast(pl.String),
            "name": pl.repeat("PESERTA BENCH", cover, eager=True),
            "desa_id": pl.Series([desa[i % len(desa)] for i in range(cover)]),
            "reason": pl.repeat("", cover, eager=True),
            "end_reason": pl.repeat("", cover, eager=True),
            "effective_from": pl.repeat(first, cover, eager=True),
            "created_at": pl.repeat(now, cover, eager=True),
            "updated_at": pl.repeat(now, cover, eager=True),
        }
    ).with_columns(kecamatan_id=pl.col("desa_id").str.slice(0, 8))
    with transaction.atomic():
        bulk.insert_frame(Participation._meta.db_table, frame)


def _steps(bill: int, cover: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    import datetime

    import time_machine

    from lindung.billing import coverage, services

    start = time.perf_counter()
    _participations(bill, cover)
    _line(f"{cover:,} participations written (setup step)", time.perf_counter() - start)
    period = services.parse_period("2027-01..2027-06", 2027)
    with time_machine.travel(datetime.datetime(2027, 1, 10, 9, tzinfo=datetime.UTC), tick=False):
        start = time.perf_counter()
        made = services.make_bills(by="bench", fiscal_year=2027, source="apbd", period=period)
        lines = sum(b.participants * b.months for b in made)
        _line("bills: APBD January to June", time.perf_counter() - start, f"{lines:,} lines")
        start = time.perf_counter()
        for b in made:
            services.pay(by="bench", bill=b, amount=b.amount, paid_on=datetime.date(2027, 1, 10))
        _line("pay the bill (coverage ledger written)", time.perf_counter() - start)
        if cover > bill:
            start = time.perf_counter()
            rest = services.make_bills(by="bench", fiscal_year=2027, source="dbhcht", period=period)
            for b in rest:
                services.pay(
                    by="bench", bill=b, amount=b.amount, paid_on=datetime.date(2027, 1, 10)
                )
            _line(
                f"bills + pay: the other {cover - bill:,} (setup step)",
                time.perf_counter() - start,
            )
    from lindung.billing import groups

    start = time.perf_counter()
    counted = groups.rebuild()
    _line(f"coverage groups rebuilt ({counted:,} participations)", time.perf_counter() - start,
          "after a change, in the background")  # fmt: skip
    for label, day in (("paid months", datetime.date(2027, 3, 15)),
                       ("grace months", datetime.date(2027, 8, 15))):  # fmt: skip
        times = []
        for _ in range(3):
            start = time.perf_counter()
            got = coverage.counts(on=day)
            times.append(time.perf_counter() - start)
        note = (
            f"worst {max(times):.2f} s; {got['protected']:,} protected, "
            f"{got['in_grace']:,} in grace"
        )
        _line(f"coverage of {cover:,} on a date ({label})", min(times), note)


if __name__ == "__main__":
    main()

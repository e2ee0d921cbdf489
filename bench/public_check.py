"""Time the public check /cek/ against a database of 100.000 registered and paid participations.

    uv run python bench/public_check.py                                  # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/public_check.py
    uv run python bench/public_check.py --participations 20000 --lookups 300   # quicker

A fresh database per run (a scratch database on the PostgreSQL server of DATABASE_URL), `lindung
setup`, then in another process, with the clock set in 2027 (time-machine: bills of 2027 may
not be paid in the future):

- the registry: --participations workers written in bulk (`bulk.insert_frame`, all eligible),
  a targeting run for 2027 whose APBD budget pays for all of them, approved as list 1 (each
  becomes a candidate), and every candidate registered from 1 January in bulk (SQL, as the
  branch's answer would: KPJ, effective date, wadah SG-APBD);
- billing through the services: `make_bills` (two half-year bills), the January to June bill
  paid; the July to December bill marked "funds delayed" (its lines are read by every look-up,
  the worst case for the ledger's late-funds query); then that bill paid too;
- the look-ups on 1 March 2027, both with the delayed bill unpaid and after it is paid:
  --lookups POSTs to /cek/ through the Django test client (every middleware, the form, the
  rate-limit counters in the cache, the template), each from its own address, in the mix
  70 % protected workers, 10 % a right NIK with a wrong birth date, 20 % unknown NIKs;
  p50/p95/max in milliseconds, overall and per kind; and `coverage.person` alone.

Target (issue 15): the public check p95 ≤ 100 ms.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402
from registry_import import _run  # noqa: E402

YEAR = 2027
BILL_DAY = datetime.datetime(YEAR, 1, 5, 9, 0, tzinfo=datetime.UTC)
CHECK_DAY = datetime.datetime(YEAR, 3, 1, 9, 0, tzinfo=datetime.UTC)  # 1 March in Lombok
MIX = (("protected", 0.7), ("wrong birth date", 0.1), ("unknown NIK", 0.2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participations", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps:
        _steps(args.participations, args.lookups)
        return
    print(f"public check · {args.participations:,} paid participations · {args.lookups:,} "
          f"look-ups · Python {platform.python_version()} · {os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        if args.only in (None, "sqlite"):
            _bench(f"sqlite:///{var / 'cek.sqlite3'}", var, args)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")) and args.only != "sqlite":
            with _scratch_database(server) as url:
                _bench(url, var, args)


def _bench(url: str, var: Path, args: argparse.Namespace) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    _run(env, "collectstatic", "--noinput", "-v", "0")
    command = [sys.executable, __file__, "--steps", "--participations", str(args.participations),
               "--lookups", str(args.lookups)]  # fmt: skip
    subprocess.run(command, env=env, check=True)  # noqa: S603


def _line(vendor: str, label: str, seconds: float, note: str = "") -> None:
    print(f"{vendor:<11} {label:<44} {seconds:>8.1f} s  {note}".rstrip(), flush=True)


def _steps(size: int, lookups: int) -> None:
    import django
    import time_machine

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    with time_machine.travel(BILL_DAY, tick=True):
        _registry(vendor, size)
        bills = _bills(vendor)
    with time_machine.travel(CHECK_DAY, tick=True):
        cases = _cases(lookups)
        _lookups(vendor, cases, "July to December bill unpaid, funds delayed")
        from lindung.billing import services

        for bill in bills:
            bill.refresh_from_db()
            if bill.outstanding:
                services.pay(by="bench", bill=bill, amount=bill.outstanding,
                             paid_on=CHECK_DAY.date())  # fmt: skip
        _lookups(vendor, cases, "every bill paid")


def _registry(vendor: str, size: int) -> None:
    """`size` eligible workers in bulk, list 1 of 2027 paying for all, all registered."""
    from django.db import connection, transaction
    from django.utils import timezone

    from lindung import bulk
    from lindung.enrollment.models import Participation, Wadah, WadahType
    from lindung.regions.models import Level, Region
    from lindung.registry.models import Worker
    from lindung.rules.policy import active_policy, source_cost
    from lindung.targeting.approval import approve
    from lindung.targeting.services import run_scenario

    start = time.perf_counter()
    desa = sorted(
        Region.objects.filter(code__startswith="52.03.", level=Level.DESA_KELURAHAN).values_list(
            "code", flat=True
        )
    )
    workers = _workers(size, desa, timezone.now())
    with transaction.atomic():
        bulk.insert_frame(Worker._meta.db_table, workers)
    _line(vendor, f"{size:,} workers in bulk (setup)", time.perf_counter() - start)

    start = time.perf_counter()
    policy, _version = active_policy()
    budget = size * source_cost(policy, "apbd", YEAR)
    scenario = run_scenario(by="bench", fiscal_year=YEAR, budgets={"apbd": budget, "dbhcht": 0})
    approve(by="bench", scenario=scenario, decree=f"188.45/BENCH/{YEAR}")
    wadah = Wadah.objects.create(
        code="SG-APBD", name="Pekerja Rentan APBD", source="apbd", type_code=WadahType.SG,
        npw="52030001",
    )  # fmt: skip
    table = Participation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = 'TERDAFTAR', wadah_id = %s, "  # noqa: S608 - fixed names
            "kpj = CAST(27000000000 + id AS TEXT), effective_from = %s WHERE fiscal_year = %s",
            [wadah.pk, f"{YEAR}-01-01", YEAR],
        )
        cursor.execute(f"ANALYZE {table}" if vendor == "postgresql" else "ANALYZE")
    registered = Participation.objects.filter(fiscal_year=YEAR, state="TERDAFTAR").count()
    _line(vendor, "list 1 approved and registered (setup)", time.perf_counter() - start,
          f"({registered:,} registered)")  # fmt: skip


def _workers(size: int, desa: list[str], now: Any) -> Any:
    """Eligible workers (aged 27 to 60 in 2027, desil 1 to 4, active), NIKs unique and plausible."""
    import polars as pl

    rng = random.Random(15)
    births = [datetime.date(1967, 1, 1) + datetime.timedelta(days=rng.randrange(12_400))
              for _ in range(size)]  # fmt: skip
    places = [desa[i % len(desa)] for i in range(size)]
    # A serial per kecamatan and birth date (the NIK's layout): unique however the dates fall.
    seen: dict[str, int] = {}
    niks = []
    for code, born in zip(places, births, strict=True):
        head = f"{code[:8].replace('.', '')}{born:%d%m%y}"
        seen[head] = seen.get(head, 0) + 1
        niks.append(f"{head}{seen[head]:04d}")
    names = [f"Pekerja Bench {i}" for i in range(size)]
    return pl.DataFrame(
        {
            "nik": niks,
            "no_kk": [""] * size,
            "name": names,
            "name_key": [n.lower() for n in names],
            "sex": ["L"] * size,
            "birth_date": births,
            "birth_place": [""] * size,
            "phone": [""] * size,
            "address": [""] * size,
            "kabupaten_id": [c[:5] for c in places],
            "kecamatan_id": [c[:8] for c in places],
            "desa_id": places,
            "occupation": ["petani"] * size,
            "desil": [1 + i % 4 for i in range(size)],
            "disability": [False] * size,
            "female_head": [False] * size,
            "status": ["aktif"] * size,
            "created_at": [now] * size,
            "updated_at": [now] * size,
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "UTC"),
            "updated_at": pl.Datetime("us", "UTC"),
        },
    )


def _bills(vendor: str) -> list[Any]:
    from lindung.billing import services

    start = time.perf_counter()
    bills = services.make_bills(by="bench", fiscal_year=YEAR)
    lines = sum(b.participants * b.months for b in bills)
    _line(vendor, "make_bills (setup)", time.perf_counter() - start,
          f"({len(bills)} bills, {lines:,} lines)")  # fmt: skip
    start = time.perf_counter()
    first, *later = sorted(bills, key=lambda b: b.period_start)
    services.pay(by="bench", bill=first, amount=first.amount, paid_on=BILL_DAY.date())
    for bill in later:
        services.set_funds_delayed(by="bench", bill=bill, delayed=True, reason="APBD-P (bench)")
    _line(vendor, "January to June paid, the rest delayed (setup)", time.perf_counter() - start)
    return bills


def _cases(lookups: int) -> list[tuple[str, str, str]]:
    """(kind, NIK as typed, birth date as typed) in the mix of MIX, shuffled."""
    from lindung.enrollment.models import Participation
    from lindung.registry.models import Worker

    rng = random.Random(1)
    sample = list(
        Worker.objects.filter(
            pk__in=Participation.objects.filter(fiscal_year=YEAR).values("worker_id")
        )
        .order_by("?")
        .values_list("nik", "birth_date")[:lookups]
    )
    cases = []
    for n in range(lookups):
        nik, born = sample[n % len(sample)]
        kind = rng.choices([k for k, _w in MIX], weights=[w for _k, w in MIX])[0]
        if kind == "wrong birth date":
            born += datetime.timedelta(days=1)
        elif kind == "unknown NIK":
            nik = f"5203{rng.randrange(10**11, 10**12)}"
        cases.append((kind, nik, f"{born:%d-%m-%Y}"))
    return cases


def _lookups(vendor: str, cases: list[tuple[str, str, str]], label: str) -> None:
    from django.test import Client

    from lindung.billing import coverage, public_views

    public_views.PER_ADDRESS = public_views.EVERYONE = 10**9  # counted, never refused
    client = Client(HTTP_HOST="localhost")
    for _kind, nik, born in cases[:20]:  # warm up: templates compiled, caches filled
        _timed(_post, client, nik, born, "10.255.0.1")
    load = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {}
    for n, (kind, nik, born) in enumerate(cases):
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        times.setdefault(kind, []).append(_timed(_post, client, nik, born, address))
    every = [t for group in times.values() for t in group]
    print(f"{vendor:<11} {label} (load average {load:.1f} on {os.cpu_count()} CPUs)")
    _figures(vendor, f"POST /cek/: all {len(every):,}", every, target=True)
    for kind, group in times.items():
        _figures(vendor, f"POST /cek/: {kind} ({len(group):,})", group)
    direct = []
    for _kind, nik, born in cases:
        day = datetime.datetime.strptime(born, "%d-%m-%Y").date()  # noqa: DTZ007 - a date
        direct.append(_timed(coverage.person, nik=nik, birth_date=day, on=CHECK_DAY.date()))
    _figures(vendor, "coverage.person alone", direct)


def _timed(call: Any, *args: Any, **kwargs: Any) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one call. On a busy machine the wall time waits for
    a CPU; the process's CPU time is about what the wall time would be on an idle one (SQLite
    runs in the process; PostgreSQL's own work is not in it)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(*args, **kwargs)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _post(client: Any, nik: str, born: str, address: str) -> None:
    response = client.post("/cek/", {"nik": nik, "birth_date": born}, REMOTE_ADDR=address)
    if response.status_code != 200:
        sys.exit(f"/cek/: HTTP {response.status_code}")


def _figures(
    vendor: str, label: str, times: list[tuple[float, float]], *, target: bool = False
) -> None:
    wall = [w for w, _c in times]
    cpu = [c for _w, c in times]
    note = "  (target p95 ≤ 100 ms)" if target else ""
    print(f"{vendor:<11} {label:<44} p50 {statistics.median(wall):>5.1f} ms  p95 "
          f"{_p95(wall):>5.1f} ms  max {max(wall):>6.1f} ms  · CPU p50 "
          f"{statistics.median(cpu):>5.1f} ms  p95 {_p95(cpu):>5.1f} ms{note}",
          flush=True)  # fmt: skip


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()

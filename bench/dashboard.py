"""Time the dashboard over a registry of 1.000.000 synthetic workers.

    uv run python bench/dashboard.py                            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/dashboard.py

A fresh database per run (a scratch database on the PostgreSQL server): `lindung setup`, the
Lombok Timur boundaries and population from LINDUNG_SHARED_DATA (../shared/data/wilayah), the
synthetic list imported with `lindung import` (made once with `lindung synth` and kept in
$TMPDIR/lindung-bench-data), a targeting run approved as the year's list (2027); its
participations registered with BPJS from 1 January 2027 and billed as `make demo` bills them
(`ops.demo.bill_demo_list`: the APBD bill of January to June paid, the DBHCHT one with its funds
late). The clock then stands at BENCH_DAY (10 June 2027: the APBD workers protected, their paid
half year ending within 30 days; the DBHCHT workers in grace), in every step that follows.
Then, in-process: the rebuild of the dashboard's cells (what runs after an import, an approval
or a payment, and once a day), the alerts' summary (`billing.alerts.summary`, recounted) and,
as an admin (Django test client, 30 requests each after a warm-up), the dashboard of the
kabupaten (with its alerts kept, and recounted for every request as after a change), of a
kecamatan and of a desa, the map data of the kabupaten and of a kecamatan, an XLSX table, the
summary PDF and the kecamatan PDF (10 each), with p50/p95.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402
from registry_import import _run, _synthetic  # noqa: E402

SHARED = Path(os.environ.get("LINDUNG_SHARED_DATA", ROOT.parent / "shared" / "data" / "wilayah"))
APPROVE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
scenario = run_scenario(by="bench", fiscal_year=2027,
                        budgets={"apbd": 12_000_000_000, "dbhcht": 3_000_000_000})
approve(by="bench", scenario=scenario, decree="bench")
"""
BENCH_DAY = "2027-06-10T10:00:00+08:00"  # the clock of the billing step and of the pages
BILL = """
import datetime, os, django, time_machine
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from django.db import connection, transaction
from lindung.enrollment.models import Participation
from lindung.ops.demo import bill_demo_list, ensure_demo_wadah
from lindung.targeting.models import BeneficiaryList
with time_machine.travel(datetime.datetime.fromisoformat(os.environ["BENCH_DAY"]), tick=True):
    first = BeneficiaryList.objects.get(number=1)
    wadah = {w.source: w.pk for w in ensure_demo_wadah(first)}
    table = Participation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:  # as the branch's answers would
        for source, pk in wadah.items():
            cursor.execute(
                f"UPDATE {table} SET state = 'TERDAFTAR', kpj = CAST(27000000000 + id AS TEXT), "
                f"effective_from = '2027-01-01', wadah_id = %s WHERE fiscal_year = 2027 "
                f"AND source = %s", [pk, source])
    print(bill_demo_list())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages:
        _pages()
        return
    print(f"dashboard · {args.rows:,} workers · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        _bench("sqlite", f"sqlite:///{var / 'dashboard.sqlite3'}", var, path)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")):
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, path)


def _bench(vendor: str, url: str, var: Path, path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    for name in ("lombok_timur_kecamatan_from_desa.geojson", "lombok_timur_desa.geojson"):
        if (SHARED / name).exists():
            _run(env, "regions", "load-boundaries", str(SHARED / name))
    seconds, _peak = _run(env, "import", str(path), "--source", "BENCH")
    print(f"{vendor:<11} {'import (setup step)':<40} {seconds:>8.1f} s")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", APPROVE], env=env, check=True)  # noqa: S603
    print(f"{vendor:<11} {'target + approve (setup step)':<40} "
          f"{time.perf_counter() - start:>8.1f} s")  # fmt: skip
    env["BENCH_DAY"] = BENCH_DAY
    start = time.perf_counter()
    billed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", BILL], env=env, check=True, capture_output=True, text=True
    )
    print(f"{vendor:<11} {'register + bill + pay (setup step)':<40} "
          f"{time.perf_counter() - start:>8.1f} s  {billed.stdout.strip()}")  # fmt: skip
    _run(env, "collectstatic", "--noinput", "-v", "0")
    subprocess.run([sys.executable, __file__, "--pages"], env=env, check=True)  # noqa: S603


def _pages() -> None:
    import django
    import time_machine

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    day = datetime.datetime.fromisoformat(os.environ.get("BENCH_DAY", BENCH_DAY))
    with time_machine.travel(day, tick=True):
        _timed_pages()


def _timed_pages() -> None:
    from django.db.models import F, Sum
    from django.test import Client
    from django.utils import timezone

    from lindung.accounts.tests.factories import admin
    from lindung.billing import alerts
    from lindung.dashboard.aggregates import refresh
    from lindung.dashboard.models import Cell, State
    from lindung.regions.models import Region

    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    start = time.perf_counter()
    state = refresh()
    seconds = time.perf_counter() - start
    protected = Cell.objects.filter(generation=state.generation, dimension="total").aggregate(
        n=Sum("protected")
    )["n"]
    print(f"{vendor:<11} {'rebuild of the cells':<40} {seconds:>8.1f} s  "
          f"({state.workers:,} workers, fiscal years {state.fiscal_years}, "
          f"{protected:,} protected today)")  # fmt: skip
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = alerts.summary(on=timezone.localdate())
        times.append((time.perf_counter() - start) * 1000)
    print(f"{vendor:<11} {'alerts summary, recounted (5 times)':<40} "
          f"p50 {statistics.median(times):>6.0f} ms  max {max(times):>6.0f} ms  "
          f"(expiring {found.expiring_total}, in grace {found.in_grace}, "
          f"past due {len(found.past_due)})")  # fmt: skip

    def changed() -> None:  # an audit event that may change the alerts (dashboard.signals)
        State.objects.filter(pk=1).update(alerts_version=F("alerts_version") + 1)

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin(username="bench.admin"))
    kecamatan = list(Region.objects.filter(parent_id="52.03").values_list("code", flat=True))
    desa = list(Region.objects.filter(parent_id__in=kecamatan).values_list("code", flat=True))
    pick = [kecamatan[i % len(kecamatan)] for i in range(30)]
    pick_desa = [desa[(i * 7) % len(desa)] for i in range(30)]
    year = "tahun=2027"
    cases: dict[str, list[str]] = {
        "dashboard: kabupaten": [f"/dasbor/?{year}"] * 30,
        "dashboard: kabupaten, alerts recounted": [f"/dasbor/?{year}"] * 30,
        "dashboard: a kecamatan": [f"/dasbor/?{year}&area={k}" for k in pick],
        "dashboard: a desa": [f"/dasbor/?{year}&area={d}" for d in pick_desa],
        "map data: kabupaten": [f"/dasbor/peta.json?{year}"] * 30,
        "map data: a kecamatan": [f"/dasbor/peta.json?{year}&area={k}" for k in pick],
        "XLSX: the kecamatan table": [f"/dasbor/tabel.xlsx?{year}&tabel=areas"] * 30,
        "PDF: summary for the Bupati": [f"/dasbor/ringkasan.pdf?{year}"] * 10,
        "PDF: a kecamatan": [f"/dasbor/kecamatan.pdf?{year}&area={k}" for k in pick[:10]],
    }
    for urls in cases.values():  # warm up: templates compiled, boundaries simplified
        _get(client, urls[0])
    for label, urls in cases.items():
        before = changed if "recounted" in label else None
        times = [_get(client, url, before) for url in urls]
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{vendor:<11} {label:<40} p50 {statistics.median(times):>6.0f} ms  "
              f"p95 {p95:>6.0f} ms")  # fmt: skip


def _get(client: object, url: str, before: object = None) -> float:
    if callable(before):
        before()
    start = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    return elapsed


if __name__ == "__main__":
    main()

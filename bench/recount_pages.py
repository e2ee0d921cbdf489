"""Time pages while the dashboard recounts 1.000.000 workers in another process, and idle.

    uv run python bench/recount_pages.py                        # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/recount_pages.py
    uv run python bench/recount_pages.py --rows 100000          # smaller, quicker

A fresh database per run (a scratch database on the PostgreSQL server): `lindung setup`, the
Lombok Timur boundaries from LINDUNG_SHARED_DATA, the synthetic list imported with `lindung
import` (made once with `lindung synth` and kept in $TMPDIR/lindung-bench-data) and a first
count of the dashboard. Then, in-process with the Django test client, rounds of a mix of pages:
the dashboard of the kabupaten and its map data, the worker list, a worker's page, the login
redirect of an anonymous visitor and a login (a form post that writes the session, the last
login and an audit event). First idle; then while a recount (`aggregates.refresh`) runs in a
separate process, at the priority `lindung serve` gives its task worker (nice 10) and once more
at the web server's own priority. p50/p95/max per page and phase, in milliseconds.
"""

import argparse
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
RECOUNT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.dashboard.aggregates import refresh
print(f"{refresh().seconds:.1f}")
"""
IDLE_ROUNDS = 8
PASSWORD = "bench-kata-sandi-7391"  # noqa: S105 - a scratch database's user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages:
        _pages()
        return
    print(f"pages during a recount · {args.rows:,} workers · Python "
          f"{platform.python_version()} · {os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        server = os.environ.get("DATABASE_URL", "")
        _bench("sqlite", f"sqlite:///{var / 'recount.sqlite3'}", var, path)
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
    print(f"{vendor:<11} {'import (setup step)':<34} {seconds:>8.1f} s")
    _run(env, "collectstatic", "--noinput", "-v", "0")
    subprocess.run([sys.executable, __file__, "--pages"], env=env, check=True)  # noqa: S603


def _pages() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.test import Client

    from lindung.accounts.models import User
    from lindung.dashboard.aggregates import refresh
    from lindung.registry.models import Worker
    from lindung.roles import Role

    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    start = time.perf_counter()
    state = refresh()
    print(f"{vendor:<11} {'first count (setup step)':<34} {time.perf_counter() - start:>8.1f} s"
          f"  ({state.workers:,} workers)")  # fmt: skip
    user = User.objects.create_user(
        username="bench.admin", password=PASSWORD, role=Role.ADMIN, full_name="Bench"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    anonymous = Client(HTTP_HOST="localhost")
    ids = list(Worker.objects.order_by("?").values_list("id", flat=True)[:50])
    cases: dict[str, object] = {
        "dashboard (kabupaten)": lambda i: client.get("/dasbor/"),
        "map data (kabupaten)": lambda i: client.get("/dasbor/peta.json"),
        "worker list": lambda i: client.get("/pekerja/"),
        "worker detail": lambda i: client.get(f"/pekerja/{ids[i % len(ids)]}/"),
        "login redirect (anonymous)": lambda i: anonymous.get("/dasbor/"),
        "login (form post, writes)": lambda i: Client(HTTP_HOST="localhost").post(
            "/akun/masuk/", {"username": "bench.admin", "password": PASSWORD}
        ),
    }
    for get in cases.values():  # warm up: templates compiled, boundaries simplified
        _time(get, 0)  # type: ignore[arg-type]
    idle = _rounds(cases, lambda rounds: rounds < IDLE_ROUNDS)
    _report(vendor, "idle", idle, None)
    for label, nice in (("recount, nice 10", 10), ("recount, same priority", 0)):
        command = [sys.executable, "-c", RECOUNT]
        recount = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
        if nice:
            os.setpriority(os.PRIO_PROCESS, recount.pid, nice)
        times = _rounds(cases, lambda rounds, p=recount: p.poll() is None)
        out, _err = recount.communicate()
        if recount.returncode:
            sys.exit("the recount failed")
        _report(vendor, label, times, float(out.strip() or 0))


def _rounds(cases: dict[str, object], go_on: object) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {label: [] for label in cases}
    rounds = 0
    while go_on(rounds):  # type: ignore[operator]
        for label, get in cases.items():
            times[label].append(_time(get, rounds))  # type: ignore[arg-type]
        rounds += 1
    return times


def _time(get: object, i: int) -> float:
    start = time.perf_counter()
    response = get(i)  # type: ignore[operator]
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code not in (200, 302):
        sys.exit(f"HTTP {response.status_code}")
    return elapsed


def _report(vendor: str, phase: str, times: dict[str, list[float]], recount: float | None) -> None:
    note = f" (recount took {recount:.1f} s)" if recount is not None else ""
    print(f"{vendor:<11} {phase}{note}")
    for label, values in times.items():
        if not values:
            continue
        p95 = (
            statistics.quantiles(values, n=20, method="inclusive")[-1]
            if len(values) > 1
            else values[0]
        )
        print(f"{'':<11}   {label:<32} n {len(values):>3}  p50 {statistics.median(values):>6.0f}"
              f"  p95 {p95:>6.0f}  max {max(values):>6.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

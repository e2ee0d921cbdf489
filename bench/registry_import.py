"""Time `lindung import` of a synthetic worker list into fresh databases, then the registry pages.

    uv run python bench/registry_import.py                      # 1.000.000 rows, CSV and XLSX
    uv run python bench/registry_import.py --rows 100000 --formats csv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/registry_import.py

SQLite always (a database in a temporary folder); PostgreSQL as well when DATABASE_URL names a
server (a scratch database is created there and dropped afterwards). The synthetic files are made
once with `lindung synth` and kept in $TMPDIR/lindung-bench-data for later runs.

Each import is its own `lindung import` process, as an operator runs it: the figures are wall
time (start-up included) and the process's peak resident memory. The first import creates every
worker; the second imports the same file again (every row unchanged). After the CSV imports the
page benchmark opens the registry list, a NIK search, a name search, a filtered list and worker
detail pages as an admin (Django test client, in-process, 30 requests each) and prints p50/p95.
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

DATA = Path(tempfile.gettempdir()) / "lindung-bench-data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages:
        _pages()
        return
    formats = args.formats.split(",")
    DATA.mkdir(exist_ok=True)
    print(f"lindung import · {args.rows:,} rows · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'database':<11} {'step':<44} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        files = {fmt: _synthetic(args.rows, fmt, var) for fmt in formats}
        for fmt in formats:
            _bench("sqlite", f"sqlite:///{var / f'{fmt}.sqlite3'}", var, fmt, files[fmt])
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")):
            for fmt in formats:
                with _scratch_database(server) as url:
                    _bench("postgresql", url, var, fmt, files[fmt])


def _synthetic(rows: int, fmt: str, var: Path) -> Path:
    path = DATA / f"pekerja-{rows}.{fmt}"
    if not path.exists():
        env = {**os.environ, "LINDUNG_VAR": str(var), "DATABASE_URL": f"sqlite:///{var}/synth.db"}
        _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
        seconds, _peak = _run(env, "synth", "--rows", str(rows), "--out", str(path))
        print(f"{'-':<11} {f'synth {fmt} (made once, kept)':<44} {seconds:>8.1f}")
    return path


def _bench(vendor: str, url: str, var: Path, fmt: str, path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    for label in ("first import, all new", "same file again, all unchanged"):
        seconds, peak = _run(env, "import", str(path), "--source", "BENCH")
        print(f"{vendor:<11} {f'{fmt}: {label}':<44} {seconds:>8.1f} {peak:>8.0f}")
    if fmt == "csv":
        _run(env, "collectstatic", "--noinput", "-v", "0")
        subprocess.run([sys.executable, __file__, "--pages"], env=env, check=True)  # noqa: S603


def _run(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run a `lindung` command; (wall seconds, peak resident MB of that process)."""
    command = [sys.executable, "-m", "django", *args, "--settings=lindung.settings"]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(
            f"{' '.join(args)} failed:\n{process.stderr.read().decode() if process.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


def _pages() -> None:
    """In-process: time registry pages as an admin with the database from DATABASE_URL."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.test import Client

    from lindung.accounts.tests.factories import admin
    from lindung.registry.models import Worker

    user = admin(username="bench.admin")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    workers = list(
        Worker.objects.order_by("?").values_list("id", "nik", "name_key", "desa_id")[:30]
    )
    cases = {
        "list (first page)": ["/pekerja/"] * 30,
        "search by NIK": [f"/pekerja/?q={nik}" for _id, nik, _n, _d in workers],
        "search by name": [f"/pekerja/?q={name.split()[0]}" for _i, _k, name, _d in workers],
        "list filtered to a desa": [f"/pekerja/?desa={desa}" for _i, _k, _n, desa in workers],
        "worker detail": [f"/pekerja/{pk}/" for pk, _k, _n, _d in workers],
    }
    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    for urls in cases.values():  # warm up: templates compiled, caches filled
        client.get(urls[0])
    for label, urls in cases.items():
        times = []
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url}: HTTP {response.status_code}")
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{vendor:<11} {f'page: {label}':<44} p50 {statistics.median(times):>5.0f} ms  "
              f"p95 {p95:>5.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

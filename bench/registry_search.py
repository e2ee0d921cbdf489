"""Time the registry list and its search with 1.000.000 workers, as an admin and a desa operator.

    uv run python bench/registry_search.py                      # SQLite, 1.000.000 rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lindung_search_bench \\
        uv run python bench/registry_search.py --postgres-only    # PostgreSQL
    DATABASE_URL=sqlite:///some.sqlite3 uv run python bench/registry_search.py --pages
                                                                # pages only, an imported database

A synthetic Lombok Timur list (`lindung synth`, kept in $TMPDIR/lindung-bench-data, shared with
bench/registry_import.py) is imported with `lindung import` into a fresh database (SQLite in a
temporary folder; on PostgreSQL the database named by DATABASE_URL is dropped and made again).
Then, in-process with the Django test client, each case is requested 30 times with different
values (one warm-up request first) and p50/p95 printed: the list, page N, name searches (a
common first name, a common given name, two words in either order, spelling variants, a rare
pair, a word no one has), NIK and No. KK typed with separators, a NIK prefix; as an admin (the
whole kabupaten) and as the operator of the desa with the most workers. "cpu" is the time the
benchmark process itself spent (the whole of the work on SQLite, without the server's on
PostgreSQL): on a machine shared with other work it shows the cost apart from the waiting.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from registry_import import _run, _synthetic  # noqa: E402

REQUESTS = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pages", action="store_true", help="time the pages of DATABASE_URL")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    if args.pages:
        _pages()
        return
    print(f"registry search · {args.rows:,} rows · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        if not args.postgres_only:
            _bench("sqlite", f"sqlite:///{var / 'search.sqlite3'}", var, path)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")):
            _recreate(server)
            _bench("postgresql", server, var, path)


def _recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _bench(vendor: str, url: str, var: Path, path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    seconds, peak = _run(env, "import", str(path), "--source", "BENCH")
    print(f"{vendor:<11} {'import, all new':<44} {seconds:>8.1f} s {peak:>8.0f} MB")
    _run(env, "collectstatic", "--noinput", "-v", "0")
    subprocess.run([sys.executable, __file__, "--pages"], env=env, check=True)  # noqa: S603


def _cases(workers: list[tuple[str, str, str, str]]) -> dict[str, list[str]]:
    """Label → URLs (REQUESTS each). `workers`: (nik, no_kk, name_key, desa) of random workers
    (of the desa, for the operator)."""
    rng = random.Random(7)
    firsts = ["muhammad", "siti", "ahmad", "abdul", "nur"]
    variants = [
        "muhamad",
        "mohammad",
        "moh",
        "achmad",
        "fakhrurozi",
        "sitti",
        "zaenal",
        "pahrurroji",
    ]
    words = [w for _n, _k, key, _d in workers for w in key.split() if len(w) > 3]

    def spaced(nik: str) -> str:
        return rng.choice([f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}",
                           f"{nik[:4]}-{nik[4:6]}-{nik[6:12]}-{nik[12:]}",
                           f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:]}"])  # fmt: skip

    def pick(options: list[str]) -> list[str]:
        return [rng.choice(options) for _ in range(REQUESTS)]

    return {
        "list, first page": [f"/pekerja/?x={n}" for n in range(REQUESTS)],
        "list, page N (2-200)": [f"/pekerja/?page={rng.randint(2, 200)}" for _ in range(REQUESTS)],
        "name: common first name": [f"/pekerja/?q={w}" for w in pick(firsts)],
        "name: one word of a name": [f"/pekerja/?q={w}" for w in pick(words)],
        "name: two words, any order": [
            f"/pekerja/?q={' '.join(key.split()[::-1][:2])}"
            for _n, _k, key, _d in rng.sample(workers, REQUESTS)
        ],
        "name: spelling variant": [f"/pekerja/?q={w}" for w in pick(variants)],
        "name: word prefix (3 letters)": [f"/pekerja/?q={w[:3]}" for w in pick(words)],
        "name: rare pair": [
            f"/pekerja/?q={a} {b}"
            for a, b in zip(pick(words), pick(["abdurahman", "zohri", "sahdan"]), strict=True)
        ],
        "name: no match": [f"/pekerja/?q=xq{n}zz" for n in range(REQUESTS)],
        "name: common, page N (2-200)": [
            f"/pekerja/?q={w}&page={rng.randint(2, 200)}" for w in pick(firsts[:2])
        ],
        "NIK with separators": [f"/pekerja/?q={spaced(nik)}" for nik, _k, _n, _d in workers],
        "No. KK with separators": [f"/pekerja/?q={spaced(kk)}" for _n, kk, _k, _d in workers],
        "NIK prefix (8 digits)": [
            f"/pekerja/?q={nik[:4]} {nik[4:8]}" for nik, _k, _n, _d in workers
        ],
    }


def _pages() -> None:
    """In-process: time the registry list and search with the database of DATABASE_URL."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their context (the count)

    from lindung.accounts.models import User
    from lindung.accounts.tests.factories import admin, operator_desa
    from lindung.registry.models import Worker

    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    top = Worker.objects.values("desa_id").annotate(n=Count("id")).order_by("-n").first()
    if top is None:
        sys.exit("no workers: import a list first")
    desa = top["desa_id"]
    User.objects.filter(username__in=["bench.admin", "bench.desa"]).delete()
    users = [
        ("admin", admin(username="bench.admin"), ""),
        (f"desa op ({top['n']:,})", operator_desa(desa, username="bench.desa"), desa),
    ]
    print(f"{'database':<11} {'user':<18} {'case':<30} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'cpu p50':>7} {'cpu p95':>7} {'rows':>9}")  # fmt: skip
    for label, user, scope in users:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        workers = Worker.objects.filter(merged_into=None)
        if scope:
            workers = workers.filter(desa_id=scope)
        sample = list(
            workers.order_by("?").values_list("nik", "no_kk", "name_key", "desa_id")[:REQUESTS]
        )
        for case, urls in _cases(sample).items():
            client.get(urls[0])  # warm up: templates compiled, caches filled
            times, cpu, counts = [], [], []
            for url in urls:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{url}: HTTP {response.status_code}")
                total = response.context["total"]
                counts.append(total.count + (1 if total.more else 0))
            p95 = statistics.quantiles(times, n=20)[-1]
            rows = f"{statistics.median(counts):,.0f}" + ("+" if max(counts) > 10_000 else "")
            cpu95 = statistics.quantiles(cpu, n=20)[-1]
            print(f"{vendor:<11} {label:<18} {case:<30} {statistics.median(times):>7.0f} "
                  f"{p95:>7.0f} {statistics.median(cpu):>7.0f} {cpu95:>7.0f} {rows:>9}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

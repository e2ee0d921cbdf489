"""A read mix of 50 logged-in users against `lindung serve` on 127.0.0.1, as `lindung serve` runs.

    uv run python bench/load.py                                 # SQLite, 50.000 workers, 60 s
    uv run python bench/load.py --workers 200000 --seconds 120 --reuse
    WEB_WORKERS=3 WEB_THREADS=1 uv run python bench/load.py     # another server configuration
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/load.py

Set-up (a fresh database per run; with --reuse it is made once, kept under
$TMPDIR/lindung-bench-load, or as the PostgreSQL database lindung_bench_load_<N>, and reused):
`lindung demo --no-serve --workers N` (Lombok Timur, boundaries and population when
LINDUNG_SHARED_DATA has them, N synthetic workers imported, two scenarios, list 1 approved, the
dashboard counted), then --users accounts of several roles (admin, regency operators, district
and village operators of several areas, pimpinan), each given a session as a login would.

The load: `lindung serve` started as a subprocess on 127.0.0.1 and a free port (the web server
with its WEB_WORKERS/WEB_THREADS, the task worker and the daily purge beside it, as installed);
one thread per user, each with its own keep-alive connection and no think time, requests the
pages of its role's mix (dashboard, map data, worker list, search by name and by NIK, worker
detail, beneficiary lists, wilayah home, API) until --seconds have passed or --requests have been
sent, whichever first. Then p50/p95/p99 per page kind, requests per second and errors (any status
but 200, or no answer within 60 s); the server is stopped. Only loopback is ever contacted.
"""

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from registry_import import _run  # noqa: E402

HOST = "127.0.0.1"  # loopback only: the bench never sends a request anywhere else
KEPT = Path(tempfile.gettempdir()) / "lindung-bench-load"
TIMEOUT = 60.0

# Requests per page kind in every 100 of a person-level user; pimpinan sees aggregates only.
MIX = {
    "dashboard": 14,
    "dashboard: an area": 8,
    "map data": 10,
    "worker list": 12,
    "search by name": 10,
    "search by NIK": 8,
    "worker detail": 14,
    "beneficiary lists": 4,
    "beneficiary list 1": 4,
    "wilayah home": 6,
    "API: workers": 5,
    "API: indicators": 5,
}
AGGREGATE_MIX = {
    "dashboard": 30,
    "dashboard: an area": 25,
    "map data": 25,
    "wilayah home": 10,
    "API: indicators": 10,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=50_000, help="workers in the registry")
    parser.add_argument("--users", type=int, default=50, help="concurrent logged-in users")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load")
    parser.add_argument("--requests", type=int, default=20_000, help="at most this many")
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds not counted first")
    parser.add_argument("--reuse", action="store_true", help="keep the database, reuse it")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        _prepare(args.users)
        return
    web = os.environ.get("WEB_WORKERS", "default"), os.environ.get("WEB_THREADS", "default")
    print(f"load · {args.workers:,} workers · {args.users} users · {args.seconds:.0f} s or "
          f"{args.requests:,} requests · WEB_WORKERS {web[0]} · WEB_THREADS {web[1]} · "
          f"Python {platform.python_version()} · {os.cpu_count()} CPUs")  # fmt: skip
    server = os.environ.get("DATABASE_URL", "")
    vendors = ["sqlite"]
    if server.startswith(("postgres://", "postgresql://")):
        vendors.append("postgresql")
    vendors = [v for v in vendors if args.only in (None, v)]
    for vendor in vendors:
        folder = KEPT / f"{vendor}-{args.workers}" if args.reuse else None
        var = folder or Path(tempfile.mkdtemp(prefix="lindung-bench-load-"))
        url = f"sqlite:///{var / 'load.sqlite3'}"
        if vendor == "postgresql":
            url = _postgres(server, f"lindung_bench_load_{args.workers}", fresh=not args.reuse)
        try:
            _bench(vendor, url, var, args)
        finally:
            if folder is None:
                shutil.rmtree(var, ignore_errors=True)
                if vendor == "postgresql":
                    _postgres(server, urlsplit(url).path[1:], drop=True)


def _postgres(server: str, name: str, *, fresh: bool = True, drop: bool = False) -> str:
    """The url of database `name` on the server of `server`: created when missing (dropped first
    when `fresh`), or only dropped with `drop`."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and (fresh or drop):
            db.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists and not drop:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def _bench(vendor: str, url: str, var: Path, args: argparse.Namespace) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var), "DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = var / "set-up.done"
    if not done.exists():
        seconds, _peak = _run(env, "demo", "--no-serve", "--workers", str(args.workers))
        print(f"{vendor:<11} set-up: lindung demo --workers {args.workers} in {seconds:.0f} s")
        done.touch()
    prepared = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--prepare", "--users", str(args.users)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if prepared.returncode != 0:
        sys.exit(f"preparing the users failed:\n{prepared.stderr}")
    users = json.loads(prepared.stdout)
    port = _free_port()
    log = (var / "serve.log").open("w")
    serve = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "lindung.cli", "serve", "--host", HOST, "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_until_up(port, serve)
        results = _load(
            port, users, warm_up=args.warm_up, seconds=args.seconds, limit=args.requests
        )
    finally:
        _stop(serve)
        log.close()
    _report(vendor, results)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, serve: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            sys.exit(f"lindung serve ended with {serve.returncode} (see serve.log)")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/akun/masuk/")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("lindung serve did not answer within 120 s")


def _stop(serve: subprocess.Popen[bytes]) -> None:
    """SIGTERM to `lindung serve` (it stops its children); its own process group if it lingers."""
    if serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def _load(
    port: int, users: list[dict[str, object]], *, warm_up: float, seconds: float, limit: int
) -> tuple[dict[str, list[float]], dict[str, Counter[str]], float]:
    """One thread per user, no think time: `warm_up` seconds not counted (templates compiled,
    boundaries simplified in every server process), then `seconds` or `limit` requests."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    lock = threading.Lock()
    sent = [0]
    start = time.monotonic() + warm_up
    deadline = start + seconds

    def user_loop(index: int, user: dict[str, object]) -> None:
        rng = random.Random(index)
        mix = AGGREGATE_MIX if user["aggregate"] else MIX
        kinds, weights = list(mix), list(mix.values())
        cookie = f"lindung_session={user['session']}; django_language=id"
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        while time.monotonic() < deadline:
            counted = time.monotonic() >= start
            with lock:
                if sent[0] >= limit:
                    break
                sent[0] += counted
            kind = rng.choices(kinds, weights)[0]
            path = _path(kind, user, rng)
            began = time.monotonic()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                connection.close()
            elapsed = time.monotonic() - began
            if not counted:
                continue
            with lock:
                times[kind].append(elapsed)
                if status != "200":
                    errors[kind][status] += 1
        connection.close()

    threads = [
        threading.Thread(target=user_loop, args=(i, user), daemon=True)
        for i, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warm_up + seconds + 2 * TIMEOUT)
    return times, errors, time.monotonic() - start


def _path(kind: str, user: dict[str, object], rng: random.Random) -> str:
    areas: list[str] = user["areas"]  # type: ignore[assignment]
    workers: list[list[str]] = user["workers"]  # type: ignore[assignment]
    worker = rng.choice(workers) if workers else ["0", "", ""]
    area = rng.choice(areas) if areas else ""
    paths = {
        "dashboard": "/dasbor/",
        "dashboard: an area": f"/dasbor/?area={area}",
        "map data": f"/dasbor/peta.json?area={area}" if rng.random() < 0.5 else "/dasbor/peta.json",
        "worker list": "/pekerja/",
        "search by name": f"/pekerja/?q={quote(worker[2])}",
        "search by NIK": f"/pekerja/?q={worker[1]}",
        "worker detail": f"/pekerja/{worker[0]}/",
        "beneficiary lists": "/sasaran/daftar/",
        "beneficiary list 1": "/sasaran/daftar/1/",
        # "/" is each role's own home page since issue 13 (a redirect for some roles)
        "wilayah home": f"/wilayah/{user['region']}/" if user["region"] else "/wilayah/",
        "API: workers": "/api/v1/registry/workers/",
        "API: indicators": f"/api/v1/dashboard/indicators?area={area}",
    }
    return paths[kind]


def _report(
    vendor: str, results: tuple[dict[str, list[float]], dict[str, Counter[str]], float]
) -> None:
    times, errors, seconds = results
    total = sum(len(t) for t in times.values())
    every = [t for kind in times.values() for t in kind]
    print(f"{'database':<11} {'page kind':<22} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}")  # fmt: skip
    for kind in [*MIX, "all"]:
        values = every if kind == "all" else times.get(kind, [])
        if not values:
            continue
        wrong = sum(errors.values(), Counter()) if kind == "all" else errors.get(kind, Counter())
        statuses = " ".join(f"{status}:{n}" for status, n in sorted(wrong.items()))
        print(f"{vendor:<11} {kind:<22} {len(values):>8} {_ms(values, 50):>7} {_ms(values, 95):>7} "
              f"{_ms(values, 99):>7} {wrong.total():>6} {statuses}")  # fmt: skip
    print(f"{vendor:<11} {total:,} requests in {seconds:.1f} s: {total / seconds:.1f} requests/s, "
          f"{sum(errors.values(), Counter()).total()} errors; load average "
          f"{os.getloadavg()[0]:.1f} (other processes share the cores)")  # fmt: skip


def _ms(values: list[float], percent: int) -> str:
    if len(values) < 2:
        return f"{values[0] * 1000:.0f}"
    return f"{statistics.quantiles(values, n=100)[percent - 1] * 1000:.0f}"


def _prepare(count: int) -> None:
    """In-process: `count` users of several roles, a session each, and what each may look at;
    printed as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from lindung.accounts.models import User
    from lindung.accounts.services import create_user
    from lindung.regions.models import Region
    from lindung.registry.queries import visible_workers
    from lindung.roles import Capability, Role

    kecamatan = sorted(Region.objects.filter(parent_id="52.03").values_list("code", flat=True))
    busiest = list(
        visible_workers(User(role=Role.ADMIN, is_active=True))
        .values_list("desa_id", flat=True)
        .order_by("desa_id")
        .distinct()[:200]
    )
    # Of every 10 users: 2 admins, 2 regency, 3 district and 2 village operators, 1 pimpinan.
    plan = [
        (Role.ADMIN, None), (Role.ADMIN, None),
        (Role.OPERATOR_KABUPATEN, None), (Role.OPERATOR_KABUPATEN, None),
        (Role.OPERATOR_KECAMATAN, "k"), (Role.OPERATOR_KECAMATAN, "k"),
        (Role.OPERATOR_KECAMATAN, "k"),
        (Role.OPERATOR_DESA, "d"), (Role.OPERATOR_DESA, "d"),
        (Role.PIMPINAN, None),
    ]  # fmt: skip
    users = []
    for i in range(count):
        role, where = plan[i % len(plan)]
        region = None
        if where == "k":
            region = kecamatan[i % len(kecamatan)]
        elif where == "d":
            region = busiest[(i * 7) % len(busiest)]
        username = f"bench.load.{i:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _password = create_user(
                by=None, username=username, role=role, region_code=region,
                full_name=f"Bench {i}", password=secrets.token_urlsafe(16),
                must_change_password=False,
            )  # fmt: skip
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        aggregate = not user.can(Capability.VIEW_PERSONS)
        sample = [] if aggregate else _sample(visible_workers(user), seed=i)
        areas = [region] if region else []
        if region is None or len(region) == 8:  # kabupaten-wide or a kecamatan: its children
            parent = region or "52.03"
            areas += list(Region.objects.filter(parent_id=parent).values_list("code", flat=True))
        users.append(
            {"session": session.session_key, "aggregate": aggregate, "region": region,
             "areas": areas, "workers": sample}
        )  # fmt: skip
    json.dump(users, sys.stdout)


def _sample(workers: object, *, seed: int) -> list[list[str]]:
    """Up to 40 workers (id, NIK, first word of the name) from a queryset, spread over it."""
    rows = list(workers.order_by("pk").values_list("pk", "nik", "name")[:4000])  # type: ignore[attr-defined]
    rng = random.Random(seed)
    picked = rng.sample(rows, min(40, len(rows)))
    return [[str(pk), nik, name.split()[0]] for pk, nik, name in picked]


if __name__ == "__main__":
    main()

"""Ten million workers over the ten kabupaten/kota of Nusa Tenggara Barat in one installation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/province.py
    DATABASE_URL=… uv run python bench/province.py --workers 200000          # a smaller run
    DATABASE_URL=… uv run python bench/province.py --sqlite                  # SQLite as well
    uv run python bench/province.py --sqlite-only --workers 200000           # no server

Every step is its own process, as an operator runs it, timed by wall clock (start-up included)
with its CPU time (user + system: the work apart from waiting for a CPU or for the database
server; on a shared machine the wall time is not the cost) and its peak resident memory
(`os.wait4`), against the issue's targets:

1. `lindung synth --province 52 --rows N`: the whole-province file, then the same workers as one
   file per kabupaten/kota (`--split`), made with a scratch SQLite database holding the wilayah
   tree and the Dukcapil population (LINDUNG_SHARED_DATA, ../shared/data/wilayah), so that the
   workers follow the population. The files are kept in $TMPDIR/lindung-bench-data/province-N;
   `--skip-synth` reuses them.
2. On a scratch PostgreSQL database (created on the server of DATABASE_URL, dropped at the end):
   `lindung setup --kabupaten 52.01,52.02,…,52.72` (the installation serves all ten), the
   population, then `lindung import` of the whole-province file into the empty registry.
3. The registry pages, in-process with the Django test client (30 requests each after a
   warm-up; p50, p95 and the p95 of the process's CPU time): the list's first page, a NIK
   search, a name search, the list filtered to a desa and a worker's page, as an admin of the
   whole installation and as an operator bound to one kabupaten (52.03). Target: p95 ≤ 200 ms.
4. The dashboard: the recount of its cells (`dashboard.aggregates.refresh`, what the task worker
   runs after a change) in its own process, then the dashboard page as the admin at province
   level and at kabupaten level (52.03, 52.07), and as the kabupaten's operator. Target: p95 ≤
   300 ms.
5. `lindung target --year 2027 --kabupaten CODE` for the largest (52.03 Lombok Timur) and a
   small kabupaten (52.07 Sumbawa Barat), budgets for about a tenth of its workers, beside the
   start-up of a command (`lindung target --help`). Target: ≤ 10 s.
6. The database's size, what the workers added to the empty installation per million workers,
   and its largest tables.
7. On a second scratch database: setup, then the per-kabupaten files imported one after the
   other (each its own `lindung import`), the small kabupaten's first: its targeting run is
   timed with only its workers in the registry and again with the whole province (the cost
   should follow the kabupaten, not the province); the size again.

`--sqlite` runs steps 2-7 on SQLite as well. One table at the end gathers every figure.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402

DATA = Path(tempfile.gettempdir()) / "lindung-bench-data"
SHARED = Path(os.environ.get("LINDUNG_SHARED_DATA", ROOT.parent / "shared" / "data" / "wilayah"))
POPULATION = SHARED / "penduduk_prov_kab_dukcapil_2024s2.csv"
NTB = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"]
LARGE, SMALL = "52.03", "52.07"  # Lombok Timur (a quarter of NTB), Sumbawa Barat (under 3%)
YEAR = 2027
# A year of JKK + JKM for a BPU worker at the lowest income band: Rp16.800 a month.
YEARLY_CONTRIBUTION = 12 * 16_800
REQUESTS = 30
GB = 1024.0  # MB in a GB


@dataclass
class Figure:
    database: str
    step: str
    value: str  # "12,4 s", "p95 123 ms"
    peak_mb: float | None = None
    target: str = ""
    ok: bool | None = None


FIGURES: list[Figure] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=10_000_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite as well as PostgreSQL")
    parser.add_argument("--sqlite-only", action="store_true", help="SQLite, no PostgreSQL")
    parser.add_argument("--skip-synth", action="store_true", help="reuse the kept files")
    parser.add_argument("--skip-split", action="store_true", help="no per-kabupaten import")
    parser.add_argument("--skip-pages", action="store_true", help="no registry pages")
    parser.add_argument("--skip-dashboard", action="store_true", help="no recount and pages")
    parser.add_argument("--skip-target", action="store_true", help="no targeting runs")
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dashboard-pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages:
        _registry_pages()
        return
    if args.dashboard_pages:
        _dashboard_pages()
        return
    server = os.environ.get("DATABASE_URL", "")
    postgres = server.startswith(("postgres://", "postgresql://")) and not args.sqlite_only
    if not postgres and not (args.sqlite or args.sqlite_only):
        sys.exit("DATABASE_URL must name a PostgreSQL server (or give --sqlite-only)")
    print(f"province · {args.workers:,} workers over {len(NTB)} kabupaten/kota · Python "
          f"{platform.python_version()} · {os.cpu_count()} CPUs", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        whole, split = _files(args, var)
        shares = _shares(split)
        if postgres:
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, whole, shares, args)
            if not args.skip_split:
                with _scratch_database(server) as url:
                    _split_import("postgresql", url, var, split, shares, args)
        if args.sqlite or args.sqlite_only:
            _bench("sqlite", f"sqlite:///{var / 'whole.sqlite3'}", var, whole, shares, args)
            if not args.skip_split:
                _split_import("sqlite", f"sqlite:///{var / 'split.sqlite3'}", var, split,
                              shares, args)  # fmt: skip
    _table(args.workers)


# --- files ------------------------------------------------------------------------------------


def _files(args: argparse.Namespace, var: Path) -> tuple[Path, Path]:
    """The whole-province file and the folder of per-kabupaten files (made unless kept)."""
    folder = DATA / f"province-{args.workers}"
    whole, split = folder / "ntb.csv", folder / "kabupaten"
    if args.skip_synth and whole.exists() and split.is_dir():
        print(f"files kept from an earlier run: {folder}", flush=True)
        return whole, split
    folder.mkdir(parents=True, exist_ok=True)
    env = _env(f"sqlite:///{var / 'synth.sqlite3'}", var)
    _setup(env, "-", "setup (the synth database: wilayah tree)")
    _population(env, "-")
    rows = str(args.workers)
    _step(env, "-", f"synth: whole-province file ({_n(args.workers)})",
          ["synth", "--rows", rows, "--province", "52", "--out", str(whole)],
          target_mb=True)  # fmt: skip
    _step(env, "-", f"synth: {len(NTB)} files, --split ({_n(args.workers)})",
          ["synth", "--rows", rows, "--province", "52", "--split", "--out", str(split)],
          target_mb=True)  # fmt: skip
    return whole, split


def _shares(split: Path) -> dict[str, int]:
    """Workers per kabupaten/kota: the data lines of its file."""
    shares = {}
    for code in NTB:
        path = split / f"pekerja-{code}.csv"
        lines = 0
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 24):
                lines += chunk.count(b"\n")
        shares[code] = lines - 1  # the header
    return shares


# --- the benchmark of one database ---------------------------------------------------------------


def _bench(
    vendor: str,
    url: str,
    var: Path,
    whole: Path,
    shares: dict[str, int],
    args: argparse.Namespace,
) -> None:
    env = _env(url, var)
    workers = sum(shares.values())
    _setup(env, vendor, f"setup --kabupaten ({len(NTB)} codes)")
    _population(env, vendor)
    empty = _database_size(url)
    _step(env, vendor, f"import: whole-province file ({_n(workers)}), empty registry",
          ["import", str(whole), "--source", "BENCH"], target_mb=True)  # fmt: skip
    if not args.skip_pages or not args.skip_dashboard:
        _quiet(env, "collectstatic", "--noinput", "-v", "0")
    if not args.skip_pages:
        _in_process(env, vendor, "registry pages", "--pages", limit_ms=200)
    if not args.skip_dashboard:
        _step(env, vendor, "dashboard: recount of the cells",
              [sys.executable, "-c", RECOUNT], target_mb=True, django=False)  # fmt: skip
        _in_process(env, vendor, "dashboard pages", "--dashboard-pages", limit_ms=300)
    if not args.skip_target:
        _step(env, vendor, "start-up of a command (lindung target --help)", ["target", "--help"])
        for code in (LARGE, SMALL):
            _target(env, vendor, code, shares[code], "the province's registry")
    _size(vendor, url, workers, empty, "after the whole-province import")


def _split_import(
    vendor: str, url: str, var: Path, split: Path, shares: dict[str, int], args: argparse.Namespace
) -> None:
    """A second database: the kabupaten files one after the other, the small one first, so
    that its targeting run is timed with only its workers and again with the whole province."""
    env = _env(url, var)
    _setup(env, vendor, f"setup --kabupaten ({len(NTB)} codes), second database")
    empty = _database_size(url)
    total, cpu, peak = 0.0, 0.0, 0.0
    for code in [SMALL, *(code for code in NTB if code != SMALL)]:
        path = split / f"pekerja-{code}.csv"
        before = "first" if code == SMALL else "after the ones before"
        run = _step(env, vendor, f"import: {path.name} ({_n(shares[code])}), {before}",
                    ["import", str(path), "--source", f"BENCH {code}"], target_mb=True)  # fmt: skip
        total, cpu, peak = total + run.seconds, cpu + run.cpu, max(peak, run.peak)
        if code == SMALL and not args.skip_target:
            _target(env, vendor, SMALL, shares[SMALL], "its workers alone in the registry")
    _record(vendor, f"import: the {len(NTB)} kabupaten files, one after the other",
            f"{_n(total, 1)} s (cpu {_n(cpu, 1)})", peak, "≤ 4 GB", peak <= 4 * GB)  # fmt: skip
    if not args.skip_target:
        _target(env, vendor, SMALL, shares[SMALL], "the province's registry")
    _size(vendor, url, sum(shares.values()), empty, "after the per-kabupaten imports")


def _target(env: dict[str, str], vendor: str, code: str, workers: int, registry: str) -> None:
    """`lindung target` for one kabupaten with budgets for about a tenth of its workers."""
    budget = workers // 10 * YEARLY_CONTRIBUTION
    apbd, dbhcht = budget * 4 // 5, budget // 5
    command = ["target", "--year", str(YEAR), "--kabupaten", code, "--json",
               "--budget", f"apbd={apbd}", "--budget", f"dbhcht={dbhcht}"]  # fmt: skip
    if "--kabupaten" not in _help(env, "target"):
        print(f"note: `lindung target` has no --kabupaten yet; {code} runs without it", flush=True)
        command.remove("--kabupaten")
        command.remove(code)
    run = _run(env, command)
    result = json.loads(run.out)
    _record(vendor, f"target --kabupaten {code} ({_n(workers)} workers, {registry}): "
            f"{_n(result['selected'])} selected", run.text, run.peak,
            "≤ 10 s", run.seconds <= 10)  # fmt: skip


def _database_size(url: str) -> int:
    """Bytes: the PostgreSQL database, or the SQLite file with its journal."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def _size(vendor: str, url: str, workers: int, empty: int, when: str) -> None:
    """The database's size, and what the workers added to that of the empty installation (the
    wilayah tree) per million of them; on PostgreSQL its five largest tables."""
    size = _database_size(url)
    _record(vendor, f"database size {when} (empty: {_n(empty / 2**20)} MB)",
            _size_text(size, size - empty, workers))  # fmt: skip
    if url.startswith("sqlite"):
        return
    import psycopg

    with psycopg.connect(url) as connection:
        largest = connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
            "ORDER BY 2 DESC LIMIT 6"
        ).fetchall()
    for name, total, indexes in largest:
        grows = not str(name).startswith("regions_")  # the tree is there before any worker
        _record(vendor, f"  {name} (of which indexes {_n(indexes / 2**20)} MB)",
                _size_text(int(total), int(total) if grows else 0, workers))  # fmt: skip


def _size_text(size: int, added: int, workers: int) -> str:
    text = f"{_n(size / 2**20)} MB"
    if added and workers:
        text += f", {_n(added / 2**20 / (workers / 1_000_000))} MB per million"
    return text


# --- processes -----------------------------------------------------------------------------------


def _env(url: str, var: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}


def _setup(env: dict[str, str], vendor: str, label: str) -> None:
    """`lindung setup` for the ten kabupaten/kota. Should it refuse them (a deployment name of
    ten kabupaten is longer than Deployment.name allows on PostgreSQL), set up one and name the
    ten with `configure_deployment`, saying so."""
    command = ["setup", "--kabupaten", ",".join(NTB), "-v", "0"]
    run = _attempt(env, command)
    if run.status != 0 and "value too long" in run.out:
        print("note: `lindung setup` refused the ten codes (the deployment's name is too long); "
              "set up with one, then configure_deployment(name=…)", flush=True)  # fmt: skip
        run = _run(env, ["setup", "--kabupaten", NTB[0], "-v", "0"])
        _run(env, [sys.executable, "-c", CONFIGURE], django=False)
    elif run.status != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.out[-3000:]}")
    _record(vendor, label, run.text, run.peak, "≤ 4 GB", run.peak <= 4 * GB)


CONFIGURE = f"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.regions.services import configure_deployment
configure_deployment(kabupaten={NTB!r}, by=None, name="Provinsi Nusa Tenggara Barat")
"""


def _population(env: dict[str, str], vendor: str) -> None:
    """The Dukcapil population of every kabupaten/kota (when the shared data is there)."""
    if POPULATION.exists():
        _step(env, vendor, "population (Dukcapil 2024, setup step)",
              ["regions", "load-population", str(POPULATION), "--year", "2024",
               "--count-column", "total", "--allow-unmatched"])  # fmt: skip


def _step(
    env: dict[str, str],
    vendor: str,
    label: str,
    command: list[str],
    *,
    target_mb: bool = False,
    django: bool = True,
) -> "Run":
    run = _run(env, command, django=django)
    _record(vendor, label, run.text, run.peak, "≤ 4 GB" if target_mb else "",
            run.peak <= 4 * GB if target_mb else None)  # fmt: skip
    return run


@dataclass(frozen=True)
class Run:
    """A finished process: exit status, wall seconds, CPU seconds (user and system: the work
    apart from waiting for a CPU or the database server), peak resident MB, and its output (its
    errors when it failed)."""

    status: int
    seconds: float
    cpu: float
    peak: float
    out: str

    @property
    def text(self) -> str:
        return f"{_n(self.seconds, 1)} s (cpu {_n(self.cpu, 1)})"


def _run(env: dict[str, str], command: list[str], *, django: bool = True) -> Run:
    """Run a `lindung` command (or, with django=False, the command as given). Stops the
    benchmark if it fails."""
    run = _attempt(env, command, django=django)
    if run.status != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.out[-3000:]}")
    return run


def _attempt(env: dict[str, str], command: list[str], *, django: bool = True) -> Run:
    if django:
        command = [sys.executable, "-m", "django", *command, "--settings=lindung.settings"]
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603
        out = process.stdout.read() if process.stdout else b""
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            out = errors.read()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(status, seconds, cpu, usage.ru_maxrss / 1024, out.decode())


def _quiet(env: dict[str, str], *args: str) -> None:
    _run(env, list(args))


def _help(env: dict[str, str], command: str) -> str:
    return _run(env, [command, "--help"]).out


def _in_process(env: dict[str, str], vendor: str, label: str, flag: str, *, limit_ms: int) -> None:
    """Run this script with `flag` (the pages, timed in-process); its RESULT lines are figures."""
    run = _run(env, [sys.executable, __file__, flag], django=False)
    for line in run.out.splitlines():
        if line.startswith("RESULT "):
            case = json.loads(line.removeprefix("RESULT "))
            _record(vendor, case["label"],
                    f"p95 {_n(case['p95'])} ms (p50 {_n(case['p50'])}, cpu {_n(case['cpu95'])})",
                    None, f"≤ {limit_ms} ms", case["p95"] <= limit_ms)  # fmt: skip
    _record(vendor, f"{label}: the process ({run.text})", "", run.peak, "≤ 4 GB",
            run.peak <= 4 * GB)  # fmt: skip


RECOUNT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.dashboard.aggregates import refresh
state = refresh()
print(state.workers, state.fiscal_years)
"""


# --- in-process pages ----------------------------------------------------------------------------


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()


def _users() -> list[tuple[str, object, str]]:
    """(label, user, kabupaten or "" for the whole installation)."""
    from lindung.accounts.models import User
    from lindung.accounts.tests.factories import UserFactory, admin
    from lindung.roles import Role

    User.objects.filter(username__in=["bench.admin", "bench.kabupaten"]).delete()
    return [
        ("admin (province)", admin(username="bench.admin"), ""),
        (f"operator {LARGE}", UserFactory(role=Role.OPERATOR_KABUPATEN, region_id=LARGE,
                                          username="bench.kabupaten"), LARGE),
    ]  # fmt: skip


def _registry_pages() -> None:
    _setup_django()
    import random

    from django.db.models import Max, Min
    from django.test import Client

    from lindung.registry.models import Worker

    rng = random.Random(7)
    for label, user, kabupaten in _users():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)  # type: ignore[arg-type]
        workers = Worker.objects.filter(merged_into=None)
        if kabupaten:
            workers = workers.filter(kabupaten_id=kabupaten)
        bounds = workers.aggregate(low=Min("id"), high=Max("id"))
        if bounds["high"] is None:
            sys.exit("no workers: the import failed?")
        # Random ids, not ORDER BY random(): that would read every row of the province.
        ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(REQUESTS * 3)]
        sample = list(
            workers.filter(id__in=ids).values_list("id", "nik", "name_key", "desa_id")[:REQUESTS]
        )
        sample = (sample * REQUESTS)[:REQUESTS]
        cases = {
            "list, first page": [f"/pekerja/?x={n}" for n in range(REQUESTS)],
            "search by NIK": [f"/pekerja/?q={nik}" for _i, nik, _k, _d in sample],
            "search by name (one word)": [
                f"/pekerja/?q={key.split()[-1]}" for _i, _n, key, _d in sample
            ],
            "list filtered to a desa": [f"/pekerja/?desa={desa}" for _i, _n, _k, desa in sample],
            "worker page": [f"/pekerja/{pk}/" for pk, _n, _k, _d in sample],
        }
        for case, urls in cases.items():
            _time_urls(client, f"registry, {label}: {case}", urls)


def _dashboard_pages() -> None:
    _setup_django()
    from django.test import Client

    year = f"tahun={YEAR}"
    admin, operator = _users()
    for label, user, urls in [
        ("dashboard, admin: province", admin[1], [f"/dasbor/?{year}"] * REQUESTS),
        (f"dashboard, admin: kabupaten {LARGE}", admin[1],
         [f"/dasbor/?{year}&area={LARGE}"] * REQUESTS),
        (f"dashboard, admin: kabupaten {SMALL}", admin[1],
         [f"/dasbor/?{year}&area={SMALL}"] * REQUESTS),
        (f"dashboard, operator {LARGE}: its kabupaten", operator[1],
         [f"/dasbor/?{year}"] * REQUESTS),
    ]:  # fmt: skip
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)  # type: ignore[arg-type]
        _time_urls(client, label, urls)


def _time_urls(client: object, label: str, urls: list[str]) -> None:
    get: Callable[[str], object] = client.get  # type: ignore[attr-defined]
    _status(get(urls[0]), urls[0])  # warm up: templates compiled, caches filled
    times, cpu = [], []
    for url in urls:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        _status(response, url)
    result = {
        "label": label,
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[-1],
        "cpu95": statistics.quantiles(cpu, n=20)[-1],
    }
    print("RESULT " + json.dumps(result), flush=True)


def _status(response: object, url: str) -> None:
    code = getattr(response, "status_code", 0)
    if code != 200:
        sys.exit(f"{url}: HTTP {code}")


# --- the table -----------------------------------------------------------------------------------


def _record(
    database: str,
    step: str,
    value: str,
    peak_mb: float | None = None,
    target: str = "",
    ok: bool | None = None,
) -> None:
    figure = Figure(database, step, value, peak_mb, target, ok)
    FIGURES.append(figure)
    print(_line(figure), flush=True)


def _line(figure: Figure) -> str:
    peak = f"{_n(figure.peak_mb)} MB" if figure.peak_mb is not None else ""
    ok = {True: "yes", False: "NO", None: ""}[figure.ok]
    return (f"{figure.database:<11} {figure.step:<66} {figure.value:>40} {peak:>10} "
            f"{figure.target:>9} {ok:>3}")  # fmt: skip


def _table(workers: int) -> None:
    print()
    print(f"province · {_n(workers)} workers · every figure")
    print(f"{'database':<11} {'step':<66} {'figure':>40} {'peak':>10} {'target':>9} {'ok':>3}")
    for figure in FIGURES:
        print(_line(figure))


def _n(value: float | None, digits: int = 0) -> str:
    """Indonesian number format: 1.234.567 and 12,4."""
    text = f"{value or 0:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


if __name__ == "__main__":
    main()

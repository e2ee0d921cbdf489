"""Time enrollment: a registration batch of 100.000 workers, the branch's answer to it checked and
committed, and the enrollment pages with 1.000.000 workers and 200.000 participations.

    uv run python bench/enrollment.py                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/enrollment.py
    uv run python bench/enrollment.py --rows 200000 --batch 20000       # smaller, quicker
    uv run python bench/enrollment.py --reuse       # SQLite: the set-up kept and copied each run

A fresh database per run (a scratch database on the PostgreSQL server of DATABASE_URL): `lindung
setup`, the synthetic list of --rows workers imported with `lindung import` (made once with
`lindung synth` and kept in $TMPDIR/lindung-bench-data), a targeting run for 2027 whose APBD
budget pays for --batch workers, approved as list 1 (its workers become candidates). Then, in
another process:

- the batch: wadah SG-APBD (`services.save_wadah`), `batches.create_batch` of every candidate
  (checks, XLSX, CSV, the short transaction that marks them submitted), with its steps;
- the answer: `synth.fake_answer` writes the branch's answer to the batch's XLSX (not a target),
  then `answers.service.receive` (the file kept, read and checked) and `commit` (checked again,
  applied, one audit event per participation); the same file again (nothing changes);
- the pages: a 2026 list of --batch workers approved too and its participations moved in bulk
  (SQL) to registered, rejected and ended, so the database holds twice --batch participations;
  the dashboard's rebuild with them (`aggregates.refresh`, "enrolled" included); then as an
  admin (Django test client, a warm-up, then 30 requests each) the enrollment overview, the
  participation list (page 1, page 50, a state, a kecamatan, a name search, all years), a
  batch's page, and the participation list of a kecamatan operator; p50/p95 in milliseconds.

With --reuse (SQLite only) the database after the set-up steps is kept in
$TMPDIR/lindung-bench-enrollment/<rows>-<batch>/ and each run starts from a copy of it.

Targets (issue 14): the batch ≤ 10 s, the answer checked and committed ≤ 15 s, pages p95 ≤ 300 ms.
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from regions_load import _scratch_database  # noqa: E402
from registry_import import DATA, _run, _synthetic  # noqa: E402

KEPT = Path(tempfile.gettempdir()) / "lindung-bench-enrollment"
YEAR_COST = 12 * 16_800  # a worker's JKK + JKM for 2027
APPROVE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario
scenario = run_scenario(by="bench", fiscal_year=2027, budgets={{"apbd": {budget}, "dbhcht": 0}})
approve(by="bench", scenario=scenario, decree="188.45/BENCH/2027")
"""
REQUESTS = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="workers in the registry")
    parser.add_argument("--batch", type=int, default=100_000, help="workers on the list")
    parser.add_argument("--reuse", action="store_true", help="SQLite: keep the set-up, reuse it")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps:
        _steps(args.batch)
        return
    if args.reuse:
        _reuse(args.rows, args.batch)
        return
    print(f"enrollment · {args.rows:,} workers · a list of {args.batch:,} · Python "
          f"{platform.python_version()} · {os.cpu_count()} CPUs")  # fmt: skip
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.rows, "csv", var)
        if args.only in (None, "sqlite"):
            _bench("sqlite", f"sqlite:///{var / 'enrollment.sqlite3'}", var, path, args.batch)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")) and args.only != "sqlite":
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, path, args.batch)


def _reuse(rows: int, batch: int) -> None:
    """SQLite from a kept copy of the set-up (made on the first run)."""
    var = KEPT / f"{rows}-{batch}"
    setup = var / "setup.sqlite3"
    work = var / "enrollment.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}", "LINDUNG_VAR": str(var)}
    if not setup.exists():
        var.mkdir(parents=True, exist_ok=True)
        DATA.mkdir(exist_ok=True)
        _setup("sqlite", env, _synthetic(rows, "csv", var), batch)
        shutil.copyfile(work, setup)
    else:
        for stale in (work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
            stale.unlink(missing_ok=True)
        shutil.copyfile(setup, work)
    for folder in ("enrollment", "jobs"):
        shutil.rmtree(var / folder, ignore_errors=True)
    command = [sys.executable, __file__, "--steps", "--batch", str(batch)]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def _bench(vendor: str, url: str, var: Path, path: Path, batch: int) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    _setup(vendor, env, path, batch)
    command = [sys.executable, __file__, "--steps", "--batch", str(batch)]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def _setup(vendor: str, env: dict[str, str], path: Path, batch: int) -> None:
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    seconds, _peak = _run(env, "import", str(path), "--source", "BENCH")
    print(f"{vendor:<11} {'import (setup step)':<44} {seconds:>8.1f} s")
    start = time.perf_counter()
    approve = APPROVE.format(budget=batch * YEAR_COST)
    subprocess.run([sys.executable, "-c", approve], env=env, check=True)  # noqa: S603
    print(f"{vendor:<11} {'target + approve list 1 (setup step)':<44} "
          f"{time.perf_counter() - start:>8.1f} s")  # fmt: skip
    _run(env, "collectstatic", "--noinput", "-v", "0")


def _line(vendor: str, label: str, seconds: float, note: str = "") -> None:
    print(f"{vendor:<11} {label:<44} {seconds:>8.1f} s  {note}".rstrip(), flush=True)


def _steps(size: int) -> None:
    """In-process, on the database of DATABASE_URL: the batch, the answer, then the pages."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from lindung.enrollment.answers.service import commit, receive
    from lindung.enrollment.batches import batch_files, create_batch
    from lindung.enrollment.models import Participation, WadahType
    from lindung.enrollment.services import save_wadah
    from lindung.enrollment.synth import fake_answer
    from lindung.targeting.models import BeneficiaryList

    vendor = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    approved = BeneficiaryList.objects.get(fiscal_year=2027)
    candidates = Participation.objects.filter(beneficiary_list=approved).count()
    print(f"{vendor:<11} list 1: {approved.selected:,} workers, {candidates:,} candidates")
    wadah = save_wadah(by="bench", wadah=None, data={
        "code": "SG-APBD", "name": "Pekerja Rentan APBD Kab. Lombok Timur", "source": "apbd",
        "type_code": WadahType.SG, "npw": "52030001", "branch": "KC Selong",
    })  # fmt: skip

    marks: dict[str, float] = {}

    def progress(step: str, done: int = 0, total: int = 0) -> None:
        marks.setdefault(step, time.perf_counter())

    start = time.perf_counter()
    batch = create_batch(by="bench", beneficiary_list=approved, wadah=wadah, progress=progress)
    seconds = time.perf_counter() - start
    steps = [*marks.items(), ("end", start + seconds)]
    parts = ", ".join(f"{name} {steps[i + 1][1] - at:.1f} s" for i, (name, at) in
                      enumerate(steps[:-1]))  # fmt: skip
    _line(vendor, f"batch of {batch.workers:,} workers (target 10 s)", seconds, f"({parts})")
    files = batch_files(batch)
    sizes = ", ".join(
        f"{kind} {path.stat().st_size / 2**20:.1f} MiB" for kind, path in files.items()
    )
    print(f"{'':<11} files: {sizes}; {len(batch.problems):,} workers with a problem")

    answer_file = Path(tempfile.gettempdir()) / f"lindung-bench-answer-{os.getpid()}.xlsx"
    start = time.perf_counter()
    counts = fake_answer(files["xlsx"], answer_file, seed=1)
    _line(vendor, "synthetic answer written (not a target)", time.perf_counter() - start)
    try:
        start = time.perf_counter()
        answer = receive(by="bench", batch=batch, source=answer_file, file_name="jawaban.xlsx")
        checked = time.perf_counter() - start
        commit_marks: dict[str, float] = {}
        started = time.perf_counter()
        answer = commit(by="bench", answer=answer, progress=lambda step: commit_marks.setdefault(
            step, time.perf_counter()))  # fmt: skip
        committed = time.perf_counter() - started
        _line(vendor, "answer: receive (read + check)", checked, f"({answer.rows_total:,} rows)")
        recheck = commit_marks.get("save", started) - started
        parts = f"check again {recheck:.1f} s, apply + audit {committed - recheck:.1f} s"
        _line(vendor, "answer: commit", committed, f"({parts})")
        _line(vendor, "answer checked and committed (target 15 s)", checked + committed,
              f"({answer.registered:,} registered, {answer.rejected:,} rejected, "
              f"{answer.already_active:,} already active, {answer.problems:,} problems; "
              f"synthetic {counts})")  # fmt: skip
        start = time.perf_counter()
        again = receive(by="bench", batch=batch, source=answer_file, file_name="jawaban.xlsx")
        again = commit(by="bench", answer=again)
        _line(vendor, "the same answer again (nothing changes)", time.perf_counter() - start,
              f"({again.unchanged:,} unchanged)")  # fmt: skip
    finally:
        answer_file.unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'':<11} peak resident memory so far {peak:,.0f} MB")
    _more_participations(vendor, size, wadah.pk)
    from lindung.dashboard.aggregates import refresh

    start = time.perf_counter()
    state = refresh()
    _line(vendor, "dashboard rebuild, enrolled included", time.perf_counter() - start,
          f"({state.workers:,} workers, fiscal years {state.fiscal_years})")  # fmt: skip
    _pages(vendor, batch.pk)


def _more_participations(vendor: str, size: int, wadah_id: int) -> None:
    """Last year's list: `size` more participations, mostly registered, in bulk."""
    from django.db import connection, transaction

    from lindung.enrollment.models import Participation
    from lindung.rules.policy import active_policy, source_cost
    from lindung.targeting.approval import approve
    from lindung.targeting.services import run_scenario

    start = time.perf_counter()
    policy, _version = active_policy()
    budget = size * source_cost(policy, "apbd", 2026)
    scenario = run_scenario(by="bench", fiscal_year=2026, budgets={"apbd": budget})
    approve(by="bench", scenario=scenario, decree="188.45/BENCH/2026")
    table = Participation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = 'TERDAFTAR', wadah_id = %s, "  # noqa: S608 - fixed names
            "kpj = CAST(20000000000 + id AS TEXT), effective_from = %s "
            "WHERE fiscal_year = 2026 AND id %% 20 <> 0",
            [wadah_id, "2026-01-01"],
        )
        cursor.execute(
            f"UPDATE {table} SET state = 'DITOLAK', wadah_id = %s, "  # noqa: S608
            "reason = 'Data tidak sesuai Dukcapil' WHERE fiscal_year = 2026 AND id %% 20 = 0",
            [wadah_id],
        )
        cursor.execute(
            f"UPDATE {table} SET state = 'BERAKHIR', end_reason = 'died', ended_on = %s "  # noqa: S608
            "WHERE fiscal_year = 2026 AND id %% 50 = 1",
            ["2026-06-30"],
        )
        cursor.execute(f"ANALYZE {table}" if vendor == "postgresql" else "ANALYZE")
    total = Participation.objects.count()
    _line(vendor, "2026 list and its participations (setup)", time.perf_counter() - start,
          f"({total:,} participations in all)")  # fmt: skip


def _pages(vendor: str, batch_id: int) -> None:
    from django.test import Client

    from lindung.accounts.tests.factories import admin, operator_kecamatan
    from lindung.enrollment.models import Participation

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin(username="bench.admin"))
    busiest = (
        Participation.objects.filter(fiscal_year=2027)
        .values_list("kecamatan_id", flat=True)
        .order_by("kecamatan_id")
        .distinct()
    )
    kecamatan = list(busiest)
    names = list(
        Participation.objects.filter(fiscal_year=2027)
        .order_by("?")
        .values_list("name", flat=True)[:REQUESTS]
    )
    pick = [kecamatan[i % len(kecamatan)] for i in range(REQUESTS)]
    operator = Client(HTTP_HOST="localhost")
    operator.force_login(operator_kecamatan(kecamatan[0], username="bench.kecamatan"))
    list_url = "/kepesertaan/peserta/"
    cases = {
        "overview (2027)": (client, ["/kepesertaan/?tahun=2027"] * REQUESTS),
        "participations: page 1": (client, [list_url] * REQUESTS),
        "participations: page 50": (client, [f"{list_url}?page=50"] * REQUESTS),
        "participations: rejected": (client, [f"{list_url}?state=DITOLAK"] * REQUESTS),
        "participations: a kecamatan, registered": (
            client, [f"{list_url}?kecamatan={k}&state=TERDAFTAR" for k in pick]),
        "participations: a name": (client, [f"{list_url}?q={n.split()[-1]}" for n in names]),
        "participations: all years": (client, [f"{list_url}?year="] * REQUESTS),
        "batch detail": (client, [f"/kepesertaan/batch/{batch_id}/"] * REQUESTS),
        "kecamatan operator: participations": (operator, [list_url] * REQUESTS),
    }  # fmt: skip
    for who, urls in cases.values():  # warm up: templates compiled, caches filled
        _get(who, urls[0])
    for label, (who, urls) in cases.items():
        times = [_get(who, url) for url in urls]
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{vendor:<11} {'page: ' + label:<44} p50 {statistics.median(times):>5.0f} ms  "
              f"p95 {p95:>5.0f} ms", flush=True)  # fmt: skip


def _get(client: object, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    return elapsed


if __name__ == "__main__":
    main()

# Over 600 lines: one benchmark that builds two schemas and times them side by side.
"""The large tables partitioned by kabupaten/kota against the same tables unpartitioned, on
PostgreSQL (issue 17, decision 0006).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/partitioning.py
    DATABASE_URL=… uv run python bench/partitioning.py --workers 500000          # a quicker run
    DATABASE_URL=… uv run python bench/partitioning.py --workers 500000 --keep   # keep the database
    DATABASE_URL=… uv run python bench/partitioning.py --reuse lindung_bench_part_500000
    DATABASE_URL=… uv run python bench/partitioning.py --reuse … --reads-only  # leaves it unchanged

A scratch database is created on the server of DATABASE_URL and dropped afterwards (with --keep it
is kept as lindung_bench_part_<N>, and --reuse measures such a database again without building).
It is migrated and the wilayah tree loaded (`python -m django migrate`, `regions load`), and the
installation serves the ten kabupaten/kota of NTB (52.01 to 52.08, 52.71, 52.72).

The large tables are built twice from the real schema, with the same rows:
- `public`: the migrated tables as they are (unpartitioned, Django's indexes and constraints);
- `part`: the same columns, `PARTITION BY LIST` on the kabupaten code with one partition per
  kabupaten/kota, the same secondary indexes; a table without a kabupaten code gets a
  `kabupaten_id` column; every primary key and unique constraint gets the kabupaten code added,
  because PostgreSQL refuses one without it (the script shows the refusal for the NIK); NIK
  uniqueness across the province is kept by a narrow unpartitioned `registry_nik` table.

Rows are synthetic and made in SQL (INSERT … SELECT over generate_series): --workers workers over
the real desa of the ten kabupaten/kota, kabupaten sizes in proportion to their population
(Dukcapil 2024; Lombok Timur a quarter, Sumbawa Barat 3 %), desa sizes lognormal within each;
written kecamatan by kecamatan in a shuffled order, as if each kecamatan had sent its own file at
a different time. Then the name tokens (about 1,65 per worker), sources (1,2), and for the 30 %
on a list: the targeting selection, the approved list's entries and the participations (80 %
registered, 6 billed months each), and about 0,74 audit events per worker.

Measured, unpartitioned (U) against partitioned (P): the SQL the registry pages really send
(captured from `registry.queries.list_page`/`list_count` and the ORM, run under each schema by
`search_path`), the targeting read of one kabupaten (`registry.frames.workers_frame` shape),
p50/p95 over --repeat runs, alternately U and P, with EXPLAIN (ANALYZE, BUFFERS) of one run of
each case: which partitions were read and the buffers touched; "P + kabupaten in SQL" is the same
read with the changes decision 0006 asks of the queries. Then (unless --reads-only) one kabupaten
(the one nearest 1.000.000 workers, or a fifth of them below 5.000.000) taken out and loaded
again by COPY: U with DELETE, COPY with its
indexes live and VACUUM of the whole table; P with DETACH/DROP of the partition, COPY with
indexes live, VACUUM of the partition, and a fresh table loaded without indexes, indexed and
attached. Sizes of every table and its indexes.
"""

import argparse
import io
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LINDUNG_SHARED_DATA", ROOT.parent / "shared" / "data" / "wilayah"))
NTB = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"]
# Population by kabupaten/kota (Dukcapil 2024 semester 2), when the shared file is missing.
POPULATION = {"52.01": 762_757, "52.02": 1_128_716, "52.03": 1_457_591, "52.04": 527_715,
              "52.05": 277_837, "52.06": 543_582, "52.07": 156_059, "52.08": 269_989,
              "52.71": 461_936, "52.72": 165_113}  # fmt: skip

# Table → (its kabupaten column, or the column added and the join and expression that give it).
LARGE: dict[str, tuple[str, str, str]] = {
    "registry_worker": ("kabupaten_id", "", ""),
    "registry_workernametoken": ("kabupaten", "", ""),
    "registry_workersource": (
        "kabupaten_id", "JOIN public.registry_worker w ON w.id = t.worker_id", "w.kabupaten_id"
    ),
    "targeting_selection": (
        "kabupaten_id", "JOIN public.registry_worker w ON w.id = t.worker_id", "w.kabupaten_id"
    ),
    "targeting_beneficiary": ("kabupaten_id", "", "substr(t.desa_id, 1, 5)"),
    "enrollment_participation": ("kabupaten_id", "", "substr(t.desa_id, 1, 5)"),
    "billing_billline": (
        "kabupaten_id", "JOIN public.enrollment_participation p ON p.id = t.participation_id",
        "substr(p.desa_id, 1, 5)",
    ),
    "audit_event": (
        "kabupaten_id",
        "LEFT JOIN public.registry_worker w ON t.object_type = 'registry.worker' AND w.id ="
        " CASE WHEN t.object_id ~ '^[0-9]+$' THEN t.object_id::bigint END",
        "coalesce(w.kabupaten_id, '52')",  # events of no kabupaten: the province's partition
    ),
}  # fmt: skip

FIRST = ["muhammad"] * 35 + ["siti"] * 12 + ["ahmad"] * 10 + ["abdul"] * 7 + ["nur"] * 5 + [
    "lalu", "baiq", "haji", "agus", "budi", "dewi", "fitri", "hadi", "hasan", "husein", "ilham",
    "indah", "irwan", "joko", "kartini", "lina", "made", "mahmud", "maya", "putu", "rahmat",
    "ratna", "rina", "rizki", "salman", "sri", "taufik", "umar", "wayan", "yusuf", "zainal",
]  # fmt: skip
MIDDLE = [
    "abdurrahman", "rahman", "hidayat", "saputra", "wahyudi", "kurniawan", "hamdani", "sahnan",
    "mahsun", "suhaimi", "rusdi", "fauzi", "hairudin", "jumadil", "sarip", "munawir", "zohri",
    "sahdan", "mustiadi", "nasrullah", "ramli", "sukardi", "haerul", "anwar", "sapri", "rohani",
    "marni", "sumiati", "rukmini", "nurhayati", "aminah", "halimah", "jumaidah", "sanah",
    "kasmini", "hartini", "sulastri", "parmin", "samsul", "bahri", "julkarnain", "muksin",
]  # fmt: skip
LAST = ["ismail", "ibrahim", "ishak", "yakub", "idris", "musa", "harun", "daud", "sulaiman",
        "zakaria", "yahya", "ilyas", "yunus", "ayub", "syuaib", "hud", "saleh",
        "lukman"]  # fmt: skip
OCCUPATIONS = (["petani"] * 25 + ["buruh_tani"] * 15 + ["petani_tembakau"] * 5
               + ["buruh_tani_tembakau"] * 5 + ["pekebun"] * 5 + ["peternak"] * 5
               + ["nelayan"] * 8 + ["pedagang"] * 10 + ["ojek"] * 5 + ["tukang"] * 5
               + ["buruh_harian_lepas"] * 7 + ["sopir"] * 2 + ["lainnya"] * 3)  # fmt: skip
SOURCES = ["DTKS 2025", "P3KE", "Regsosek", "Desa", "BPJS"]
FUNDS = ["apbd", "dbhcht", "apbdes"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30, help="runs of each read")
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", default="", help="measure this database, built before")
    parser.add_argument(
        "--reads-only", action="store_true", help="leave out the kabupaten replaced by COPY"
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server")
    print(f"partitioning · Python {platform.python_version()} · {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        if args.reuse:
            url = urlunsplit(urlsplit(server)._replace(path=f"/{args.reuse}"))
            _measure(url, Path(folder), args.repeat, replace=not args.reads_only)
            return
        name = f"lindung_bench_part_{args.workers}" if args.keep else ""
        with _database(server, name, keep=args.keep) as url:
            _build(url, Path(folder), args.workers)
            _measure(url, Path(folder), args.repeat, replace=not args.reads_only)


@contextmanager
def _database(url: str, name: str, *, keep: bool) -> Iterator[str]:
    """A new database on the server of `url` (a scratch name unless `name`); dropped on exit
    unless `keep`."""
    parts = urlsplit(url)
    name = name or f"lindung_bench_{os.getpid()}_{int(time.time())}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if not keep:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                drop = sql.SQL("DROP DATABASE {} WITH (FORCE)")  # our own sessions only
                connection.execute(drop.format(sql.Identifier(name)))


class Clock:
    """Prints each step with its seconds; keeps them by label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[label] = seconds = time.perf_counter() - start
        print(f"  {label:<66} {seconds:>8.1f} s", flush=True)


# --- build ----------------------------------------------------------------------------------
def _build(url: str, var: Path, workers: int) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var)}
    clock = Clock()
    print(f"build · {workers:,} workers")
    with clock.step("migrate, regions load"):
        for args in (["migrate", "-v", "0"], ["regions", "load"]):
            command = [sys.executable, "-m", "django", *args, "--settings=lindung.settings"]
            subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SET maintenance_work_mem = '512MB'")
        db.execute("SET synchronous_commit = off")
        _deployment(db)
        saved = {table: _drop_secondary(db, table) for table in LARGE}
        with clock.step("U: workers (INSERT … SELECT generate_series)"):
            _fill_workers(db, workers)
        with clock.step("U: name tokens, sources, lists, participations, bill lines, audit"):
            _fill_others(db)
        with clock.step("U: indexes and constraints built after the rows"):
            for indexes, constraints in saved.values():
                for statement in indexes + constraints:
                    db.execute(statement)
        _partitioned(db, clock)
        with clock.step("VACUUM ANALYZE, both schemas"):
            for table in LARGE:
                db.execute(f"VACUUM (ANALYZE) public.{table}")
                db.execute(f"VACUUM (ANALYZE) part.{table}")
            db.execute("VACUUM (ANALYZE) part.registry_nik")


def _deployment(db: psycopg.Connection[Any]) -> None:
    """The installation serves the ten kabupaten/kota of NTB; one source per list of origin."""
    _insert(db, "regions_deployment", id=1, name="Nusa Tenggara Barat")
    area = "regions_deployment_areas"
    db.execute(f"INSERT INTO {area} (deployment_id, region_id) SELECT 1, unnest(%s::text[])", [NTB])
    for name in SOURCES:
        db.execute("INSERT INTO registry_source (name, created_at) VALUES (%s, now())", [name])


def _drop_secondary(db: psycopg.Connection[Any], table: str) -> tuple[list[str], list[str]]:
    """Drop the table's indexes and constraints other than its primary key and checks; return
    the statements that make them again (indexes, then constraints)."""
    constraints = db.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
        [f"public.{table}"],
    ).fetchall()
    indexes = db.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass AND NOT indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)",
        [f"public.{table}"],
    ).fetchall()
    for name, _definition, _type in constraints:
        db.execute(f'ALTER TABLE public.{table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        db.execute(f"DROP INDEX {name}")
    return (
        [definition for _name, definition in indexes],
        [f'ALTER TABLE public.{table} ADD CONSTRAINT "{name}" {definition}'
         for name, definition, _type in sorted(constraints, key=lambda c: c[2], reverse=True)],
    )  # fmt: skip


def _desa_sizes(db: psycopg.Connection[Any], workers: int) -> list[tuple[str, int, int]]:
    """(desa code, first row number, workers) for every desa of the ten kabupaten/kota."""
    population = _population()
    total = sum(population[k] for k in NTB)
    rows = db.execute(
        "SELECT code FROM regions_region WHERE level = 4 AND substr(code, 1, 5) = ANY(%s)"
        " ORDER BY code",
        [NTB],
    ).fetchall()
    weights: dict[str, float] = {}
    for kabupaten in NTB:
        desa = [code for (code,) in rows if code.startswith(kabupaten + ".")]
        spread = [random.Random(code).lognormvariate(0.0, 0.5) for code in desa]
        share = workers * population[kabupaten] / total
        weights.update(
            {code: share * w / sum(spread) for code, w in zip(desa, spread, strict=True)}
        )
    sizes = {code: int(w) for code, w in weights.items()}
    for code in sorted(weights, key=lambda c: sizes[c] - weights[c])[
        : workers - sum(sizes.values())
    ]:
        sizes[code] += 1
    first, result = 0, []
    for code in sorted(sizes):
        result.append((code, first, sizes[code]))
        first += sizes[code]
    return result


def _population() -> dict[str, int]:
    path = SHARED / "penduduk_prov_kab_dukcapil_2024s2.csv"
    if not path.exists():
        return POPULATION
    found = {}
    for line in path.read_text().splitlines()[1:]:
        code, *_name, total = line.split(",")
        if code in NTB:
            found[code] = int(total)
    return found if len(found) == len(NTB) else POPULATION


WORKER_COLUMNS = (
    "nik, no_kk, name, name_key, sex, birth_date, birth_place, phone, address, occupation, income,"
    " desil, disability, female_head, status, created_at, updated_at, desa_id, kabupaten_id,"
    " kecamatan_id"
)


def _fill_workers(db: psycopg.Connection[Any], workers: int) -> None:
    desa = _desa_sizes(db, workers)
    db.execute(
        "CREATE UNLOGGED TABLE bench_desa (desa text PRIMARY KEY, kecamatan text, first bigint,"
        " n bigint)"
    )
    with db.cursor().copy("COPY bench_desa FROM STDIN") as copy:
        for code, first, n in desa:
            copy.write_row((code, code[:8], first, n))
    kecamatan = sorted({code[:8] for code, _first, _n in desa})
    random.Random(17).shuffle(kecamatan)  # each kecamatan's file came at its own time
    names = {"f": FIRST, "m": MIDDLE, "l": LAST, "o": OCCUPATIONS}
    for code in kecamatan:
        db.execute(
            f"""INSERT INTO registry_worker ({WORKER_COLUMNS})
            SELECT prefix || lpad(p::text, 10, '0'), prefix || lpad((p / 3)::text, 10, '0'),
                   initcap(full_name), full_name,
                   CASE WHEN h1 %% 2 = 0 THEN 'L' ELSE 'P' END,
                   date '1960-01-01' + (h2 %% 17000)::int, '',
                   CASE WHEN h3 %% 10 < 6 THEN '08' || lpad((h3 %% 10000000000)::text, 10, '0')
                        ELSE '' END,
                   'Dusun ' || (h4 %% 12 + 1) || ' RT ' || lpad((h4 %% 9 + 1)::text, 3, '0'),
                   (%(o)s::text[])[1 + h1 %% {len(OCCUPATIONS)}],
                   CASE WHEN h2 %% 5 = 0 THEN NULL ELSE 300000 + (h2 %% 40) * 100000 END,
                   CASE WHEN h3 %% 10 < 3 THEN NULL ELSE 1 + h3 %% 10 END,
                   h4 %% 50 = 0, h4 %% 20 = 1, 'aktif',
                   now() - (h1 %% 700) * interval '1 day', now() - (h1 %% 300) * interval '1 day',
                   desa, substr(desa, 1, 5), substr(desa, 1, 8)
            FROM (
                SELECT d.desa, d.first + s AS p, h1, h2, h3, h4,
                       CASE WHEN h1 %% 20 = 0  -- a NIK issued elsewhere: moved in
                            THEN '52' || lpad((h2 %% 8 + 1)::text, 2, '0') || '0' || (h3 %% 9 + 1)
                            ELSE replace(substr(d.desa, 1, 8), '.', '') END AS prefix,
                       CASE WHEN h4 %% 100 < 45 THEN (%(m)s::text[])[1 + h2 %% {len(MIDDLE)}]
                            WHEN h4 %% 100 < 90
                                 THEN (%(f)s::text[])[1 + h1 / 7 %% {len(FIRST)}] || ' '
                                 || (%(m)s::text[])[1 + h2 %% {len(MIDDLE)}]
                            ELSE (%(f)s::text[])[1 + h1 / 7 %% {len(FIRST)}] || ' '
                                 || (%(m)s::text[])[1 + h2 %% {len(MIDDLE)}] || ' '
                                 || (%(l)s::text[])[1 + h3 %% {len(LAST)}] END AS full_name
                FROM bench_desa d, generate_series(0, d.n - 1) s,
                     LATERAL (SELECT abs(hashint8((d.first + s) * 4 + 1)::bigint) AS h1,
                                     abs(hashint8((d.first + s) * 4 + 2)::bigint) AS h2,
                                     abs(hashint8((d.first + s) * 4 + 3)::bigint) AS h3,
                                     abs(hashint8((d.first + s) * 4 + 4)::bigint) AS h4) h
                WHERE d.kecamatan = %(kec)s ORDER BY d.desa, s
            ) g""",  # noqa: S608 - lengths of our own lists
            {**names, "kec": code},
        )
    db.execute("DROP TABLE bench_desa")


def _fill_others(db: psycopg.Connection[Any]) -> None:
    """Tokens, sources, one policy, scenario, list, wadah and bill per kabupaten/kota, and the
    rows that hang off the 30 %% of workers on a list."""
    from lindung.registry.names import is_title, word_token  # plain Python, no Django

    db.execute("CREATE UNLOGGED TABLE bench_token (word text PRIMARY KEY, token text)")
    for word in sorted({*FIRST, *MIDDLE, *LAST}):  # a title is no token beside other words
        token = None if is_title(word) else word_token(word)
        db.execute("INSERT INTO bench_token VALUES (%s, %s)", [word, token])
    db.execute(
        "INSERT INTO registry_workernametoken (worker_id, token, name_key, kabupaten, kecamatan,"
        " desa) SELECT w.id, coalesce(t.token, t.word), w.name_key, w.kabupaten_id,"
        " w.kecamatan_id, w.desa_id FROM registry_worker w,"
        " unnest(string_to_array(w.name_key, ' ')) n(word) JOIN bench_token t ON t.word = n.word"
        " WHERE t.token IS NOT NULL OR w.name_key NOT LIKE '% %'"
    )
    db.execute("DROP TABLE bench_token")
    sources = [r[0] for r in db.execute("SELECT id FROM registry_source ORDER BY id")]
    db.execute(
        "INSERT INTO registry_workersource (worker_id, source_id)"
        " SELECT id, (%(s)s::bigint[])[1 + abs(hashint8(id)) %% 5] FROM registry_worker"
        " UNION ALL SELECT id, (%(s)s::bigint[])[1 + (abs(hashint8(id)) + 1) %% 5]"
        " FROM registry_worker WHERE abs(hashint8(id * 3)) %% 5 = 0",
        {"s": sources},
    )
    db.execute(
        "CREATE UNLOGGED TABLE bench_kab (kabupaten text PRIMARY KEY, policy bigint,"
        " scenario bigint, list bigint, wadah bigint, bill bigint)"
    )
    for n, kabupaten in enumerate(NTB, start=1):
        policy = _insert(db, "rules_policyversion", number=n, kabupaten=kabupaten)
        scenario = _insert(db, "targeting_scenario", policy_version_id=policy, kabupaten=kabupaten,
                           fiscal_year=2027, name=f"Skenario {kabupaten}")  # fmt: skip
        listed = _insert(db, "targeting_beneficiarylist", number=n, fiscal_year=2027, version=1,
                         scenario_id=scenario, kabupaten=kabupaten)  # fmt: skip
        wadah = _insert(db, "enrollment_wadah", code=f"APBD-{kabupaten}", name="APBD",
                        source="apbd", type_code="SG", layout="{}", active=True)  # fmt: skip
        bill = _insert(db, "billing_bill", number=f"TG-2027-{n}", fiscal_year=2027, source="apbd",
                       period_start="2027-01-01", months=6, state="DIBAYAR", wadah_id=wadah,
                       due_date="2027-01-10")  # fmt: skip
        db.execute(
            "INSERT INTO bench_kab VALUES (%s, %s, %s, %s, %s, %s)",
            [kabupaten, policy, scenario, listed, wadah, bill],
        )
    listed = (
        "FROM registry_worker w JOIN bench_kab k ON k.kabupaten = w.kabupaten_id"
        " WHERE abs(hashint8(w.id * 3 + 7)) %% 10 < 3"
    )
    fund = f"(%(funds)s::text[])[1 + abs(hashint8(w.id)) %% {len(FUNDS)}]"
    funds = {"funds": FUNDS}
    db.execute(
        f"INSERT INTO targeting_selection (scenario_id, worker_id, source, rank, priority)"
        f" SELECT k.scenario, w.id, {fund}, w.id, abs(hashint8(w.id * 5)) %% 1000 {listed}",
        funds,
    )
    db.execute(
        f"INSERT INTO targeting_beneficiary (beneficiary_list_id, worker_id, source, rank,"
        f" priority, cost, nik, name, sex, birth_date, occupation, desa_id, kecamatan_id)"
        f" SELECT k.list, w.id, {fund}, w.id, abs(hashint8(w.id * 5)) %% 1000, 201600, w.nik,"
        f" w.name, w.sex, w.birth_date, w.occupation, w.desa_id, w.kecamatan_id {listed}",
        funds,
    )
    state = (
        "CASE WHEN abs(hashint8(w.id * 11)) %% 10 < 8 THEN 'TERDAFTAR'"
        " WHEN abs(hashint8(w.id * 11)) %% 10 = 8 THEN 'DIAJUKAN' ELSE 'CALON' END"
    )
    db.execute(
        f"INSERT INTO enrollment_participation (worker_id, fiscal_year, source,"
        f" beneficiary_list_id, wadah_id, kind, state, kpj, nik, name, desa_id, kecamatan_id,"
        f" effective_from, registered_at, end_reason, reason, created_at, updated_at)"
        f" SELECT w.id, 2027, {fund}, k.list, k.wadah, 'new', s.state,"
        f" CASE WHEN s.state = 'TERDAFTAR' THEN '27' || lpad(w.id::text, 9, '0') ELSE '' END,"
        f" w.nik, w.name, w.desa_id, w.kecamatan_id,"
        f" CASE WHEN s.state = 'TERDAFTAR' THEN date '2027-01-01' END,"
        f" CASE WHEN s.state = 'TERDAFTAR' THEN now() END, '', '', now(), now()"
        f" {listed.replace('WHERE', f', LATERAL (SELECT {state} AS state) s WHERE')}",
        funds,
    )
    db.execute(
        "INSERT INTO billing_billline (bill_id, participation_id, worker_id, month, amount,"
        " refunded) SELECT k.bill, p.id, p.worker_id, m::date, 16800, false"
        " FROM enrollment_participation p JOIN bench_kab k ON k.kabupaten = substr(p.desa_id, 1, 5)"
        " CROSS JOIN generate_series(date '2027-01-01', date '2027-06-01', interval '1 month') m"
        " WHERE p.state = 'TERDAFTAR' ORDER BY p.id, m"
    )
    db.execute(
        "INSERT INTO audit_event (at, actor_label, action, object_type, object_id, object_repr,"
        " before, after)"
        " SELECT now() - (abs(hashint8(w.id * 13)) % 600) * interval '1 day',"
        " 'operator.' || w.kabupaten_id, 'worker.updated', 'registry.worker', w.id::text, w.name,"
        " jsonb_build_object('phone', ''), jsonb_build_object('phone', w.phone)"
        " FROM registry_worker w WHERE abs(hashint8(w.id * 13)) % 10 < 5"
        " UNION ALL"
        " SELECT now() - (abs(hashint8(p.id * 17)) % 100) * interval '1 day', 'bpjs',"
        " 'participation.registered', 'enrollment.participation', p.id::text, p.name,"
        " jsonb_build_object('state', 'DIAJUKAN'), jsonb_build_object('state', 'TERDAFTAR',"
        " 'kpj', p.kpj) FROM enrollment_participation p WHERE p.state = 'TERDAFTAR'"
    )
    db.execute("DROP TABLE bench_kab")


def _insert(db: psycopg.Connection[Any], table: str, **values: Any) -> int:
    """One row of a small table, every other required column given an empty value of its type
    (so that columns added by later migrations do not stop the benchmark); its id."""
    required = db.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
        " 'public' AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL"
        " AND is_identity = 'NO'",
        [table],
    ).fetchall()
    empty = {"jsonb": "{}", "boolean": False, "date": "2027-01-01", "text": ""}
    for column, kind in required:
        if column not in values:
            if kind.startswith("timestamp"):
                values[column] = "2026-12-01T00:00:00+08:00"
            elif kind in ("integer", "smallint", "bigint"):
                values[column] = 0
            else:
                values[column] = empty.get(kind, "")
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in values)
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
        sql.Identifier(table), columns, sql.SQL(", ").join(sql.Placeholder() * len(values))
    )
    row = db.execute(query, list(values.values())).fetchone()
    assert row is not None  # noqa: S101
    return int(row[0])


# --- the partitioned copy ---------------------------------------------------------------------
REFUSED: list[str] = []  # what PostgreSQL refused, as it said it
WIDENED: list[str] = []  # the keys that got the kabupaten code (kept in part.bench_notes)


def _partitioned(db: psycopg.Connection[Any], clock: Clock) -> None:
    db.execute("CREATE SCHEMA part")
    with clock.step("P: tables, partitions, rows (INSERT … SELECT from U)"):
        for table, (column, join, expression) in LARGE.items():
            added = f", {column} varchar(13) NOT NULL" if expression else ""
            db.execute(
                f"CREATE TABLE part.{table} (LIKE public.{table} INCLUDING DEFAULTS INCLUDING"
                f" IDENTITY INCLUDING CONSTRAINTS{added}) PARTITION BY LIST ({column})"
            )
            codes = [*NTB, "52"] if table == "audit_event" else NTB
            for code in codes:
                db.execute(
                    f"CREATE TABLE part.{_partition(table, code)} PARTITION OF part.{table}"
                    f" FOR VALUES IN ('{code}')"
                )
            select = f"t.*, {expression}" if expression else "t.*"
            db.execute(f"INSERT INTO part.{table} SELECT {select} FROM public.{table} t {join}")  # noqa: S608
    with clock.step("P: the same indexes, keys with the kabupaten code, built after"):
        for table in LARGE:
            _copy_indexes(db, table)
        db.execute(
            "CREATE TABLE part.registry_nik (nik varchar(16) PRIMARY KEY,"
            " worker_id bigint NOT NULL, kabupaten_id varchar(13) NOT NULL)"
        )
        db.execute(
            "INSERT INTO part.registry_nik SELECT nik, id, kabupaten_id FROM part.registry_worker"
        )
    db.execute("CREATE TABLE part.bench_notes (kind text, note text)")
    for kind, notes in (("refused", REFUSED), ("widened", WIDENED)):
        for note in notes:
            db.execute("INSERT INTO part.bench_notes VALUES (%s, %s)", [kind, note])


def _partition(table: str, code: str) -> str:
    return f"{table}_{code.replace('.', '_')}"


def _copy_indexes(db: psycopg.Connection[Any], table: str) -> None:
    """U's indexes and keys on P: a primary key or unique one with the kabupaten code added (the
    first refusal of PostgreSQL without it is kept to show), the others as they are; foreign
    keys to unpartitioned tables as they are, to a partitioned one with the code on both ends."""
    column = LARGE[table][0]
    indexes = db.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique,"
        " c.contype, c.conname, array(SELECT a.attname"
        "   FROM unnest(i.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a"
        "   ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)"
        " FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid"
        "   AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')"
        " WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, i.indexrelid",
        [f"public.{table}"],
    ).fetchall()
    for name, definition, unique, kind, constraint, columns in indexes:
        if not unique or column in columns:
            db.execute(definition.replace(f" ON public.{table} ", f" ON part.{table} ", 1))
            continue
        keys = ", ".join([*columns, column])
        if kind in ("p", "u"):
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            if kind == "u" and not REFUSED:
                try:
                    db.execute(f"ALTER TABLE part.{table} ADD {what} ({', '.join(columns)})")
                except psycopg.errors.FeatureNotSupported as refusal:
                    REFUSED.append(f"{table} {what} ({', '.join(columns)}): {refusal}")
            db.execute(f'ALTER TABLE part.{table} ADD CONSTRAINT "{constraint}" {what} ({keys})')
        else:  # a partial unique index
            head, _columns, tail = definition.partition(f"({', '.join(columns)})")
            head = head.replace(f" ON public.{table} ", f" ON part.{table} ", 1)
            db.execute(f"{head}({keys}){tail}")
        WIDENED.append(f"{table}: {name.split('.')[-1]} ({', '.join(columns)}) → ({keys})")
    foreign = db.execute(
        "SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'",
        [f"public.{table}"],
    ).fetchall()
    for constraint, definition, target in foreign:
        target = target.removeprefix("public.")
        if target not in LARGE:
            db.execute(f'ALTER TABLE part.{table} ADD CONSTRAINT "{constraint}" {definition}')
        elif target != table:  # a bill line's participation: the same kabupaten on both ends
            source_column = definition.split("(")[1].split(")")[0]
            db.execute(
                f'ALTER TABLE part.{table} ADD CONSTRAINT "{constraint}" FOREIGN KEY'
                f" ({source_column}, {column}) REFERENCES part.{target} (id, {LARGE[target][0]})"
                " DEFERRABLE INITIALLY DEFERRED"
            )
            WIDENED.append(f"{table}: foreign key {source_column} → ({source_column}, {column})")
        else:  # a worker merged into another: left out (see the decision)
            WIDENED.append(f"{table}: foreign key {definition.split(')')[0]}) left out")


# --- measure --------------------------------------------------------------------------------
SHORT = {"registry_worker": "w", "registry_workernametoken": "tok", "registry_nik": "nik",
         "enrollment_participation": "prt", "billing_billline": "bl"}  # fmt: skip


ADDED = "P + kabupaten in SQL"  # the changes decision 0006 asks of the queries


class Case:
    """A read: per variant, the SQL statements of each run (all sent, one after the other)."""

    def __init__(self, label: str, runs: dict[str, list[list[str]]]) -> None:
        self.label = label
        self.runs = runs


def _measure(url: str, var: Path, repeat: int, *, replace: bool) -> None:
    os.environ.update({"DATABASE_URL": url, "LINDUNG_VAR": str(var)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()
    connections = {"U": psycopg.connect(url, autocommit=True)}
    connections["P"] = psycopg.connect(url, autocommit=True)
    connections["P"].execute("SET search_path TO part, public")
    u = connections["U"]
    sizes = dict(u.execute("SELECT kabupaten_id, count(*) FROM registry_worker GROUP BY 1"))
    total = sum(sizes.values())
    print(f"\nmeasure · {total:,} workers · "
          + ", ".join(f"{k} {n:,}" for k, n in sorted(sizes.items())))  # fmt: skip
    for kind, note in u.execute("SELECT kind, note FROM part.bench_notes ORDER BY kind DESC"):
        print(f"  {kind}: {' '.join(note.split())}")
    _sizes(u, total)
    cases = _cases(u, repeat)
    print(f"\nreads · p50/p95 of {repeat} runs (ms), alternately U and P; partitions and shared"
          " buffers (hit+read) from EXPLAIN (ANALYZE, BUFFERS) of the first run")  # fmt: skip
    print(f"{'case':<52} {'variant':<22} {'p50':>8} {'p95':>8} {'buffers':>9}  partitions read")
    for case in cases:
        _time_case(case, connections)
    # The kabupaten/kota nearest 1.000.000 workers (a fifth of the province below 5.000.000).
    kabupaten = min(sizes, key=lambda k: abs(sizes[k] - min(1_000_000, total / 5)))
    largest = max(sizes, key=sizes.__getitem__)
    for code in sorted({kabupaten, largest}):
        _targeting_read(connections, code, sizes[code])
    if replace:
        _replace_kabupaten(connections, var, kabupaten, sizes[kabupaten])
    from django.db import connections as django_connections

    django_connections.close_all()  # so that the scratch database can be dropped
    for connection in connections.values():
        connection.close()


def _sizes(db: psycopg.Connection[Any], workers: int) -> None:
    print(f"\nsizes, MB{'':<38} {'table':<26} {'rows':>12} {'U table':>9} {'U index':>9}"
          f" {'P table':>9} {'P index':>9}")  # fmt: skip
    totals = [0.0, 0.0, 0.0, 0.0]
    for table in [*LARGE, "registry_nik"]:
        measured = [0, 0]  # registry_nik exists in P only
        if table != "registry_nik":
            measured = list(db.execute(
                "SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)",
                [f"public.{table}", f"public.{table}"],
            ).fetchall()[0])  # fmt: skip
        measured += db.execute(
            "SELECT coalesce(sum(pg_table_size(relid)), pg_table_size(%s::regclass)),"
            " coalesce(sum(pg_indexes_size(relid)), pg_indexes_size(%s::regclass))"
            " FROM pg_partition_tree(%s::regclass) WHERE isleaf",
            [f"part.{table}"] * 3,
        ).fetchall()[0]
        rows = db.execute(f"SELECT count(*) FROM part.{table}").fetchall()[0][0]  # noqa: S608
        mb = [float(v) / 2**20 for v in measured]
        totals = [t + m for t, m in zip(totals, mb, strict=True)]
        print(f"{'':<47} {table:<26} {rows:>12,} " + " ".join(f"{m:>9,.0f}" for m in mb))
    per = 1_000_000 / workers
    print(f"{'':<47} {'all':<26} {'':>12} " + " ".join(f"{m:>9,.0f}" for m in totals))
    print(f"{'':<47} {'all, per 1.000.000 workers':<26} {'':>12} "
          + " ".join(f"{m * per:>9,.0f}" for m in totals))  # fmt: skip


def _cases(db: psycopg.Connection[Any], repeat: int) -> list[Case]:
    """The reads, as SQL captured from the code that sends them (run once on U to capture)."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from lindung.accounts.models import User
    from lindung.registry.models import Worker
    from lindung.registry.queries import WorkerFilter, _rarest_first, list_count, list_page
    from lindung.roles import Role

    rng = random.Random(3)
    top = db.execute("SELECT max(id) FROM registry_worker").fetchone()
    assert top is not None  # noqa: S101
    picked = db.execute(
        "SELECT nik, kabupaten_id, desa_id, name_key FROM registry_worker WHERE id = ANY(%s)"
        " ORDER BY id",
        [rng.sample(range(1, top[0] + 1), repeat * 3)],
    ).fetchall()
    rng.shuffle(picked)
    picked = picked[:repeat]

    def user(name: str, role: str, region: str | None) -> User:
        User.objects.filter(username=name).delete()
        return User.objects.create(username=name, full_name=name, role=role, region_id=region)

    province = user("bench.province", Role.ADMIN, None)
    kab_users = {k: user(f"bench.admin.{k}", Role.ADMIN, k) for k in NTB}
    desa_users: dict[str, User] = {}
    for _nik, _kab, desa, _key in picked:
        desa_users.setdefault(desa, user(f"bench.desa.{desa}", Role.OPERATOR_DESA, desa))

    def capture(read: Callable[[], object]) -> list[str]:
        _rarest_first.cache_clear()
        with CaptureQueriesContext(connection) as queries:
            read()
        return [q["sql"] for q in queries.captured_queries if "regions_deployment" not in q["sql"]]

    def page(who: User, f: WorkerFilter) -> None:
        list_page(who, f, total=list_count(who, f))

    for who in [province, *kab_users.values(), *desa_users.values()]:
        page(who, WorkerFilter())  # the scope cached on the user, outside the captured queries
    kabs = [NTB[n % len(NTB)] for n in range(repeat)]
    words = [rng.choice(key.split()) for _n, _k, _d, key in picked]

    def same(label: str, reads: list[Callable[[], object]]) -> Case:
        runs = [capture(read) for read in reads]
        return Case(label, {"U": runs, "P": runs})

    def correlated(statements: list[str]) -> list[str]:
        """The name search with the kabupaten in its correlated subqueries, as the outer query's
        kabupaten and as the scope's codes (a change to registry.queries._name_matches:
        `kabupaten=OuterRef("kabupaten")` and `kabupaten__in=` the user's kabupaten beside
        `worker_id=OuterRef("worker_id")`): pruned when the plan is made for a user of one
        kabupaten/kota, at each probe for the others."""
        outer = '"registry_workernametoken"'
        probe = f'U0."worker_id" = ({outer}."worker_id")'
        result = []
        for statement in statements:
            codes = re.search(rf'{outer}\."kabupaten" IN \(([^)]*)\)', statement)
            within = f' AND U0."kabupaten" IN ({codes[1]})' if codes else ""
            same_row = f' AND U0."kabupaten" = ({outer}."kabupaten")'
            result.append(statement.replace(probe, probe + same_row + within))
        return result

    cases = [
        same("registry list, page 1 + count, one kabupaten",
             [lambda k=k: page(kab_users[k], WorkerFilter()) for k in kabs]),
    ]  # fmt: skip
    desa = same(
        "registry list, page 1 + count, one desa",
        [lambda d=d: page(desa_users[d], WorkerFilter()) for _n, _k, d, _w in picked],
    )
    with _kabupaten_in_scope():
        desa.runs[ADDED] = [
            capture(lambda d=d: page(desa_users[d], WorkerFilter())) for _n, _k, d, _w in picked
        ]
    cases.append(desa)
    cases.append(same("NIK search (16 digits), one kabupaten",
                      [lambda n=n, k=k: page(kab_users[k], WorkerFilter(q=n))
                       for n, k, _d, _w in picked]))  # fmt: skip
    nik = same(
        "NIK → worker, kabupaten not known",
        [lambda n=n: Worker.objects.filter(nik=n).first() for n, _k, _d, _w in picked],
    )
    which = "SELECT kabupaten_id FROM registry_nik WHERE nik = '%s'"
    worker = "SELECT * FROM registry_worker WHERE kabupaten_id = '%s' AND nik = '%s'"
    nik.runs["P, through registry_nik"] = [[which % n, worker % (k, n)] for n, k, _d, _w in picked]
    cases.append(nik)
    for label, who, queries in (
        ("name search, a word, one kabupaten", lambda k: kab_users[k], words),
        ("name search, 3 letters, one kabupaten", lambda k: kab_users[k], [w[:3] for w in words]),
        ("name search, a word, one desa", None, words),
        ("name search, a word, whole province", lambda k: province, words),
    ):
        reads = [
            lambda w=w, k=k, d=d, who=who: page(who(k) if who else desa_users[d], WorkerFilter(q=w))
            for w, (_n, k, d, _w) in zip(queries, picked, strict=True)
        ]
        runs = [capture(read) for read in reads]
        with _kabupaten_in_scope():
            added = [correlated(capture(read)) for read in reads]
        cases.append(Case(label, {"U": runs, "P": runs, ADDED: added}))
    cases.append(same("counts per kecamatan, one kabupaten", [
        lambda k=k: list(Worker.objects.current().filter(kabupaten_id=k).values("kecamatan_id")
                         .annotate(n=Count("id")).order_by())
        for k in kabs]))  # fmt: skip
    cases.append(same("counts per kabupaten, whole province", [
        lambda: list(Worker.objects.current().values("kabupaten_id").annotate(n=Count("id"))
                     .order_by())] * repeat))  # fmt: skip
    state = "SELECT state, count(*) FROM enrollment_participation WHERE fiscal_year = 2027 AND"
    cases.append(Case("participations per state, one kabupaten", {
        "U": [[f"{state} (desa_id = '{k}' OR desa_id LIKE '{k}.%%') GROUP BY state"] for k in kabs],
        "P": [[f"{state} kabupaten_id = '{k}' GROUP BY state"] for k in kabs],
    }))  # fmt: skip
    bills = dict(db.execute("SELECT substr(p.desa_id, 1, 5), min(l.bill_id) FROM billing_billline l"
                            " JOIN enrollment_participation p ON p.id = l.participation_id"
                            " GROUP BY 1"))  # fmt: skip
    lines = "SELECT month, count(*), sum(amount) FROM billing_billline WHERE bill_id = "
    cases.append(Case("a bill's lines per month (one kabupaten's bill)", {
        "U": [[f"{lines}{bills[k]} GROUP BY month"] for k in kabs],
        "P": [[f"{lines}{bills[k]} GROUP BY month"] for k in kabs],
        ADDED: [[f"{lines}{bills[k]} AND kabupaten_id = '{k}' GROUP BY month"]
                               for k in kabs],
    }))  # fmt: skip
    return cases


@contextmanager
def _kabupaten_in_scope() -> Iterator[None]:
    """Every scope filter on a table that stores the kabupaten code names the kabupaten too,
    also for a kecamatan or desa (the change decision 0006 asks of `regions.scope.q`; patched
    here for the benchmark only)."""
    from django.db.models import Q

    from lindung.regions import scope

    original = scope.q

    def q(codes: Any, field: str = "code", *, levels: Any = None, vendor: Any = None) -> Q:
        codes = list(codes)
        matches = original(codes, field, levels=levels, vendor=vendor)
        if (column := (levels or {}).get(scope.KABUPATEN_KOTA)) and codes:
            kabupaten = sorted({".".join(code.split(".")[:2]) for code in codes})
            matches &= Q(**{f"{column}__in": kabupaten})
        return matches

    scope.q = q  # type: ignore[assignment]
    try:
        yield
    finally:
        scope.q = original  # type: ignore[assignment]


def _time_case(case: Case, connections: dict[str, psycopg.Connection[Any]]) -> None:
    def run(variant: str, statements: list[str]) -> float:
        cursor = connections[variant[0]].cursor()
        start = time.perf_counter()
        for statement in statements:
            cursor.execute(statement.replace("%%", "%"))
            cursor.fetchall()
        return (time.perf_counter() - start) * 1000

    variants = list(case.runs)
    for variant in variants:  # warm up: every run once
        for statements in case.runs[variant]:
            run(variant, statements)
    times: dict[str, list[float]] = {v: [] for v in variants}
    for n in range(len(case.runs["U"])):
        for variant in variants if n % 2 == 0 else variants[::-1]:
            times[variant].append(run(variant, case.runs[variant][n]))
    for variant in variants:
        buffers, read = _explain(connections[variant[0]], case.runs[variant][0])
        p95 = statistics.quantiles(times[variant], n=20)[-1]
        label = case.label if variant == variants[0] else ""
        print(f"{label:<52} {variant:<22} {statistics.median(times[variant]):>8.1f} {p95:>8.1f}"
              f" {buffers:>9,}  {read}", flush=True)  # fmt: skip


def _explain(db: psycopg.Connection[Any], statements: list[str]) -> tuple[int, str]:
    """Shared buffers touched and the partitions read (per table: read of all) of one run."""
    buffers = 0
    read: dict[str, set[str]] = {}
    for statement in statements:
        row = db.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement.replace('%%', '%')}"
        ).fetchone()
        assert row is not None  # noqa: S101
        plan = row[0][0]["Plan"]
        buffers += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        _walk(plan, read)
    parts = []
    for table, names in sorted(read.items()):
        if table in SHORT:  # an unpartitioned table by its name, a partitioned one: n of 10
            parts.append(SHORT[table] if names == {table} else f"{SHORT[table]} {len(names)}/10")
    return buffers, ", ".join(parts)


def _walk(node: dict[str, Any], read: dict[str, set[str]]) -> None:
    name = node.get("Relation Name")
    if name and node.get("Actual Loops", 0) > 0:
        table = name.rsplit("_", 2)[0] if name.endswith(tuple(f"_{c[3:]}" for c in NTB)) else name
        read.setdefault(table, set()).add(name)
    for child in node.get("Plans", []):
        _walk(child, read)


def _targeting_read(
    connections: dict[str, psycopg.Connection[Any]], kabupaten: str, n: int
) -> None:
    """One kabupaten's workers as eligibility reads them (registry.frames.workers_frame with
    kabupaten=…: COPY … TO STDOUT of the eligibility columns)."""
    columns = ("id, nik, birth_date, sex, desa_id, kecamatan_id, occupation, desil, disability,"
               " female_head, status")  # fmt: skip
    query = f"SELECT {columns} FROM registry_worker WHERE merged_into_id IS NULL"  # noqa: S608
    query += f" AND kabupaten_id = '{kabupaten}'"
    times: dict[str, list[float]] = {"U": [], "P": []}
    for n_run in range(6):
        for variant in ("U", "P") if n_run % 2 == 0 else ("P", "U"):
            start = time.perf_counter()
            buffer = io.BytesIO()
            with (
                connections[variant].cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy
            ):
                for block in copy:
                    buffer.write(block)
            if n_run:  # the first run warms up
                times[variant].append(time.perf_counter() - start)
    for variant in ("U", "P"):
        buffers, read = _explain(connections[variant], [query])
        plan = connections[variant].execute(f"EXPLAIN {query}").fetchall()[0][0]
        print(f"{'targeting read, ' + kabupaten + f' ({n:,} workers), s':<52} {variant:<22}"
              f" {statistics.median(times[variant]):>8.2f} {max(times[variant]):>8.2f}"
              f" {buffers:>9,}  {read} · {plan.split('(')[0].strip()}", flush=True)  # fmt: skip


def _replace_kabupaten(
    connections: dict[str, psycopg.Connection[Any]], var: Path, kabupaten: str, n: int
) -> None:
    """One kabupaten's workers taken out and loaded again by COPY (binary), both ways."""
    u, p = connections["U"], connections["P"]
    rows = var / "kabupaten.copy"
    clock = Clock()
    print(f"\none kabupaten/kota replaced: {kabupaten}, {n:,} workers (registry_worker)")

    def copy_out(db: psycopg.Connection[Any], label: str) -> None:
        query = f"SELECT * FROM registry_worker WHERE kabupaten_id = '{kabupaten}'"  # noqa: S608
        statement = f"COPY ({query}) TO STDOUT (FORMAT binary)"
        with clock.step(label), rows.open("wb") as out, db.cursor().copy(statement) as copy:
            for block in copy:
                out.write(block)

    def copy_in(db: psycopg.Connection[Any], table: str, label: str) -> None:
        statement = f"COPY {table} FROM STDIN (FORMAT binary)"
        with clock.step(label), db.transaction(), rows.open("rb") as source:  # noqa: SIM117
            with db.cursor().copy(statement) as copy:  # the COPY inside the transaction
                while block := source.read(1 << 20):
                    copy.write(block)

    indexes = u.execute(
        "SELECT count(*) FROM pg_index WHERE indrelid = 'public.registry_worker'::regclass"
    ).fetchone()
    assert indexes is not None  # noqa: S101
    copy_out(u, "U: COPY the kabupaten out")
    with clock.step("U: DELETE its rows (foreign keys of 8 tables checked)"), u.transaction():
        u.execute(f"DELETE FROM registry_worker WHERE kabupaten_id = '{kabupaten}'")  # noqa: S608
    copy_in(u, "public.registry_worker", f"U: COPY in, {indexes[0]} indexes live")
    with clock.step("U: VACUUM (ANALYZE) the whole table"):
        u.execute("VACUUM (ANALYZE) public.registry_worker")
    partition = f"part.{_partition('registry_worker', kabupaten)}"
    attach = f"FOR VALUES IN ('{kabupaten}')"
    copy_out(p, "P: COPY the kabupaten out (its partition)")
    with clock.step("P: DETACH and DROP its partition"):
        p.execute(f"ALTER TABLE part.registry_worker DETACH PARTITION {partition}")
        p.execute(f"DROP TABLE {partition}")
    p.execute(f"CREATE TABLE {partition} PARTITION OF part.registry_worker {attach}")
    copy_in(p, "part.registry_worker", "P: COPY in through the parent, indexes live")
    with clock.step("P: VACUUM (ANALYZE) the partition"):
        p.execute(f"VACUUM (ANALYZE) {partition}")
    with clock.step("P: DETACH and DROP again"):
        p.execute(f"ALTER TABLE part.registry_worker DETACH PARTITION {partition}")
        p.execute(f"DROP TABLE {partition}")
    p.execute(
        f"CREATE TABLE {partition} (LIKE part.registry_worker INCLUDING DEFAULTS INCLUDING"
        f" CONSTRAINTS, CONSTRAINT bench_kabupaten CHECK (kabupaten_id = '{kabupaten}'))"
    )
    copy_in(p, partition, "P: a fresh table, COPY in without indexes")
    with clock.step("P: its keys and indexes built"):
        for statement in _partition_indexes(p, partition):
            p.execute(statement)
    with clock.step("P: ATTACH PARTITION (the CHECK spares the scan)"):
        p.execute(f"ALTER TABLE part.registry_worker ATTACH PARTITION {partition} {attach}")
    with clock.step("P: ANALYZE the partition"):
        p.execute(f"ANALYZE {partition}")
    s = clock.seconds
    replaced = {
        "U: DELETE + COPY with indexes + VACUUM": s["U: DELETE its rows (foreign keys of 8 tables"
                                                    " checked)"]
        + s[f"U: COPY in, {indexes[0]} indexes live"] + s["U: VACUUM (ANALYZE) the whole table"],
        "P: DROP + COPY with indexes + VACUUM": s["P: DETACH and DROP its partition"]
        + s["P: COPY in through the parent, indexes live"] + s["P: VACUUM (ANALYZE) the partition"],
        "P: DROP + COPY + indexes + ATTACH + ANALYZE": s["P: DETACH and DROP again"]
        + s["P: a fresh table, COPY in without indexes"] + s["P: its keys and indexes built"]
        + s["P: ATTACH PARTITION (the CHECK spares the scan)"] + s["P: ANALYZE the partition"],
    }  # fmt: skip
    for label, seconds in replaced.items():
        print(f"  {'replace, in all: ' + label:<66} {seconds:>8.1f} s")


def _partition_indexes(db: psycopg.Connection[Any], partition: str) -> list[str]:
    """The parent's keys (as constraints, so that ATTACH takes them) and indexes, for a table
    that is to become its partition."""
    name = partition.split(".")[1]
    keys = db.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'part.registry_worker'::regclass AND contype IN ('p', 'u')"
    ).fetchall()
    indexes = db.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = 'part.registry_worker'::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)"
    ).fetchall()
    return [
        *(f'ALTER TABLE {partition} ADD CONSTRAINT "{name}_{key}" {definition}'
          for key, definition in keys),
        *(definition.replace(f"INDEX {index} ON ONLY part.registry_worker ",
                             f"INDEX {name}_{index} ON {partition} ")
          for index, definition in indexes),
    ]  # fmt: skip


if __name__ == "__main__":
    main()

"""Time claims and impact: the impact of a year over 100.000 participants and 2.000 claims, the
ledger's verdict for one worker, reporting a death and opening its claim, and the claims pages.

    uv run python bench/claims.py                                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/claims.py
    uv run python bench/claims.py --participants 20000 --claims 500  # smaller, quicker

A fresh database per run (a scratch database on the PostgreSQL server of DATABASE_URL):
`lindung setup`, --participants synthetic workers imported with `lindung import` (made once with
`lindung synth` and kept in $TMPDIR/lindung-bench-data), a targeting run of 50 workers approved
as list 1 of 2027 (so that the participations have a real list), then a participation of 2027
for every other worker written in bulk (SQL), registered from 1 January under wadah SG-APBD (four
in five) or SG-DBHCHT. Bills made and paid with `billing.services`: APBD January to June paid,
DBHCHT January to March paid, APBD July to December made and left planned (RENCANA). The clock
then stands at BENCH_DAY (20 August 2027) for every step that follows, in one process:

- setup: --claims events and claims of 2027 written with bulk_create (not through the
  services): deaths and accidents of random participants, the claims' states spread over
  DILAPORKAN … DITOLAK, the paid ones with their date and amount, heirs with children at school
  on the paid death claims; and one death in twenty more events without a claim (the worklist);
- `claims.impact.impact(2027)` for the whole deployment and for the kecamatan with the most
  participants: best and worst of 3 runs, with the number of queries (PostgreSQL's COPY reads
  are not counted: they bypass Django's cursor);
- `claims.protection.verdict(worker, on=day)` for 200 random workers on random days of 2027
  (what runs when an operator reports an event): p50/p95;
- `claims.services.report_event` + `open_claim` (JKM) for 50 deaths of APBD participants in May
  or June: each call's mean. A death ends the participation, marks the worker deceased and drops
  the worker's months from the planned July-December bill (`billing.services.drop_ended_lines`);
  the claim is priced by the rules;
- as an admin (Django test client, 20 requests each after a warm-up): the claim list with its
  worklist (/klaim/), claim pages (/klaim/<pk>/, 20 random claims), the impact page, its PDF
  and its XLSX: p50/p95.

Setup steps are printed too, marked "(setup step)": they are not figures to compare.
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
from registry_import import DATA, _run, _synthetic  # noqa: E402

YEAR = 2027
YEAR_COST = 12 * 16_800
BENCH_DAY = "2027-08-20T10:00:00+08:00"  # the clock of every step after the bills
VERDICTS = 200  # workers asked about
DEATHS = 50  # deaths reported through the services
REQUESTS = 20  # per page
RUNS = 3  # of the impact
SEED = 16
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
    parser.add_argument("--participants", type=int, default=100_000, help="workers, all enrolled")
    parser.add_argument("--claims", type=int, default=2_000, help="claims of the year in bulk")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.participants < 1_000:
        parser.error("--participants: at least 1000")
    if args.claims < 20:
        parser.error("--claims: at least 20")
    if args.claims + DEATHS > 9_999:
        # claims.services._next_number takes the highest number as text: KL-2027-9999 stays the
        # highest once KL-2027-10000 exists, so the next claim would take that number again
        parser.error("--claims: at most 9949 (claim numbers have four digits)")
    if args.claims + args.claims // 20 + DEATHS > args.participants // 2:
        parser.error("--claims: too many for --participants (at most one event a worker)")
    if args.steps:
        _steps(args.participants, args.claims)
        return
    python = platform.python_version()
    print(f"claims · {args.participants:,} participants · {args.claims:,} claims · "
          f"Python {python} · {os.cpu_count()} CPUs")  # fmt: skip
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as folder:
        var = Path(folder)
        path = _synthetic(args.participants, "csv", var)
        if args.only in (None, "sqlite"):
            _bench("sqlite", f"sqlite:///{var / 'claims.sqlite3'}", var, path, args)
        server = os.environ.get("DATABASE_URL", "")
        if server.startswith(("postgres://", "postgresql://")) and args.only != "sqlite":
            with _scratch_database(server) as url:
                _bench("postgresql", url, var, path, args)


def _bench(vendor: str, url: str, var: Path, path: Path, args: argparse.Namespace) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LINDUNG_VAR": str(var), "BENCH_VENDOR": vendor}
    _run(env, "setup", "--kabupaten", "52.03", "-v", "0")
    seconds, _peak = _run(env, "import", str(path), "--source", "BENCH")
    _line(f"import {args.participants:,} workers (setup step)", f"{seconds:.2f} s")
    _run(env, "collectstatic", "--noinput", "-v", "0")
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", APPROVE.format(budget=50 * YEAR_COST)], env=env, check=True
    )
    command = [sys.executable, __file__, "--steps", "--participants", str(args.participants),
               "--claims", str(args.claims)]  # fmt: skip
    subprocess.run(command, env=env, check=True)  # noqa: S603


def _line(label: str, figure: str, note: str = "") -> None:
    vendor = os.environ.get("BENCH_VENDOR", "-")
    print(f"{vendor:<11} {label:<50} {figure:>22}  {note}".rstrip(), flush=True)


def _seconds(times: list[float]) -> str:
    return f"best {min(times):.2f} s"


def _percentiles(times: list[float]) -> str:
    """p50 and p95 of `times` (seconds) in milliseconds."""
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"p50 {statistics.median(times) * 1000:.0f} ms p95 {p95 * 1000:.0f} ms"


def _day(first: datetime.date, last: datetime.date, rng: random.Random) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


# ---------------------------------------------------------------------------------------------
# Setup: participations, bills, claims


def _participations() -> int:
    """A registered participation of 2027 for every worker not on list 1, in bulk: four in five
    under SG-APBD, the others under SG-DBHCHT."""
    import polars as pl
    from django.db import transaction

    from lindung import bulk
    from lindung.enrollment.models import Participation, Wadah, WadahType
    from lindung.registry.models import Worker
    from lindung.targeting.models import BeneficiaryList

    approved = BeneficiaryList.objects.get(fiscal_year=YEAR, number=1)
    apbd = Wadah.objects.create(code="SG-APBD", name="APBD", source="apbd", type_code=WadahType.SG)
    dbhcht = Wadah.objects.create(
        code="SG-DBHCHT", name="DBHCHT", source="dbhcht", type_code=WadahType.SG
    )
    parts = Participation._meta.db_table
    workers = bulk.read_frame(
        f"SELECT id, nik, name, desa_id FROM {Worker._meta.db_table} WHERE id NOT IN "  # noqa: S608
        f"(SELECT worker_id FROM {parts} WHERE fiscal_year = {YEAR}) ORDER BY id",
        {"worker_id": pl.Int64, "nik": pl.String, "name": pl.String, "desa_id": pl.String},
    )
    count = workers.height
    now = datetime.datetime.now(datetime.UTC)
    dbhcht_ = pl.col("worker_id") % 5 == 0
    frame = workers.with_columns(
        fiscal_year=pl.lit(YEAR, dtype=pl.Int32),
        source=pl.when(dbhcht_).then(pl.lit("dbhcht")).otherwise(pl.lit("apbd")),
        beneficiary_list_id=pl.lit(approved.pk, dtype=pl.Int64),
        wadah_id=pl.when(dbhcht_).then(pl.lit(dbhcht.pk)).otherwise(pl.lit(apbd.pk)),
        kind=pl.lit("new"),
        state=pl.lit("TERDAFTAR"),
        kpj=(pl.col("worker_id") + 27_000_000_000).cast(pl.String),
        reason=pl.lit(""),
        end_reason=pl.lit(""),
        effective_from=pl.lit(datetime.date(YEAR, 1, 1)),
        created_at=pl.repeat(now, count, eager=True),
        updated_at=pl.repeat(now, count, eager=True),
        kecamatan_id=pl.col("desa_id").str.slice(0, 8),
    )
    with transaction.atomic():
        bulk.insert_frame(parts, frame)
    return count


def _bills() -> int:
    """APBD January-June and DBHCHT January-March made and paid; APBD July-December planned.
    The bill lines written."""
    import time_machine

    from lindung.billing import services
    from lindung.billing.models import BillLine

    def make(source: str, months: str, paid_on: datetime.date | None) -> None:
        period = services.parse_period(months, YEAR)
        made = services.make_bills(by="bench", fiscal_year=YEAR, source=source, period=period)
        if paid_on is None:
            return
        for bill in made:
            services.pay(by="bench", bill=bill, amount=bill.amount, paid_on=paid_on)

    with time_machine.travel(datetime.datetime(YEAR, 1, 10, 9, tzinfo=datetime.UTC), tick=False):
        make("apbd", f"{YEAR}-01..{YEAR}-06", datetime.date(YEAR, 1, 10))
        make("dbhcht", f"{YEAR}-01..{YEAR}-03", datetime.date(YEAR, 1, 10))
    with time_machine.travel(datetime.datetime(YEAR, 7, 1, 9, tzinfo=datetime.UTC), tick=False):
        make("apbd", f"{YEAR}-07..{YEAR}-12", None)
    return BillLine.objects.count()


STATES = (
    ("DILAPORKAN", 15),
    ("BERKAS_LENGKAP", 10),
    ("DIAJUKAN", 15),
    ("DIBAYAR", 50),
    ("DITOLAK", 10),
)
AMOUNTS = {  # what the calculators roughly give; medical care is paid as billed
    "jkm": 42_000_000,
    "jkk-death": 115_000_000,
    "jkk-disability": 60_000_000,
    "stmb": 1_800_000,
    "jkk-medical": 4_500_000,
}
SCHOLARSHIP = 12_000_000  # a child's, as a line of the breakdown


def _verdict_of(source: str, day: datetime.date) -> tuple[str, str]:
    """The verdict the ledger would give roughly (APBD paid to June, DBHCHT to March)."""
    paid_to = datetime.date(YEAR, 7 if source == "apbd" else 4, 1)
    if day < paid_to:
        return "protected", f"Contributions ({source}) paid until {paid_to}."
    if day < paid_to.replace(month=paid_to.month + 3):
        return "in_grace", f"In grace: contributions ({source}) unpaid."
    return "not_protected", f"Lapsed: contributions ({source}) unpaid."


def _claims(user: Any, claims: int, picked: list[tuple[int, int, str, str, str]]) -> None:
    """`claims` events with a claim each and one death in twenty more without one, in bulk."""
    from lindung.claims.models import Claim, Event, Heir

    rng = random.Random(SEED)
    today = datetime.date.fromisoformat(BENCH_DAY[:10])
    last = today - datetime.timedelta(days=1)
    events: list[Event] = []
    kinds: list[str] = []
    for n, (part, worker, source, kecamatan, desa) in enumerate(picked):
        death = n >= claims or rng.random() < 0.4
        cause = rng.choice(("not_work", "not_work", "at_work")) if death else "at_work"
        if death:
            kind = "jkm" if cause == "not_work" else "jkk-death"
        else:
            cause = rng.choice(("at_work", "at_work", "commuting"))
            kind = rng.choice(("jkk-medical", "jkk-medical", "stmb", "jkk-disability"))
        on = _day(datetime.date(YEAR, 1, 1), today - datetime.timedelta(days=31), rng)
        verdict, reason = _verdict_of(source, on)
        events.append(
            Event(
                worker_id=worker,
                participation_id=part,
                kind="death" if death else "accident",
                occurred_on=on,
                place="Sawah" if cause == "at_work" else "Rumah",
                cause=cause,
                kecamatan_id=kecamatan,
                desa_id=desa,
                fiscal_year=YEAR,
                verdict=verdict,
                verdict_reason=reason,
                source=source,
                reported_by=user,
            )
        )
        kinds.append(kind)
    events = Event.objects.bulk_create(events, batch_size=500)
    rows: list[Claim] = []
    heirs: list[Heir] = []
    weights = [w for _s, w in STATES]
    for n, (event, kind) in enumerate(zip(events[:claims], kinds, strict=False)):
        state = rng.choices([s for s, _w in STATES], weights)[0]
        protected = event.verdict != "not_protected"
        amount = AMOUNTS[kind] if protected and kind != "jkk-medical" else None
        children = rng.choice((0, 0, 1, 2)) if kind in ("jkm", "jkk-death") else 0
        breakdown = [[f"Benefit {kind}", amount or 0]] + [
            [f"Scholarship, child {c + 1} (from SD)", SCHOLARSHIP] for c in range(children)
        ]
        claim = Claim(
            number=f"KL-{YEAR}-{n + 1:04d}",
            event=event,
            worker_id=event.worker_id,
            kind=kind,
            state=state,
            fiscal_year=YEAR,
            source=event.source,
            kecamatan_id=event.kecamatan_id,
            desa_id=event.desa_id,
            income=2_500_000,
            contribution_years=0,
            months_off=rng.randint(1, 3) if kind == "stmb" else None,
            expected_amount=amount + children * SCHOLARSHIP if amount else amount,
            breakdown=breakdown if amount else [],
            created_by=user,
        )
        complete = min(event.occurred_on + datetime.timedelta(days=10), last)
        submitted = min(complete + datetime.timedelta(days=2), last)
        if state != "DILAPORKAN":
            claim.complete_on = complete
        if state in ("DIAJUKAN", "DIBAYAR", "DITOLAK"):
            claim.submitted_on = submitted
            claim.bpjs_due = submitted + datetime.timedelta(days=10)
        if state == "DIBAYAR":
            claim.paid_on = min(submitted + datetime.timedelta(days=7), last)
            claim.paid_amount = claim.expected_amount or rng.randint(1, 30) * 500_000
            claim.bpjs_number = f"BPJS-{n + 1:06d}"
        if state == "DITOLAK":
            claim.rejected_reason = "Berkas tidak sesuai."
        rows.append(claim)
        if kind in ("jkm", "jkk-death"):
            heirs.append(Heir(claim=claim, relation="spouse", name="ISTRI BENCH"))
            heirs += [
                Heir(claim=claim, relation="child", name="ANAK BENCH", school_level="SD")
                for _c in range(children)
            ]
    Claim.objects.bulk_create(rows, batch_size=500)
    Heir.objects.bulk_create(heirs, batch_size=500)


# ---------------------------------------------------------------------------------------------
# The figures


def _impact(kecamatan: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lindung.claims.impact import impact

    for label, codes in (("whole deployment", None), (f"kecamatan {kecamatan}", [kecamatan])):
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = impact(YEAR, codes)
                times.append(time.perf_counter() - start)
        note = (
            f"worst {max(times):.2f} s; {len(queries)} queries; {result['cases']:,} cases, "
            f"premiums Rp {result['premiums']:,}, ratio {result['ratio']}"
        )
        _line(f"impact {YEAR}: {label}", _seconds(times), note)


def _verdicts() -> None:
    from lindung.claims.protection import verdict
    from lindung.registry.models import Worker

    rng = random.Random(SEED + 1)
    ids = list(Worker.objects.order_by().values_list("id", flat=True))
    workers = Worker.objects.in_bulk(rng.sample(ids, VERDICTS))
    last = datetime.date.fromisoformat(BENCH_DAY[:10])
    times = []
    answers: dict[str, int] = {}
    for worker in workers.values():
        on = _day(datetime.date(YEAR, 1, 1), last, rng)
        start = time.perf_counter()
        answer = verdict(worker, on=on)
        times.append(time.perf_counter() - start)
        answers[answer.verdict] = answers.get(answer.verdict, 0) + 1
    note = ", ".join(f"{n} {v}" for v, n in sorted(answers.items()))
    _line(f"verdict of one worker ({VERDICTS} workers)", _percentiles(times), note)


def _deaths(user: Any, picked: list[tuple[int, int, str, str, str]]) -> None:
    from lindung.billing.models import BillLine
    from lindung.claims import services
    from lindung.registry.models import Worker

    rng = random.Random(SEED + 2)
    workers = Worker.objects.in_bulk([worker for _p, worker, _s, _k, _d in picked])
    lines = BillLine.objects.count()
    reported, opened = [], []
    amounts = 0
    for _part, worker, _source, _kecamatan, _desa in picked:
        on = _day(datetime.date(YEAR, 5, 1), datetime.date(YEAR, 6, 30), rng)
        start = time.perf_counter()
        event = services.report_event(
            by=user, worker=workers[worker], kind="death", occurred_on=on, place="Rumah",
            cause="not_work",
        )  # fmt: skip
        middle = time.perf_counter()
        claim = services.open_claim(by=user, event=event, kind="jkm")
        reported.append(middle - start)
        opened.append(time.perf_counter() - middle)
        amounts += claim.expected_amount or 0
    dropped = lines - BillLine.objects.count()
    for label, times, note in (
        (f"report_event: a death ({len(picked)} deaths)", reported,
         f"{dropped:,} planned bill lines dropped"),
        (f"open_claim: JKM ({len(picked)} claims)", opened, f"Rp {amounts:,} by the rules"),
    ):  # fmt: skip
        mean, worst = statistics.mean(times) * 1000, max(times) * 1000
        _line(label, f"mean {mean:.0f} ms", f"worst {worst:.0f} ms; {note}")


def _pages(user: Any) -> None:
    from django.test import Client

    from lindung.claims.models import Claim

    rng = random.Random(SEED + 3)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    claims = rng.sample(list(Claim.objects.order_by("pk").values_list("pk", flat=True)), REQUESTS)
    cases = {
        "claim list with the worklist": ["/klaim/"] * REQUESTS,
        "claim page": [f"/klaim/{pk}/" for pk in claims],
        "impact page": [f"/klaim/dampak/?tahun={YEAR}"] * REQUESTS,
        "impact PDF (the Bupati's page)": [f"/klaim/dampak/dampak-{YEAR}.pdf"] * REQUESTS,
        "impact XLSX": [f"/klaim/dampak/dampak-{YEAR}.xlsx"] * REQUESTS,
    }

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            response.close()

    for urls in cases.values():  # warm up: templates compiled, caches filled
        get(urls[0])
    for label, urls in cases.items():
        times = []
        for url in urls:
            start = time.perf_counter()
            get(url)
            times.append(time.perf_counter() - start)
        _line(f"page: {label}", _percentiles(times), f"{len(urls)} requests")


def _steps(participants: int, claims: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    import time_machine
    from django.db.models import Count

    from lindung.accounts.tests.factories import admin
    from lindung.enrollment.models import Participation

    start = time.perf_counter()
    written = _participations()
    _line(
        f"{written:,} participations written (setup step)", f"{time.perf_counter() - start:.2f} s"
    )
    start = time.perf_counter()
    lines = _bills()
    _line("bills made and paid (setup step)", f"{time.perf_counter() - start:.2f} s",
          f"{lines:,} bill lines")  # fmt: skip
    with time_machine.travel(datetime.datetime.fromisoformat(BENCH_DAY), tick=True):
        user = admin(username="bench.admin")
        rng = random.Random(SEED)
        registered = list(
            Participation.objects.filter(fiscal_year=YEAR, state="TERDAFTAR")
            .order_by("pk")
            .values_list("pk", "worker_id", "source", "kecamatan_id", "desa_id")
        )
        extra = claims // 20
        apbd = [row for row in registered if row[2] == "apbd"]
        dying = rng.sample(apbd, DEATHS)
        taken = {row[0] for row in dying}
        others = [row for row in registered if row[0] not in taken]
        start = time.perf_counter()
        _claims(user, claims, rng.sample(others, claims + extra))
        _line(f"{claims:,} claims + {extra:,} unclaimed deaths (setup step)",
              f"{time.perf_counter() - start:.2f} s", "bulk_create")  # fmt: skip
        kecamatan = (
            Participation.objects.filter(fiscal_year=YEAR)
            .values("kecamatan_id")
            .annotate(n=Count("id"))
            .order_by("-n", "kecamatan_id")[0]["kecamatan_id"]
        )
        _impact(kecamatan)
        _verdicts()
        _deaths(user, dying)
        _pages(user)
    print(f"{'':<11} {participants:,} workers, {len(registered):,} registered participations")


if __name__ == "__main__":
    main()

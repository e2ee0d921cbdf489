"""A claim report received, checked, then committed in one transaction (or discarded).

    report = store(by=user, upload=stream, file_name="klaim.xlsx")    CHECKING
    report = run_check(report)              the check of a stored report (a job): CHECKED/FAILED
    report = receive(by=user, source=path, file_name=…)   store a file and check it (the CLI)
    rows = checked_rows(report)                           the preview's frame
    report = commit(by=user, report=report)               COMMITTED
    discard(by=user, report=report)                       DISCARDED, its files removed
    checked = check_file(path)                            a dry run: nothing stored

The file is kept under LINDUNG_VAR/claims/<id>/ with its SHA-256, the report's entries as read
(`report.parquet`) and the checked rows (`rows.parquet`).

What committing does: the report is checked again against the database as it is then (today's
date for "paid in the future"); each `matched` row settles its claim (`services.settle`: DIBAYAR
with the branch's paid date, amount and claim number) and each `new` row records the event and
the claim as paid (`services.record_bpjs_claim`), all in one transaction with one
CLAIM_REPORT_COMMITTED audit event carrying the counts. `unchanged`, `unmatched` and `problem`
rows change nothing. A row the claim services refuse stops the whole commit with the row's
number and the reason (nothing is saved). A file whose content (SHA-256) was committed before is
refused, and committing a committed report again returns it unchanged.
"""

import datetime
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import record
from lindung.claims import services
from lindung.claims.models import Claim, ClaimReport, Event, EventKind, ReportStatus
from lindung.claims.reports import check
from lindung.claims.reports.read import read_report
from lindung.claims.states import ClaimError
from lindung.enrollment.models import Participation
from lindung.registry.models import Worker
from lindung.sheets import DEFAULT_LIMITS, ReadError, save_upload

Status = ReportStatus
REPORT_FILE = "report.parquet"
ROWS_FILE = "rows.parquet"
CHUNK = 2_000  # identifiers per look-up query


def reports_dir() -> Path:
    return Path(settings.VAR_DIR) / "claims"


def _folder(report: ClaimReport) -> Path:
    return Path(settings.VAR_DIR) / report.folder


def today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Lindung's side


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


@dataclass
class Lindung:
    people: pl.DataFrame  # check.PEOPLE
    workers: pl.DataFrame  # check.WORKERS
    claims: pl.DataFrame  # check.CLAIMS
    deaths: pl.DataFrame  # check.DEATHS


def lindung_frames(report: pl.DataFrame) -> Lindung:
    """The participations, workers, claims and deaths of the workers the report's KPJs and
    NIKs point to."""
    kpjs = report.get_column("kpj").drop_nulls().unique().to_list()
    niks = (
        report.filter(pl.col("nik_error").is_null()).get_column("nik").drop_nulls().unique()
    ).to_list()
    workers: list[tuple[int, str]] = []
    ids: set[int] = set()
    for chunk in _chunks(niks):
        workers += list(Worker.objects.filter(nik__in=chunk).values_list("pk", "nik"))
        ids.update(Participation.objects.filter(nik__in=chunk).values_list("worker_id", flat=True))
    for chunk in _chunks(kpjs):
        ids.update(Participation.objects.filter(kpj__in=chunk).values_list("worker_id", flat=True))
    ids.update(pk for pk, _nik in workers)
    people: list[tuple[int, int, str, str, int, str]] = []
    claims: list[tuple[int, str, int, str, datetime.date, str, int | None]] = []
    deaths: list[tuple[int, datetime.date]] = []
    for numbers in _chunks(sorted(ids)):
        people += list(
            Participation.objects.filter(worker_id__in=numbers).values_list(
                "pk", "worker_id", "kpj", "nik", "fiscal_year", "state"
            )
        )
        claims += list(
            Claim.objects.filter(worker_id__in=numbers).values_list(
                "pk", "number", "worker_id", "kind", "event__occurred_on", "state", "paid_amount"
            )
        )
        deaths += list(
            Event.objects.filter(worker_id__in=numbers, kind=EventKind.DEATH).values_list(
                "worker_id", "occurred_on"
            )
        )
    return Lindung(
        people=pl.DataFrame(people, schema=check.PEOPLE, orient="row"),
        workers=pl.DataFrame(workers, schema=check.WORKERS, orient="row"),
        claims=pl.DataFrame(claims, schema=check.CLAIMS, orient="row"),
        deaths=pl.DataFrame(deaths, schema=check.DEATHS, orient="row"),
    )


def compare(report: pl.DataFrame, *, on: datetime.date | None = None) -> pl.DataFrame:
    """The checked rows of a report against the database as it is now."""
    side = lindung_frames(report)
    return check.classify(
        report,
        people=side.people,
        workers=side.workers,
        claims=side.claims,
        deaths=side.deaths,
        on=on or today(),
    )


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass
class Checked:
    report: pl.DataFrame
    rows: pl.DataFrame
    rows_total: int


def read_file(path: Path, *, progress: Callable[[int], None] | None = None) -> Checked:
    """The report's entries (`check.normalise`). Raises ReadError when the file cannot be
    used."""
    sheet = read_report(path, progress=(lambda done, total: progress(done)) if progress else None)
    report = check.normalise(sheet.frame, today=today())
    return Checked(report=report, rows=pl.DataFrame(), rows_total=report.height)


def check_file(path: Path, *, progress: Callable[[int], None] | None = None) -> Checked:
    """The checked rows of a report file (nothing stored). Raises ReadError when the file
    cannot be used as a whole."""
    checked = read_file(path, progress=progress)
    checked.rows = compare(checked.report)
    return checked


# ---------------------------------------------------------------------------------------------
# The upload's life


def _kept_name(file_name: str) -> str:
    return "report" + Path(file_name).suffix.lower()[:6]


def _kept_file(report: ClaimReport) -> Path:
    return next(p for p in _folder(report).iterdir() if p.name.startswith("report."))


def store(*, by: Actor | None, upload: IO[bytes], file_name: str) -> ClaimReport:
    """Keep an uploaded report without checking it (CHECKING): the page checks it in a
    background job (`background.start_check`). Streamed to disk with the reader's size cap; a
    larger file keeps nothing."""
    try:
        incoming, sha256 = save_upload(upload, reports_dir())
    except ReadError as error:
        raise ClaimError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)}
        ) from error
    try:
        report = ClaimReport.objects.create(
            file_name=Path(file_name).name[:255],
            folder="",
            sha256=sha256,
            size=incoming.stat().st_size,
            created_by=actor_user(by),
        )
        folder = reports_dir() / str(report.pk)
        folder.mkdir(parents=True, exist_ok=True)
        report.folder = str(folder.relative_to(Path(settings.VAR_DIR)))
        report.save(update_fields=["folder"])
        shutil.move(incoming, folder / _kept_name(file_name))
    finally:
        incoming.unlink(missing_ok=True)
    return report


def receive(
    *,
    by: Actor | None,
    source: Path,
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> ClaimReport:
    """Keep a report file and check it: CHECKED (with its rows) or FAILED (with why)."""
    with source.open("rb") as upload:
        report = store(by=by, upload=upload, file_name=file_name)
    return run_check(report, progress=progress)


def run_check(report: ClaimReport, *, progress: Callable[[int], None] | None = None) -> ClaimReport:
    """Check a stored report: CHECKED with its counts, or FAILED with the message why the file
    cannot be used (nothing else is stored)."""
    folder = _folder(report)
    try:
        checked = read_file(_kept_file(report), progress=progress)
        rows = compare(checked.report)
    except ReadError as error:
        report.status = Status.FAILED
        report.error = error.message
        report.save(update_fields=["status", "error"])
        return report
    checked.report.write_parquet(folder / REPORT_FILE)
    rows.write_parquet(folder / ROWS_FILE)
    _set_counts(report, rows)
    report.status = Status.CHECKED
    report.save()
    return report


def _set_counts(report: ClaimReport, rows: pl.DataFrame) -> None:
    counts = check.counts(rows)
    report.rows_total = counts["rows_total"]
    report.matched = counts["matched"]
    report.new = counts["new"]
    report.unmatched = counts["unmatched"]
    report.problems = counts["problems"]


def checked_rows(report: ClaimReport) -> pl.DataFrame:
    path = _folder(report) / ROWS_FILE
    if not report.folder or not path.exists():
        return pl.DataFrame(schema=check.ROW_COLUMNS)
    return pl.read_parquet(path)


def committed_with(sha256: str) -> ClaimReport | None:
    """The committed report of a file's content, if any."""
    return (
        ClaimReport.objects.filter(sha256=sha256, status=Status.COMMITTED)
        .order_by("-decided_at")
        .first()
    )


def earlier_same_file(report: ClaimReport) -> ClaimReport | None:
    earlier = committed_with(report.sha256)
    return earlier if earlier is not None and earlier.pk != report.pk else None


def _apply(by: Actor | None, rows: pl.DataFrame) -> pl.DataFrame:
    """Settle the matched claims and record the new ones; `claim` and `claim_id` of the new
    rows filled in. Raises ClaimError naming the row a service refused."""
    participations = Participation.objects.in_bulk(
        rows.filter(pl.col("status") == check.Status.NEW)
        .get_column("participation_id")
        .drop_nulls()
        .to_list()
    )
    claims = Claim.objects.in_bulk(
        rows.filter(pl.col("status") == check.Status.MATCHED)
        .get_column("claim_id")
        .drop_nulls()
        .to_list()
    )
    made: dict[int, tuple[int, str]] = {}
    for index, entry in enumerate(rows.iter_rows(named=True)):
        status = entry["status"]
        if status not in (check.Status.MATCHED, check.Status.NEW):
            continue
        try:
            if status == check.Status.MATCHED:
                services.settle(
                    by=by,
                    claim=claims[entry["claim_id"]],
                    paid_on=entry["paid_on"],
                    amount=entry["amount"],
                    bpjs_number=entry["bpjs_number"] or "",
                )
            else:
                claim = services.record_bpjs_claim(
                    by=by,
                    participation=participations[entry["participation_id"]],
                    kind=entry["kind"],
                    event_date=entry["event_date"],
                    paid_on=entry["paid_on"],
                    amount=entry["amount"],
                    bpjs_number=entry["bpjs_number"] or "",
                )
                made[index] = (claim.pk, claim.number)
        except ClaimError as error:
            raise ClaimError(
                _(
                    "Row %(row)s: %(error)s Nothing was saved; correct the row or discard the "
                    "report."
                )
                % {"row": entry["row"], "error": str(error)}
            ) from error
    if not made:
        return rows
    at = list(made)
    return rows.with_columns(
        rows.get_column("claim_id").scatter(at, [made[i][0] for i in at]),
        rows.get_column("claim").scatter(at, [made[i][1] for i in at]),
    )


def commit(*, by: Actor | None, report: ClaimReport) -> ClaimReport:
    """Check the report again against the database as it is now and settle or record its
    claims, in one transaction (see the module's docstring)."""
    with transaction.atomic():
        locked = ClaimReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == Status.COMMITTED:
            return locked
        if locked.status != Status.CHECKED:
            raise ClaimError(_("Only a checked claim report can be saved."))
        earlier = earlier_same_file(locked)
        if earlier is not None:
            raise ClaimError(
                _(
                    "The same file was saved already (claim report %(number)s, %(date)s): "
                    "saving it again would change nothing. Discard this upload."
                )
                % {
                    "number": earlier.pk,
                    "date": timezone.localtime(earlier.decided_at).date().isoformat()
                    if earlier.decided_at
                    else "",
                }
            )
        entries = pl.read_parquet(_folder(locked) / REPORT_FILE)
        rows = _apply(by, compare(entries))
        counts = check.counts(rows)
        _set_counts(locked, rows)
        locked.status = Status.COMMITTED
        locked.decided_by = actor_user(by)
        locked.decided_at = timezone.now()
        locked.save()
        record(
            by=by,
            action=Action.CLAIM_REPORT_COMMITTED,
            obj=locked,
            after={
                "file_name": locked.file_name,
                "file_sha256": locked.sha256,
                **counts,
                "claims": [
                    f"{entry['claim']}: {entry['status']}"
                    for entry in rows.filter(
                        pl.col("status").is_in([check.Status.MATCHED, check.Status.NEW])
                    ).iter_rows(named=True)
                ][:200],
            },
        )
    rows.write_parquet(_folder(locked) / ROWS_FILE)
    return locked


def discard(*, by: Actor | None, report: ClaimReport) -> ClaimReport:
    """Drop a report that was not saved: DISCARDED (audited), its files removed."""
    with transaction.atomic():
        locked = ClaimReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == Status.COMMITTED:
            raise ClaimError(_("A saved claim report cannot be discarded."))
        if locked.status == Status.DISCARDED:
            return locked
        locked.status = Status.DISCARDED
        locked.decided_by = actor_user(by)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            by=by,
            action=Action.CLAIM_REPORT_DISCARDED,
            obj=locked,
            after={"file_name": locked.file_name, "file_sha256": locked.sha256},
        )
        folder = _folder(locked)
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    return locked

"""A recap received, checked, then committed in one transaction (or discarded).

    rec = store(by=user, upload=stream, file_name="rekap.xlsx", fiscal_year=2027)   CHECKING
    rec = run_check(rec)                    the check of a stored recap (a job): CHECKED/FAILED
    rec = receive(by=user, source=path, file_name=…)     store a file and check it (the CLI)
    rows = checked_rows(rec)                             the preview's frame
    rec = commit(by=user, reconciliation=rec)            COMMITTED
    discard(by=user, reconciliation=rec)                 DISCARDED, its files removed
    rows = check_file(path, fiscal_year=2027)            a dry run: nothing stored

The file is kept under LINDUNG_VAR/reconcile/<id>/ with its SHA-256, the recap's entries as
read (`recap.parquet`) and the checked rows (`rows.parquet`). The fiscal year is the one
asked (the CLI: the current year) and Lindung's side is read as it is on `on`: today, or the
31st of December of a past year.

What committing does: the recap is compared again with the database as it is then, and the
bills of the fiscal year that money has arrived on (SEBAGIAN, DIBAYAR, SELISIH,
DIREKONSILIASI, PENGEMBALIAN) of the recap's wadah (every wadah when the file names none)
move by `check.bill_targets` through `billing.services.reconcile_bill` (each audited): a
bill with a participant whose amount differs becomes SELISIH; a bill whose participants in
the comparison all match becomes DIREKONSILIASI (when the lifecycle allows: a part-paid bill
stays SEBAGIAN); the others stay as they are. The counts, the bill moves and the rows are
stored, with one RECONCILIATION_COMMITTED event. Nothing else changes: participations and
the ledger stay as they are (the rows say what to do). A file whose content (SHA-256) was
committed before is refused, and committing a committed reconciliation again returns it
unchanged, so a second run changes nothing.
"""

import datetime
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung import bulk
from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import record
from lindung.billing import ledger, states
from lindung.billing.models import (
    Bill,
    BillLine,
    BillState,
    PaidPeriod,
    Reconciliation,
    ReconciliationStatus,
)
from lindung.billing.reconcile import check
from lindung.billing.reconcile.read import read_recap
from lindung.billing.services import reconcile_bill
from lindung.billing.states import BillingError
from lindung.enrollment.models import Participation, Wadah
from lindung.registry.models import SelfPayment, Worker
from lindung.sheets import DEFAULT_LIMITS, ReadError, save_upload
from lindung.targeting.lists import lists_in_force
from lindung.targeting.models import Beneficiary

Status = ReconciliationStatus
RECAP_FILE = "recap.parquet"
ROWS_FILE = "rows.parquet"
CHUNK = 2_000  # identifiers per look-up query


def reconcile_dir() -> Path:
    return Path(settings.VAR_DIR) / "reconcile"


def _folder(reconciliation: Reconciliation) -> Path:
    return Path(settings.VAR_DIR) / reconciliation.folder


def today() -> datetime.date:
    return timezone.localdate()


def day_of(fiscal_year: int) -> datetime.date:
    """The day Lindung's side is read on: today, or the last day of a past fiscal year."""
    return min(today(), datetime.date(fiscal_year, 12, 31))


# ---------------------------------------------------------------------------------------------
# Lindung's side


def _literal(value: str) -> str:
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


def _participations(fiscal_year: int) -> pl.DataFrame:
    p_table, w_table = Participation._meta.db_table, Wadah._meta.db_table
    frame = bulk.read_frame(
        "SELECT p.id, p.worker_id, p.kpj, p.nik, p.state, p.end_reason, p.source, "  # noqa: S608
        f"p.fiscal_year, w.code, w.npw, p.desa_id, p.effective_from FROM {p_table} p "
        f"LEFT JOIN {w_table} w ON w.id = p.wadah_id WHERE p.fiscal_year = {int(fiscal_year)}",
        {
            name: dtype
            for name, dtype in check.PARTICIPATIONS.items()
            if name not in ("on_list", "status", "paid_until")
        },
    )
    # On a list in force of its kabupaten/kota (each has its own; a worker is on one at most).
    in_force = [approved.pk for approved in lists_in_force(fiscal_year)] or [0]
    listed = bulk.read_frame(
        f"SELECT worker_id FROM {Beneficiary._meta.db_table} "  # noqa: S608
        f"WHERE beneficiary_list_id IN ({', '.join(['%s'] * len(in_force))})",
        {"worker_id": pl.Int64},
        in_force,
    ).get_column("worker_id")
    return frame.with_columns(pl.col("worker_id").is_in(listed.implode()).alias("on_list"))


def _paid_until(fiscal_year: int) -> pl.DataFrame:
    """The last paid day of each participation over the year's paid periods (the ledger)."""
    periods, bills = PaidPeriod._meta.db_table, Bill._meta.db_table
    return bulk.read_frame(
        f"SELECT pp.participation_id, MAX(pp.paid_to) FROM {periods} pp "  # noqa: S608
        f"JOIN {bills} b ON b.id = pp.bill_id WHERE b.fiscal_year = {int(fiscal_year)} "
        "GROUP BY pp.participation_id",
        {"participation_id": pl.Int64, "paid_until": pl.Date},
    )


def _paid_lines(fiscal_year: int) -> pl.DataFrame:
    """The year's paid lines (`check.PAID`) and, with `state`, every unrefunded line of the
    bills money arrived on: a line is paid when the bill's payments cover its month
    (`ledger.paid_months`: months in order, each paid in full)."""
    bills = list(
        Bill.objects.filter(fiscal_year=fiscal_year, paid__gt=0)
        .exclude(state="BATAL")
        .only("pk", "period_start", "paid", "state")
    )
    covered = pl.DataFrame(
        {
            "bill_id": [b.pk for b in bills],
            "last_paid": [
                ledger.add_months(b.period_start, n - 1) if (n := ledger.paid_months(b)) else None
                for b in bills
            ],
            "bill_state": [b.state for b in bills],
        },
        schema={"bill_id": pl.Int64, "last_paid": pl.Date, "bill_state": pl.String},
    )
    l_table, b_table = BillLine._meta.db_table, Bill._meta.db_table
    false = "false" if connection.vendor == "postgresql" else "0"
    lines = bulk.read_frame(
        "SELECT l.participation_id, l.worker_id, l.bill_id, l.month, l.amount "  # noqa: S608
        f"FROM {l_table} l JOIN {b_table} b ON b.id = l.bill_id "
        f"WHERE b.fiscal_year = {int(fiscal_year)} AND b.paid > 0 AND l.refunded = {false} "
        f"AND b.state <> {_literal('BATAL')}",
        check.PAID,
    )
    return lines.join(covered, on="bill_id")


@dataclass
class Lindung:
    """Lindung's side of one comparison."""

    participations: pl.DataFrame
    paid: pl.DataFrame  # check.PAID
    lines: pl.DataFrame  # check.LINES of the bills a reconciliation may move
    bills: pl.DataFrame  # bill_id, number, state, wadah, npw


def lindung_frames(*, fiscal_year: int, on: datetime.date) -> Lindung:
    """The participations of `fiscal_year` with the ledger's status on `on`
    (`ledger.standing`) and `paid_until`: the last day any paid period of the year covers
    (the day before protection starts when none does), the paid lines, and the bills to
    reconcile."""
    now = ledger.standing(on=on).select("participation_id", "status")
    participations = (
        _participations(fiscal_year)
        .join(now, on="participation_id", how="left")
        .join(_paid_until(fiscal_year), on="participation_id", how="left")
        .with_columns(
            pl.coalesce(pl.col("paid_until"), pl.col("effective_from") - pl.duration(days=1)).alias(
                "paid_until"
            )
        )
        .select(*(pl.col(n).cast(t) for n, t in check.PARTICIPATIONS.items()))
    )
    lines = _paid_lines(fiscal_year)
    paid = lines.filter(pl.col("month") <= pl.col("last_paid")).select(list(check.PAID))
    reconcilable = [s.value for s in check.RECONCILABLE]
    open_lines = lines.filter(pl.col("bill_state").is_in(reconcilable))
    bills = _bills(open_lines.get_column("bill_id").unique().to_list())
    return Lindung(
        participations=participations,
        paid=paid,
        lines=open_lines.select(list(check.LINES)),
        bills=bills,
    )


def _bills(ids: list[int]) -> pl.DataFrame:
    rows = Bill.objects.filter(pk__in=ids).values_list(
        "pk", "number", "state", "wadah__code", "wadah__npw"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "bill_id": pl.Int64,
            "number": pl.String,
            "state": pl.String,
            "wadah": pl.String,
            "npw": pl.String,
        },
        orient="row",
    )


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def known_frame(recap: pl.DataFrame) -> pl.DataFrame:
    """The file's KPJs and NIKs that Lindung knows (`check.KNOWN`): workers of the registry,
    KPJs of any year's participations and of self-payers."""
    kpjs = recap.get_column("kpj").drop_nulls().unique().to_list()
    niks = recap.get_column("nik").drop_nulls().unique().to_list()
    rows: list[tuple[str | None, str | None, int]] = []
    for chunk in _chunks(niks):
        rows += [
            (None, nik, pk)
            for nik, pk in Worker.objects.filter(nik__in=chunk).values_list("nik", "pk")
        ]
    for chunk in _chunks(kpjs):
        held = Participation.objects.filter(kpj__in=chunk).values_list("kpj", "worker_id")
        rows += [(kpj, None, worker) for kpj, worker in held]
        own = SelfPayment.objects.filter(kpj__in=chunk).values_list("kpj", "worker_id")
        rows += [(kpj, None, worker) for kpj, worker in own]
    return pl.DataFrame(rows, schema=check.KNOWN, orient="row")


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass
class Checked:
    recap: pl.DataFrame
    rows: pl.DataFrame
    rows_total: int  # the file's data rows


def read_file(path: Path, *, progress: Callable[[int], None] | None = None) -> Checked:
    """The recap's entries (`check.normalise`) with empty comparison rows. Raises ReadError
    or BillingError when the file cannot be used."""
    sheet = read_recap(path, progress=(lambda done, total: progress(done)) if progress else None)
    return Checked(
        recap=check.normalise(sheet.frame), rows=pl.DataFrame(), rows_total=sheet.frame.height
    )


def compare(
    recap: pl.DataFrame, *, fiscal_year: int, on: datetime.date
) -> tuple[pl.DataFrame, Lindung]:
    """The checked rows of a recap against the database as it is now, and Lindung's side."""
    side = lindung_frames(fiscal_year=fiscal_year, on=on)
    _refuse_foreign(recap, side.participations, fiscal_year)
    rows = check.classify(
        recap,
        participations=side.participations,
        paid=side.paid,
        known=known_frame(recap),
        fiscal_year=fiscal_year,
        on=on,
    )
    return rows, side


def _refuse_foreign(recap: pl.DataFrame, participations: pl.DataFrame, fiscal_year: int) -> None:
    """A recap none of whose KPJs and NIKs is a participant of the year, while the year has
    registered participants, is another wadah's or another year's: one message."""
    registered = participations.filter(pl.col("kpj").fill_null("") != "")
    if recap.is_empty() or registered.is_empty():
        return
    kpjs = registered.get_column("kpj").implode()
    niks = participations.get_column("nik").implode()
    hits = recap.filter(
        pl.col("kpj").is_in(kpjs).fill_null(value=False)
        | pl.col("nik").is_in(niks).fill_null(value=False)
    )
    if hits.is_empty():
        raise BillingError(
            _(
                "None of the KPJs and NIKs in this recap belongs to a participant of %(year)s. "
                "Check that it is the recap of the regency's wadah for that year."
            )
            % {"year": fiscal_year}
        )


def check_file(
    path: Path,
    *,
    fiscal_year: int,
    on: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """The checked rows of a recap file (nothing stored). Raises ReadError or BillingError
    when the file cannot be used as a whole."""
    checked = read_file(path, progress=progress)
    day = on or day_of(fiscal_year)
    checked.rows, _side = compare(checked.recap, fiscal_year=fiscal_year, on=day)
    return checked


def planned_bills(rows: pl.DataFrame, recap: pl.DataFrame, side: Lindung) -> list[dict[str, Any]]:
    """The bill moves a commit makes: [{bill, number, before, after}], in bill order."""
    wadah = (
        pl.DataFrame({"w": recap.get_column("wadah_text").drop_nulls()})
        .select(pl.col("w").str.to_uppercase().str.replace_all(r"[\s.\-]", ""))
        .get_column("w")
        .unique()
        .to_list()
    )
    bills = side.bills
    if wadah:
        squeeze = {
            name: pl.col(name).str.to_uppercase().str.replace_all(r"[\s.\-]", "")
            for name in ("wadah", "npw")
        }
        bills = bills.filter(
            squeeze["wadah"].is_in(wadah).fill_null(value=False)
            | squeeze["npw"].is_in(wadah).fill_null(value=False)
        )
    lines = side.lines.filter(pl.col("bill_id").is_in(bills.get_column("bill_id").implode()))
    targets = check.bill_targets(rows, lines)
    moves = []
    for bill_id, number, state, _wadah, _npw in bills.sort("number").iter_rows():
        after = targets.get(bill_id)
        if after and after != state and states.allowed(state, after):
            moves.append({"bill": bill_id, "number": number, "before": state, "after": after})
    return moves


# ---------------------------------------------------------------------------------------------
# The upload's life


def _keep(
    *, by: Actor | None, file_name: str, sha256: str, size: int, fiscal_year: int
) -> Reconciliation:
    reconciliation = Reconciliation.objects.create(
        fiscal_year=fiscal_year,
        on=day_of(fiscal_year),
        file_name=Path(file_name).name[:255],
        folder="",
        sha256=sha256,
        size=size,
        created_by=actor_user(by),
    )
    folder = reconcile_dir() / str(reconciliation.pk)
    folder.mkdir(parents=True, exist_ok=True)
    reconciliation.folder = str(folder.relative_to(Path(settings.VAR_DIR)))
    reconciliation.save(update_fields=["folder"])
    return reconciliation


def _kept_name(file_name: str) -> str:
    return "recap" + Path(file_name).suffix.lower()[:6]


def _kept_file(reconciliation: Reconciliation) -> Path:
    return next(p for p in _folder(reconciliation).iterdir() if p.name.startswith("recap."))


def store(
    *,
    by: Actor | None,
    upload: IO[bytes],
    file_name: str,
    fiscal_year: int | None = None,
) -> Reconciliation:
    """Keep an uploaded recap without checking it (CHECKING): the page checks it in a
    background job (`background.start_check`). Streamed to disk with the spreadsheet reader's
    size cap; a larger file keeps nothing."""
    try:
        incoming, sha256 = save_upload(upload, reconcile_dir())
    except ReadError as error:
        raise BillingError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)}
        ) from error
    try:
        reconciliation = _keep(
            by=by,
            file_name=file_name,
            sha256=sha256,
            size=incoming.stat().st_size,
            fiscal_year=fiscal_year or today().year,
        )
        shutil.move(incoming, _folder(reconciliation) / _kept_name(file_name))
    finally:
        incoming.unlink(missing_ok=True)
    return reconciliation


def receive(
    *,
    by: Actor | None,
    source: Path,
    file_name: str,
    fiscal_year: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Reconciliation:
    """Keep a recap file and check it: CHECKED (with its rows) or FAILED (with why)."""
    with source.open("rb") as upload:
        reconciliation = store(by=by, upload=upload, file_name=file_name, fiscal_year=fiscal_year)
    return run_check(reconciliation, progress=progress)


def run_check(
    reconciliation: Reconciliation, *, progress: Callable[[int], None] | None = None
) -> Reconciliation:
    """Check a stored recap: CHECKED with its counts, or FAILED with the message why the file
    cannot be used (nothing else is stored)."""
    folder = _folder(reconciliation)
    on = day_of(reconciliation.fiscal_year)
    try:
        checked = read_file(_kept_file(reconciliation), progress=progress)
        rows, side = compare(checked.recap, fiscal_year=reconciliation.fiscal_year, on=on)
        bills = planned_bills(rows, checked.recap, side)
    except (ReadError, BillingError) as error:
        reconciliation.status = Status.FAILED
        reconciliation.error = error.message
        reconciliation.save(update_fields=["status", "error"])
        return reconciliation
    checked.recap.write_parquet(folder / RECAP_FILE)
    rows.write_parquet(folder / ROWS_FILE)
    _set_counts(reconciliation, rows, rows_total=checked.rows_total)
    reconciliation.bills = bills
    reconciliation.on = on
    reconciliation.status = Status.CHECKED
    reconciliation.save()
    return reconciliation


def _set_counts(reconciliation: Reconciliation, rows: pl.DataFrame, *, rows_total: int) -> None:
    reconciliation.rows_total = rows_total
    for category, n in check.counts(rows).items():
        setattr(reconciliation, category, n)
    reconciliation.code_counts = check.code_counts(rows)


def checked_rows(reconciliation: Reconciliation) -> pl.DataFrame:
    path = _folder(reconciliation) / ROWS_FILE
    if not reconciliation.folder or not path.exists():
        return pl.DataFrame()
    return pl.read_parquet(path)


def earlier_same_file(reconciliation: Reconciliation) -> Reconciliation | None:
    """An earlier committed reconciliation of the same content and fiscal year."""
    earlier = committed_with(reconciliation.sha256, reconciliation.fiscal_year)
    return earlier if earlier is not None and earlier.pk != reconciliation.pk else None


def committed_with(sha256: str, fiscal_year: int) -> Reconciliation | None:
    """The committed reconciliation of a file's content for `fiscal_year`, if any."""
    return (
        Reconciliation.objects.filter(
            sha256=sha256, fiscal_year=fiscal_year, status=Status.COMMITTED
        )
        .order_by("-decided_at")
        .first()
    )


def commit(*, by: Actor | None, reconciliation: Reconciliation) -> Reconciliation:
    """Compare the recap again with the database as it is now and move the bills it settles,
    in one transaction (see the module's docstring)."""
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.status == Status.COMMITTED:
            return locked
        if locked.status != Status.CHECKED:
            raise BillingError(_("Only a checked reconciliation can be saved."))
        earlier = earlier_same_file(locked)
        if earlier is not None:
            raise BillingError(
                _(
                    "The same file was saved already (reconciliation %(number)s, %(date)s): "
                    "saving it again would change nothing. Discard this upload."
                )
                % {
                    "number": earlier.pk,
                    "date": timezone.localtime(earlier.decided_at).date().isoformat()
                    if earlier.decided_at
                    else "",
                }
            )
        on = day_of(locked.fiscal_year)
        recap = pl.read_parquet(_folder(locked) / RECAP_FILE)
        rows, side = compare(recap, fiscal_year=locked.fiscal_year, on=on)
        moves = planned_bills(rows, recap, side)
        bills = {b.pk: b for b in Bill.objects.filter(pk__in=[m["bill"] for m in moves])}
        for move in moves:
            reconcile_bill(
                by=by,
                bill=bills[move["bill"]],
                matches=move["after"] == BillState.DIREKONSILIASI,
                on=on,
            )
        _set_counts(locked, rows, rows_total=locked.rows_total)
        locked.bills = moves
        locked.on = on
        locked.status = Status.COMMITTED
        locked.decided_by = actor_user(by)
        locked.decided_at = timezone.now()
        locked.save()
        record(
            by=by,
            action=Action.RECONCILIATION_COMMITTED,
            obj=locked,
            after={
                "file_name": locked.file_name,
                "file_sha256": locked.sha256,
                "fiscal_year": locked.fiscal_year,
                "rows_total": locked.rows_total,
                **check.counts(rows),
                "bills": [f"{m['number']}: {m['before']} → {m['after']}" for m in moves][:200],
            },
        )
    rows.write_parquet(_folder(locked) / ROWS_FILE)
    return locked


def discard(*, by: Actor | None, reconciliation: Reconciliation) -> Reconciliation:
    """Drop a recap that was not saved: DISCARDED (audited), its files removed."""
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.status == Status.COMMITTED:
            raise BillingError(_("A saved reconciliation cannot be discarded."))
        if locked.status == Status.DISCARDED:
            return locked
        locked.status = Status.DISCARDED
        locked.decided_by = actor_user(by)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            by=by,
            action=Action.RECONCILIATION_DISCARDED,
            obj=locked,
            after={"file_name": locked.file_name, "fiscal_year": locked.fiscal_year},
        )
        folder = _folder(locked)
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    return locked


def guess_year(path: Path, *, sample: int = 500) -> int:
    """The fiscal year a recap speaks of, for the command line (the page asks): the year
    whose participations hold most of the first `sample` KPJs and NIKs of the file; this year
    when none is known. A recap made in December for a list of next year is next year's."""
    from django.db.models import Count, Q

    from lindung.billing.reconcile.read import read_recap
    from lindung.enrollment.models import Participation

    frame = read_recap(path).frame.head(sample)
    kpj = [k for k in frame["kpj"].drop_nulls().to_list() if k][:sample]
    nik = (
        [n for n in frame["nik"].drop_nulls().to_list() if n][:sample]
        if "nik" in frame.columns
        else []
    )
    found = (
        Participation.objects.filter(Q(kpj__in=kpj) | Q(nik__in=nik))
        .values("fiscal_year")
        .annotate(n=Count("id"))
        .order_by("-n", "-fiscal_year")
        .first()
    )
    return int(found["fiscal_year"]) if found else today().year

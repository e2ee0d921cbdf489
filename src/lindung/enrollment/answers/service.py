"""An answer file received, checked, then committed in one transaction (or discarded).

    answer = receive(by=user, batch=batch, source=path, file_name="jawaban.xlsx")   CHECKED/FAILED
    answer = store(by=user, batch=batch, upload=stream, file_name="jawaban.xlsx")  CHECKING
    answer = run_check(answer)                           the check of a stored answer (a job)
    rows = checked_rows(answer)                                       the preview's frame
    answer = commit(by=user, answer=answer)                          COMMITTED
    discard(by=user, answer=answer)

The file is kept under LINDUNG_VAR/enrollment/answers/<id>/ with the checked rows as Parquet.
Committing checks the rows again against the database as it is then, applies the valid ones
that change something, and writes one audit event per participation it changed: a second
upload of the same file finds nothing to change.
"""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_label, actor_user
from lindung.audit.models import Event
from lindung.audit.services import record
from lindung.bulk import insert_frame, read_frame
from lindung.enrollment.answers.check import RowCode, check_rows
from lindung.enrollment.answers.read import read_answer
from lindung.enrollment.models import (
    Answer,
    AnswerStatus,
    BatchItem,
    BatchStatus,
    Participation,
    RegistrationBatch,
    State,
)
from lindung.enrollment.services import EnrollmentError
from lindung.registry.models import SelfPayment
from lindung.sheets import DEFAULT_LIMITS, ReadError, save_upload, sha256_of

ITEM_SCHEMA: dict[str, Any] = {
    "nik": pl.String,
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "before_state": pl.String,
    "known_kpj": pl.String,
    "before_effective": pl.Date,
}
HOLDER_SCHEMA: dict[str, Any] = {"kpj": pl.String, "worker_id": pl.Int64}
ROWS_FILE = "rows.parquet"
# What each code tells the user to do (the preview, the report).
CODE_MESSAGES: dict[str, str] = {
    RowCode.KPJ_INVALID: gettext_noop(
        "The KPJ must be 11 digits (and is needed when the worker is registered)."
    ),
    RowCode.NIK_NOT_IN_BATCH: gettext_noop("This NIK is not waiting for an answer in this batch."),
    RowCode.STATUS_UNKNOWN: gettext_noop(
        "The status cannot be read as registered, rejected or already active."
    ),
    RowCode.DATE_INVALID: gettext_noop(
        "The effective date (TMT) is not a date of the batch's fiscal year."
    ),
    RowCode.DUPLICATE_IN_FILE: gettext_noop(
        "The NIK appears more than once in the file: keep one row per worker."
    ),
    RowCode.KPJ_CONFLICT: gettext_noop(
        "The KPJ belongs to someone else, or the worker already has another KPJ or is "
        "registered already."
    ),
}


def answers_dir() -> Path:
    return Path(settings.VAR_DIR) / "enrollment" / "answers"


def _folder(answer: Answer) -> Path:
    return Path(settings.VAR_DIR) / answer.folder


def batch_items(batch: RegistrationBatch) -> pl.DataFrame:
    """The batch's workers with their participation as it is now (those withdrawn from the
    batch have no participation here)."""
    i_table, p_table = BatchItem._meta.db_table, Participation._meta.db_table
    sql = (
        "SELECT i.nik, p.id, p.worker_id, p.state, p.kpj, p.effective_from "  # noqa: S608 - fixed names
        f"FROM {i_table} i JOIN {p_table} p ON p.id = i.participation_id "
        "WHERE i.batch_id = %s AND p.batch_id = %s"
    )
    return read_frame(sql, ITEM_SCHEMA, [batch.pk, batch.pk])


def kpj_holders() -> pl.DataFrame:
    """Every KPJ recorded, with its worker: participations and self-payments."""
    p_table, s_table = Participation._meta.db_table, SelfPayment._meta.db_table
    sql = (
        f"SELECT kpj, worker_id FROM {p_table} WHERE kpj <> '' "  # noqa: S608 - fixed names
        f"UNION SELECT kpj, worker_id FROM {s_table}"
    )
    return read_frame(sql, HOLDER_SCHEMA)


def _check(batch: RegistrationBatch, frame: pl.DataFrame) -> pl.DataFrame:
    return check_rows(
        frame,
        items=batch_items(batch),
        holders=kpj_holders(),
        fiscal_year=batch.fiscal_year,
        start=batch.start,
    )


def _other_batch(niks: list[str]) -> RegistrationBatch | None:
    """The batch most of these NIKs were sent in, when they were not sent in the one asked."""
    found = (
        BatchItem.objects.filter(nik__in=niks[:2_000])
        .values_list("batch_id", flat=True)
        .order_by("-batch_id")
        .first()
    )
    return RegistrationBatch.objects.filter(pk=found).first() if found else None


def _refuse_foreign(batch: RegistrationBatch, rows: pl.DataFrame) -> None:
    """A file none of whose rows answers this batch is the wrong file: one message."""
    if rows.is_empty() or rows.get_column("participation_id").is_not_null().any():
        return
    niks = rows.get_column("nik").drop_nulls().to_list()
    other = _other_batch(niks)
    if other is not None and other.pk != batch.pk:
        raise EnrollmentError(
            _(
                "None of the NIKs in this file were sent in batch %(batch)s: it answers batch "
                "%(other)s (wadah %(wadah)s, %(start)s). Upload it on that batch's page."
            )
            % {
                "batch": batch.pk,
                "other": other.pk,
                "wadah": other.wadah_id and other.wadah.code,
                "start": other.start.strftime("%m-%Y"),
            }
        )
    raise EnrollmentError(
        _(
            "None of the NIKs in this file are waiting for an answer in batch %(batch)s. Check "
            "that it is the branch's answer to this batch."
        )
        % {"batch": batch.pk}
    )


def _counts(rows: pl.DataFrame) -> dict[str, Any]:
    valid = rows.filter(pl.col("valid"))
    states = valid.get_column("state").value_counts()
    by_state = dict(zip(states["state"].to_list(), states["count"].to_list(), strict=True))
    codes = rows.get_column("errors").explode().drop_nulls().value_counts()
    return {
        "rows_total": rows.height,
        "registered": by_state.get(State.TERDAFTAR, 0),
        "rejected": by_state.get(State.DITOLAK, 0),
        "already_active": by_state.get(State.GANDA_AKTIF, 0),
        "unchanged": valid.filter(~pl.col("change")).height,
        "problems": rows.height - valid.height,
        "code_counts": dict(
            zip(codes[codes.columns[0]].to_list(), codes["count"].to_list(), strict=True)
        ),
    }


def check_file(
    batch: RegistrationBatch, path: Path, *, progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    """The checked rows of an answer file to `batch` (nothing saved). Raises ReadError or
    EnrollmentError when the file cannot be used as a whole."""
    sheet = read_answer(path, progress=(lambda done, total: progress(done)) if progress else None)
    rows = _check(batch, sheet.frame)
    _refuse_foreign(batch, rows)
    return rows


def receive(
    *,
    by: Actor | None,
    batch: RegistrationBatch,
    source: Path,
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> Answer:
    """Keep the file and check it: an Answer CHECKED (with its rows) or FAILED (with the
    message why the file cannot be used)."""
    _refuse_cancelled(batch)
    answer = _keep(by=by, batch=batch, file_name=file_name, sha256=sha256_of(source))
    shutil.copyfile(source, _folder(answer) / _kept_name(file_name))
    return run_check(answer, progress=progress)


def store(
    *, by: Actor | None, batch: RegistrationBatch, upload: IO[bytes], file_name: str
) -> Answer:
    """Keep an uploaded answer file without checking it (CHECKING): the page checks it in a
    background job (`background.start_check` runs `run_check`). The upload is streamed to disk
    with the spreadsheet reader's size cap; a larger file keeps nothing."""
    _refuse_cancelled(batch)
    try:
        incoming, sha256 = save_upload(upload, answers_dir())
    except ReadError as error:
        raise EnrollmentError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)}
        ) from error
    try:
        answer = _keep(by=by, batch=batch, file_name=file_name, sha256=sha256)
        shutil.move(incoming, _folder(answer) / _kept_name(file_name))
    finally:
        incoming.unlink(missing_ok=True)
    return answer


def _refuse_cancelled(batch: RegistrationBatch) -> None:
    if batch.status == BatchStatus.CANCELLED:
        raise EnrollmentError(_("This batch was cancelled; it takes no answers."))


def _kept_name(file_name: str) -> str:
    return "answer" + Path(file_name).suffix.lower()[:6]


def _keep(*, by: Actor | None, batch: RegistrationBatch, file_name: str, sha256: str) -> Answer:
    """A new Answer (CHECKING) with its folder made, for the file to be put in."""
    answer = Answer.objects.create(
        batch=batch,
        file_name=Path(file_name).name[:255],
        folder="",
        sha256=sha256,
        created_by=actor_user(by),
    )
    folder = answers_dir() / str(answer.pk)
    folder.mkdir(parents=True, exist_ok=True)
    answer.folder = str(folder.relative_to(Path(settings.VAR_DIR)))
    answer.save(update_fields=["folder"])
    return answer


def run_check(answer: Answer, *, progress: Callable[[int], None] | None = None) -> Answer:
    folder = _folder(answer)
    kept = next(p for p in folder.iterdir() if p.name.startswith("answer"))
    try:
        rows = check_file(answer.batch, kept, progress=progress)
    except (ReadError, EnrollmentError) as error:
        answer.status = AnswerStatus.FAILED
        answer.error = error.message
        answer.save(update_fields=["status", "error"])
        return answer
    rows.write_parquet(folder / ROWS_FILE)
    for name, value in _counts(rows).items():
        setattr(answer, name, value)
    answer.status = AnswerStatus.CHECKED
    answer.save()
    return answer


def checked_rows(answer: Answer) -> pl.DataFrame:
    path = _folder(answer) / ROWS_FILE
    if not path.exists():
        return pl.DataFrame()
    return pl.read_parquet(path)


def earlier_same_file(answer: Answer) -> Answer | None:
    """An earlier answer with the same content that was committed."""
    return (
        Answer.objects.filter(sha256=answer.sha256, status=AnswerStatus.COMMITTED)
        .exclude(pk=answer.pk)
        .order_by("-decided_at")
        .first()
    )


def commit(
    *, by: Actor | None, answer: Answer, progress: Callable[[str], None] | None = None
) -> Answer:
    """Apply the answer's valid rows that change something, in one transaction."""
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if locked.status == AnswerStatus.COMMITTED:
            return locked
        if locked.status not in (AnswerStatus.CHECKED, AnswerStatus.COMMITTING):
            raise EnrollmentError(_("Only a checked answer can be saved."))
        batch = RegistrationBatch.objects.select_for_update().get(pk=locked.batch_id)
        kept = next(p for p in _folder(locked).iterdir() if p.name.startswith("answer"))
        if progress:
            progress("check")
        # Checked again against the database as it is now: another answer may have come first.
        rows = _check(batch, read_answer(kept).frame)
        changes = rows.filter(pl.col("change"))
        if progress:
            progress("save")
        _apply(changes, by=by, batch=batch)
        _recount(batch)
        for name, value in _counts(rows).items():
            setattr(locked, name, value)
        locked.status = AnswerStatus.COMMITTED
        locked.decided_by = actor_user(by)
        locked.decided_at = timezone.now()
        locked.save()
        rows.write_parquet(_folder(locked) / ROWS_FILE)
        record(
            by=by,
            action=Action.ANSWER_COMMITTED,
            obj=locked,
            after={
                "batch": batch.pk,
                "file": locked.file_name,
                "rows": locked.rows_total,
                "changed": changes.height,
                "registered": locked.registered,
                "rejected": locked.rejected,
                "already_active": locked.already_active,
                "problems": locked.problems,
            },
        )
    return locked


def _apply(changes: pl.DataFrame, *, by: Actor | None, batch: RegistrationBatch) -> None:
    if changes.is_empty():
        return
    now = timezone.now()
    update = changes.select(
        pl.col("participation_id").alias("id"),
        pl.col("state"),
        pl.col("kpj_after").alias("kpj"),
        pl.col("effective").alias("effective_from"),
        pl.col("reason"),
    )
    p_table = Participation._meta.db_table
    registered_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two commits in one outer transaction (the demo, tests) meet the first one's table.
            cursor.execute("DROP TABLE IF EXISTS enrollment_answer_update")
            cursor.execute(
                "CREATE TEMP TABLE enrollment_answer_update (id bigint, state text, kpj text, "
                "effective_from date, reason text) ON COMMIT DROP"
            )
            insert_frame("enrollment_answer_update", update)
            cursor.execute(
                f"UPDATE {p_table} p SET state = u.state, kpj = u.kpj, "  # noqa: S608 - fixed names
                "effective_from = u.effective_from, reason = u.reason, updated_at = %s, "
                "registered_at = CASE WHEN u.state = %s THEN %s ELSE p.registered_at END "
                "FROM enrollment_answer_update u WHERE p.id = u.id",
                [registered_at, State.TERDAFTAR, registered_at],
            )
        else:
            values = update.with_columns(pl.col("effective_from").dt.strftime("%Y-%m-%d")).rows()
            cursor.executemany(
                f"UPDATE {p_table} SET state = %s, kpj = %s, effective_from = %s, reason = %s, "  # noqa: S608
                "updated_at = %s, registered_at = CASE WHEN %s = 'TERDAFTAR' THEN %s "
                "ELSE registered_at END WHERE id = %s",
                [
                    (state, kpj, effective, reason, registered_at, state, registered_at, pk)
                    for pk, state, kpj, effective, reason in values
                ],
            )
    _events(changes, by=by, batch=batch)


def _events(changes: pl.DataFrame, *, by: Actor | None, batch: RegistrationBatch) -> None:
    """One audit event per changed participation: state, KPJ and effective date before and
    after (names and NIKs stay out of the log), written in bulk like the rows they describe
    (`bulk.insert_frame`: model instances for 100.000 events took most of a commit)."""
    actor = actor_user(by)
    before = pl.struct(
        pl.col("before_state").alias("state"), pl.col("known_kpj").fill_null("").alias("kpj")
    )
    after = pl.struct(
        pl.col("state"),
        pl.col("kpj_after").alias("kpj"),
        pl.col("effective").cast(pl.String).alias("effective_from"),
        pl.lit(batch.pk, pl.Int64).alias("batch"),
    )
    events = changes.select(
        pl.lit(timezone.now(), pl.Datetime("us", "UTC")).alias("at"),
        *([pl.lit(actor.pk, pl.Int64).alias("actor_id")] if actor is not None else []),
        pl.lit(actor_label(by)).alias("actor_label"),
        pl.lit(Action.PARTICIPATION_ANSWERED.value).alias("action"),
        pl.lit("enrollment.participation").alias("object_type"),
        pl.col("participation_id").cast(pl.String).alias("object_id"),
        pl.concat_str(pl.lit(f"{batch.fiscal_year} "), pl.col("worker_id").cast(pl.String)).alias(
            "object_repr"
        ),
        before.struct.json_encode().alias("before"),
        after.struct.json_encode().alias("after"),
    )
    insert_frame(Event._meta.db_table, events)


def _recount(batch: RegistrationBatch) -> None:
    counts = dict(
        Participation.objects.filter(batch=batch)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    batch.registered = counts.get(State.TERDAFTAR, 0)
    batch.rejected = counts.get(State.DITOLAK, 0)
    batch.already_active = counts.get(State.GANDA_AKTIF, 0)
    answered = batch.registered + batch.rejected + batch.already_active
    batch.status = (
        BatchStatus.ANSWERED if answered >= batch.workers else BatchStatus.PARTLY_ANSWERED
    )
    batch.save(update_fields=["registered", "rejected", "already_active", "status"])


@transaction.atomic
def discard(*, by: Actor | None, answer: Answer) -> Answer:
    locked = Answer.objects.select_for_update().get(pk=answer.pk)
    if locked.status == AnswerStatus.COMMITTED:
        raise EnrollmentError(_("A saved answer cannot be discarded."))
    locked.status = AnswerStatus.DISCARDED
    locked.decided_by = actor_user(by)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        by=by,
        action=Action.ANSWER_DISCARDED,
        obj=locked,
        after={"batch": locked.batch_id, "file": locked.file_name},
    )
    return locked


def result_json(batch: RegistrationBatch, rows: pl.DataFrame) -> dict[str, Any]:
    """The shape of `lindung enroll response --json`."""
    counts = _counts(rows) if not rows.is_empty() else {
        "rows_total": 0, "registered": 0, "rejected": 0, "already_active": 0, "problems": 0,
        "unchanged": 0, "code_counts": {},
    }  # fmt: skip
    return {
        "batch": batch.pk,
        "rows_total": counts["rows_total"],
        "registered": counts["registered"],
        "rejected": counts["rejected"],
        "already_active": counts["already_active"],
        "problems": counts["problems"],
        "unchanged": counts["unchanged"],
        "codes": counts["code_counts"],
        "rows": [
            {
                "row": row["row"],
                "nik": row["nik"],
                "kpj": row["kpj"] or None,
                "status": row["state"],
                "errors": row["errors"],
            }
            for row in rows.select("row", "nik", "kpj", "state", "errors").iter_rows(named=True)
        ],
    }

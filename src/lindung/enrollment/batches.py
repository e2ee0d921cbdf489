# Over 600 lines: one batch's steps in order (candidates, checks, rows, files, save, cancel).
"""Registration batches: a wadah's candidates checked and written into the file the branch
registers them from.

    batch = create_batch(by=user, beneficiary_list=approved, wadah=wadah, start=date(2027, 1, 1))
    files = batch_files(batch)            {"xlsx": Path, "csv": Path}
    cancel_batch(by=user, batch=batch)    its workers become candidates again

A batch takes the list's `CALON`s of the wadah's funding source (and area) that are not yet
submitted: new registrations, or, with kind=renewal, the workers whose KPJ is known. Each is
checked first (CHECKS); a worker with a blocking problem stays a candidate and is named in the
batch's `problems`, with what to do. The file is written before the short transaction that
marks the workers DIAJUKAN, so the database is never locked while it is written.
"""

import datetime
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from lindung import xlsx
from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_user
from lindung.audit.services import record
from lindung.bulk import insert_frame, read_frame
from lindung.enrollment import layout as layouts
from lindung.enrollment.models import (
    BatchItem,
    BatchStatus,
    Kind,
    Participation,
    RegistrationBatch,
    State,
    Wadah,
)
from lindung.enrollment.services import EnrollmentError, today
from lindung.regions import scope
from lindung.regions.models import Region
from lindung.registry.models import Occupation, SelfPayment, Worker
from lindung.registry.pipeline.values import clean_nik
from lindung.rules.policy import Policy
from lindung.sheets import sha256_of
from lindung.targeting.models import Beneficiary, BeneficiaryList

# The pre-submission checks, in the order a worker's problem is named (the first that applies).
# A public interface: `lindung enroll batch --json`, the batch page.
CHECKS: dict[str, str] = {
    "NIK_INVALID": gettext_noop(
        "The NIK is not a valid 16-digit NIK. Correct it on the worker's page, then make "
        "another batch."
    ),
    "MISSING_FIELD": gettext_noop(
        "%(fields)s missing. Fill it in on the worker's page, then make another batch."
    ),
    "AGE_LIMIT": gettext_noop(
        "Aged %(age)s when protection starts, outside the policy's %(min)s-%(max)s years."
    ),
    "ALREADY_SUBMITTED": gettext_noop(
        "Already submitted for %(year)s in wadah %(wadah)s (%(source)s). Wait for that answer "
        "or end that participation first."
    ),
    "SELF_PAYING": gettext_noop(
        "Pays BPJS TK themselves (KPJ %(kpj)s) and the policy does not sponsor active "
        "self-paying participants."
    ),
    "NIK_OTHER_REGION": gettext_noop(
        "The NIK was issued outside the regency (%(code)s). The branch may refuse it; the "
        "policy says: %(rule)s."
    ),
}
# Fields a registration needs (MISSING_FIELD), with how they are named to the user.
NEEDED = {
    "name": gettext_noop("Name"),
    "birth_date": gettext_noop("Birth date"),
    "sex": gettext_noop("Sex"),
    "address": gettext_noop("Address"),
}
_SOURCE = re.compile(r"[a-z0-9_]+")

CANDIDATE_SCHEMA: dict[str, Any] = {
    "participation_id": pl.Int64,
    "worker_id": pl.Int64,
    "kpj": pl.String,
    "nik": pl.String,
    "no_kk": pl.String,
    "name": pl.String,
    "birth_place": pl.String,
    "birth_date": pl.Date,
    "sex": pl.String,
    "address": pl.String,
    "desa_id": pl.String,
    "kecamatan_id": pl.String,
    "phone": pl.String,
    "occupation": pl.String,
    "line": pl.Int64,
}


def batches_dir() -> Path:
    return Path(settings.VAR_DIR) / "enrollment" / "batches"


def default_start(fiscal_year: int, *, on: datetime.date | None = None) -> datetime.date:
    """January of the fiscal year, or next month when the year has begun."""
    on = on or today()
    first = datetime.date(fiscal_year, 1, 1)
    if on < first:
        return first
    following = datetime.date(on.year + on.month // 12, on.month % 12 + 1, 1)
    return following if following.year == fiscal_year else datetime.date(fiscal_year, 12, 1)


def parse_start(text: str, fiscal_year: int) -> datetime.date:
    """`2027-01` (or `01-2027`) as the first day of that month, inside the fiscal year."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text) or re.fullmatch(
        r"\s*(\d{1,2})[-/](\d{4})\s*", text
    )
    if match is None:
        raise EnrollmentError(
            _("Write the start month as year-month, for example %(example)s.")
            % {"example": f"{fiscal_year}-01"}
        )
    first, second = match.groups()
    year, month = (int(first), int(second)) if len(first) == 4 else (int(second), int(first))
    if not 1 <= month <= 12 or year != fiscal_year:
        raise EnrollmentError(
            _("The start month must be a month of fiscal year %(year)s.") % {"year": fiscal_year}
        )
    return datetime.date(year, month, 1)


def list_policy(approved: BeneficiaryList) -> Policy:
    """The policy the list was approved under (copied into its scenario)."""
    return Policy.from_data(approved.scenario.policy_data, deployment=(approved.kabupaten,))


def candidates(approved: BeneficiaryList, wadah: Wadah, kind: str) -> pl.DataFrame:
    """The list's unsubmitted candidates for `wadah` (its source and area) of `kind`, with the
    registry's current data and their row in the lampiran (`line`), in lampiran order."""
    if not _SOURCE.fullmatch(wadah.source):
        raise EnrollmentError(_("The wadah's funding source code is not valid."))
    p, w, b = (m._meta.db_table for m in (Participation, Worker, Beneficiary))
    sql = (
        "SELECT p.id, p.worker_id, p.kpj, w.nik, w.no_kk, w.name, w.birth_place, "  # noqa: S608 - fixed names, checked codes
        "w.birth_date, w.sex, w.address, w.desa_id, w.kecamatan_id, w.phone, w.occupation "
        f"FROM {p} p JOIN {w} w ON w.id = p.worker_id "
        f"WHERE p.beneficiary_list_id = %s AND p.state = '{State.CALON.value}' "
        f"AND p.source = '{wadah.source}' AND p.kind = '{Kind(kind).value}'"
    )
    schema = {k: v for k, v in CANDIDATE_SCHEMA.items() if k != "line"}
    frame = read_frame(sql, schema, [approved.pk])
    # The lampiran numbers its rows by kecamatan, desa, name and NIK (targeting.lampiran), in
    # the database's collation. Numbered apart and joined here: joined in SQL, PostgreSQL
    # without statistics on a just-approved list ran the numbering once per candidate.
    numbered = (
        "SELECT worker_id, ROW_NUMBER() OVER (ORDER BY kecamatan_id, desa_id, name, nik) "  # noqa: S608 - fixed names
        f"FROM {b} WHERE beneficiary_list_id = %s"
    )
    lines = read_frame(numbered, {"worker_id": pl.Int64, "line": pl.Int64}, [approved.pk])
    frame = frame.join(lines, on="worker_id", how="inner")
    if wadah.area:
        frame = frame.filter(scope.expr([wadah.area], "desa_id"))
    return frame.sort("line")


def _age_on(birth: pl.Expr, day: datetime.date) -> pl.Expr:
    before_birthday = (birth.dt.month() > day.month) | (
        (birth.dt.month() == day.month) & (birth.dt.day() > day.day)
    )
    return pl.lit(day.year) - birth.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def check(
    frame: pl.DataFrame,
    *,
    policy: Policy,
    start: datetime.date,
    fiscal_year: int,
    wadah: Wadah,
    kabupaten: list[str],
) -> pl.DataFrame:
    """`frame` (CANDIDATE_SCHEMA) with `code` (the first CHECKS code that applies, or null),
    `blocking` (held back from the batch) and `details` (the message's values as a struct)."""
    nik_errors = clean_nik(frame.get_column("nik"), pl.Series([False] * frame.height))
    age = _age_on(pl.col("birth_date"), start)
    empty = {
        f: pl.col(f).is_null() | (pl.col(f).str.strip_chars() == "")
        for f in NEEDED
        if f != "birth_date"
    }
    empty["birth_date"] = pl.col("birth_date").is_null()
    missing = pl.concat_list(
        [pl.when(flag).then(pl.lit(field)) for field, flag in empty.items()]
    ).list.drop_nulls()
    submitted = _submitted_elsewhere(fiscal_year, frame.get_column("worker_id"))
    paying = _self_paying(frame.get_column("worker_id"))
    issued = pl.col("nik").str.slice(0, 4)
    home = [code.replace(".", "") for code in kabupaten]
    checked = (
        frame.with_columns(
            nik_errors.get_column("nik_error").alias("_nik_error"),
            missing.alias("_missing"),
            age.alias("_age"),
        )
        .join(submitted, on="worker_id", how="left")
        .join(paying, on="worker_id", how="left")
    )
    rules = policy.eligibility
    conditions: list[tuple[str, pl.Expr, bool]] = [
        ("NIK_INVALID", pl.col("_nik_error").is_not_null(), True),
        ("MISSING_FIELD", pl.col("_missing").list.len() > 0, True),
        ("AGE_LIMIT", ~pl.col("_age").is_between(rules.min_age, rules.max_age), True),
        ("ALREADY_SUBMITTED", pl.col("_other_wadah").is_not_null(), True),
        (
            "SELF_PAYING",
            pl.col("_self_kpj").is_not_null() & pl.lit(not policy.sponsor_self_paying),
            True,
        ),
        (
            "NIK_OTHER_REGION",
            pl.lit(policy.other_region_nik != "allow") & ~issued.is_in(home),
            policy.other_region_nik == "refuse",
        ),
    ]
    code: pl.Expr = pl.lit(None, pl.String)
    blocking: pl.Expr = pl.lit(value=False)
    for name, condition, blocks in reversed(conditions):
        hit = condition.fill_null(value=False)
        code = pl.when(hit).then(pl.lit(name)).otherwise(code)
        blocking = pl.when(hit).then(pl.lit(blocks)).otherwise(blocking)
    return checked.with_columns(code.alias("code"), blocking.alias("blocking"))


def _submitted_elsewhere(fiscal_year: int, workers: pl.Series) -> pl.DataFrame:
    """Workers with another participation of the year that was submitted and is not over:
    their wadah and source."""
    rows = (
        Participation.objects.filter(fiscal_year=fiscal_year, submitted_at__isnull=False)
        .exclude(state__in=[State.CALON, State.DITOLAK])
        .exclude(state=State.BERAKHIR, ended_on__lt=datetime.date(fiscal_year, 1, 1))
        .filter(worker_id__in=workers.to_list())
        .values_list("worker_id", "wadah__code", "source")
    )
    data = list(rows) if len(workers) < 50_000 else _submitted_all(fiscal_year)
    return pl.DataFrame(
        data,
        schema={"worker_id": pl.Int64, "_other_wadah": pl.String, "_other_source": pl.String},
        orient="row",
    ).unique("worker_id")


def _submitted_all(fiscal_year: int) -> list[tuple[int, str, str]]:
    return list(
        Participation.objects.filter(fiscal_year=fiscal_year, submitted_at__isnull=False)
        .exclude(state__in=[State.CALON, State.DITOLAK])
        .exclude(state=State.BERAKHIR, ended_on__lt=datetime.date(fiscal_year, 1, 1))
        .values_list("worker_id", "wadah__code", "source")
    )


def _self_paying(workers: pl.Series) -> pl.DataFrame:
    query = SelfPayment.objects.filter(active=True)
    if len(workers) < 50_000:
        query = query.filter(worker_id__in=workers.to_list())
    return pl.DataFrame(
        list(query.values_list("worker_id", "kpj")),
        schema={"worker_id": pl.Int64, "_self_kpj": pl.String},
        orient="row",
    )


def problem_list(
    checked: pl.DataFrame, policy: Policy, start: datetime.date
) -> list[dict[str, Any]]:
    """The checked workers with a problem, as the batch stores them: NIK, name, code,
    message (in the current language) and whether they were held back."""
    labels = {f: _(label) for f, label in NEEDED.items()}
    rule_words = {
        "allow": _("allow"),
        "warn": _("send with a warning"),
        "refuse": _("hold back"),
    }
    problems = []
    rows = checked.filter(pl.col("code").is_not_null()).select(
        "nik",
        "name",
        "code",
        "blocking",
        "_missing",
        "_age",
        "_other_wadah",
        "_other_source",
        "_self_kpj",
    )
    for row in rows.iter_rows(named=True):
        values = {
            "fields": ", ".join(labels[f] for f in row["_missing"] or []),
            "age": row["_age"],
            "min": policy.eligibility.min_age,
            "max": policy.eligibility.max_age,
            "year": start.year,
            "wadah": row["_other_wadah"] or "-",
            "source": row["_other_source"] or "-",
            "kpj": row["_self_kpj"] or "-",
            "code": (row["nik"] or "")[:4],
            "rule": rule_words[policy.other_region_nik],
        }
        problems.append(
            {
                "nik": row["nik"],
                "name": row["name"],
                "code": row["code"],
                "message": _(CHECKS[row["code"]]) % values,
                "blocking": row["blocking"],
            }
        )
    return problems


def batch_rows(
    frame: pl.DataFrame,
    *,
    approved: BeneficiaryList,
    wadah: Wadah,
    policy: Policy,
    start: datetime.date,
    months: int,
) -> pl.DataFrame:
    """One row per worker with every layout field (layout.FIELDS), typed for the file."""
    codes = set(frame.get_column("desa_id").unique().to_list()) | set(
        frame.get_column("kecamatan_id").unique().to_list()
    )
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    occupations = {str(k): str(v) for k, v in Occupation.choices}
    sources = {s.code: s.label for s in policy.sources}
    desa = pl.col("desa_id").replace_strict(names, default="")
    kecamatan = pl.col("kecamatan_id").replace_strict(names, default="")
    return frame.select(
        pl.col("nik"),
        pl.col("kpj").fill_null(""),
        pl.col("no_kk").fill_null(""),
        pl.col("name").alias("nama_lengkap"),
        pl.col("birth_place").fill_null("").alias("tempat_lahir"),
        pl.col("birth_date").alias("tanggal_lahir"),
        pl.col("sex").alias("jenis_kelamin"),
        pl.col("address").fill_null("").alias("alamat"),
        pl.col("desa_id").alias("kode_desa"),
        desa.alias("desa"),
        kecamatan.alias("kecamatan"),
        pl.col("phone").fill_null("").alias("no_hp"),
        pl.col("occupation")
        .replace_strict(occupations, default=pl.col("occupation"))
        .alias("pekerjaan"),
        pl.concat_str([desa, pl.lit(", Kec. "), kecamatan], ignore_nulls=True).alias(
            "lokasi_kerja"
        ),
        pl.lit(policy.reported_income, pl.Int64).alias("penghasilan"),
        pl.lit(",".join(policy.programs)).alias("program"),
        pl.lit(start, pl.Date).alias("tanggal_mulai"),
        pl.lit(months, pl.Int64).alias("masa_iur_bulan"),
        pl.lit(sources.get(wadah.source, wadah.source.upper())).alias("sumber_dana"),
        pl.lit(wadah.code).alias("kode_wadah"),
        pl.lit(wadah.npw).alias("npw"),
        pl.lit(approved.decree or "").alias("nomor_sk"),
        pl.col("line").alias("baris_lampiran"),
    )


def write_files(
    rows: pl.DataFrame,
    columns: list[tuple[str, str]],
    folder: Path,
    stem: str,
    about: list[tuple[str, str]],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Path]:
    """The batch as XLSX (NIK and No. KK as text, a frozen filterable header, an "about" sheet)
    and as CSV (UTF-8 with BOM, comma-separated, dates as YYYY-MM-DD)."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = [f for f, _h in columns]
    table = rows.select(fields)
    xlsx_path, csv_path = folder / f"{stem}.xlsx", folder / f"{stem}.csv"
    with xlsx.Workbook(xlsx_path) as book:
        book.properties(title=stem, author="Lindung")
        sheet = book.sheet("Peserta")
        sheet.header(
            0,
            [
                xlsx.Column(header, layouts.FIELDS[f].kind, layouts.FIELDS[f].width)
                for f, header in columns
            ],
        )
        for number, values in enumerate(table.iter_rows(), start=1):
            sheet.row(number, values)
            if progress is not None and number % 5_000 == 0:
                progress(number)
        info = book.sheet("Keterangan")
        info.header(0, [xlsx.Column("Keterangan", width=28), xlsx.Column("Isi", width=50)],
                    freeze=False)  # fmt: skip
        for number, (label, value) in enumerate(about, start=1):
            info.row(number, [label, value])
    text = table.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
    ).rename(dict(columns))
    text.write_csv(csv_path, include_bom=True)
    return {"xlsx": xlsx_path, "csv": csv_path}


def batch_files(batch: RegistrationBatch) -> dict[str, Path]:
    folder = Path(settings.VAR_DIR) / batch.folder
    found = {path.suffix.lstrip("."): path for path in folder.glob("*") if path.is_file()}
    return {kind: found[kind] for kind in ("xlsx", "csv") if kind in found}


def months_for(policy: Policy, start: datetime.date) -> int:
    return min(policy.coverage_months, 13 - start.month)


def create_batch(
    *,
    by: Actor | None,
    beneficiary_list: BeneficiaryList,
    wadah: Wadah,
    start: datetime.date | None = None,
    kind: str = Kind.NEW,
    progress: Callable[[str, int, int], None] | None = None,
) -> RegistrationBatch:
    """Check the wadah's candidates on the list and send those without a blocking problem in a
    new batch. Raises EnrollmentError, saving nothing, when there is nobody to send."""
    approved = beneficiary_list

    def report(step: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(step, done, total)

    if not wadah.active:
        raise EnrollmentError(_("Wadah %(code)s is not active.") % {"code": wadah.code})
    if wadah.kabupaten != approved.kabupaten:
        raise EnrollmentError(
            _("Wadah %(code)s belongs to another regency/city than list %(number)s.")
            % {"code": wadah.code, "number": approved.number}
        )
    if wadah.source not in approved.budgets and wadah.source not in approved.by_source:
        raise EnrollmentError(
            _("List %(number)s has no funding source %(source)s, which wadah %(code)s is for.")
            % {"number": approved.number, "source": wadah.source, "code": wadah.code}
        )
    start = start or default_start(approved.fiscal_year)
    if start.year != approved.fiscal_year:
        raise EnrollmentError(
            _("The start month must be a month of fiscal year %(year)s.")
            % {"year": approved.fiscal_year}
        )
    report("check")
    policy = list_policy(approved)
    frame = candidates(approved, wadah, kind)
    checked = check(
        frame,
        policy=policy,
        start=start,
        fiscal_year=approved.fiscal_year,
        wadah=wadah,
        kabupaten=[approved.kabupaten],
    )
    with override(settings.LANGUAGE_CODE):
        problems = problem_list(checked, policy, start)
    sent = checked.filter(~pl.col("blocking"))
    if sent.is_empty():
        if frame.is_empty():
            raise EnrollmentError(
                _("List %(number)s has no %(kind)s candidates for wadah %(code)s.")
                % {"number": approved.number, "kind": Kind(kind).label, "code": wadah.code}
            )
        raise EnrollmentError(
            _("None of the %(count)s candidates can be sent: each has a problem to fix first.")
            % {"count": frame.height}
        )
    months = months_for(policy, start)
    columns = layouts.layout_for(wadah, kind)
    rows = batch_rows(
        sent, approved=approved, wadah=wadah, policy=policy, start=start, months=months
    )
    label = "perpanjangan" if kind == Kind.RENEWAL else "pendaftaran"
    stem = f"{label}-{wadah.code.lower()}-{start:%Y-%m}"
    scratch = batches_dir() / f"new-{uuid.uuid4().hex}"
    about = [
        ("Wadah", f"{wadah.code} — {wadah.name}"),
        ("NPW", wadah.npw or "-"),
        ("Kantor cabang", wadah.branch or "-"),
        ("Jenis", "Perpanjangan" if kind == Kind.RENEWAL else "Pendaftaran baru"),
        ("Daftar penerima", f"{approved.number} (TA {approved.fiscal_year} v{approved.version})"),
        ("Nomor SK", approved.decree or "-"),
        ("Mulai", f"{start:%Y-%m}"),
        ("Masa iur (bulan)", str(months)),
        ("Jumlah peserta", str(rows.height)),
        ("Format", f"Lindung pendaftaran v{layouts.VERSION}"),
        ("Dibuat", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    report("write", 0, rows.height)
    try:
        paths = write_files(
            rows, columns, scratch, stem, about, lambda n: report("write", n, rows.height)
        )
        report("save", 0, rows.height)
        batch = _save(
            by=by,
            approved=approved,
            wadah=wadah,
            kind=kind,
            start=start,
            months=months,
            sent=sent,
            problems=problems,
            columns=columns,
            scratch=scratch,
            sha256=sha256_of(paths["xlsx"]),
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return batch


@transaction.atomic
def _save(
    *,
    by: Actor | None,
    approved: BeneficiaryList,
    wadah: Wadah,
    kind: str,
    start: datetime.date,
    months: int,
    sent: pl.DataFrame,
    problems: list[dict[str, Any]],
    columns: list[tuple[str, str]],
    scratch: Path,
    sha256: str,
) -> RegistrationBatch:
    batch = RegistrationBatch.objects.create(
        kind=kind,
        beneficiary_list=approved,
        wadah=wadah,
        source=wadah.source,
        fiscal_year=approved.fiscal_year,
        start=start,
        months=months,
        workers=sent.height,
        problems=problems,
        layout=[list(c) for c in columns],
        layout_version=layouts.VERSION,
        folder="",
        sha256=sha256,
        created_by=actor_user(by),
    )
    items = sent.select(
        pl.lit(batch.pk, pl.Int64).alias("batch_id"),
        pl.col("participation_id"),
        pl.int_range(1, sent.height + 1, dtype=pl.Int64).alias("row"),
        pl.col("nik"),
        pl.col("kpj").fill_null(""),
    )
    insert_frame(BatchItem._meta.db_table, items)
    p_table, i_table = Participation._meta.db_table, BatchItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {p_table} SET state = %s, batch_id = %s, wadah_id = %s, submitted_at = %s, "  # noqa: S608 - fixed names
            f"updated_at = %s WHERE state = %s AND id IN (SELECT participation_id FROM {i_table} "
            "WHERE batch_id = %s)",
            [
                State.DIAJUKAN,
                batch.pk,
                wadah.pk,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                connection.ops.adapt_datetimefield_value(timezone.now()),
                State.CALON,
                batch.pk,
            ],
        )
        if cursor.rowcount != sent.height:
            raise EnrollmentError(
                _("The candidates changed while the batch was made. Make the batch again.")
            )
    folder = batches_dir() / str(batch.pk)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(scratch, folder)
    batch.folder = str(folder.relative_to(Path(settings.VAR_DIR)))
    batch.save(update_fields=["folder"])
    record(
        by=by,
        action=Action.BATCH_CREATED,
        obj=batch,
        after={
            "list": approved.number,
            "wadah": wadah.code,
            "kind": kind,
            "start": start.isoformat(),
            "months": months,
            "workers": sent.height,
            "held_back": sum(1 for p in problems if p["blocking"]),
            "warnings": sum(1 for p in problems if not p["blocking"]),
        },
    )
    return batch


@transaction.atomic
def cancel_batch(*, by: Actor | None, batch: RegistrationBatch) -> RegistrationBatch:
    """Withdraw a batch the branch has not answered: its workers become candidates again.
    Refused once any of them has an answer."""
    locked = RegistrationBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status == BatchStatus.CANCELLED:
        return locked
    if locked.registered or locked.rejected or locked.already_active:
        raise EnrollmentError(
            _("The branch has answered part of this batch; it can no longer be cancelled.")
        )
    p_table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {p_table} SET state = %s, batch_id = NULL, wadah_id = NULL, "  # noqa: S608
            "submitted_at = NULL, updated_at = %s WHERE batch_id = %s AND state = %s",
            [
                State.CALON,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                locked.pk,
                State.DIAJUKAN,
            ],
        )
        withdrawn = cursor.rowcount
    locked.status = BatchStatus.CANCELLED
    locked.save(update_fields=["status"])
    record(
        by=by,
        action=Action.BATCH_CANCELLED,
        obj=locked,
        before={"status": BatchStatus.SENT},
        after={"status": BatchStatus.CANCELLED, "withdrawn": withdrawn},
    )
    return locked

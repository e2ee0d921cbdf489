"""Workers who pay BPJS TK themselves (mandiri): recorded by hand or from a BPJS list.

    record_self_payment(by=user, worker=w, kpj="12345678901", since=date(2025, 3, 1))
    end_self_payment(by=user, worker=w, until=date(2026, 6, 30))
    import_self_payments(by=user, path=Path("mandiri.xlsx")) -> SelfPaymentImport

The record lives with the registry (`registry.SelfPayment`) so that eligibility can read it;
the policy decides whether an active self-paying participant may be sponsored.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung import sheets
from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.services import diff, record, snapshot
from lindung.enrollment.answers.check import KPJ_DIGITS, clean_kpj
from lindung.enrollment.models import Participation
from lindung.enrollment.services import EnrollmentError
from lindung.registry.models import SelfPayment, SelfPaymentOrigin, Worker
from lindung.registry.pipeline.values import parse_date

FIELDS = ("kpj", "active", "since", "until", "origin", "note")


def clean(kpj: str) -> str:
    digits = "".join(ch for ch in kpj if ch.isdigit())
    if len(digits) != KPJ_DIGITS:
        raise EnrollmentError(_("The KPJ must be %(n)s digits.") % {"n": KPJ_DIGITS})
    return digits


def _kpj_taken(kpj: str, worker: Worker) -> bool:
    return (
        SelfPayment.objects.filter(kpj=kpj).exclude(worker=worker).exists()
        or Participation.objects.filter(kpj=kpj).exclude(worker_id=worker.pk).exists()
    )


@transaction.atomic
def record_self_payment(
    *,
    by: Actor | None,
    worker: Worker,
    kpj: str,
    since: datetime.date | None = None,
    active: bool = True,
    origin: str = SelfPaymentOrigin.MANUAL,
    note: str = "",
) -> SelfPayment:
    """Record (or update) that `worker` pays BPJS TK themselves with `kpj`."""
    kpj = clean(kpj)
    if _kpj_taken(kpj, worker):
        raise EnrollmentError(
            _("KPJ %(kpj)s is already recorded for another worker.") % {"kpj": kpj}
        )
    existing = SelfPayment.objects.select_for_update().filter(worker=worker).first()
    before = snapshot(existing, FIELDS) if existing else {}
    payment = existing or SelfPayment(worker=worker)
    payment.kpj, payment.active, payment.origin = kpj, active, origin
    payment.since = since or payment.since
    payment.until = None if active else payment.until
    payment.note = note[:300]
    payment.save()
    old, new = diff(before, snapshot(payment, FIELDS))
    if new:
        record(
            by=by,
            action=Action.SELF_PAYMENT_RECORDED,
            obj=payment,
            object_repr=str(worker.pk),
            before=old,
            after=new,
        )
    return payment


@transaction.atomic
def end_self_payment(
    *, by: Actor | None, worker: Worker, until: datetime.date | None = None
) -> SelfPayment:
    payment = SelfPayment.objects.select_for_update().filter(worker=worker).first()
    if payment is None:
        raise EnrollmentError(_("This worker is not recorded as paying themselves."))
    before = snapshot(payment, FIELDS)
    payment.active, payment.until = False, until or datetime.date.today()  # noqa: DTZ011
    payment.save()
    old, new = diff(before, snapshot(payment, FIELDS))
    record(
        by=by,
        action=Action.SELF_PAYMENT_RECORDED,
        obj=payment,
        object_repr=str(worker.pk),
        before=old,
        after=new,
    )
    return payment


SELF_PAYERS = sheets.Table(
    aliases={
        "nik": "NIK | No. KTP | Nomor NIK | Nomor Induk Kependudukan",
        "kpj": "KPJ | No. KPJ | Nomor KPJ | No. Peserta | Nomor Peserta",
        "since": "TMT | Tgl Kepesertaan | Tanggal Kepesertaan | Tgl Efektif | Mulai",
        "status": "Status | Status Kepesertaan | Keterangan",
    },
    required=("nik", "kpj"),
    identifiers=("nik", "kpj"),
    labels={"nik": "NIK", "kpj": "KPJ"},
)
IMPORT_CODES = {
    "NIK_NOT_IN_REGISTRY": gettext_noop("No worker with this NIK in the registry."),
    "KPJ_INVALID": gettext_noop("The KPJ must be 11 digits."),
    "KPJ_CONFLICT": gettext_noop("The KPJ is already recorded for another worker."),
    "DATE_INVALID": gettext_noop("The date is not a date."),
}
_INACTIVE = ("non aktif", "nonaktif", "tidak aktif", "berhenti", "keluar", "inactive")


@dataclass
class SelfPaymentImport:
    rows: int = 0
    recorded: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


def import_self_payments(
    *, by: Actor | None, path: Path, dry_run: bool = False
) -> SelfPaymentImport:
    """A BPJS list of self-paying participants (NIK, KPJ, TMT, status): each known worker's
    record made or updated, in one transaction; rows with a problem are reported, not saved."""
    frame = sheets.read_table(path, SELF_PAYERS).frame
    nik = pl.col("nik").str.replace_all(r"[^\d]", "")
    dates = parse_date(frame.get_column("since").fill_null(""))
    rows = frame.select(
        pl.col("_row").alias("row"),
        nik.alias("nik"),
        clean_kpj(pl.col("kpj")).fill_null("").alias("kpj"),
        pl.col("status").fill_null("").str.to_lowercase().alias("status"),
    ).with_columns(dates.get_column("date").alias("since"), dates.get_column("date_unreadable"))
    workers = dict(
        Worker.objects.filter(nik__in=rows.get_column("nik").to_list()).values_list("nik", "id")
    )
    result = SelfPaymentImport(rows=rows.height)
    accepted: list[tuple[int, str, datetime.date | None, bool]] = []
    for row in rows.iter_rows(named=True):
        worker_id = workers.get(row["nik"])
        code = None
        if worker_id is None:
            code = "NIK_NOT_IN_REGISTRY"
        elif len(row["kpj"]) != KPJ_DIGITS or not row["kpj"].isdigit():
            code = "KPJ_INVALID"
        elif row["date_unreadable"]:
            code = "DATE_INVALID"
        if code:
            result.problems.append(
                {
                    "row": row["row"],
                    "nik": row["nik"],
                    "code": code,
                    "message": _(IMPORT_CODES[code]),
                }
            )
            continue
        active = not any(word in row["status"] for word in _INACTIVE)
        accepted.append((int(worker_id), row["kpj"], row["since"], active))  # type: ignore[arg-type]
    if dry_run:
        result.recorded = len(accepted)
        return result
    with transaction.atomic():
        for worker_id, kpj, since, active in accepted:
            worker = Worker.objects.get(pk=worker_id)
            before = (
                SelfPayment.objects.filter(worker=worker)
                .values_list("kpj", "active", "since")
                .first()
            )
            if before == (kpj, active, since or (before[2] if before else None)):
                result.unchanged += 1
                continue
            try:
                with transaction.atomic():
                    record_self_payment(
                        by=by,
                        worker=worker,
                        kpj=kpj,
                        since=since,
                        active=active,
                        origin=SelfPaymentOrigin.BPJS_LIST,
                    )
            except EnrollmentError:
                code = "KPJ_CONFLICT"
                result.problems.append(
                    {
                        "row": None,
                        "nik": worker.nik,
                        "code": code,
                        "message": _(IMPORT_CODES[code]),
                    }
                )
                continue
            result.recorded += 1
        record(
            by=by,
            action=Action.SELF_PAYMENTS_IMPORTED,
            object_type="registry.selfpayment",
            object_repr=path.name[:200],
            after={
                "file": path.name,
                "rows": result.rows,
                "recorded": result.recorded,
                "unchanged": result.unchanged,
                "problems": len(result.problems),
            },
        )
    return result

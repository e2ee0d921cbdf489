"""The lampiran files of an approved list: made once by a background job, stored, then served.

    files = request_files(approved, user=user)   # ready, or queued/being made (a job queued)
    make_files(files.pk)                         # the job (targeting.tasks.make_lampiran_task)
    set_decree(by=admin, approved=approved, number="188.45/7/2027", date=…)  # audited, remade

A list is frozen, so its PDF and XLSX are made once: the whole list's files at approval
(`targeting.approval.approve` queues them), an area operator's extract (their wilayah only) the
first time one is asked for. The files are made again when what their heading prints changes:
the decree's number, date or subject (`set_decree`) or the deployment's decree settings (the
`fingerprint` no longer matches). A download never waits for a file: the page shows the job's
progress (polled by htmx) and the download buttons once the files are ready.
"""

import datetime
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.services import record
from lindung.regions import scope
from lindung.roles import Capability
from lindung.targeting.lampiran import (
    area_names,
    deployment_heading,
    lampiran_heading,
    write_lampiran_pdf,
    write_lampiran_xlsx,
)
from lindung.targeting.lists import in_areas
from lindung.targeting.models import (
    Beneficiary,
    BeneficiaryList,
    FileStatus,
    LampiranFiles,
    ListChange,
)

if TYPE_CHECKING:
    from lindung.accounts.models import User

logger = logging.getLogger(__name__)

# The steps of a job, as the page names them.
STEPS = {
    "": gettext_lazy("Waiting for its turn"),
    "xlsx": gettext_lazy("Writing the XLSX"),
    "pdf": gettext_lazy("Writing the PDF"),
    "save": gettext_lazy("Saving the files"),
}
STALE_AFTER = datetime.timedelta(minutes=10)  # a running job without progress this long died
SUFFIXES = (".pdf", ".xlsx")


class DecreeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def variant_of(user: "User") -> tuple[str, bool]:
    """The files a user gets: the whole list ("") or their wilayah's extract, NIK as their role
    sees it."""
    codes = scope.codes_for(user)
    key = "" if scope.is_whole_deployment(codes) else ",".join(sorted(codes))
    return key, user.can(Capability.VIEW_NIK)


def folder_of(approved: BeneficiaryList) -> Path:
    return Path(settings.VAR_DIR) / "lampiran" / str(approved.number)


def path_of(files: LampiranFiles, suffix: str) -> Path:
    return folder_of(files.beneficiary_list) / f"{files.pk}{suffix}"


def is_ready(files: LampiranFiles) -> bool:
    """The files are made, on disk, and print what the heading says now."""
    return (
        files.status == FileStatus.READY
        and files.fingerprint == lampiran_heading(files.beneficiary_list).fingerprint()
        and all(path_of(files, s).is_file() for s in SUFFIXES)
    )


def percent(files: LampiranFiles) -> int:
    return min(99, 100 * files.done // files.total) if files.total else 0


def request_files(
    approved: BeneficiaryList, *, user: "User | None" = None, retry: bool = True
) -> LampiranFiles:
    """The files `user` gets (the whole list when None): ready, or being made. A job is queued
    when none is: the first request of a variant, files out of date, a job that died, and a
    job that failed when `retry` (a page load retries, the page's polling does not)."""
    key, show_nik = variant_of(user) if user is not None else ("", True)
    files, _created = LampiranFiles.objects.get_or_create(
        beneficiary_list=approved,
        scope=key,
        show_nik=show_nik,
        defaults={"status": FileStatus.QUEUED},
    )
    files.beneficiary_list = approved
    if _created:
        _enqueue(files)
    elif _needs_job(files, retry=retry):
        _queue_again(files)
    return files


def _needs_job(files: LampiranFiles, *, retry: bool) -> bool:
    if files.status == FileStatus.READY:
        return not is_ready(files)  # out of date, or removed from disk
    if files.status == FileStatus.FAILED:
        return retry
    if files.status == FileStatus.RUNNING:
        return timezone.now() - files.updated_at > STALE_AFTER  # the worker died in it
    return False


def _queue_again(files: LampiranFiles) -> None:
    files.status, files.step, files.done, files.total, files.error = FileStatus.QUEUED, "", 0, 0, ""
    files.save(update_fields=["status", "step", "done", "total", "error", "updated_at"])
    _enqueue(files)


def _enqueue(files: LampiranFiles) -> None:
    from lindung.targeting.tasks import make_lampiran_task

    pk = files.pk
    transaction.on_commit(lambda: make_lampiran_task.enqueue(pk))


def make_files(files_id: int) -> None:
    """The job: write the PDF and XLSX of one variant, in the deployment's language, into place."""
    claimed = LampiranFiles.objects.filter(
        pk=files_id, status__in=[FileStatus.QUEUED, FileStatus.RUNNING]
    ).update(status=FileStatus.RUNNING, step="xlsx", done=0, updated_at=timezone.now())
    if not claimed:
        return
    files = LampiranFiles.objects.select_related(
        "beneficiary_list__scenario", "beneficiary_list__previous"
    ).get(pk=files_id)
    approved = files.beneficiary_list
    try:
        _write(files, approved)
    except Exception:
        logger.exception("lampiran files %s of list %s failed", files.pk, approved.number)
        LampiranFiles.objects.filter(pk=files.pk).update(
            status=FileStatus.FAILED, error="error", updated_at=timezone.now()
        )
        raise


def _write(files: LampiranFiles, approved: BeneficiaryList) -> None:
    codes = files.scope.split(",") if files.scope else []
    entries = Beneficiary.objects.filter(beneficiary_list=approved)
    changes = ListChange.objects.filter(beneficiary_list=approved)
    area = ""
    if codes:
        entries, changes = in_areas(entries, codes), in_areas(changes, codes)
        area = ", ".join(sorted(area_names(codes).values()))
    count = entries.count()
    heading = lampiran_heading(approved)
    folder = folder_of(approved)
    folder.mkdir(parents=True, exist_ok=True)

    def progress(step: str, offset: int) -> Callable[[int], None]:
        def report(done: int) -> None:
            LampiranFiles.objects.filter(pk=files.pk).update(
                step=step, done=offset + done, total=2 * count, updated_at=timezone.now()
            )

        return report

    progress("xlsx", 0)(0)
    job = uuid.uuid4().hex  # two jobs of one variant never write the same part file
    xlsx, pdf = folder / f".{files.pk}.{job}.xlsx.part", folder / f".{files.pk}.{job}.pdf.part"
    try:
        rows = write_lampiran_xlsx(
            approved, entries, changes, xlsx, show_nik=files.show_nik, area=area,
            progress=progress("xlsx", 0),
        )  # fmt: skip
        write_lampiran_pdf(
            approved, entries, pdf, show_nik=files.show_nik, area=area,
            progress=progress("pdf", count),
        )  # fmt: skip
        progress("save", count)(count)
        os.replace(xlsx, path_of(files, ".xlsx"))
        os.replace(pdf, path_of(files, ".pdf"))
    finally:
        xlsx.unlink(missing_ok=True)
        pdf.unlink(missing_ok=True)
    LampiranFiles.objects.filter(pk=files.pk).update(
        status=FileStatus.READY,
        step="",
        done=2 * count,
        total=2 * count,
        rows=rows,
        fingerprint=heading.fingerprint(),
        made_at=timezone.now(),
        error="",
    )


def set_decree(
    *,
    by: Actor,
    approved: BeneficiaryList,
    number: str,
    date: datetime.date | None,
    subject: str = "",
) -> BeneficiaryList:
    """Enter or correct the number, date and subject of the decree (SK) a list is annexed to,
    known once it is signed. Audited; every file of the list is made again."""
    number, subject = " ".join(number.split()), " ".join(subject.split())
    if len(number) > 100:
        raise DecreeError(_("The decree number is at most 100 characters."))
    if date is not None and date > timezone.localdate() + datetime.timedelta(days=366):
        raise DecreeError(_("The decree date is too far in the future: check the year."))
    with transaction.atomic():
        approved = BeneficiaryList.objects.select_for_update().get(pk=approved.pk)
        before = {
            "decree": approved.decree,
            "decree_date": approved.decree_date.isoformat() if approved.decree_date else None,
            "decree_subject": approved.decree_subject,
            "decree_heading": approved.decree_heading,
        }
        # Once signed (number and date known), the heading keeps today's decree settings; saving
        # the decree again takes the settings as they are then (a corrected name).
        heading = deployment_heading(approved.kabupaten) if number and date else {}
        approved.decree, approved.decree_date, approved.decree_subject = number, date, subject
        approved.decree_heading = heading
        after = {
            "decree": number,
            "decree_date": date.isoformat() if date else None,
            "decree_subject": subject,
            "decree_heading": heading,
        }
        if before == after:
            return approved
        approved.save(update_fields=["decree", "decree_date", "decree_subject", "decree_heading"])
        record(
            by=by,
            action=Action.LIST_DECREE_SET,
            obj=approved,
            before={k: v for k, v in before.items() if v != after[k]},
            after={k: v for k, v in after.items() if v != before[k]},
        )
        for files in LampiranFiles.objects.filter(beneficiary_list=approved):
            _queue_again(files)
    return approved

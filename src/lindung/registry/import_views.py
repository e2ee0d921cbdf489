"""Web pages of the import: upload, progress, preview, commit or discard, error report.

Who sees a batch: its uploader, and roles working for the whole deployment (admin, regency
operator, auditor). Uploading, committing and discarding need EDIT_DATA; rows outside a
region-bound operator's wilayah are rejected by the check (WILAYAH_OUTSIDE_SCOPE). The auditor
(VIEW_AUDIT, no EDIT_DATA) reads: the batches, their preview and the checked file, whose
download is audited like every download of personal data.
"""

from collections.abc import Callable
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.audit.actions import Action
from lindung.audit.services import record
from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.registry import import_preview, imports, recovery, retention
from lindung.registry.models import ImportBatch, ImportStatus, Source
from lindung.registry.pipeline.codes import RowWarning
from lindung.registry.progress import progress_of
from lindung.roles import Capability, Role
from lindung.ui.downloads import send_file

_WHOLE_DEPLOYMENT = (Role.ADMIN, Role.OPERATOR_KABUPATEN, Role.AUDITOR)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Worker list (XLSX, XLS, ODS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=100,
        help_text=gettext_lazy("Where the list comes from, e.g. DTKS 2025, P3KE, Desa Sukamulia."),
        widget=forms.TextInput(attrs={"list": "sources"}),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Leave empty to use the first sheet with a worker list."),
    )


def _batches_for(user: User) -> "object":
    batches = ImportBatch.objects.select_related("source", "created_by")
    if user.role in _WHOLE_DEPLOYMENT and user.region_id is None:
        return batches
    return batches.filter(created_by=user)


def _get_batch(user: User, batch_id: str) -> ImportBatch:
    batch = _batches_for(user).filter(pk=batch_id).first()  # type: ignore[attr-defined]
    if batch is None:
        raise Http404
    return batch  # type: ignore[no-any-return]


def _reader(request: HttpRequest) -> User:
    """Those who import (EDIT_DATA) and the auditor (VIEW_AUDIT) see import batches."""
    user = user_of(request)
    if not (user.can(Capability.EDIT_DATA) or user.can(Capability.VIEW_AUDIT)):
        raise PermissionDenied
    return user


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    can_import = user.can(Capability.EDIT_DATA)
    if request.method == "POST" and not can_import:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.start_import(
                by=user,
                upload=upload,
                file_name=upload.name,
                source=form.cleaned_data["source"],
                sheet=form.cleaned_data["sheet"],
            )
        except imports.ImportFailed as error:
            form.add_error("file", error.message)
        else:
            return redirect("registry:import-detail", batch_id=batch.pk)
    batches = _batches_for(user)[:50]  # type: ignore[index]
    sources = Source.objects.values_list("name", flat=True)
    context = {"form": form, "batches": batches, "sources": sources, "can_import": can_import}
    context["retention_days"] = retention.retention_days()
    return render(request, "registry/import_list.html", context)


@login_required
def import_detail(request: HtmxHttpRequest, batch_id: str) -> HttpResponse:
    user = _reader(request)
    batch = _get_batch(user, batch_id)
    recovery.fail_if_stale(batch)  # its process is gone: shown failed, polling stops
    context = {"batch": batch, "can_import": user.can(Capability.EDIT_DATA)}
    context |= _preview(request, user, batch)
    if request.htmx:
        return render(request, "registry/import_detail.html#status", context)
    return render(request, "registry/import_detail.html", context)


def _preview(request: HttpRequest, user: User, batch: ImportBatch) -> dict[str, object]:
    """The batch page's facts: the progress while it runs; once checked, the problems by code,
    the rows with problems (of the code asked for with ?kode=), the changes to registered
    workers (page ?ubah=) and the possible duplicates to review."""
    running = batch.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING)
    kept = retention.kept_for(batch)
    context: dict[str, object] = {"running": running, "kept": kept}
    context["where"] = progress_of(batch, imports.batch_dir(batch))
    if batch.status not in (ImportStatus.READY, ImportStatus.COMMITTED):
        return context
    code = request.GET.get("kode", "")
    rows = imports.outcome_rows(batch)
    pairs = import_preview.duplicate_pairs(batch, user) if user.can(Capability.EDIT_DATA) else []
    by_nik = {p.new.nik: p.pk for p in pairs}
    codes = import_preview.code_summary(batch, rows)
    context["codes"] = codes
    context["code"] = next((c for c in codes if c.code == code), None)
    if rows is not None:
        shown, matching = import_preview.problem_rows(rows, code=code, duplicates=by_nik)
        context |= {"problems": shown, "problems_total": matching}
    page = request.GET.get("ubah", "1")
    context["changes"] = import_preview.changes_page(
        batch, user, page=int(page) if page.isdigit() else 1
    )
    context["pairs"] = pairs
    context["duplicate_code"] = RowWarning.POSSIBLE_DUPLICATE.value
    return context


def _act_on_batch(
    request: HttpRequest,
    batch_id: str,
    act: Callable[..., object],
    done: str = "",
) -> HttpResponse:
    """Save, retry or discard a batch through its service, then back to the batch page with
    the service's refusal (or `done`) as a message."""
    batch = _get_batch(user_of(request), batch_id)
    try:
        act(by=user_of(request), batch=batch)
    except imports.ImportFailed as error:
        messages.error(request, error.message)
    else:
        if done:
            messages.success(request, done)
    return redirect("registry:import-detail", batch_id=batch.pk)


@require_POST
@require(Capability.EDIT_DATA)
def import_commit(request: HttpRequest, batch_id: str) -> HttpResponse:
    return _act_on_batch(request, batch_id, imports.commit_import)


@require_POST
@require(Capability.EDIT_DATA)
def import_retry(request: HttpRequest, batch_id: str) -> HttpResponse:
    return _act_on_batch(request, batch_id, recovery.retry_import)


@require_POST
@require(Capability.EDIT_DATA)
def import_discard(request: HttpRequest, batch_id: str) -> HttpResponse:
    return _act_on_batch(
        request,
        batch_id,
        imports.discard_import,
        _("The import was discarded; nothing was written."),
    )


@login_required
def import_report(request: HttpRequest, batch_id: str) -> FileResponse:
    user = _reader(request)
    batch = _get_batch(user, batch_id)
    if not user.can(Capability.VIEW_NIK):
        raise PermissionDenied
    name = _("%(name)s-checked.xlsx") % {"name": Path(batch.file_name).stem}
    try:
        response = send_file(name, lambda out: imports.write_batch_report(batch, out))
    except imports.ImportFailed as error:
        raise Http404(error.message) from error
    with transaction.atomic():  # taking personal data out is audited
        record(by=user, action=Action.IMPORT_REPORT_DOWNLOADED, obj=batch, batch=batch.pk)
    return response

"""Workers who pay BPJS TK themselves (mandiri): the recorded ones of the user's wilayah, one
recorded or ended by hand, and a BPJS list of them uploaded (`self_paying`).

Everyone who sees persons reads the page, within their area (the worker's stored region
codes); recording, ending and uploading need ENROLL and EDIT_DATA. The uploaded list is read
at once and removed; its problem rows are shown with their messages.
"""

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.models import User
from lindung.decorators import require, user_of
from lindung.enrollment import self_paying
from lindung.enrollment.admin_forms import (
    SelfPaymentEndForm,
    SelfPaymentForm,
    SelfPaymentUploadForm,
)
from lindung.enrollment.services import EnrollmentError
from lindung.registry.models import SelfPayment
from lindung.registry.queries import visible_workers
from lindung.roles import Capability
from lindung.sheets import ReadError

PAGE_SIZE = 50


def visible_self_payments(user: User) -> QuerySet[SelfPayment]:
    """The self-payments of the workers living in the user's wilayah."""
    return SelfPayment.objects.filter(worker__in=visible_workers(user))


def can_change(user: User) -> bool:
    return user.can(Capability.ENROLL) and user.can(Capability.EDIT_DATA)


def _page(request: HttpRequest, user: User, **forms: Any) -> HttpResponse:
    rows = visible_self_payments(user).select_related("worker", "worker__desa")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        rows = _search(rows, q)
    rows = rows.order_by("-active", "worker__name", "worker_id")
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "q": q,
        "can_change": can_change(user),
        "record_form": forms.get("record_form") or SelfPaymentForm(by=user),
        "upload_form": forms.get("upload_form") or SelfPaymentUploadForm(),
        "result": forms.get("result"),
    }
    return render(request, "enrollment/self_payer_list.html", context)


def _search(rows: QuerySet[SelfPayment], text: str) -> QuerySet[SelfPayment]:
    digits = "".join(ch for ch in text if ch not in " .-")
    if digits.isdigit():
        return rows.filter(worker__nik__startswith=digits)
    for word in text.split():
        rows = rows.filter(worker__name__icontains=word)
    return rows


@require(Capability.VIEW_PERSONS)
def self_payer_list(request: HttpRequest) -> HttpResponse:
    """GET: the list; POST (ENROLL and EDIT_DATA): record one, or end one (`action=end`)."""
    user = user_of(request)
    if request.method != "POST":
        return _page(request, user)
    if not can_change(user):
        raise PermissionDenied
    if request.POST.get("action") == "end":
        return _end(request, user)
    form = SelfPaymentForm(request.POST, by=user)
    if form.is_valid() and form.worker is not None:
        data = form.cleaned_data
        try:
            self_paying.record_self_payment(
                by=user, worker=form.worker, kpj=data["kpj"], since=data["since"], note=data["note"]
            )
        except EnrollmentError as error:
            form.add_error("kpj", error.message)
        else:
            messages.success(
                request,
                _("%(name)s is recorded as paying themselves.") % {"name": form.worker.name},
            )
            return redirect("enrollment:self-payer-list")
    return _page(request, user, record_form=form)


def _end(request: HttpRequest, user: User) -> HttpResponse:
    form = SelfPaymentEndForm(request.POST, by=user)
    if form.is_valid() and form.payment is not None:
        worker = form.payment.worker
        self_paying.end_self_payment(by=user, worker=worker, until=form.cleaned_data["until"])
        messages.success(request, _("%(name)s no longer pays themselves.") % {"name": worker.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("enrollment:self-payer-list")


@require(Capability.ENROLL)
@require(Capability.EDIT_DATA)
@require_POST
def self_payer_upload(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = SelfPaymentUploadForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = _import(user, form.cleaned_data["file"])
        except ReadError as error:
            form.add_error("file", error.message)
    return _page(request, user, upload_form=form, result=result)


def _import(user: User, upload: UploadedFile) -> self_paying.SelfPaymentImport:
    """The upload written to a folder of its own under LINDUNG_VAR, imported, removed."""
    incoming = Path(settings.VAR_DIR) / "enrollment" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=incoming) as folder:
        path = Path(folder) / Path(upload.name or "list.csv").name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return self_paying.import_self_payments(by=user, path=path)

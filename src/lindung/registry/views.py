from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.registry import queries, services
from lindung.registry.exports import EXPORT_LIMIT, write_workers_xlsx
from lindung.registry.forms import WorkerFilterForm, WorkerForm, worker_initial
from lindung.registry.sections import render_sections
from lindung.roles import Capability
from lindung.ui.downloads import send_file


@login_required
def worker_list(request: HtmxHttpRequest) -> HttpResponse:
    """Roles that see persons (accounts.person_level), each within their wilayah; NIK and No. KK
    are masked without VIEW_NIK."""
    user = user_of(request)
    form = WorkerFilterForm(request.GET, by=user)
    workers = queries.filter_workers(queries.visible_workers(user), form.worker_filter())
    context = {
        "form": form,
        "page": queries.worker_page(workers, after=request.GET.get("after", "")),
        "total": queries.capped_count(workers),
        "can_review": user.can(Capability.EDIT_DATA),
        "export_limit": EXPORT_LIMIT,
    }
    template = "registry/worker_list.html" + ("#worker-table" if request.htmx else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    worker = queries.get_worker_for(user, pk, include_merged=True)
    if worker.merged_into_id is not None and not user.can(Capability.VIEW_AUDIT):
        # Only admins and auditors look at merged-away records; others follow the merge.
        return redirect("registry:worker-detail", pk=worker.merged_into_id)
    can_edit = user.can(Capability.EDIT_DATA) and worker.merged_into_id is None
    context = {
        "worker": worker,
        "identity": queries.identity_for(worker, user),
        "age": queries.age_on(worker.birth_date, timezone.localdate()),
        "sources": queries.worker_sources(worker),
        "merged": queries.merged_records(worker, viewer=user),
        "history": queries.worker_history(worker, viewer=user),
        "can_edit": can_edit,
        # the approved lists and nominations, served by targeting and rules (registry.sections)
        "sections": render_sections(request, worker, can_edit=can_edit),
    }
    return render(request, "registry/worker_detail.html", context)


@require(Capability.EDIT_DATA)
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    worker = queries.get_worker_for(user, pk)
    form = WorkerForm(request.POST or None, by=user, initial=worker_initial(worker))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_worker(by=user, worker=worker, changes=form.cleaned_data)
        except services.RegistryError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            changed = form.has_changed()
            messages.success(request, _("Changes saved.") if changed else _("Nothing changed."))
            return redirect("registry:worker-detail", pk=worker.pk)
    return render(request, "registry/worker_form.html", {"form": form, "worker": worker})


@login_required
def worker_export(request: HttpRequest) -> FileResponse:
    """The current filter as XLSX (at most EXPORT_LIMIT rows, by name), written to a temporary
    file so that memory stays flat; the export itself is audited."""
    user = user_of(request)
    worker_filter = WorkerFilterForm(request.GET, by=user).worker_filter()
    workers = queries.filter_workers(queries.visible_workers(user), worker_filter)
    rows: list[int] = []

    def write(out: Path) -> None:
        rows.append(write_workers_xlsx(workers, viewer=user, out=out))

    response = send_file(f"pekerja-{timezone.localtime():%Y%m%d-%H%M}.xlsx", write)
    services.record_worker_export(by=user, filters=worker_filter.as_dict(), rows=rows[0])
    return response


@require(Capability.EDIT_DATA)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open pairs whose two workers are both in the user's scope, newest first."""
    page = queries.duplicate_page(user_of(request), before=request.GET.get("before", ""))
    return render(request, "registry/duplicate_list.html", {"page": page})


@require(Capability.EDIT_DATA)
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    pair = queries.get_duplicate_for(user, pk)
    fields = queries.compare_workers(pair.worker, pair.other, viewer=user)
    sides = [pair.worker, pair.other]
    context = {"pair": pair, "fields": fields, "sides": sides}
    return render(request, "registry/duplicate_detail.html", context)


@require(Capability.EDIT_DATA)
@require_POST
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    pair = queries.get_duplicate_for(user, pk)
    keep = {str(pair.worker_id): pair.worker, str(pair.other_id): pair.other}.get(
        request.POST.get("keep", "")
    )
    if keep is None:
        return HttpResponseBadRequest()
    try:
        kept = services.merge_workers(by=user, duplicate=pair, keep=keep)
    except services.RegistryError as e:
        messages.error(request, e.message)
        return redirect("registry:duplicate-detail", pk=pair.pk)
    messages.success(request, _("The two records are merged into this one."))
    return redirect("registry:worker-detail", pk=kept.pk)


@require(Capability.EDIT_DATA)
@require_POST
def duplicate_different(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    pair = queries.get_duplicate_for(user, pk)
    try:
        services.mark_different(by=user, duplicate=pair)
    except services.RegistryError as e:
        messages.error(request, e.message)
        return redirect("registry:duplicate-detail", pk=pair.pk)
    messages.success(request, _("Marked as different people."))
    return redirect("registry:duplicate-list")

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.decorators import require, user_of
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.views import respond_with_job
from lindung.registry import duplicate_queries, queries, services
from lindung.registry.background import start_worker_export
from lindung.registry.exports import EXPORT_LIMIT
from lindung.registry.forms import WorkerFilterForm, WorkerForm, worker_initial
from lindung.registry.models import PossibleDuplicate, Worker
from lindung.registry.sections import render_sections
from lindung.roles import Capability


@login_required
def worker_list(request: HtmxHttpRequest) -> HttpResponse:
    """Roles that see persons (accounts.person_level), each within their wilayah; NIK and No. KK
    are masked without VIEW_NIK."""
    user = user_of(request)
    form = WorkerFilterForm(request.GET, by=user)
    worker_filter = form.worker_filter()
    number = request.GET.get("page", "")
    total = queries.list_count(user, worker_filter)
    page = queries.list_page(
        user,
        worker_filter,
        after=request.GET.get("after", ""),
        page=int(number) if number.isdigit() and len(number) < 6 else 1,
        total=total,
    )
    context = {
        "form": form,
        "page": page,
        "pages": queries.pages_for(page, total),
        "total": total,
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
@require_POST
def worker_export(request: HtmxHttpRequest) -> HttpResponse:
    """The current filter (the query string) as XLSX, written by a background job: its progress
    box, then a download link (at most EXPORT_LIMIT rows, by name; the export is audited)."""
    job = start_worker_export(by=user_of(request), query=request.GET.urlencode())
    return respond_with_job(request, job)


@require(Capability.EDIT_DATA)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open pairs whose two workers are both in the user's scope, newest first."""
    page = duplicate_queries.duplicate_page(user_of(request), before=request.GET.get("before", ""))
    return render(request, "registry/duplicate_list.html", {"page": page})


@require(Capability.EDIT_DATA)
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    pair = duplicate_queries.get_duplicate_for(user, pk)
    fields = duplicate_queries.compare_workers(pair.worker, pair.other, viewer=user)
    sides = [pair.worker, pair.other]
    context = {"pair": pair, "fields": fields, "sides": sides}
    return render(request, "registry/duplicate_detail.html", context)


@require(Capability.EDIT_DATA)
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (or a POST without `confirm`): what the merge keeps, to confirm; POST: merge."""
    user = user_of(request)
    pair = duplicate_queries.get_duplicate_for(user, pk)
    keep = {str(pair.worker_id): pair.worker, str(pair.other_id): pair.other}.get(
        request.POST.get("keep", "") if request.method == "POST" else request.GET.get("keep", "")
    )
    if keep is None:
        return HttpResponseBadRequest()
    if request.method != "POST" or request.POST.get("confirm") != "1":
        return _merge_confirmation(request, pair, keep)
    try:
        kept = services.merge_workers(by=user, duplicate=pair, keep=keep)
    except services.RegistryError as e:
        messages.error(request, e.message)
        return redirect("registry:duplicate-detail", pk=pair.pk)
    messages.success(request, _("The two records are merged into this one."))
    return redirect("registry:worker-detail", pk=kept.pk)


def _merge_confirmation(
    request: HttpRequest, pair: PossibleDuplicate, keep: Worker
) -> HttpResponse:
    """The confirmation page: which record survives, which values come from where, what
    becomes of sources, open pairs, nominations and list entries (their sections, read-only)."""
    user = user_of(request)
    plan = services.merge_plan(duplicate=pair, keep=keep)
    context = {
        "pair": pair,
        "plan": plan,
        "fields": duplicate_queries.compare_workers(plan.keep, plan.merged, viewer=user),
        "keep_sections": render_sections(request, plan.keep, can_edit=False),
        "merged_sections": render_sections(request, plan.merged, can_edit=False),
    }
    return render(request, "registry/duplicate_merge.html", context)


@require(Capability.EDIT_DATA)
@require_POST
def duplicate_different(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    pair = duplicate_queries.get_duplicate_for(user, pk)
    try:
        services.mark_different(by=user, duplicate=pair)
    except services.RegistryError as e:
        messages.error(request, e.message)
        return redirect("registry:duplicate-detail", pk=pair.pk)
    messages.success(request, _("Marked as different people."))
    return redirect("registry:duplicate-list")

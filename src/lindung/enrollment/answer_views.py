"""The branch's answer to a batch: upload, the check's progress, the preview of the problem rows,
then save (Simpan) or discard (Buang).

The upload is kept at once and checked by a background job (`background.start_check`); saving
is a job too (`background.start_commit`). The answer's page shows either job's progress to
whoever opens it (polling itself, as the import page does), then the result. Who sees an
answer: as its batch (`queries.visible_answers`); uploading, saving and discarding take ENROLL.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.decorators import require, user_of
from lindung.enrollment.answers import service as answers
from lindung.enrollment.background import CHECK, COMMIT, start_check, start_commit
from lindung.enrollment.forms import AnswerForm
from lindung.enrollment.models import Answer, AnswerStatus, State
from lindung.enrollment.queries import visible_answers, visible_batches
from lindung.enrollment.services import EnrollmentError
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.presenters import describe
from lindung.jobs.services import fail_if_stale
from lindung.roles import Capability

PROBLEM_ROWS = 500  # problem rows shown at once


@require(Capability.ENROLL)
@require_POST
def answer_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    batch = get_object_or_404(visible_batches(user), pk=pk)
    form = AnswerForm(request.POST, request.FILES)
    back = reverse("enrollment:batch-detail", kwargs={"pk": batch.pk}) + "#jawaban"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    upload = form.cleaned_data["file"]
    try:
        answer = answers.store(by=user, batch=batch, upload=upload, file_name=upload.name)
    except EnrollmentError as error:
        messages.error(request, error.message)
        return redirect(back)
    start_check(by=user, answer=answer)
    return redirect("enrollment:answer-detail", pk=answer.pk)


@require(Capability.VIEW_PERSONS)
def answer_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    answer = get_object_or_404(
        visible_answers(user).select_related("batch__created_by", "created_by", "decided_by"),
        pk=pk,
    )
    job = _latest_job(answer)
    context: dict[str, Any] = {
        "answer": answer,
        "batch": answer.batch,
        "job": describe(job) if job else None,
        "running": job is not None and job.active,
        "can_decide": user.can(Capability.ENROLL),
    }
    context |= _result(answer)
    template = "enrollment/answer_detail.html" + ("#status" if request.htmx else "")
    return render(request, template, context)


@require(Capability.ENROLL)
@require_POST
def answer_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the checked answer (a background job); the answer's page shows its progress."""
    user = user_of(request)
    answer = get_object_or_404(visible_answers(user), pk=pk)
    if answer.status != AnswerStatus.CHECKED or _busy(answer):
        messages.error(request, _("Only a checked answer can be saved."))
        return redirect("enrollment:answer-detail", pk=answer.pk)
    job = start_commit(by=user, answer=answer)  # a failure is shown on the answer's page
    if job.status == JobStatus.DONE:  # jobs that run in the request are done at once
        messages.success(request, _("The branch's answer was saved."))
    return redirect("enrollment:answer-detail", pk=answer.pk)


@require(Capability.ENROLL)
@require_POST
def answer_discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    answer = get_object_or_404(visible_answers(user), pk=pk)
    if _busy(answer):
        messages.error(request, _("The answer is being checked or saved; wait until it is done."))
        return redirect("enrollment:answer-detail", pk=answer.pk)
    try:
        answers.discard(by=user, answer=answer)
    except EnrollmentError as error:
        messages.error(request, error.message)
        return redirect("enrollment:answer-detail", pk=answer.pk)
    messages.success(request, _("The answer was discarded; nothing was saved."))
    return redirect("enrollment:batch-detail", pk=answer.batch_id)


def _latest_job(answer: Answer) -> Job | None:
    """The newest check or save of `answer` (failed when its process is gone)."""
    job = Job.objects.filter(kind__in=(CHECK, COMMIT), key=str(answer.pk)).first()
    if job is not None:
        fail_if_stale(job)
    return job


def _busy(answer: Answer) -> bool:
    job = _latest_job(answer)
    return job is not None and job.active


def _result(answer: Answer) -> dict[str, Any]:
    """A checked answer's preview (the codes, the problem rows, whether this file was saved
    before); a saved one's changes."""
    if answer.status not in (AnswerStatus.CHECKED, AnswerStatus.COMMITTED):
        return {}
    rows = answers.checked_rows(answer)
    codes = [
        (code, _(answers.CODE_MESSAGES.get(code, code)), count)
        for code, count in sorted(answer.code_counts.items())
    ]
    context: dict[str, Any] = {"codes": codes, "problems": [], "more_problems": 0}
    if not rows.is_empty():
        problems = rows.filter(~rows.get_column("valid"))
        context["problems"] = [
            {**row, "state_label": State(row["state"]).label if row["state"] else ""}
            for row in problems.head(PROBLEM_ROWS)
            .select("row", "nik", "kpj", "state", "errors")
            .iter_rows(named=True)
        ]
        context["more_problems"] = max(0, problems.height - PROBLEM_ROWS)
        changed = dict(
            rows.filter(rows.get_column("change")).get_column("state").value_counts().iter_rows()
        )
        context["changes"] = [
            (State(state).label, changed[state])
            for state in State.values
            if changed.get(state) and answer.status == AnswerStatus.COMMITTED
        ]
        context["changed_total"] = sum(n for _label, n in context["changes"])
    if answer.status == AnswerStatus.CHECKED:
        context["earlier"] = answers.earlier_same_file(answer)
    return context

"""A job's progress (the box polls it) and its file. A job is shown only to the person who
started it, while they keep the capability they started it with; to anyone else it is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect

from lindung.decorators import user_of
from lindung.htmx import HtmxHttpRequest
from lindung.jobs.models import Job, JobStatus
from lindung.jobs.presenters import describe
from lindung.jobs.services import fail_if_stale, result_path
from lindung.roles import Capability

# htmx stops polling on this status (and still shows the answer).
STOP_POLLING = 286


def job_of(request: HtmxHttpRequest, job_id: str) -> Job:
    user = user_of(request)
    job = get_object_or_404(Job, pk=job_id, started_by=user)
    if job.capability and not user.can(Capability(job.capability)):
        raise Http404
    return job


def respond_with_job(request: HtmxHttpRequest, job: Job) -> HttpResponse:
    """The answer of a view that started `job`: its progress box for htmx, else its page; the
    result itself when the job is done already and goes there (jobs run in the request)."""
    if describe(job).redirect and job.status == JobStatus.DONE and job.result_url:
        if request.htmx:
            return HttpResponseClientRedirect(job.result_url)
        return redirect(job.result_url)
    if request.htmx:
        return TemplateResponse(request, "jobs/box.html", {"info": describe(job)})
    return redirect("jobs:job", job.pk)


@login_required
def job_status(request: HtmxHttpRequest, job_id: str) -> HttpResponseBase:
    job = job_of(request, job_id)
    fail_if_stale(job)
    info = describe(job)
    to_result = info.redirect and job.status == JobStatus.DONE and bool(job.result_url)
    if request.htmx:
        if to_result:
            return HttpResponseClientRedirect(job.result_url)
        response = TemplateResponse(request, "jobs/body.html", {"info": info})
        if not job.active:
            response.status_code = STOP_POLLING
        return response
    if to_result:
        return redirect(job.result_url)
    return TemplateResponse(request, "jobs/job.html", {"info": info})


@login_required
def job_download(request: HtmxHttpRequest, job_id: str) -> FileResponse:
    job = job_of(request, job_id)
    path = result_path(job)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)

"""`{% job_box job %}`: a job's progress box, polling every second until the job ends."""

from typing import Any

from django import template

from lindung.jobs.models import Job
from lindung.jobs.presenters import describe

register = template.Library()


@register.inclusion_tag("jobs/box.html")
def job_box(job: Job) -> dict[str, Any]:
    return {"info": describe(job)}

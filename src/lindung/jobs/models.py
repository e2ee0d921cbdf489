"""A job that runs in the background with its progress: what the page polls."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """One run of a registered job kind (`jobs.kinds`), started by a person.

    `step` is the code of one of the kind's steps (its Indonesian label comes from the kind);
    `done`/`total` count within the step. While a job of a kind is queued or running, starting
    the same kind with the same `key` for the same person gives that job back (the partial
    unique constraint below).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=50)
    # What makes two starts the same job (a filter, parameters); "" for one job per kind.
    key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    step = models.CharField(max_length=50, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The capability the person needed to start it: its result is theirs while they keep it.
    capability = models.CharField(max_length=50, blank=True)
    # The wilayah code the job works within ("" for the whole deployment).
    scope = models.CharField(max_length=20, blank=True)
    # The arguments of the run (no personal data: ids, filters, years).
    params = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    # A file the job wrote, relative to VAR_DIR, and the name it is downloaded under.
    result_file = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # "host:pid:start" of the process running it, and when it last made progress.
    runner = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "started_by", "key"],
                condition=Q(status__in=["queued", "running"]),
                name="jobs_one_active_per_kind_person_key",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

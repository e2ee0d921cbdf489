"""Targeting runs (scenarios): who each funding source pays for in a fiscal year, and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    """One run of the optimizer over the registry with a policy version and budgets.

    The policy's data is copied in, so a later policy edit never changes what a scenario says.
    Not-selected workers' reasons are kept beside it as Parquet (LINDUNG_VAR/scenarios/<id>/).
    """

    name = models.CharField(_("name"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    policy_version = models.ForeignKey(
        "rules.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy_data = models.JSONField()
    budgets = models.JSONField()  # {"apbd": 12000000000, …}
    costs = models.JSONField()  # cost of one worker for the year, per source
    selected = models.PositiveIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    unspent = models.BigIntegerField(default=0)
    objective = models.BigIntegerField(default=0)  # total priority of the covered workers
    by_source = models.JSONField(default=dict)
    by_kecamatan = models.JSONField(default=dict)
    eligible = models.PositiveIntegerField(default=0)
    workers = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name or f"{self.fiscal_year} #{self.pk}"


class Selection(models.Model):
    """A worker a scenario covers: the paying source and the rank within it."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="selections")
    # Written in bulk with the scenario; workers are never deleted.
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    rank = models.PositiveIntegerField()
    priority = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "worker"], name="selection_unique_worker")
        ]
        indexes = [
            # the lampiran: a scenario's workers per source in rank order
            models.Index(fields=["scenario", "source", "rank"], name="selection_source_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id}: {self.worker_id} @ {self.source}"

"""Versions of the national rules added by admins, on top of those in data/national.toml."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleVersion(models.Model):
    """One admin-added version: `data` has the shape of one [[versions]] table of the file."""

    version = models.CharField(_("version"), max_length=100, unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    data = models.JSONField(_("rules"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("rules version")
        verbose_name_plural = _("rules versions")

    def __str__(self) -> str:
        return self.version


class PolicyVersion(models.Model):
    """One saved version of the regency's policy (Perbup). Never edited: an edit saves the next
    number (numbers run across the installation). The highest number of a kabupaten/kota is its
    active policy; older ones stay for scenarios and audit."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    # Each kabupaten/kota of an installation has its own Perbup: its latest version is active.
    kabupaten = models.CharField(_("regency/city"), max_length=13)
    name = models.CharField(_("name"), max_length=200)
    data = models.JSONField(_("policy"))  # the shape of rules.policy.Policy.to_data()
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1), name="policy_number_from_1")
        ]
        indexes = [
            # active_policy: the latest version of a kabupaten/kota
            models.Index(fields=["kabupaten", "-number"], name="policy_kabupaten_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Nomination(models.Model):
    """A desa operator's nomination of a worker for sponsorship in a fiscal year: the policy's
    `priority.nomination` weight adds to the worker's priority."""

    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.CASCADE, related_name="nominations"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "fiscal_year"], name="nomination_worker_year_unique"
            )
        ]
        indexes = [
            # the set of nominated worker ids for one fiscal year (eligibility's `nominations`)
            models.Index(fields=["fiscal_year", "worker"], name="nomination_year_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.fiscal_year})"

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

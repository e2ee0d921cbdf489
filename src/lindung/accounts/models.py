from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.roles import CAPABILITIES, Capability, Role

if TYPE_CHECKING:
    from lindung.regions.models import Region


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class Language(models.TextChoices):
    """The languages of the interface (settings.LANGUAGES); Indonesian is the default."""

    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


class User(AbstractUser):
    """A person who logs in: a role, and for operators the wilayah they work in."""

    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region: "models.ForeignKey[Region | None, Region | None]" = models.ForeignKey(
        "regions.Region",
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Kecamatan or desa for operators; empty means the whole deployment."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(default=False)
    # The user's own choice (the language switch); empty: Indonesian, or what this browser chose
    # before logging in. Never the browser's Accept-Language.
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, blank=True, default=""
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA])
                | models.Q(region__isnull=False),
                name="user_operator_has_region",
            ),
            models.CheckConstraint(condition=~models.Q(role=""), name="user_has_role"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in CAPABILITIES.get(self.role, frozenset())


class LoginFailures(models.Model):
    """Wrong passwords for one username, from any address, since its last login: the growing
    delay of `throttle.py`. The username is kept only as a keyed hash."""

    username_hash = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # Indexed for the clean-up of rows no longer remembered (throttle.record_failure).
    last_failure_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.failures} failures, last {self.last_failure_at:%Y-%m-%d %H:%M}"

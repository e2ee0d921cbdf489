"""Every change to accounts: creation, role and wilayah, activation, passwords, logins.

The Users pages and `lindung createuser` call these functions; `by=None` means the command line
(recorded as actor "system"). Each one runs in a transaction that also writes the audit event.
"""

import math
import secrets
from datetime import timedelta
from typing import Any

from axes.utils import reset as reset_lockouts
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts import throttle
from lindung.accounts.models import Language, User
from lindung.audit.actions import Action
from lindung.audit.services import diff, record, snapshot
from lindung.regions.models import Level, Region
from lindung.regions.scope import codes_for, contains, deployment_codes
from lindung.roles import REQUIRED_LEVEL, Role

# What the audit trail shows of an account (never the password hash).
AUDITED_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "role",
    "region",
    "is_active",
    "must_change_password",
]
EDITABLE_FIELDS = ["full_name", "email", "phone", "role", "region"]

# No 0/O, 1/l/I: a password read aloud or copied from paper must not be ambiguous.
_UNAMBIGUOUS_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AccountError(Exception):
    """A user-management request that breaks a rule. `field` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def generate_password() -> str:
    """Four groups of five characters (about 115 bits), e.g. `Kq7mT-x3PzA-...`."""
    groups = ("".join(secrets.choice(_UNAMBIGUOUS_CHARACTERS) for _ in range(5)) for _ in range(4))
    return "-".join(groups)


def _level_noun(level: int) -> str:
    return {
        Level.KABUPATEN_KOTA: _("a regency/city"),
        Level.KECAMATAN: _("a kecamatan"),
        Level.DESA_KELURAHAN: _("a desa/kelurahan"),
    }[Level(level)]


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise AccountError(
            _("Unknown role “%(role)s”. Choose one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )


def resolve_region(*, by: User | None, role: str, code: str | None) -> Region | None:
    """The wilayah a user with `role` may be bound to, checked against the deployment.

    Operators need a region of their level (kecamatan, desa); every other role covers the whole
    deployment or, optionally, one regency of it. An admin assigns only regions in their scope.
    """
    label = Role(role).label
    level = REQUIRED_LEVEL.get(role)
    if not code:
        if level is not None:
            raise AccountError(
                _("The role “%(role)s” needs %(level)s as its wilayah.")
                % {"role": label, "level": _level_noun(level)},
                field="region_code",
            )
        return None
    allowed = codes_for(by) if by is not None else deployment_codes()
    if role == Role.PROVINSI:
        return _province(code, allowed)
    region = Region.objects.within(allowed).filter(code=code).first()
    if region is None:
        raise AccountError(
            _("Wilayah %(code)s does not exist or is outside this deployment.") % {"code": code},
            field="region_code",
        )
    if level is None and region.level != Level.KABUPATEN_KOTA:
        raise AccountError(
            _(
                "The role “%(role)s” covers a whole regency/city or the whole deployment; "
                "%(region)s is not a regency/city."
            )
            % {"role": label, "region": region},
            field="region_code",
        )
    if level is not None and region.level != level:
        raise AccountError(
            _("The role “%(role)s” needs %(level)s as its wilayah; %(region)s is not one.")
            % {"role": label, "level": _level_noun(level), "region": region},
            field="region_code",
        )
    return region


def _province(code: str, allowed: list[str]) -> Region:
    """A provincial officer's wilayah: a province holding kabupaten/kota the deployment serves
    (and the one who assigns it sees)."""
    region = Region.objects.filter(code=code, level=Level.PROVINSI).first()
    if region is None or not any(contains([code], area) for area in allowed):
        raise AccountError(
            _(
                "The role “%(role)s” covers a province whose kabupaten/kota this installation "
                "serves, or the whole deployment; %(code)s is not one."
            )
            % {"role": Role(Role.PROVINSI).label, "code": code},
            field="region_code",
        )
    return region


def _clean_email(email: str) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as e:
            raise AccountError(_("Enter a valid email address."), field="email") from e
    return email


def _check_username(username: str) -> None:
    try:
        User.username_validator(username)
    except ValidationError as e:
        raise AccountError(" ".join(e.messages), field="username") from e
    if not username or len(username) > 150:
        raise AccountError(_("A username has 1 to 150 characters."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(
            _("The username “%(username)s” is already taken.") % {"username": username},
            field="username",
        )


def _checked_password(password: str | None, user: User) -> str:
    """The given password, or a generated one; either must pass every password validator."""
    if password is None:
        password = generate_password()
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise AccountError(" ".join(e.messages), field="password") from e
    return password


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    role: str,
    full_name: str = "",
    region_code: str | None = None,
    phone: str = "",
    email: str = "",
    password: str | None = None,
    must_change_password: bool | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its password (generated unless one is given).

    A generated password is temporary: by default the user must choose their own at first
    login. A given password must pass the password validators.
    """
    username = username.strip()
    _check_username(username)
    _check_role(role)
    if must_change_password is None:
        must_change_password = password is None
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        region=resolve_region(by=by, role=role, code=region_code),
        phone=phone.strip(),
        email=_clean_email(email),
        must_change_password=must_change_password,
    )
    password = _checked_password(password, user)
    user.set_password(password)
    user.save()
    after = {k: v for k, v in snapshot(user, AUDITED_FIELDS).items() if v not in ("", None)}
    record(by=by, action=Action.USER_CREATED, obj=user, after=after)
    return user, password


@transaction.atomic
def update_user(
    *,
    by: User | None,
    user: User,
    full_name: str,
    role: str,
    region_code: str | None,
    phone: str = "",
    email: str = "",
) -> User:
    _check_role(role)
    if by is not None and by.pk == user.pk and role != user.role:
        raise AccountError(_("You cannot change your own role."), field="role")
    region = resolve_region(by=by, role=role, code=region_code)
    before = snapshot(user, EDITABLE_FIELDS)
    user.full_name = full_name.strip() or user.username
    user.role = role
    user.region = region
    user.phone = phone.strip()
    user.email = _clean_email(email)
    old, new = diff(before, snapshot(user, EDITABLE_FIELDS))
    if new:
        user.save(update_fields=list(new))
        record(by=by, action=Action.USER_UPDATED, obj=user, before=old, after=new)
    return user


def _set_active(*, by: User | None, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        by=by,
        action=Action.USER_ACTIVATED if active else Action.USER_DEACTIVATED,
        obj=user,
        before={"is_active": not active},
        after={"is_active": active},
    )


@transaction.atomic
def deactivate_user(*, by: User | None, user: User) -> None:
    """The user can no longer log in; their open sessions end at their next request."""
    if by is not None and by.pk == user.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    _set_active(by=by, user=user, active=False)


@transaction.atomic
def activate_user(*, by: User | None, user: User) -> None:
    _set_active(by=by, user=user, active=True)


@transaction.atomic
def reset_password(
    *,
    by: User | None,
    user: User,
    password: str | None = None,
    must_change_password: bool = True,
) -> str:
    """A new password (generated unless given; returned to be shown once), and any login
    lockout of the user lifted."""
    password = _checked_password(password, user)
    before: dict[str, Any] = {"must_change_password": user.must_change_password}
    user.set_password(password)
    user.must_change_password = must_change_password
    user.save(update_fields=["password", "must_change_password"])
    after: dict[str, Any] = {"must_change_password": must_change_password}
    reset_lockouts(username=user.username)  # its failures in axes' per-address counts
    if cleared := throttle.forgive(username=user.username):
        after["failed_logins_cleared"] = cleared
    record(by=by, action=Action.PASSWORD_RESET, obj=user, before=before, after=after)
    return password


@transaction.atomic
def record_login(*, user: User, ip: str | None = None) -> None:
    """A successful login: the user's failed logins (from `ip`, the address as axes sees it,
    in the per-address count) are forgiven."""
    throttle.forgive(username=user.username, ip=ip)
    record(by=user, action=Action.LOGIN, obj=user)


@transaction.atomic
def record_failed_login(*, username: str, locked_out: bool = False) -> timedelta | None:
    """A refused login; returns how long the next attempt for `username` must wait.

    `locked_out`: axes refused (or locked) the address; such an attempt does not count against
    the username, since its password may not even have been checked.
    """
    wait = None if locked_out else throttle.record_failure(username)
    record(
        by=None,
        action=Action.LOGIN_LOCKED_OUT if locked_out else Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username[:150],
        after={"delay_seconds": math.ceil(wait.total_seconds())} if wait else None,
    )
    return wait


@transaction.atomic
def record_logout(*, user: User) -> None:
    record(by=user, action=Action.LOGOUT, obj=user)


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> None:
    before = {"must_change_password": user.must_change_password}
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    old, new = diff(before, {"must_change_password": False})
    record(by=user, action=Action.PASSWORD_CHANGED, obj=user, before=old, after=new)


@transaction.atomic
def set_language(*, by: User | None, user: User, language: str) -> None:
    """The language `user` sees once logged in, on any browser (the language switch)."""
    if language not in Language.values:
        raise AccountError(
            _("Unknown language “%(language)s”.") % {"language": language}, field="language"
        )
    if user.language == language:
        return
    before = {"language": user.language}
    user.language = language
    user.save(update_fields=["language"])
    record(
        by=by, action=Action.LANGUAGE_CHANGED, obj=user, before=before, after={"language": language}
    )

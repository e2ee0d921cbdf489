"""Every change to accounts: creation, role and wilayah, activation, passwords, logins."""

from django.db import transaction

from lindung.accounts.models import User
from lindung.audit.services import record


@transaction.atomic
def record_login(*, user: User) -> None:
    record(by=user, action="login", obj=user)


@transaction.atomic
def record_failed_login(*, username: str) -> None:
    record(
        by=None,
        action="login_failed",
        object_type="accounts.user",
        object_repr=username[:150],
    )


@transaction.atomic
def record_logout(*, user: User) -> None:
    record(by=user, action="logout", obj=user)


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(by=user, action="password_changed", obj=user)

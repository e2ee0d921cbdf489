"""Who acts in a service call: `by: Actor`, a user or a label for the command line and tasks.

A user (`request.user` in views) is recorded as the audit event's actor. A label ("system" for
background work, "cli", "cli:<login>", "demo", "test") is recorded as text with no user; so is
`None` (the system). `actor_user` and `actor_label` are the only places that tell them apart.
"""

from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from lindung.accounts.models import User

SYSTEM = "system"

# Union with a quoted name: `Actor | None` must also work at run time, where User is not imported.
Actor: TypeAlias = Union["User", str]


def actor_user(by: "Actor | None") -> "User | None":
    """The logged-in user behind `by`, for an actor or `created_by` column; None for a label."""
    if by is None or isinstance(by, str) or not by.is_authenticated:
        return None
    return by


def actor_label(by: "Actor | None") -> str:
    """`by` as text that outlives the account: the username, or the label ("system" for None)."""
    user = actor_user(by)
    return (user.get_username() if user else str(by or SYSTEM))[:150]

"""View guards: login plus a capability of `lindung.roles` (every app's views use them)."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from lindung.roles import Capability

if TYPE_CHECKING:
    from lindung.accounts.models import User

P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)  # HttpRequest, or lindung.htmx.HtmxHttpRequest
View = Callable[Concatenate[R, P], HttpResponseBase]


def user_of(request: HttpRequest) -> "User":
    """The logged-in user of a view guarded by login_required."""
    user = request.user
    # The model through settings.AUTH_USER_MODEL: the guards sit below the accounts app.
    if not isinstance(user, get_user_model()):
        raise PermissionDenied
    return user


def require(capability: Capability) -> Callable[[View[R, P]], View[R, P]]:
    """login_required plus a capability check (403 when the role lacks it)."""

    def decorator(view: View[R, P]) -> View[R, P]:
        @wraps(view)
        def wrapped(request: R, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not user_of(request).can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(cast(View[R, P], wrapped))

    return decorator

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from lindung.accounts.models import User
from lindung.accounts.roles import Capability

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def user_of(request: HttpRequest) -> User:
    """The logged-in user of a view guarded by login_required."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def require(capability: Capability) -> Callable[[View[P]], View[P]]:
    """login_required plus a capability check (403 when the role lacks it)."""

    def decorator(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not user_of(request).can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(cast(View[P], wrapped))

    return decorator

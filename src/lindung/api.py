"""The JSON API (django-ninja): session-authenticated, scoped like the HTML pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from lindung.accounts.models import User
from lindung.billing.api import router as billing_router
from lindung.claims.api import router as claims_router
from lindung.dashboard.api import router as dashboard_router
from lindung.enrollment.api import router as enrollment_router
from lindung.regions.api import router as regions_router
from lindung.registry.api import router as registry_router
from lindung.rules.api import router as rules_router
from lindung.targeting.api import router as targeting_router

api = NinjaAPI(
    title="Lindung API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    # The schema and its docs page describe the data we hold: for logged-in users only.
    docs_decorator=login_required,
)
api.add_router("/wilayah/", regions_router)
api.add_router("/registry/", registry_router)
api.add_router("/rules/", rules_router)
api.add_router("/targeting/", targeting_router)
api.add_router("/dashboard/", dashboard_router)
api.add_router("/enrollment/", enrollment_router)
api.add_router("/billing/", billing_router)
api.add_router("/claims/", claims_router)


class Me(Schema):
    username: str
    full_name: str
    role: str
    region: str | None
    scope: list[str]


@api.get("/me", response=Me, tags=["accounts"])
def me(request: HttpRequest) -> Me:
    from lindung.regions.scope import codes_for

    user = request.user
    if not isinstance(user, User):  # django_auth has let only logged-in users through
        raise PermissionDenied
    return Me(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        region=user.region_id,
        scope=codes_for(user),
    )

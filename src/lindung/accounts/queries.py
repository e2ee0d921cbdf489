"""Reads of user accounts for the Users pages (admins only: MANAGE_USERS covers every account)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from lindung.accounts.models import User
from lindung.regions import scope


def filter_users(
    *, q: str = "", role: str = "", region: str = "", active: bool | None = None
) -> QuerySet[User]:
    """Accounts matching the Users page filters, by username. `region` matches its subtree."""
    users = User.objects.select_related("region").order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        users = users.filter(role=role)
    if region:
        users = users.filter(scope.q([region], "region__code"))
    if active is not None:
        users = users.filter(is_active=active)
    return users


def get_user(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("region"), pk=pk)

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lindung.accounts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, list[NavItem]]:
    """The menu for the logged-in user's role: a page they may not open is not shown."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    entries: list[tuple[str | Promise, str, Capability | None]] = [
        (_("Wilayah"), "regions:home", None),
        (_("Users"), "accounts:user-list", Capability.MANAGE_USERS),
        (_("Audit log"), "audit:event-list", Capability.VIEW_AUDIT),
    ]
    items = []
    for label, name, capability in entries:
        if capability is not None and not user.can(capability):
            continue
        url = reverse(name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append(NavItem(label=label, url=url, active=active))
    return {"nav_items": items}

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lindung.roles import Capability


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
    # An entry is shown to a role with its capability (or with any of several, a tuple).
    entries: list[tuple[str | Promise, str, Capability | tuple[Capability, ...] | None]] = [
        (_("Home"), "home:home", None),
        (_("Dashboard"), "dashboard:home", None),
        (_("Wilayah"), "regions:home", None),
        (_("Workers"), "registry:worker-list", Capability.VIEW_PERSONS),
        (_("Import"), "registry:import-list", (Capability.EDIT_DATA, Capability.VIEW_AUDIT)),
        (_("Possible duplicates"), "registry:duplicate-list", Capability.EDIT_DATA),
        (_("Calculator"), "rules:calculator", None),
        (_("Policy"), "rules:policy-list", Capability.CONFIGURE),
        (_("Scenarios"), "targeting:scenario-list", Capability.CONFIGURE),
        (_("Beneficiary lists"), "targeting:list-index", Capability.VIEW_PERSONS),
        (_("Enrollment"), "enrollment:overview", None),
        (_("Billing"), "billing:bill-list", Capability.BILL),
        (_("Coverage"), "billing:coverage", None),
        (
            _("Realisation"),
            "billing:realisation",
            (Capability.BILL, Capability.CONFIGURE),
        ),
        (_("Claims"), "claims:claim-list", Capability.VIEW_PERSONS),
        (_("Impact"), "claims:impact", None),
        (_("Rules"), "rules:version-list", Capability.CONFIGURE),
        (_("Users"), "accounts:user-list", Capability.MANAGE_USERS),
        (_("Audit log"), "audit:event-list", Capability.VIEW_AUDIT),
    ]
    shown = [
        (label, reverse(name))
        for label, name, capability in entries
        if capability is None
        or any(user.can(c) for c in (capability if isinstance(capability, tuple) else [capability]))
    ]
    # Home sends pimpinan on to the dashboard and the auditor to the audit log (home.views):
    # for them it would be a second entry of the same page.
    if not user.can(Capability.VIEW_PERSONS) or (
        user.can(Capability.VIEW_AUDIT) and not user.can(Capability.EDIT_DATA)
    ):
        shown = [(label, url) for label, url in shown if url != reverse("home:home")]
    # The entry whose URL is the longest prefix of the page is the active one.
    matches = [url for _label, url in shown if url != "/" and request.path.startswith(url)]
    current = max(matches, key=len) if matches else ("/" if request.path == "/" else None)
    return {
        "nav_items": [NavItem(label=label, url=url, active=url == current) for label, url in shown]
    }

"""Which routes show persons, enforced in one place.

Every URL pattern of the project (pages, htmx fragments, downloads, API) is declared here as
either person-level or aggregate. A route is named by its view name (`registry:worker-list`),
its namespace (`registry:*`), its full route (`/api/v1/targeting/lists/<number>/entries`) or a
route prefix (`/api/v1/registry/*`). `PersonLevelMiddleware` answers 403 to a logged-in user
without `VIEW_PERSONS` (pimpinan: aggregates only) on every route that is not declared
aggregate, so a route nobody declared yet is closed to them rather than open; a test fails on
any route declared in neither table (`accounts/tests/test_url_walk.py`).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import ResolverMatch
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.roles import Capability

PERSON_LEVEL: frozenset[str] = frozenset(
    {
        # Workers, their search, detail, edit, export, duplicates, imports and their reports,
        # move requests: every registry page names persons.
        "registry:*",
        "/api/v1/registry/*",
        # The workers a scenario selects, and the approved lists with their downloads.
        "targeting:scenario-lampiran",
        "targeting:list-index",
        "targeting:list-detail",
        "targeting:list-xlsx",
        "targeting:list-pdf",
        "targeting:list-files",
        "targeting:list-decree",
        "/api/v1/targeting/lists/<number>/entries",
        "/api/v1/targeting/lists/<number>/changes",
        # Enrollment: participants, batches and their files, the branch's answers, wadah
        # contacts, self-paying participants. The overview (counts only) is aggregate.
        "enrollment:batch-new",
        "enrollment:batch-detail",
        "enrollment:batch-download",
        "enrollment:batch-cancel",
        "enrollment:answer-upload",
        "enrollment:answer-detail",
        "enrollment:answer-commit",
        "enrollment:answer-discard",
        "enrollment:participation-list",
        "enrollment:participation-end",
        "enrollment:participation-resubmit",
        "enrollment:wadah-list",
        "enrollment:wadah-new",
        "enrollment:wadah-edit",
        "enrollment:self-payer-list",
        "enrollment:self-payer-upload",
        "/api/v1/enrollment/*",
        # Billing: bills (their participants), payments and receipts, refunds, the API's bills.
        "billing:bill-list",
        "billing:bill-make",
        "billing:bill-detail",
        "billing:bill-issue",
        "billing:bill-sp2d",
        "billing:bill-pay",
        "billing:bill-delay",
        "billing:bill-cancel",
        "billing:bill-refunds",
        "billing:bill-reconcile",
        "billing:refund-receive",
        "billing:receipt",
        "/api/v1/billing/bills",
        "/api/v1/billing/bills/<number>",
        # Billing: the branch's recap compared row by row with the participants.
        "billing:reconcile-list",
        "billing:reconcile-upload",
        "billing:reconcile-detail",
        "billing:reconcile-commit",
        "billing:reconcile-discard",
        # Claims: deaths and accidents are health data of named persons; so are the branch's
        # claim reports.
        "claims:claim-list",
        "claims:claim-export",
        "claims:event-report",
        "claims:event-detail",
        "claims:claim-open",
        "claims:claim-detail",
        "claims:claim-file",
        "claims:claim-heirs",
        "claims:claim-complete",
        "claims:claim-submit",
        "claims:claim-paid",
        "claims:claim-reject",
        "claims:report-list",
        "claims:report-upload",
        "claims:report-detail",
        "claims:report-commit",
        "claims:report-discard",
        "/api/v1/claims/",
        "/api/v1/claims/<number>",
        # A desa operator nominates one worker.
        "rules:nominate",
        # The audit log holds the before/after of worker edits.
        "audit:*",
    }
)

AGGREGATE: frozenset[str] = frozenset(
    {
        # Counts, maps, charts and their XLSX/PDF reports (small cells hidden from pimpinan).
        "dashboard:home",
        "dashboard:map",
        "dashboard:table",
        "dashboard:summary-pdf",
        "dashboard:kecamatan-pdf",
        "dashboard:area-pdf",
        "dashboard:refresh",
        # A background job's progress and file: shown only to the person who started it while
        # they keep the capability it needed (a registry export needs VIEW_PERSONS).
        "jobs:*",
        "/api/v1/dashboard/indicators",
        # Enrollment counts per state, source and wadah (no persons; small cells hidden).
        "enrollment:overview",
        # The public check: a visitor's own protection, nothing else (no login needed).
        "cek:*",
        # Coverage counts on a date per source and area (small cells hidden from pimpinan).
        "billing:coverage",
        "/api/v1/billing/coverage",
        # Realisation against the pagu per source and month (regency money, no persons).
        "billing:realisation",
        "billing:realisation-xlsx",
        "billing:realisation-pdf",
        # The impact of claims per year, source, area, occupation and desil (small cells
        # hidden from pimpinan), its XLSX and the Bupati's PDF.
        "/klaim/dampak/*",
        "/api/v1/claims/impact",
        # Each role's home: counts of the work waiting (pimpinan is sent on to the dashboard).
        "home:home",
        # The wilayah tree with counts and population.
        "regions:home",
        "regions:region-detail",
        "regions:decree-settings",  # the decree heading texts (CONFIGURE)
        "/api/v1/wilayah/",
        "/api/v1/wilayah/<code>",
        "/api/v1/wilayah/<code>/children",
        # National rules, the Perbup policy (counts only) and the public calculator.
        "rules:version-list",
        "rules:version-add",
        "rules:calculator",
        "rules:policy-list",
        "rules:policy-edit",
        "rules:policy-preview",
        "rules:policy-detail",
        "/api/v1/rules/iuran",
        "/api/v1/rules/manfaat/<kind>",
        # Scenarios as totals per source, kecamatan and breakdown (CONFIGURE or APPROVE).
        "targeting:scenario-list",
        "targeting:scenario-compare",
        "targeting:scenario-detail",
        "targeting:scenario-approve",
        "/api/v1/targeting/lists/",
        "/api/v1/targeting/lists/<number>",
        # Login, one's own password, and user management (staff, not workers; MANAGE_USERS).
        "accounts:*",
        "/api/v1/me",
        "set-language",
        # The API's own description.
        "/api/v1/",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    }
)


def route_keys(view_name: str, route: str) -> set[str]:
    """The names a route can be declared by: its view name, its namespace with `:*`, its full
    route with a leading slash, and each of the route's folder prefixes with `*`."""
    keys = {view_name, "/" + route}
    namespace, _sep, _name = view_name.rpartition(":")
    if namespace:
        keys.add(namespace + ":*")
    folders = ("/" + route).split("/")[:-1]
    keys.update("/".join(folders[: n + 1]) + "/*" for n in range(1, len(folders)))
    return keys


def declared(keys: Iterable[str], table: frozenset[str]) -> bool:
    return not table.isdisjoint(keys)


def is_aggregate(match: ResolverMatch) -> bool:
    """Open to roles without VIEW_PERSONS: declared aggregate and not person-level."""
    keys = route_keys(match.view_name, match.route)
    return declared(keys, AGGREGATE) and not declared(keys, PERSON_LEVEL)


class PersonLevelMiddleware:
    """403 for a logged-in user without VIEW_PERSONS on any route not declared aggregate.

    Anonymous requests pass on to the view, whose login check redirects (pages) or answers 401
    (API); out-of-scope objects stay 404 for the roles that see persons.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, User) or user.can(Capability.VIEW_PERSONS):
            return None
        match = request.resolver_match
        if match is None or is_aggregate(match):
            return None
        if match.route.startswith("api/"):
            return JsonResponse({"detail": _("Your role sees aggregate figures only.")}, status=403)
        raise PermissionDenied

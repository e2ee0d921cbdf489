"""Reading the approved beneficiary lists (lampiran SK Bupati), within the user's wilayah.

    lists = lists_with_status()                    # every list, newest first, `in_force`
    entries = visible_entries(user, approved)      # the user's area's entries of one list
    summary = summary_in_scope(user, approved)     # its totals, per source, changes by kind

The lists of a fiscal year form one chain (`current_list` is the one in force); approving a
scenario into the next list is `targeting.approval.approve`. Totals stored at approval serve the
roles that see the list's whole kabupaten/kota; everyone else gets their own area's figures.
"""

from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum

from lindung.regions import scope
from lindung.targeting.models import Beneficiary, BeneficiaryList, ChangeKind, ListChange, Scenario


def current_list(fiscal_year: int, kabupaten: str | None = None) -> BeneficiaryList | None:
    """The list in force for `fiscal_year` in `kabupaten` (left out: the installation's only
    one): the latest version, or None before any approval."""
    code = kabupaten or scope.sole_kabupaten()
    return (
        BeneficiaryList.objects.filter(fiscal_year=fiscal_year, kabupaten=code)
        .order_by("-version")
        .first()
    )


def lists_in_force(fiscal_year: int) -> list[BeneficiaryList]:
    """The list in force for `fiscal_year` of each kabupaten/kota that has approved one."""
    return list(
        BeneficiaryList.objects.filter(fiscal_year=fiscal_year, revision__isnull=True).order_by(
            "kabupaten"
        )
    )


def lists_with_status(kabupaten: list[str] | None = None) -> QuerySet[BeneficiaryList]:
    """Every list (of these kabupaten/kota, when given), newest first, with `in_force`: no
    revision has replaced it."""
    lists = (
        BeneficiaryList.objects.all()
        if kabupaten is None
        else (BeneficiaryList.objects.filter(kabupaten__in=kabupaten))
    )
    return (
        lists.select_related("previous", "scenario")
        .annotate(in_force=ExpressionWrapper(Q(revision__isnull=True), output_field=BooleanField()))
        .order_by("-fiscal_year", "kabupaten", "-version")
    )


TRANSPORT = ":transport"  # the Scenario.costs key of a source's transport price, as code + this


def transport_costs(costs: dict[str, Any]) -> dict[str, int]:
    """Per source, what a transport worker costs (the other workers' price when not given)."""
    return {
        code: int(costs.get(code + TRANSPORT, cost))
        for code, cost in costs.items()
        if not code.endswith(TRANSPORT)
    }


def entry_totals(entries: QuerySet[Beneficiary]) -> dict[str, dict[str, tuple[int, int]]]:
    """Workers and cost per source and per kecamatan of `entries` (sorted by code)."""
    result: dict[str, dict[str, tuple[int, int]]] = {}
    for key, field in (("source", "source"), ("kecamatan", "kecamatan_id")):
        rows = entries.values(field).annotate(n=Count("id"), total=Sum("cost")).order_by(field)
        result[key] = {row[field]: (row["n"], int(row["total"] or 0)) for row in rows}
    return result


# --- reads, within the user's wilayah --------------------------------------------------------


def in_areas(queryset: QuerySet[Any], codes: list[str]) -> QuerySet[Any]:
    """Rows (with frozen `desa_id` and `kecamatan_id`) inside these regions' subtrees."""
    if not codes:
        return queryset.none()
    levels = {scope.KECAMATAN: "kecamatan_id", scope.DESA_KELURAHAN: "desa_id"}
    return queryset.filter(scope.q(codes, "desa_id", levels=levels))


def visible_entries(user: Any, approved: BeneficiaryList) -> QuerySet[Beneficiary]:
    return in_areas(Beneficiary.objects.filter(beneficiary_list=approved), scope.codes_for(user))


def visible_changes(user: Any, approved: BeneficiaryList) -> QuerySet[ListChange]:
    return in_areas(ListChange.objects.filter(beneficiary_list=approved), scope.codes_for(user))


def totals_in_scope(user: Any, lists: list[BeneficiaryList]) -> dict[int, tuple[int, int]]:
    """Workers and contributions of each list (by pk) within the user's wilayah: a kecamatan or
    desa operator gets the totals of their area, never the kabupaten's. Roles that see the whole
    deployment get the totals stored at approval (no query)."""
    codes = scope.codes_for(user)
    # A list whose whole kabupaten/kota the user sees: the totals stored at approval.
    stored = {
        item.pk: (item.selected, item.cost)
        for item in lists
        if scope.contains(codes, item.kabupaten)
    }
    lists = [item for item in lists if item.pk not in stored]
    if not lists:
        return stored
    entries = Beneficiary.objects.filter(beneficiary_list__in=lists)
    rows = (
        in_areas(entries, codes)
        .values("beneficiary_list_id")
        .annotate(n=Count("id"), total=Sum("cost"))
        .order_by()
    )
    found = {row["beneficiary_list_id"]: (row["n"], int(row["total"] or 0)) for row in rows}
    return stored | {item.pk: found.get(item.pk, (0, 0)) for item in lists}


def summary_in_scope(user: Any, approved: BeneficiaryList) -> dict[str, Any]:
    """`approved`'s totals within the user's wilayah: workers, cost, per source (with the
    source's budget, which is the deployment's) and the changes by kind. A kecamatan or desa
    operator gets their own area's figures, never the kabupaten's."""
    if scope.contains(scope.codes_for(user), approved.kabupaten):
        return {
            "selected": approved.selected,
            "cost": approved.cost,
            "by_source": approved.by_source,
            **{kind: getattr(approved, kind) for kind in ChangeKind.values},
        }
    per_source = entry_totals(visible_entries(user, approved))["source"]
    by_source = {
        code: {
            "selected": n,
            "cost": cost,
            "budget": approved.by_source.get(code, {}).get("budget", 0),
        }
        for code, (n, cost) in per_source.items()
    }
    return {
        "selected": sum(n for n, _cost in per_source.values()),
        "cost": sum(cost for _n, cost in per_source.values()),
        "by_source": by_source,
        **change_counts(visible_changes(user, approved)),
    }


def change_counts(changes: QuerySet[ListChange]) -> dict[str, int]:
    """How many of `changes` (already scoped) are of each kind: added, removed, moved."""
    rows = changes.values("kind").annotate(n=Count("id")).order_by()
    return dict.fromkeys(ChangeKind.values, 0) | {row["kind"]: row["n"] for row in rows}


def listed_workers(approved: BeneficiaryList) -> set[int]:
    """The workers on `approved` (for a supplement: already sponsored)."""
    return set(
        Beneficiary.objects.filter(beneficiary_list=approved).values_list("worker_id", flat=True)
    )


def source_labels(scenario: Scenario) -> dict[str, str]:
    """Funding source code → its label in the scenario's policy (e.g. apbd → APBD)."""
    return {
        str(s.get("code")): str(s.get("label") or s.get("code"))
        for s in scenario.policy_data.get("sources", [])
    }

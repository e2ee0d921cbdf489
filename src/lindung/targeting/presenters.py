"""What the page of an approved list shows, built from `targeting.lists`: the page of
beneficiaries (searched, sorted by source and rank), the totals per source and kecamatan, the
first differences from the previous version, with region, source and occupation names.

    context = presenters.list_page(user, approved, query=q, page=request.GET.get("page"))
"""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q

from lindung.accounts.models import User
from lindung.registry.models import Occupation
from lindung.roles import Capability
from lindung.targeting.exports import region_names
from lindung.targeting.lists import (
    change_counts,
    entry_totals,
    source_labels,
    visible_changes,
    visible_entries,
)
from lindung.targeting.models import BeneficiaryList

PAGE_SIZE = 100


def list_page(
    user: User, approved: BeneficiaryList, *, query: str, page: str | None
) -> dict[str, Any]:
    """The context of the list's page within the user's wilayah, `query` a NIK or part of a
    name."""
    entries = visible_entries(user, approved)
    shown = entries
    if query:
        shown = entries.filter(Q(nik=query) | Q(name__icontains=query))
    entry_page = Paginator(shown.order_by("source", "rank"), PAGE_SIZE).get_page(page)
    totals = entry_totals(entries)
    changes = visible_changes(user, approved)
    kinds = change_counts(changes)  # within the wilayah, like every total on the page
    first_changes = list(changes.order_by("kind", "kecamatan_id", "name")[:PAGE_SIZE])
    names = region_names(
        {*totals["kecamatan"], *(e.desa_id for e in entry_page),
         *(e.kecamatan_id for e in entry_page), *(c.desa_id for c in first_changes)}
    )  # fmt: skip
    occupations = dict(Occupation.choices)
    labels = source_labels(approved.scenario)
    rows = [
        (e, labels.get(e.source, e.source), names.get(e.desa_id, e.desa_id),
         names.get(e.kecamatan_id, e.kecamatan_id), occupations.get(e.occupation, e.occupation))
        for e in entry_page
    ]  # fmt: skip
    return {
        "approved": approved,
        "page": entry_page,
        "query": query,
        "can_configure": user.can(Capability.CONFIGURE),
        "by_source": [
            (labels.get(code, code), n, cost, int(approved.budgets.get(code, 0)))
            for code, (n, cost) in totals["source"].items()
        ],
        "by_kecamatan": [
            (names.get(code, code), n, cost) for code, (n, cost) in totals["kecamatan"].items()
        ],
        "total": sum(n for n, _cost in totals["source"].values()),
        "total_cost": sum(cost for _n, cost in totals["source"].values()),
        "rows": rows,
        "changes": [(c, names.get(c.desa_id, c.desa_id)) for c in first_changes],
        # the changes' sources before/after by their labels (`source_names|get_item:code`)
        "source_names": {
            **{code: code for c in first_changes for code in (c.source_before, c.source_after)},
            **labels,
        },
        "change_count": sum(kinds.values()),
        "change_kinds": kinds,
        "revision": getattr(approved, "revision", None),
    }

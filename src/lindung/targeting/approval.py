"""Approving a scenario: the frozen, numbered beneficiary list (lampiran SK Bupati).

    beneficiary_list = approve(by=admin, scenario=scenario, decree="188.45/123/DISNAKERTRANS/2026")

The lists of a fiscal year form one chain. The first approval is version 1; approving another
scenario for the same year revises the list: a new list (version + 1) that names the one it
replaces and keeps its differences (added, removed, moved to another funding source). A
supplement scenario (run on top of the current list, `Scenario.base_list`) revises the list by
adding its workers to the ones already listed.

Every worker's NIK, name, sex, birth date, occupation and desa are copied in at approval, in one
INSERT … SELECT, so later registry changes never alter an approved list. The list's lampiran
(PDF and XLSX) is queued as a background job once the approval is committed
(`targeting.lampiran_files`).
"""

from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor, actor_label, actor_user
from lindung.audit.services import record
from lindung.regions import scope
from lindung.registry.models import TRANSPORT_OCCUPATIONS, Worker
from lindung.roles import Capability
from lindung.targeting.lampiran_files import request_files
from lindung.targeting.lists import current_list, entry_totals, transport_costs
from lindung.targeting.models import (
    Beneficiary,
    BeneficiaryList,
    ChangeKind,
    ListChange,
    Scenario,
    Selection,
)


class ListError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def approval_problems(scenario: Scenario) -> list[str]:
    """Why `scenario` cannot be approved now (empty when it can)."""
    problems = []
    approved = BeneficiaryList.objects.filter(scenario=scenario).first()
    if approved is not None:
        problems.append(
            _("This scenario is already approved as list %(number)s.") % {"number": approved.number}
        )
    if scenario.base_list_id is not None:
        current = current_list(scenario.fiscal_year, scenario.kabupaten)
        if current is None or current.pk != scenario.base_list_id:
            problems.append(
                _(
                    "The list this supplement adds to has been revised since it ran. "
                    "Run the supplement again on the current list."
                )
            )
    if scenario.selected == 0:
        problems.append(_("The scenario covers no workers: there is nothing to approve."))
    merged = merged_away(scenario)
    if merged:
        problems.append(
            _(
                "%(count)s selected workers have since been merged into another record. "
                "Run the scenario again before approving it."
            )
            % {"count": merged}
        )
    return problems


def merged_away(scenario: Scenario) -> int:
    return Selection.objects.filter(
        scenario=scenario,
        worker_id__in=Worker.objects.filter(merged_into__isnull=False).values("id"),
    ).count()


def changed_since(scenario: Scenario) -> int:
    """Selected workers whose registry record changed after the scenario ran."""
    return Selection.objects.filter(
        scenario=scenario,
        worker_id__in=Worker.objects.filter(updated_at__gt=scenario.created_at).values("id"),
    ).count()


def approve(*, by: Actor, scenario: Scenario, decree: str = "", note: str = "") -> BeneficiaryList:
    """Freeze `scenario` as the next list of its fiscal year. Raises ListError, saving nothing,
    when it cannot be approved (see `approval_problems`) or a revision has no note."""
    with transaction.atomic():
        # One approval at a time: the scenario row and the year's lists are locked.
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        list(
            BeneficiaryList.objects.select_for_update()
            .filter(fiscal_year=scenario.fiscal_year, kabupaten=scenario.kabupaten)
            .values_list("pk", flat=True)
        )
        problems = approval_problems(scenario)
        if not isinstance(by, str) and not (
            by.can(Capability.APPROVE) and scope.contains(scope.codes_for(by), scenario.kabupaten)
        ):
            problems.append(_("Only the regency/city's own administrators approve its lists."))
        if problems:
            raise ListError(" ".join(problems))
        previous = current_list(scenario.fiscal_year, scenario.kabupaten)
        if previous is not None and not note.strip():
            raise ListError(
                _(
                    "A list for %(year)s is already approved (list %(number)s): say in the note "
                    "why it is revised."
                )
                % {"year": scenario.fiscal_year, "number": previous.number}
            )
        number = (BeneficiaryList.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        actor = actor_user(by)
        approved = BeneficiaryList.objects.create(
            number=number,
            fiscal_year=scenario.fiscal_year,
            kabupaten=scenario.kabupaten,
            version=previous.version + 1 if previous else 1,
            previous=previous,
            scenario=scenario,
            decree=decree.strip()[:100],
            note=note.strip(),
            budgets=_budgets(scenario),
            costs=scenario.costs,
            approved_by=actor,
            approved_by_label=actor_label(by),
            approved_at=timezone.now(),
        )
        _copy_entries(approved, scenario)
        _totals(approved)
        if previous is not None:
            _changes(approved, previous)
        approved.save()
        record(
            by=by,
            action=Action.LIST_APPROVED,
            obj=approved,
            after={
                "number": approved.number,
                "kabupaten": approved.kabupaten,
                "fiscal_year": approved.fiscal_year,
                "version": approved.version,
                "scenario": scenario.pk,
                "previous": previous.number if previous else None,
                "selected": approved.selected,
                "cost": approved.cost,
                "added": approved.added,
                "removed": approved.removed,
                "moved": approved.moved,
                "decree": approved.decree,
                "note": approved.note,
            },
        )
        request_files(approved)  # the whole list's PDF and XLSX, made after the commit
    return approved


def _budgets(scenario: Scenario) -> dict[str, int]:
    budgets = {code: int(amount) for code, amount in scenario.budgets.items()}
    if scenario.base_list is not None:
        for code, amount in scenario.base_list.budgets.items():
            budgets[code] = budgets.get(code, 0) + int(amount)
    return budgets


def _copy_entries(approved: BeneficiaryList, scenario: Scenario) -> None:
    entry = Beneficiary._meta.db_table
    columns = (
        "beneficiary_list_id, worker_id, source, rank, priority, cost, nik, name, sex, "
        "birth_date, occupation, desa_id, kecamatan_id"
    )
    # A transport worker (ojek, sopir) costs the source's transport price (PP 50/2025).
    transport = sorted(str(o) for o in TRANSPORT_OCCUPATIONS)
    whens: list[str] = []
    cost_params: list[Any] = []
    for code, cost in transport_costs(scenario.costs).items():
        if cost != int(scenario.costs[code]):
            marks = ", ".join("%s" for _ in transport)
            whens.append(f"WHEN s.source = %s AND w.occupation IN ({marks}) THEN %s")
            cost_params += [code, *transport, cost]
        whens.append("WHEN s.source = %s THEN %s")
        cost_params += [code, int(scenario.costs[code])]
    cost_case = " ".join(whens)
    rank = "s.rank"
    params: list[Any] = [approved.pk]
    if scenario.base_list_id is not None:
        # The supplement's workers rank after the listed workers of the same source.
        rank = (
            f"s.rank + COALESCE((SELECT MAX(b.rank) FROM {entry} b "  # noqa: S608 - fixed names
            "WHERE b.beneficiary_list_id = %s AND b.source = s.source), 0)"
        )
        params.append(scenario.base_list_id)
    params += [*cost_params, scenario.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} ({columns}) "  # noqa: S608 - fixed names, values as parameters
            f"SELECT %s, s.worker_id, s.source, {rank}, s.priority, "
            f"CASE {cost_case} ELSE 0 END, "
            "w.nik, w.name, w.sex, w.birth_date, w.occupation, w.desa_id, w.kecamatan_id "
            f"FROM {Selection._meta.db_table} s JOIN {Worker._meta.db_table} w "
            "ON w.id = s.worker_id WHERE s.scenario_id = %s",
            params,
        )
        if scenario.base_list_id is not None:
            cursor.execute(
                f"INSERT INTO {entry} ({columns}) "  # noqa: S608 - fixed names
                "SELECT %s, worker_id, source, rank, priority, cost, nik, name, sex, birth_date, "
                f"occupation, desa_id, kecamatan_id FROM {entry} WHERE beneficiary_list_id = %s",
                [approved.pk, scenario.base_list_id],
            )


def _totals(approved: BeneficiaryList) -> None:
    entries = Beneficiary.objects.filter(beneficiary_list=approved)
    totals = entry_totals(entries)
    approved.selected = sum(n for n, _cost in totals["source"].values())
    approved.cost = sum(cost for _n, cost in totals["source"].values())
    approved.by_source = {
        code: {
            "selected": totals["source"].get(code, (0, 0))[0],
            "cost": totals["source"].get(code, (0, 0))[1],
            "budget": approved.budgets.get(code, 0),
        }
        for code in {**approved.budgets, **totals["source"]}
    }
    approved.by_kecamatan = {
        code: {"selected": n, "cost": cost} for code, (n, cost) in totals["kecamatan"].items()
    }


def _changes(approved: BeneficiaryList, previous: BeneficiaryList) -> None:
    entry = Beneficiary._meta.db_table
    change = ListChange._meta.db_table
    columns = (
        "beneficiary_list_id, worker_id, kind, source_before, source_after, nik, name, "
        "desa_id, kecamatan_id"
    )
    # Table names are the models' fixed names; every value is a parameter.
    statements: list[tuple[str, list[Any]]] = [
        # on the new list, not on the old one
        (
            f"SELECT %s, n.worker_id, %s, '', n.source, n.nik, n.name, n.desa_id, n.kecamatan_id "  # noqa: S608
            f"FROM {entry} n WHERE n.beneficiary_list_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {entry} o WHERE o.beneficiary_list_id = %s "
            "AND o.worker_id = n.worker_id)",
            [approved.pk, ChangeKind.ADDED.value, approved.pk, previous.pk],
        ),
        # on the old list, not on the new one
        (
            f"SELECT %s, o.worker_id, %s, o.source, '', o.nik, o.name, o.desa_id, o.kecamatan_id "  # noqa: S608
            f"FROM {entry} o WHERE o.beneficiary_list_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {entry} n WHERE n.beneficiary_list_id = %s "
            "AND n.worker_id = o.worker_id)",
            [approved.pk, ChangeKind.REMOVED.value, previous.pk, approved.pk],
        ),
        # on both, paid by another source
        (
            f"SELECT %s, n.worker_id, %s, o.source, n.source, n.nik, n.name, n.desa_id, "  # noqa: S608
            f"n.kecamatan_id FROM {entry} n JOIN {entry} o ON o.worker_id = n.worker_id "
            "AND o.beneficiary_list_id = %s WHERE n.beneficiary_list_id = %s "
            "AND o.source <> n.source",
            [approved.pk, ChangeKind.MOVED.value, previous.pk, approved.pk],
        ),
    ]
    with connection.cursor() as cursor:
        for select, params in statements:
            cursor.execute(f"INSERT INTO {change} ({columns}) {select}", params)
    counts = dict(
        ListChange.objects.filter(beneficiary_list=approved)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    approved.added = counts.get(ChangeKind.ADDED, 0)
    approved.removed = counts.get(ChangeKind.REMOVED, 0)
    approved.moved = counts.get(ChangeKind.MOVED, 0)

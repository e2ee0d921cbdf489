"""What a role's home page counts: the work waiting in the user's wilayah.

Each figure is one bounded query through the owning app's scoped reads (`visible_workers`,
`open_duplicates`, the approved lists' `in_areas`, enrollment's `visible_participations` and
`visible_batches`), so a desa operator counts their desa and an administrator the deployment.
Worker counts stop at `COUNT_CAP` like the worker list.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from lindung.accounts.models import User
from lindung.claims import deadlines
from lindung.claims import queries as claim_queries
from lindung.enrollment.models import AnswerStatus, BatchStatus, RegistrationBatch, State
from lindung.enrollment.queries import visible_batches, visible_participations
from lindung.regions import scope
from lindung.registry.duplicate_queries import open_duplicates
from lindung.registry.models import ImportBatch, ImportStatus, MoveRequest, MoveState
from lindung.registry.queries import CappedCount, capped_count, visible_workers
from lindung.roles import Capability, Role
from lindung.rules.models import Nomination, PolicyVersion
from lindung.targeting.lists import in_areas, lists_with_status
from lindung.targeting.models import (
    Beneficiary,
    BeneficiaryList,
    ChangeKind,
    ListChange,
    Scenario,
)

LISTS_SHOWN = 2  # the newest fiscal years' lists in force
SCENARIOS_SHOWN = 3
BATCHES_SHOWN = 10  # batches waiting for the branch or for a decision on its answer
WAITING = (BatchStatus.SENT, BatchStatus.PARTLY_ANSWERED)
# Roles whose imports page shows every batch (registry.import_views: a kabupaten-wide user);
# everyone else sees the batches they uploaded.
_ALL_IMPORTS = (Role.ADMIN, Role.OPERATOR_KABUPATEN, Role.AUDITOR)


@dataclass(frozen=True)
class Registry:
    """The registry work of an editing role, within their wilayah."""

    workers: CappedCount
    without_desil: CappedCount  # rows whose welfare decile is still to be filled in
    duplicates: int  # open pairs to review
    moves_to_decide: int  # requests to move one of the user's workers elsewhere
    moves_requested: int  # the user's own requests still waiting
    imports_ready: int  # checked, waiting to be saved or discarded
    imports_running: int  # queued, being checked or saved
    imports_failed: int
    nominations: int  # for this fiscal year and later


@dataclass(frozen=True)
class ListInForce:
    approved: BeneficiaryList
    summary: dict[str, Any]  # selected, cost, and the changes: added, removed, moved


def registry_work(user: User, today: datetime.date) -> Registry:
    workers = visible_workers(user)
    batches = ImportBatch.objects.all()
    if not (user.role in _ALL_IMPORTS and user.region_id is None):
        batches = batches.filter(created_by=user)
    running = [ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.COMMITTING]
    imports = batches.aggregate(
        ready=Count("pk", filter=Q(status=ImportStatus.READY)),
        running=Count("pk", filter=Q(status__in=running)),
        failed=Count("pk", filter=Q(status=ImportStatus.FAILED)),
    )
    moves = MoveRequest.objects.filter(state=MoveState.PENDING).aggregate(
        to_decide=Count("pk", filter=Q(worker__in=workers.values("pk"))),
        requested=Count("pk", filter=Q(requested_by=user)),
    )
    return Registry(
        workers=capped_count(workers),
        without_desil=capped_count(workers.filter(desil__isnull=True)),
        duplicates=open_duplicates(user).count(),
        moves_to_decide=moves["to_decide"],
        moves_requested=moves["requested"],
        imports_ready=imports["ready"],
        imports_running=imports["running"],
        imports_failed=imports["failed"],
        nominations=Nomination.objects.filter(
            fiscal_year__gte=today.year, worker__in=workers.values("pk")
        ).count(),
    )


def lists_in_force(user: User) -> list[ListInForce]:
    """The newest fiscal years' lists in force, with their totals and changes in the user's
    wilayah: stored at approval for the roles that see the whole deployment, else two grouped
    queries for all the lists shown."""
    lists = list(
        lists_with_status(scope.kabupaten_for(user)).filter(revision__isnull=True)[:LISTS_SHOWN]
    )
    codes = scope.codes_for(user)
    if not lists or scope.is_whole_deployment(codes):
        return [ListInForce(item, _stored_summary(item)) for item in lists]
    summaries: dict[int, dict[str, Any]] = {
        item.pk: {"selected": 0, "cost": 0, **dict.fromkeys(ChangeKind.values, 0)} for item in lists
    }
    entries = in_areas(Beneficiary.objects.filter(beneficiary_list__in=lists), codes)
    for row in (
        entries.values("beneficiary_list_id").annotate(n=Count("id"), total=Sum("cost")).order_by()
    ):
        summaries[row["beneficiary_list_id"]] |= {"selected": row["n"], "cost": row["total"] or 0}
    changes = in_areas(ListChange.objects.filter(beneficiary_list__in=lists), codes)
    for row in changes.values("beneficiary_list_id", "kind").annotate(n=Count("id")).order_by():
        summaries[row["beneficiary_list_id"]][row["kind"]] = row["n"]
    return [ListInForce(item, summaries[item.pk]) for item in lists]


def _stored_summary(approved: BeneficiaryList) -> dict[str, Any]:
    return {
        "selected": approved.selected,
        "cost": approved.cost,
        **{kind: getattr(approved, kind) for kind in ChangeKind.values},
    }


def latest_policy(user: User) -> PolicyVersion | None:
    """The latest policy version of the kabupaten/kota the user works in (the first of them
    for a user of several)."""
    mine = PolicyVersion.objects.filter(kabupaten__in=scope.kabupaten_for(user))
    return mine.order_by("-number").first()


def latest_scenarios(user: User) -> list[Scenario]:
    """The latest scenarios of the user's kabupaten/kota."""
    mine = Scenario.objects.filter(kabupaten__in=scope.kabupaten_for(user))
    return list(mine.order_by("-pk")[:SCENARIOS_SHOWN])


@dataclass(frozen=True)
class Enrollment:
    """Enrollment with BPJS TK as the user's home page counts it."""

    fiscal_year: int | None  # the latest year with participations the user sees
    by_state: dict[str, int]  # that year's participations in the user's wilayah, per state
    batches_waiting: int  # sent to the branch and not (fully) answered: roles with ENROLL
    answers_waiting: int  # checked answers waiting to be saved or discarded: roles with ENROLL
    batches: list[RegistrationBatch]  # those batches, with `answers_waiting`: for BPJS

    @property
    def states(self) -> list[tuple[str, str, int]]:
        """(state, label, count) in lifecycle order."""
        return [(value, str(label), self.by_state[value]) for value, label in State.choices]


def enrollment_work(user: User, *, participations: bool, batches: bool) -> Enrollment:
    """The participations per state of the latest fiscal year within the user's wilayah (with
    `participations`), and the batches and answers waiting (for roles with ENROLL; with
    `batches`, the batches themselves)."""
    by_state = dict.fromkeys(State.values, 0)
    year = None
    if participations:
        rows = list(
            visible_participations(user)
            .values_list("fiscal_year", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        year = max((row[0] for row in rows), default=None)
        for fiscal_year, state, n in rows:
            if fiscal_year == year:
                by_state[state] += n
    waiting = {"batches": 0, "answers": 0}
    listed: list[RegistrationBatch] = []
    if user.can(Capability.ENROLL):
        visible = visible_batches(user)
        waiting = visible.aggregate(
            batches=Count("pk", filter=Q(status__in=WAITING), distinct=True),
            answers=Count("answers", filter=Q(answers__status=AnswerStatus.CHECKED)),
        )
        if batches and (waiting["batches"] or waiting["answers"]):
            listed = list(
                visible.annotate(
                    answers_waiting=Count("answers", filter=Q(answers__status=AnswerStatus.CHECKED))
                )
                .filter(Q(status__in=WAITING) | Q(answers_waiting__gt=0))
                .order_by("pk")[:BATCHES_SHOWN]
            )
    return Enrollment(
        fiscal_year=year,
        by_state=by_state,
        batches_waiting=waiting["batches"] or 0,
        answers_waiting=waiting["answers"] or 0,
        batches=listed,
    )


def claims_work(user: User) -> dict[str, int]:
    """The claims waiting in the user's wilayah: deaths with no claim after 30 days, files
    incomplete, claims BPJS is late to pay (three counts)."""
    claims = claim_queries.visible_claims(user)
    return {
        "deaths": deadlines.deaths_without_claim(claim_queries.visible_events(user)).count(),
        "incomplete": deadlines.incomplete(claims).count(),
        "bpjs_late": deadlines.bpjs_late(claims).count(),
    }

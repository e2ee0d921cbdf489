"""Every change to participations and wadah, each audited in its own transaction.

    sync_list(by=user, beneficiary_list=approved)     participations follow the list in force
    end_participation(by=user, participation=p, reason=EndReason.DIED)
    resubmit(by=user, participation=p)                DITOLAK / GANDA_AKTIF back to CALON
    close_year(by=user, fiscal_year=2027)             a past year's open participations end
    save_wadah(by=admin, wadah=None, data={...})      a new or changed wadah

An approved list (the audit event LIST_APPROVED, see `signals`) calls `sync_list` inside the
approval's transaction: a revision that removes a worker ends their participation, one that
adds a worker makes a `CALON`, one that moves a worker to another source moves a candidate or
ends a submitted participation so that a new one is registered under the new source's wadah.
A worker whose KPJ is known (an earlier participation or a self-payment) becomes a renewal.
"""

import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.actions import Action
from lindung.audit.actors import Actor
from lindung.audit.services import diff, record, snapshot
from lindung.enrollment import states
from lindung.enrollment.models import EndReason, Kind, Participation, State, Wadah
from lindung.regions import scope
from lindung.registry.models import SelfPayment
from lindung.targeting.lists import current_list, lists_in_force
from lindung.targeting.models import Beneficiary, BeneficiaryList


class EnrollmentError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def today() -> datetime.date:
    return timezone.localdate()


def _sql_time(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _sql_date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(0, int(cursor.rowcount))


@transaction.atomic
def sync_list(*, by: Actor | None, beneficiary_list: BeneficiaryList) -> dict[str, int]:
    """Make the year's participations follow `beneficiary_list` when it is the list in force
    (an older list changes nothing). Idempotent: a second call finds nothing to do. Returns
    the counts of participations created, ended, moved and renewals among the created."""
    approved = beneficiary_list
    counts = {"created": 0, "ended": 0, "moved": 0, "renewals": 0}
    current = current_list(approved.fiscal_year, approved.kabupaten)
    if current is None or current.pk != approved.pk:
        return counts
    p_table = Participation._meta.db_table
    b_table = Beneficiary._meta.db_table
    s_table = SelfPayment._meta.db_table
    year, list_id = approved.fiscal_year, approved.pk
    now, on = _sql_time(timezone.now()), _sql_date(today())
    # Only the participations of the list's own kabupaten/kota: another's follow its own list.
    mine, mine_params = scope.sql([approved.kabupaten], f"{p_table}.kecamatan_id")
    # Open participations of the year whose worker is no longer listed, or listed under another
    # source once submitted: ended. A candidate under another source just moves.
    counts["ended"] += _execute(
        f"UPDATE {p_table} SET state = %s, end_reason = %s, ended_on = %s, updated_at = %s "  # noqa: S608 - fixed names
        f"WHERE {mine} AND fiscal_year = %s AND state <> %s AND NOT EXISTS "
        f"(SELECT 1 FROM {b_table} b "
        f"WHERE b.beneficiary_list_id = %s AND b.worker_id = {p_table}.worker_id)",
        [
            State.BERAKHIR,
            EndReason.LIST_REVISION,
            on,
            now,
            *mine_params,
            year,
            State.BERAKHIR,
            list_id,
        ],
    )
    counts["moved"] = _execute(
        f"UPDATE {p_table} SET source = (SELECT b.source FROM {b_table} b "  # noqa: S608
        f"WHERE b.beneficiary_list_id = %s AND b.worker_id = {p_table}.worker_id), "
        "wadah_id = NULL, beneficiary_list_id = %s, updated_at = %s "
        f"WHERE {mine} AND fiscal_year = %s AND state = %s AND EXISTS (SELECT 1 FROM {b_table} b "
        f"WHERE b.beneficiary_list_id = %s AND b.worker_id = {p_table}.worker_id "
        f"AND b.source <> {p_table}.source)",
        [list_id, list_id, now, *mine_params, year, State.CALON, list_id],
    )
    counts["ended"] += _execute(
        f"UPDATE {p_table} SET state = %s, end_reason = %s, ended_on = %s, updated_at = %s "  # noqa: S608
        f"WHERE {mine} AND fiscal_year = %s AND state NOT IN (%s, %s) "
        f"AND EXISTS (SELECT 1 FROM {b_table} b "
        f"WHERE b.beneficiary_list_id = %s AND b.worker_id = {p_table}.worker_id "
        f"AND b.source <> {p_table}.source)",
        [
            State.BERAKHIR,
            EndReason.SOURCE_CHANGED,
            on,
            now,
            *mine_params,
            year,
            State.BERAKHIR,
            State.CALON,
            list_id,
        ],
    )
    _execute(
        f"UPDATE {p_table} SET beneficiary_list_id = %s, updated_at = %s "  # noqa: S608
        f"WHERE {mine} AND fiscal_year = %s AND state <> %s AND beneficiary_list_id <> %s",
        [list_id, now, *mine_params, year, State.BERAKHIR, list_id],
    )
    # Listed workers without an open participation of the year: candidates, with the KPJ of
    # their latest participation or self-payment when there is one (a renewal).
    known_kpj = (
        f"COALESCE((SELECT p2.kpj FROM {p_table} p2 WHERE p2.worker_id = b.worker_id "  # noqa: S608
        "AND p2.kpj <> '' ORDER BY p2.fiscal_year DESC, p2.id DESC LIMIT 1), "
        f"(SELECT s.kpj FROM {s_table} s WHERE s.worker_id = b.worker_id), '')"
    )
    created = _execute(
        f"INSERT INTO {p_table} (worker_id, fiscal_year, source, beneficiary_list_id, kind, "  # noqa: S608
        "state, kpj, nik, name, desa_id, kecamatan_id, reason, end_reason, created_at, "
        "updated_at) "
        "SELECT worker_id, %s, source, %s, CASE WHEN kpj <> '' THEN %s ELSE %s END, %s, kpj, "
        "nik, name, desa_id, kecamatan_id, '', '', %s, %s FROM ("
        f"SELECT b.worker_id, b.source, b.nik, b.name, b.desa_id, b.kecamatan_id, {known_kpj} "
        f"AS kpj FROM {b_table} b WHERE b.beneficiary_list_id = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {p_table} p WHERE p.worker_id = b.worker_id AND p.fiscal_year = %s "
        "AND p.state <> %s)) listed",
        [
            year,
            list_id,
            Kind.RENEWAL,
            Kind.NEW,
            State.CALON,
            now,
            now,
            list_id,
            year,
            State.BERAKHIR,
        ],
    )
    counts["created"] = created
    if created:
        counts["renewals"] = Participation.objects.filter(
            beneficiary_list=approved, state=State.CALON, kind=Kind.RENEWAL
        ).count()
    if any(counts.values()):
        record(
            by=by,
            action=Action.PARTICIPATIONS_SYNCED,
            obj=approved,
            after={"list": approved.number, "fiscal_year": year, **counts},
        )
    return counts


def sync_current(*, by: Actor | None, fiscal_year: int) -> dict[str, int]:
    """`sync_list` for the year's list in force of each kabupaten/kota (nothing without one)."""
    counts = {"created": 0, "ended": 0, "moved": 0, "renewals": 0}
    for approved in lists_in_force(fiscal_year):
        for key, value in sync_list(by=by, beneficiary_list=approved).items():
            counts[key] += value
    return counts


def _change(
    *,
    by: Actor | None,
    participation: Participation,
    state: str,
    action: Action,
    **fields: Any,
) -> Participation:
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    states.check(locked.state, state)
    names = ["state", *fields]
    before = snapshot(locked, names)
    locked.state = state
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*names, "updated_at"])
    after = snapshot(locked, names)
    old, new = diff(before, after)
    record(by=by, action=action, obj=locked, before=old, after=new)
    return locked


@transaction.atomic
def end_participation(
    *,
    by: Actor | None,
    participation: Participation,
    reason: str,
    on: datetime.date | None = None,
) -> Participation:
    """End a participation (died, moved out, …). Refused for one that has ended already."""
    if reason not in EndReason.values:
        raise EnrollmentError(_("Choose why the participation ends."))
    return _change(
        by=by,
        participation=participation,
        state=State.BERAKHIR,
        action=Action.PARTICIPATION_ENDED,
        end_reason=reason,
        ended_on=on or today(),
    )


@transaction.atomic
def resubmit(*, by: Actor | None, participation: Participation) -> Participation:
    """A rejected (or already active) worker becomes a candidate again, for the next batch:
    after the data was corrected, or when their own membership stopped."""
    if participation.state not in (State.DITOLAK, State.GANDA_AKTIF):
        states.check(participation.state, State.CALON)
    return _change(
        by=by,
        participation=participation,
        state=State.CALON,
        action=Action.PARTICIPATION_RESUBMITTED,
        batch=None,
        wadah=None,
        reason="",
    )


@transaction.atomic
def close_year(*, by: Actor | None, fiscal_year: int) -> int:
    """End the open participations of a fiscal year that is over, on its last day: those whose
    worker is on the next year's list continue there (renewal), the others were not renewed."""
    last_day = datetime.date(fiscal_year, 12, 31)
    if today() <= last_day:
        raise EnrollmentError(_("Fiscal year %(year)s is not over yet.") % {"year": fiscal_year})
    p_table = Participation._meta.db_table
    b_table = Beneficiary._meta.db_table
    now = _sql_time(timezone.now())
    ended = 0
    # Each kabupaten/kota's participations continue on its own next list.
    for kabupaten in scope.deployment_codes():
        following = current_list(fiscal_year + 1, kabupaten)
        mine, mine_params = scope.sql([kabupaten], f"{p_table}.kecamatan_id")
        for renewed, reason in ((True, EndReason.YEAR_ENDED), (False, EndReason.NOT_RENEWED)):
            if following is None and renewed:
                continue
            listed = (
                f"EXISTS (SELECT 1 FROM {b_table} b WHERE b.beneficiary_list_id = %s "  # noqa: S608
                f"AND b.worker_id = {p_table}.worker_id)"
            )
            condition = listed if renewed else f"NOT {listed}"
            params: list[Any] = [following.pk] if following is not None else []
            if following is None:
                condition = "1 = 1"
            ended += _execute(
                f"UPDATE {p_table} SET state = %s, end_reason = %s, ended_on = %s, "  # noqa: S608
                f"updated_at = %s WHERE {mine} AND fiscal_year = %s AND state <> %s "
                f"AND {condition}",
                [
                    State.BERAKHIR,
                    reason,
                    _sql_date(last_day),
                    now,
                    *mine_params,
                    fiscal_year,
                    State.BERAKHIR,
                    *params,
                ],
            )
    if ended:
        record(
            by=by,
            action=Action.PARTICIPATIONS_SYNCED,
            object_type="enrollment.fiscal_year",
            object_id=str(fiscal_year),
            object_repr=str(fiscal_year),
            after={"fiscal_year": fiscal_year, "ended": ended},
        )
    return ended


WADAH_FIELDS = (
    "code",
    "name",
    "kabupaten",
    "source",
    "type_code",
    "npw",
    "branch",
    "area",
    "contact_name",
    "contact_phone",
    "contact_email",
    "layout",
    "active",
)


@transaction.atomic
def save_wadah(*, by: Actor | None, wadah: Wadah | None, data: dict[str, Any]) -> Wadah:
    """Create a wadah (`wadah` None) or change one; `data` holds WADAH_FIELDS (validated by
    the form or the caller)."""
    if wadah is None:
        created = Wadah.objects.create(**{k: v for k, v in data.items() if k in WADAH_FIELDS})
        record(
            by=by,
            action=Action.WADAH_SAVED,
            obj=created,
            after=snapshot(created, WADAH_FIELDS),
        )
        return created
    locked = Wadah.objects.select_for_update().get(pk=wadah.pk)
    before = snapshot(locked, WADAH_FIELDS)
    for name, value in data.items():
        if name in WADAH_FIELDS:
            setattr(locked, name, value)
    locked.save()
    old, new = diff(before, snapshot(locked, WADAH_FIELDS))
    if new:
        record(by=by, action=Action.WADAH_SAVED, obj=locked, before=old, after=new)
    return locked

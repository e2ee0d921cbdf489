"""Every change a person makes to the registry: edits, status, merges, duplicate decisions.

The registry pages, the API and commands call these functions; `by=None` means the command line
(recorded as actor "system", scope: the whole deployment). Each runs in one transaction that also
writes its audit event. Imports write through registry.pipeline, not through here.
"""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.actions import Action
from lindung.audit.context import request_ip
from lindung.audit.models import Event
from lindung.audit.services import diff, record, snapshot
from lindung.regions.models import Level, Region
from lindung.regions.scope import codes_for, contains, deployment_codes
from lindung.registry.models import (
    DuplicateStatus,
    ImportBatch,
    MoveRequest,
    MoveState,
    Occupation,
    PossibleDuplicate,
    Sex,
    Worker,
    WorkerSource,
    WorkerStatus,
)
from lindung.registry.pipeline.decide import RequestedMove
from lindung.registry.queries import WORKER_OBJECT_TYPE, name_key_for
from lindung.roles import Capability

# What a person may change on the edit page (the NIK is the worker's identity: never edited).
EDITABLE_FIELDS = [
    "name",
    "no_kk",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "address",
    "desa",
    "occupation",
    "income",
    "desil",
    "disability",
    "female_head",
    "status",
]
# Fields of the kept record that a merge fills from the merged one when they are empty.
FILLABLE_FIELDS = ["no_kk", "birth_place", "phone", "address", "income", "desil"]
_NO_KK = re.compile(r"\d{16}")


class RegistryError(Exception):
    """A registry change that breaks a rule. `field` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _allowed_codes(by: User | None) -> list[str]:
    return codes_for(by) if by is not None else deployment_codes()


def _check_can_change(by: User | None, worker: Worker) -> None:
    if not contains(_allowed_codes(by), worker.desa_id):
        raise RegistryError(_("This worker lives outside your wilayah."))
    if worker.merged_into_id is not None:
        raise RegistryError(_("This record was merged into another one and cannot be changed."))


def _desa(by: User | None, code: str) -> Region:
    """The desa/kelurahan `code`, if it lies in the deployment and in `by`'s scope."""
    region = Region.objects.within(_allowed_codes(by)).filter(code=code).first()
    if region is None or region.level != Level.DESA_KELURAHAN:
        raise RegistryError(
            _("Desa/kelurahan %(code)s does not exist or is outside your wilayah.")
            % {"code": code},
            field="desa",
        )
    return region


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _clean(by: User | None, name: str, value: Any) -> Any:
    """The value to store for an edited field, or RegistryError."""
    if name == "name":
        text = _text(value, 200)
        if not name_key_for(text):
            raise RegistryError(_("The name cannot be empty."), field=name)
        return text
    if name == "no_kk":
        text = str(value or "").strip()
        if text and not _NO_KK.fullmatch(text):
            raise RegistryError(_("The No. KK must be 16 digits."), field=name)
        return text
    if name in ("birth_place", "phone"):
        return _text(value, 100 if name == "birth_place" else 20)
    if name == "address":
        return _text(value, 300)
    if name == "birth_date":
        if not isinstance(value, datetime.date) or value > timezone.localdate():
            raise RegistryError(_("Enter a birth date that is not in the future."), field=name)
        return value
    if name == "desa":
        return _desa(by, value.code if isinstance(value, Region) else str(value))
    if name == "income":
        if value is not None and (not isinstance(value, int) or value < 0):
            raise RegistryError(
                _("The income must be a whole number of rupiah, 0 or more."), field=name
            )
        return value
    if name == "desil":
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 10):
            raise RegistryError(_("The desil must be between 1 and 10, or empty."), field=name)
        return value
    if name in ("disability", "female_head"):
        return bool(value)
    choices = {"sex": Sex.values, "occupation": Occupation.values, "status": WorkerStatus.values}
    if name in choices:
        if value not in choices[name]:
            raise RegistryError(_("Choose one of the listed values."), field=name)
        return value
    raise ValueError(f"{name} is not an editable worker field")


def _place_in(worker: Worker, desa: Region) -> None:
    """Desa, and the kecamatan and kabupaten that follow from its code (52.03.07.1001)."""
    parts = desa.code.split(".")
    worker.desa_id = desa.code
    worker.kecamatan_id = ".".join(parts[:3])
    worker.kabupaten_id = ".".join(parts[:2])


@transaction.atomic
def update_worker(*, by: User | None, worker: Worker, changes: Mapping[str, Any]) -> Worker:
    """Apply `changes` (EDITABLE_FIELDS; "desa" as a code) and record what actually changed.

    Nothing is saved or recorded when no value changes. The audit event holds only the changed
    fields; kecamatan, kabupaten and name_key follow from desa and name and are not listed.
    """
    _check_can_change(by, worker)
    values = {name: _clean(by, name, value) for name, value in changes.items()}
    return _apply_changes(by, worker, values)


def _apply_changes(by: User | None, worker: Worker, values: Mapping[str, Any]) -> Worker:
    """Set cleaned `values` (desa as a Region) and record what changed as worker_updated."""
    before = snapshot(worker, EDITABLE_FIELDS)
    for name, value in values.items():
        if name == "desa":
            _place_in(worker, value)
        else:
            setattr(worker, name, value)
    old, new = diff(before, snapshot(worker, EDITABLE_FIELDS))
    if not new:
        return worker
    worker.name_key = name_key_for(worker.name)
    worker.updated_at = timezone.now()
    fields = [f"{n}_id" if n == "desa" else n for n in new]
    if "desa" in new:
        fields += ["kecamatan_id", "kabupaten_id"]
    worker.save(update_fields=[*fields, "name_key", "updated_at"])
    record(by=by, action=Action.WORKER_UPDATED, obj=worker, before=old, after=new)
    return worker


@transaction.atomic
def set_worker_status(*, by: User | None, worker: Worker, status: str) -> Worker:
    """Mark a worker deceased (meninggal), moved away (pindah) or active (aktif) again."""
    _check_can_change(by, worker)
    status = _clean(by, "status", status)
    if status == worker.status:
        return worker
    old = worker.status
    worker.status = status
    worker.updated_at = timezone.now()
    worker.save(update_fields=["status", "updated_at"])
    record(
        by=by,
        action=Action.WORKER_STATUS_CHANGED,
        obj=worker,
        before={"status": old},
        after={"status": status},
    )
    return worker


def _open_pair(duplicate: PossibleDuplicate) -> PossibleDuplicate:
    """The pair, re-read under a row lock, if no one has decided it meanwhile."""
    pair = (
        PossibleDuplicate.objects.select_for_update()
        .select_related("worker", "other")
        .get(pk=duplicate.pk)
    )
    if pair.status != DuplicateStatus.OPEN:
        raise RegistryError(_("This pair has already been decided."))
    return pair


def _source_ids(worker: Worker) -> list[int]:
    return sorted(WorkerSource.objects.filter(worker=worker).values_list("source_id", flat=True))


def _repoint_open_pairs(merged: Worker, keep: Worker, decided: PossibleDuplicate) -> None:
    """Open pairs that involve the merged-away worker now ask about the kept one; a pair that
    would repeat an existing one (or pair the kept worker with itself) is removed."""
    pairs = PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN).exclude(pk=decided.pk)
    for pair in pairs.filter(worker=merged) | pairs.filter(other=merged):
        third = pair.other_id if pair.worker_id == merged.pk else pair.worker_id
        low, high = sorted((keep.pk, third))
        exists = PossibleDuplicate.objects.filter(worker_id=low, other_id=high).exists()
        if third == keep.pk or exists:
            pair.delete()
        else:
            pair.worker_id, pair.other_id = low, high
            pair.save(update_fields=["worker", "other"])


@dataclass(frozen=True)
class MergePlan:
    """What merging a pair keeping `keep` does, read before anything is written (the
    confirmation page shows it; merge_workers does exactly this)."""

    keep: Worker
    merged: Worker
    filled: list[str]  # empty fields of the kept worker that take the merged record's value
    sources_added: list[str]  # names of the sources the kept worker is newly listed under
    sources_kept: list[str]  # the kept worker's own sources
    pairs_moved: int  # other open pairs of the merged record, now asking about the kept one
    pairs_removed: int  # of those, the ones that would repeat a pair (or pair it with itself)


def _empty(value: Any) -> bool:
    return value in ("", None)


def _fill_fields(keep: Worker, merged: Worker) -> list[str]:
    return [
        name
        for name in FILLABLE_FIELDS
        if _empty(getattr(keep, name)) and not _empty(getattr(merged, name))
    ]


def merge_plan(*, duplicate: PossibleDuplicate, keep: Worker) -> MergePlan:
    """What `merge_workers(duplicate=..., keep=...)` would do now; writes nothing."""
    if keep.pk not in (duplicate.worker_id, duplicate.other_id):
        raise RegistryError(_("The worker to keep must be one of the pair."))
    keep, merged = (
        (duplicate.worker, duplicate.other)
        if keep.pk == duplicate.worker_id
        else (duplicate.other, duplicate.worker)
    )
    filled = _fill_fields(keep, merged)
    own = set(_source_ids(keep))
    names = dict(
        WorkerSource.objects.filter(worker__in=[keep, merged]).values_list(
            "source_id", "source__name"
        )
    )
    added = sorted(names[s] for s in _source_ids(merged) if s not in own)
    others = PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN).exclude(pk=duplicate.pk)
    moved = removed = 0
    for pair in others.filter(worker=merged) | others.filter(other=merged):
        third = pair.other_id if pair.worker_id == merged.pk else pair.worker_id
        low, high = sorted((keep.pk, third))
        moved += 1
        if (
            third == keep.pk
            or PossibleDuplicate.objects.filter(worker_id=low, other_id=high).exists()
        ):
            removed += 1
    return MergePlan(
        keep=keep,
        merged=merged,
        filled=filled,
        sources_added=added,
        sources_kept=sorted(names[s] for s in own),
        pairs_moved=moved - removed,
        pairs_removed=removed,
    )


@transaction.atomic
def merge_workers(*, by: User | None, duplicate: PossibleDuplicate, keep: Worker) -> Worker:
    """Keep one worker of a possible-duplicate pair and merge the other into it.

    The other record stays (merged_into=keep) but leaves every list; its sources are added to
    the kept worker, and the kept worker's empty fields are filled from it.
    """
    pair = _open_pair(duplicate)
    if keep.pk not in (pair.worker_id, pair.other_id):
        raise RegistryError(_("The worker to keep must be one of the pair."))
    keep, merged = (
        (pair.worker, pair.other) if keep.pk == pair.worker_id else (pair.other, pair.worker)
    )
    _check_can_change(by, keep)
    _check_can_change(by, merged)
    now = timezone.now()

    keep_before = {**snapshot(keep, FILLABLE_FIELDS), "sources": _source_ids(keep)}
    for name in _fill_fields(keep, merged):
        setattr(keep, name, getattr(merged, name))
    WorkerSource.objects.bulk_create(
        [
            WorkerSource(worker=keep, source_id=ws.source_id, batch=ws.batch)
            for ws in WorkerSource.objects.filter(worker=merged)
        ],
        ignore_conflicts=True,
    )
    keep.updated_at = now
    keep.save(update_fields=[*FILLABLE_FIELDS, "updated_at"])
    old, new = diff(keep_before, {**snapshot(keep, FILLABLE_FIELDS), "sources": _source_ids(keep)})
    record(
        by=by,
        action=Action.WORKERS_MERGED,
        obj=keep,
        before=old,
        after={**new, "merged_from": merged.pk},
    )

    merged.merged_into = keep
    merged.updated_at = now
    merged.save(update_fields=["merged_into", "updated_at"])
    record(
        by=by,
        action=Action.WORKERS_MERGED,
        obj=merged,
        before={"merged_into": None},
        after={"merged_into": keep.pk},
    )

    pair.status = DuplicateStatus.MERGED
    pair.decided_by = by
    pair.decided_at = now
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    _repoint_open_pairs(merged, keep, pair)
    return keep


@transaction.atomic
def mark_different(*, by: User | None, duplicate: PossibleDuplicate) -> PossibleDuplicate:
    """Decide that the two workers of a pair are different people (recorded on both)."""
    pair = _open_pair(duplicate)
    _check_can_change(by, pair.worker)
    _check_can_change(by, pair.other)
    pair.status = DuplicateStatus.DIFFERENT
    pair.decided_by = by
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    for worker, other in ((pair.worker, pair.other), (pair.other, pair.worker)):
        record(
            by=by,
            action=Action.DUPLICATE_MARKED_DIFFERENT,
            obj=worker,
            after={"different_from": other.pk, "duplicate": pair.pk},
        )
    return pair


@transaction.atomic
def record_worker_export(*, by: User, filters: Mapping[str, str], rows: int) -> None:
    """An export of the registry is itself audited: who took which workers out."""
    record(
        by=by,
        action=Action.WORKERS_EXPORTED,
        object_type=WORKER_OBJECT_TYPE,
        after={"filters": dict(filters), "rows": rows},
    )


# --- move requests ------------------------------------------------------------------------------
# The worker fields a move request may carry (the desa travels apart, as its target).
MOVE_FIELDS = frozenset(EDITABLE_FIELDS) - {"desa", "status"}


@transaction.atomic
def request_move(
    *,
    by: User,
    worker: Worker,
    target_desa: str,
    fields: Mapping[str, Any],
    batch: ImportBatch | None = None,
) -> MoveRequest:
    """Ask the wilayah where `worker` lives (or the regency) to move them to `target_desa`, a
    desa of `by`, with `fields` (worker field names; dates as ISO text)."""
    request_moves(by=by, moves=[RequestedMove(worker.pk, target_desa, dict(fields))], batch=batch)
    return MoveRequest.objects.get(worker=worker, requested_by=by, state=MoveState.PENDING)


@transaction.atomic
def request_moves(
    *, by: User, moves: Sequence[RequestedMove], batch: ImportBatch | None = None
) -> int:
    """One pending request per worker and requester: a new one, or the requester's pending one
    refreshed with the latest target and values. Written in bulk (an import commit calls this),
    each audited as move_requested. Returns the number of requests created or changed."""
    if not moves:
        return 0
    if not by.can(Capability.EDIT_DATA):
        raise RegistryError(_("Your role may not change registry data."))
    targets = {move.desa for move in moves}
    desa = set(
        Region.objects.filter(code__in=targets, level=Level.DESA_KELURAHAN).values_list(
            "code", flat=True
        )
    )
    codes = codes_for(by)
    for code in sorted(targets):
        if code not in desa or not contains(codes, code):
            raise RegistryError(
                _("Desa/kelurahan %(code)s does not exist or is outside your wilayah.")
                % {"code": code}
            )
    if unknown := set(MOVE_FIELDS).union(*(m.fields for m in moves)) - MOVE_FIELDS:
        raise ValueError(f"not fields of a move request: {sorted(unknown)}")
    ids = [move.worker_id for move in moves]
    pending: dict[int, MoveRequest] = {}
    for start in range(0, len(ids), 1000):
        found = MoveRequest.objects.select_for_update().filter(
            requested_by=by, state=MoveState.PENDING, worker_id__in=ids[start : start + 1000]
        )
        pending.update((request.worker_id, request) for request in found)
    now = timezone.now()
    created: list[MoveRequest] = []
    changed: list[tuple[MoveRequest, dict[str, Any]]] = []
    for move in moves:
        request = pending.get(move.worker_id)
        if request is None:
            created.append(
                MoveRequest(
                    worker_id=move.worker_id,
                    target_desa_id=move.desa,
                    fields=move.fields,
                    batch=batch,
                    requested_by=by,
                )
            )
        elif (request.target_desa_id, request.fields) != (move.desa, move.fields):
            before = {"target_desa": request.target_desa_id, "fields": request.fields}
            request.target_desa_id, request.fields = move.desa, move.fields
            request.batch, request.updated_at = batch, now
            changed.append((request, before))
    MoveRequest.objects.bulk_create(created, batch_size=1000)
    MoveRequest.objects.bulk_update(
        [request for request, _before in changed],
        ["target_desa", "fields", "batch", "updated_at"],
        batch_size=1000,
    )
    events: list[tuple[MoveRequest, dict[str, Any]]] = [(r, {}) for r in created] + changed
    Event.objects.bulk_create(
        [
            Event(
                actor=by,
                actor_label=by.get_username()[:150],
                action=Action.MOVE_REQUESTED,
                object_type=MoveRequest._meta.label_lower,
                object_id=str(request.pk),
                object_repr=str(request)[:200],
                before=before,
                after={
                    "worker": request.worker_id,
                    "target_desa": request.target_desa_id,
                    "fields": request.fields,
                    "state": request.state,
                },
                batch=batch.pk if batch is not None else None,
                ip=request_ip.get(),
            )
            for request, before in events
        ],
        batch_size=1000,
    )
    return len(events)


def _pending_move(move: MoveRequest) -> MoveRequest:
    """The request, re-read under a row lock, if no one has decided it meanwhile."""
    locked = MoveRequest.objects.select_for_update().get(pk=move.pk)
    if locked.state != MoveState.PENDING:
        raise RegistryError(_("This request has already been decided."))
    return locked


def _check_can_decide(by: User | None, worker: Worker) -> None:
    """Who decides: a user with EDIT_DATA whose scope holds the worker's desa today."""
    if by is not None and not by.can(Capability.EDIT_DATA):
        raise RegistryError(_("Your role may not change registry data."))
    if not contains(_allowed_codes(by), worker.desa_id):
        raise RegistryError(_("This worker lives outside your wilayah."))


_MOVE_ACTIONS: dict[str, Action] = {
    MoveState.ACCEPTED: Action.MOVE_ACCEPTED,
    MoveState.REFUSED: Action.MOVE_REFUSED,
}


def _decide_move(by: User | None, move: MoveRequest, state: str, note: str) -> MoveRequest:
    move.state = state
    move.decided_by = by
    move.decided_at = timezone.now()
    move.note = _text(note, 500)
    move.save(update_fields=["state", "decided_by", "decided_at", "note", "updated_at"])
    record(
        by=by,
        action=_MOVE_ACTIONS[state],
        obj=move,
        before={"state": MoveState.PENDING.value},
        after={"state": state, "note": move.note},
    )
    return move


def _move_value(name: str, value: Any) -> Any:
    if name == "birth_date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


@transaction.atomic
def accept_move(*, by: User | None, move: MoveRequest, note: str = "") -> MoveRequest:
    """Move the worker to the requested desa and apply the requested values, through the edit
    path (audited as worker_updated, so the dashboard follows); the request becomes accepted."""
    move = _pending_move(move)
    worker = Worker.objects.select_for_update().get(pk=move.worker_id)
    _check_can_decide(by, worker)
    _check_can_change(by, worker)
    values = {
        name: _clean(by, name, _move_value(name, value))
        for name, value in move.fields.items()
        if name in MOVE_FIELDS
    }
    # The target lies in the requester's wilayah, not the decider's: it is checked against the
    # deployment only.
    values["desa"] = _desa(None, move.target_desa_id)
    _apply_changes(by, worker, values)
    return _decide_move(by, move, MoveState.ACCEPTED, note)


@transaction.atomic
def refuse_move(*, by: User | None, move: MoveRequest, note: str = "") -> MoveRequest:
    """Leave the worker where they are; the request becomes refused."""
    move = _pending_move(move)
    _check_can_decide(by, Worker.objects.get(pk=move.worker_id))
    return _decide_move(by, move, MoveState.REFUSED, note)

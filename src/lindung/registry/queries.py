"""Reads of the registry: the scoped worker set, list filters, keyset pages, display rows.

`visible_workers(user)` is the registry's one door: every page, export and API endpoint that
shows workers starts from it, so a region-bound operator never sees a worker outside their
kecamatan/desa, and a worker outside scope is a 404, never a 403.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

import polars as pl
from django.db.models import Field, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.audit.models import Event
from lindung.audit.queries import Change, EventRow, display_value
from lindung.formats import (
    EMPTY,
    format_date,
    format_number,
    format_rupiah,
    mask_nik,
)
from lindung.regions.scope import codes_for, contains
from lindung.registry.models import (
    DuplicateStatus,
    PossibleDuplicate,
    Worker,
    WorkerQuerySet,
    WorkerSource,
)
from lindung.registry.pipeline.values import person_name
from lindung.roles import Capability

PAGE_SIZE = 50
# Counting a million rows on every page load is too slow: count this far, then say "more than".
COUNT_CAP = 10_000
HISTORY_LIMIT = 100
WORKER_OBJECT_TYPE = "registry.worker"
# Masked (kept apart from the list's shape) for roles without VIEW_NIK / hidden without
# VIEW_PERSONS, wherever a worker's values are shown: pages, history, export, API.
NIK_FIELDS = frozenset({"nik", "no_kk"})
CONTACT_FIELDS = frozenset({"phone", "address"})


# --- scope --------------------------------------------------------------------------------------
def visible_workers(user: User) -> WorkerQuerySet:
    """The current (not merged-away) workers living in the user's wilayah scope."""
    return Worker.objects.current().in_areas(codes_for(user))


def get_worker_for(user: User, pk: int, *, include_merged: bool = False) -> Worker:
    """The worker `pk` if it lies in the user's scope; Http404 otherwise.

    With include_merged, a record merged into another is found too (its detail page stays
    reachable); every other caller sees only current workers.
    """
    workers = Worker.objects.in_areas(codes_for(user))
    if not include_merged:
        workers = workers.current()
    worker = workers.select_related("desa", "kecamatan", "merged_into").filter(pk=pk).first()
    if worker is None:
        raise Http404
    return worker


# --- filters ------------------------------------------------------------------------------------
# Age bands of the list filter: (lowest, highest) age in whole years, None where open.
AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "<18": (None, 17),
    "18-25": (18, 25),
    "26-35": (26, 35),
    "36-45": (36, 45),
    "46-55": (46, 55),
    "56-65": (56, 65),
    ">65": (66, None),
}
DESIL_NONE = "none"
DESIL_VALUES = [str(n) for n in range(1, 11)]


@dataclass(frozen=True)
class WorkerFilter:
    """The registry list's filters (valid values only; see forms.WorkerFilterForm)."""

    kecamatan: str = ""
    desa: str = ""
    occupation: str = ""
    desil: str = ""  # "1".."10", or "none" for workers without a desil
    sex: str = ""
    age: str = ""  # a key of AGE_BANDS
    status: str = ""
    source: int | None = None
    q: str = ""

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (for the audit record of an export)."""
        return {k: str(v) for k, v in vars(self).items() if v not in ("", None)}


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def birth_date_range(
    band: str, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """(born after, born on or before): the birth dates of people whose age `today` is in
    `band`. Either end is None when the band is open on that side."""
    low, high = AGE_BANDS[band]
    born_after = _years_ago(today, high + 1) if high is not None else None
    born_by = _years_ago(today, low) if low is not None else None
    return born_after, born_by


def name_key_for(text: str) -> str:
    """A name (or the start of one, for a search) as name_key holds it: the import pipeline's
    normalisation (lower case; accents, punctuation, titles and degrees dropped)."""
    key: str | None = person_name(pl.Series([text])).item(0, "name_key")
    return key or ""


def _prefix(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range (prefix <= value < prefix with its last character
    incremented): unlike LIKE, a range uses the ordinary btree index on both databases whatever
    the collation, and keeps the index order that the keyset pages need."""
    if not prefix:
        return Q()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _search(workers: WorkerQuerySet, q: str) -> WorkerQuerySet:
    """16 digits: that NIK; 6 or more digits: NIKs starting with them; else a name prefix."""
    digits = q.replace(" ", "")
    if digits.isdigit() and len(digits) == 16:
        return workers.filter(nik=digits)
    if digits.isdigit() and len(digits) >= 6:
        return workers.filter(_prefix("nik", digits))
    # name_key is lower case, without punctuation: byte order and collation order agree on it.
    return workers.filter(_prefix("name_key", name_key_for(q)))


def filter_workers(
    workers: WorkerQuerySet, f: WorkerFilter, *, today: datetime.date | None = None
) -> WorkerQuerySet:
    """`workers` narrowed by `f`. Ages are counted at `today` (default: today in WITA)."""
    if f.kecamatan:
        workers = workers.filter(kecamatan_id=f.kecamatan)
    if f.desa:
        workers = workers.filter(desa_id=f.desa)
    if f.occupation:
        workers = workers.filter(occupation=f.occupation)
    if f.desil == DESIL_NONE:
        workers = workers.filter(desil__isnull=True)
    elif f.desil:
        workers = workers.filter(desil=int(f.desil))
    if f.sex:
        workers = workers.filter(sex=f.sex)
    if f.age in AGE_BANDS:
        born_after, born_by = birth_date_range(f.age, today or timezone.localdate())
        if born_after is not None:
            workers = workers.filter(birth_date__gt=born_after)
        if born_by is not None:
            workers = workers.filter(birth_date__lte=born_by)
    if f.status:
        workers = workers.filter(status=f.status)
    if f.source is not None:
        workers = workers.filter(workersource__source_id=f.source)
    if f.q.strip():
        workers = _search(workers, f.q.strip())
    return workers


# --- keyset pages -------------------------------------------------------------------------------
def _encode_cursor(name_key: str, pk: int) -> str:
    raw = json.dumps([name_key, pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int] | None:
    """(name_key, id) from a cursor; None for an empty or tampered one (→ the first page)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name_key, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        return None
    if not isinstance(name_key, str) or not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return name_key, pk


@dataclass(frozen=True)
class WorkerPage:
    workers: list[Worker]
    next_cursor: str | None  # pass as `after` for the next page


def worker_page(workers: WorkerQuerySet, *, after: str = "", size: int = PAGE_SIZE) -> WorkerPage:
    """One page of `workers` by (name_key, id) after the cursor: no OFFSET, no COUNT.

    The indexes (kabupaten|kecamatan|desa, name_key, id) serve this order within a scope.
    """
    workers = workers.order_by("name_key", "id")
    if position := _decode_cursor(after):
        name_key, pk = position
        workers = workers.filter(Q(name_key__gt=name_key) | Q(name_key=name_key, id__gt=pk))
    rows = list(workers.select_related("desa", "kecamatan")[: size + 1])
    last = rows[size - 1] if len(rows) > size else None
    return WorkerPage(rows[:size], _encode_cursor(last.name_key, last.pk) if last else None)


@dataclass(frozen=True)
class CappedCount:
    count: int
    more: bool  # True: there are more than `count` rows


def capped_count(workers: WorkerQuerySet, cap: int | None = None) -> CappedCount:
    """How many rows, counting at most COUNT_CAP + 1 (one bounded query on a sliced subquery)."""
    cap = COUNT_CAP if cap is None else cap
    n = workers.order_by()[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)


# --- display ------------------------------------------------------------------------------------
def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


@dataclass(frozen=True)
class Identity:
    """What `viewer` may see of a worker's identifying fields (None: hidden)."""

    nik: str
    no_kk: str
    phone: str | None
    address: str | None


def identity_for(worker: Worker, viewer: User) -> Identity:
    """NIK and No. KK masked without VIEW_NIK; phone and address hidden without VIEW_PERSONS
    (and the phone masked without VIEW_NIK)."""
    show_nik = viewer.can(Capability.VIEW_NIK)
    show_person = viewer.can(Capability.VIEW_PERSONS)

    def shown(value: str) -> str:
        return value if show_nik else mask_nik(value)

    return Identity(
        nik=shown(worker.nik),
        no_kk=shown(worker.no_kk),
        phone=shown(worker.phone) if show_person else None,
        address=worker.address if show_person else None,
    )


def _masked_value(name: str, text: str, viewer: User) -> str:
    """`text`, the value of field `name`, as `viewer` may see it (see identity_for)."""
    if text in ("", EMPTY):
        return text
    if name in NIK_FIELDS and not viewer.can(Capability.VIEW_NIK):
        return mask_nik(text)
    if name in CONTACT_FIELDS and not viewer.can(Capability.VIEW_PERSONS):
        return str(_("hidden")) if text else ""
    if name == "phone" and not viewer.can(Capability.VIEW_NIK):
        return mask_nik(text)
    return text


def worker_history(worker: Worker, *, viewer: User, limit: int = HISTORY_LIMIT) -> list[EventRow]:
    """The audit events about this worker, newest first, masked for `viewer`."""
    events = Event.objects.filter(object_type=WORKER_OBJECT_TYPE, object_id=str(worker.pk))
    return [
        EventRow(
            event,
            [
                Change(
                    name,
                    _masked_value(name, display_value(before), viewer),
                    _masked_value(name, display_value(after), viewer),
                )
                for name, before, after in event.changed_fields
            ],
        )
        for event in events.order_by("-at", "-id")[:limit]
    ]


def worker_sources(worker: Worker) -> list[WorkerSource]:
    return list(WorkerSource.objects.filter(worker=worker).select_related("source"))


def merged_records(worker: Worker, *, viewer: User) -> list[Worker]:
    """Records merged into `worker` that lie in the viewer's scope.

    The scope is checked in Python: with the area filter in SQL, SQLite's planner (whose
    statistics say merged_into is NULL almost everywhere) scans the whole kabupaten instead of
    the few merged rows."""
    merged = Worker.objects.filter(merged_into=worker).order_by("id")
    return [w for w in merged if contains(codes_for(viewer), w.desa_id)]


# --- possible duplicates ------------------------------------------------------------------------
@dataclass(frozen=True)
class DuplicatePage:
    pairs: list[PossibleDuplicate]
    next_cursor: str | None  # pass as `before` for the next (older) page


def open_duplicates(user: User) -> QuerySet[PossibleDuplicate]:
    """Open pairs whose two workers the user can both see, newest first."""
    visible = visible_workers(user).values("pk")
    return PossibleDuplicate.objects.filter(
        status=DuplicateStatus.OPEN, worker__in=visible, other__in=visible
    ).order_by("-id")


def duplicate_page(user: User, *, before: str = "", size: int = PAGE_SIZE) -> DuplicatePage:
    """One page of open pairs older than the cursor `before` (the id of the last pair shown)."""
    pairs = open_duplicates(user)
    if before.isdigit():
        pairs = pairs.filter(id__lt=int(before))
    rows = list(pairs.select_related("worker__desa", "other__desa")[: size + 1])
    return DuplicatePage(rows[:size], str(rows[size - 1].pk) if len(rows) > size else None)


def get_duplicate_for(user: User, pk: int) -> PossibleDuplicate:
    """The pair `pk` if the user can see both workers (merged-away ones included); else 404."""
    in_scope = Worker.objects.in_areas(codes_for(user)).values("pk")
    pair = (
        PossibleDuplicate.objects.filter(pk=pk, worker__in=in_scope, other__in=in_scope)
        .select_related("worker__desa", "worker__kecamatan", "other__desa", "other__kecamatan")
        .first()
    )
    if pair is None:
        raise Http404
    return pair


@dataclass(frozen=True)
class ComparedField:
    name: str
    label: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


def _display(worker: Worker, name: str) -> str:
    """One field of a worker as text, in the formats of the pages."""
    value = getattr(worker, name)
    if name in ("sex", "occupation", "status"):
        return str(getattr(worker, f"get_{name}_display")())
    if name in ("disability", "female_head"):
        return str(_("yes") if value else _("no"))
    if name == "birth_date":
        return format_date(value)
    if name == "income":
        return format_rupiah(value)
    if name == "desil":
        return format_number(value)
    return str(value or EMPTY)


COMPARED_FIELDS = [
    "nik",
    "no_kk",
    "name",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "address",
    "kecamatan",
    "desa",
    "occupation",
    "income",
    "desil",
    "disability",
    "female_head",
    "status",
]


def compare_workers(left: Worker, right: Worker, *, viewer: User) -> list[ComparedField]:
    """The two records field by field, as shown to `viewer` (masked like everywhere else)."""
    rows = []
    for name in COMPARED_FIELDS:
        if name in CONTACT_FIELDS and not viewer.can(Capability.VIEW_PERSONS):
            continue
        model_field = Worker._meta.get_field(name)
        label = str(model_field.verbose_name) if isinstance(model_field, Field) else name
        a = _masked_value(name, _display(left, name), viewer)
        b = _masked_value(name, _display(right, name), viewer)
        rows.append(ComparedField(name, label[:1].upper() + label[1:], a, b))
    return rows

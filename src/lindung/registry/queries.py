"""Reads of the registry: the scoped worker set, list filters, keyset pages, display rows.

`visible_workers(user)` is the registry's one door: every page, export and API endpoint that
shows workers starts from it, so a region-bound operator never sees a worker outside their
kecamatan/desa, and a worker outside scope is a 404, never a 403.
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import polars as pl
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.audit.labels import key_label, value_label
from lindung.audit.models import Event
from lindung.audit.queries import Change, EventRow, display_value
from lindung.formats import (
    EMPTY,
    mask_nik,
)
from lindung.regions.scope import codes_for, contains
from lindung.registry.models import (
    Worker,
    WorkerNameToken,
    WorkerQuerySet,
    WorkerSource,
)
from lindung.registry.names import query_words
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


# Separators people type or paste inside a NIK or No. KK: "5203 0112 3456 0001", "5203-01-…".
_ID_SEPARATORS = re.compile(r"[\s.\-/_]")


def id_digits(q: str) -> str | None:
    """The digits of a search for a NIK or No. KK (separators dropped), None for a name."""
    digits = _ID_SEPARATORS.sub("", q)
    return digits if digits.isdigit() and digits.isascii() else None


def _search(workers: WorkerQuerySet, q: str) -> WorkerQuerySet:
    """16 digits: that NIK or No. KK; fewer digits: NIKs starting with them (separators are
    ignored in both); else names: every word of the search must start one of the name's words,
    in any order, spelling variants and titles aside (registry.names, decision 0004). A search
    of titles alone ("lalu", "baiq") matches the start of the name."""
    digits = id_digits(q)
    if digits is not None and len(digits) == 16:
        return workers.filter(Q(nik=digits) | Q(no_kk=digits))
    if digits is not None:
        return workers.filter(_prefix("nik", digits))
    words = query_words(q)
    if not words:
        # name_key is lower case, without punctuation: byte order and collation order agree.
        return workers.filter(_prefix("name_key", name_key_for(q)))
    for prefixes in words:
        matches = Q()
        for prefix in prefixes:
            matches |= _prefix("token", prefix)
        workers = workers.filter(pk__in=WorkerNameToken.objects.filter(matches).values("worker_id"))
    return workers


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


# --- pages --------------------------------------------------------------------------------------
def order_field(f: WorkerFilter) -> str:
    """The list's order: by NIK for a search of NIK digits (the unique NIK index gives that
    order), by name otherwise; the worker id breaks ties."""
    return "nik" if id_digits(f.q.strip()) is not None else "name_key"


def _encode_cursor(*values: str | int) -> str:
    raw = json.dumps(list(values), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, texts: int = 1) -> tuple[list[str], int] | None:
    """(order values, id) from a cursor of `texts` text values and an id; None for an empty or
    tampered one (→ the first page)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != texts + 1:
        return None
    *text, pk = values
    if not all(isinstance(v, str) for v in text):
        return None
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return text, pk


@dataclass(frozen=True)
class WorkerPage:
    workers: list[Worker]
    next_cursor: str | None  # pass as `after` for the next page
    number: int | None = None  # the page number; None on a page reached by a cursor


def last_numbered_page(size: int = PAGE_SIZE) -> int:
    """Pages are numbered as far as the count goes (COUNT_CAP); past it, "next" follows a
    cursor."""
    return max(1, COUNT_CAP // size)


def worker_page(
    workers: WorkerQuerySet,
    *,
    after: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    order: str = "name_key",
) -> WorkerPage:
    """One page of `workers` by (order, id): page number `page` (1 to last_numbered_page, by
    OFFSET), or with `after` the page following that cursor (no OFFSET, no COUNT).

    The indexes (kabupaten|kecamatan|desa, name_key, id) serve the name order within a scope,
    the unique NIK index the NIK order."""
    workers = workers.order_by(order, "id")
    number: int | None = None
    if position := _decode_cursor(after):
        (value,), pk = position
        workers = workers.filter(Q(**{f"{order}__gt": value}) | Q(**{order: value, "id__gt": pk}))
        start = 0
    else:
        number = min(max(page, 1), last_numbered_page(size))
        start = (number - 1) * size
    rows = list(workers.select_related("desa", "kecamatan")[start : start + size + 1])
    last = rows[size - 1] if len(rows) > size else None
    cursor = _encode_cursor(str(getattr(last, order)), last.pk) if last else None
    return WorkerPage(rows[:size], cursor, number)


# --- name search -------------------------------------------------------------------------------
def _name_words(f: WorkerFilter) -> list[tuple[str, ...]]:
    """The words of a name search (see _search); [] for no search, digits or titles alone."""
    q = f.q.strip()
    if not q or id_digits(q) is not None:
        return []
    return query_words(q)


def _ranges(prefixes: tuple[str, ...]) -> Q:
    matches = Q()
    for prefix in prefixes:
        matches |= _prefix("token", prefix)
    return matches


def _name_matches(
    user: User, f: WorkerFilter, words: list[tuple[str, ...]]
) -> list[QuerySet[WorkerNameToken]]:
    """The matching workers as token rows, one per worker (the worker's first token that the
    search's rarest word matches), within the user's wilayah (the token's copies of the
    worker's codes, so that one index answers); the other words checked on the worker's own
    tokens. One query per prefix of the leading word, in token order: each is read in its
    index order, without a sort."""
    codes = tuple(codes_for(user))
    tokens = _scoped_tokens(codes, f)
    if len(words) > 1:  # the rarest word leads: its matches are read, the others checked
        words = list(_rarest_first(codes, f, tuple(words)))
    lead, *others = words
    # The worker's first token in the leading word's ranges, and whether the worker has one in
    # another word's: written as scalar subqueries (one primary-key probe per row read), which
    # PostgreSQL, unlike EXISTS, never turns into a hash join over every token of the range.
    of_worker = WorkerNameToken.objects.filter(worker_id=OuterRef("worker_id")).order_by("token")
    # ("<=" is "=" here, the row's own token being in the ranges, but it keeps PostgreSQL's
    # estimate of the matches high enough to read the index in order rather than sort.)
    tokens = tokens.filter(token__lte=Subquery(of_worker.filter(_ranges(lead)).values("token")[:1]))
    for n, word in enumerate(others):
        first = Subquery(of_worker.filter(_ranges(word)).values("token")[:1])
        tokens = tokens.alias(**{f"_word_{n}": first}).filter(**{f"_word_{n}__isnull": False})
    # query_words gives prefixes none of which starts another: their ranges do not overlap.
    return [tokens.filter(_prefix("token", prefix)) for prefix in sorted(lead)]


def _scoped_tokens(codes: tuple[str, ...], f: WorkerFilter) -> QuerySet[WorkerNameToken]:
    """The tokens of the workers in `codes` that pass the filters of `f` other than `q`."""
    tokens = WorkerNameToken.objects.in_areas(list(codes))
    if f.kecamatan:
        tokens = tokens.filter(kecamatan=f.kecamatan)
    if f.desa:
        tokens = tokens.filter(desa=f.desa)
    rest = replace(f, q="", kecamatan="", desa="")
    if rest != WorkerFilter():
        tokens = tokens.filter(worker__in=filter_workers(Worker.objects.all(), rest).values("pk"))
    return tokens


# How far the words of a search are counted to choose the one that leads: first to COUNT_CAP,
# then, if more than one word reaches it, those words further (Muhammad 21 %, Ahmad 8 %).
LEAD_COUNT_CAP = 100_000


# Kept for the recent searches (a page and its count, the next pages ask again): only how fast
# a search runs depends on the order, never what it finds, so an old one does no harm.
@lru_cache(maxsize=1_024)
def _rarest_first(
    codes: tuple[str, ...], f: WorkerFilter, words: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], ...]:
    tokens = _scoped_tokens(codes, f)
    counts = {w: tokens.filter(_ranges(w)).order_by()[: COUNT_CAP + 1].count() for w in words}
    common = [w for w, n in counts.items() if n > COUNT_CAP]
    if len(common) > 1:
        for w in common:
            counts[w] = tokens.filter(_ranges(w)).order_by()[:LEAD_COUNT_CAP].count()
    return tuple(sorted(words, key=counts.__getitem__))


def _name_count(streams: list[QuerySet[WorkerNameToken]]) -> "CappedCount":
    total = 0
    for tokens in streams:
        total += tokens.order_by()[: COUNT_CAP + 1 - total].count()
        if total > COUNT_CAP:
            return CappedCount(COUNT_CAP, True)
    return CappedCount(total, False)


def _name_page(
    user: User, streams: list[QuerySet[WorkerNameToken]], *, after: str, page: int, size: int
) -> WorkerPage:
    """A page of a name search in (matched word, name, id) order: the index order of the
    tokens, so a page reads its rows and no more, whatever the number of matches."""
    number: int | None = None
    position = _decode_cursor(after, texts=2)
    if position:
        (token, name_key), pk = position
        after_cursor = Q(token__gte=token) & (
            Q(token__gt=token)
            | Q(token=token, name_key__gt=name_key)
            | Q(token=token, name_key=name_key, worker_id__gt=pk)
        )
        streams = [tokens.filter(after_cursor) for tokens in streams]
        skip = 0
    else:
        number = min(max(page, 1), last_numbered_page(size))
        skip = (number - 1) * size
    rows: list[tuple[str, str, int]] = []
    for tokens in streams:
        ordered = tokens.order_by("token", "name_key", "worker_id")
        wanted = size + 1 - len(rows)
        got = list(ordered.values_list("token", "name_key", "worker_id")[skip : skip + wanted])
        if got:
            rows += got
            skip = 0
        elif skip:  # the page starts past this stream: skip as many rows as it has
            skip -= ordered[:skip].count()
        if len(rows) > size:
            break
    shown = [pk for _t, _k, pk in rows[:size]]
    found = visible_workers(user).select_related("desa", "kecamatan").in_bulk(shown)
    cursor = _encode_cursor(*rows[size - 1]) if len(rows) > size else None
    return WorkerPage([found[pk] for pk in shown if pk in found], cursor, number)


def list_page(
    user: User,
    f: WorkerFilter,
    *,
    after: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    total: "CappedCount | None" = None,
) -> WorkerPage:
    """The page of the registry list (and the API) for `user` and the filters `f`: a name
    search in (matched word, name) order, a NIK search by NIK, else by name. With the `total`
    that list_count gave, no query is made for nothing and a page number past the last is the
    last."""
    if total is not None and not total.more and not after:
        if total.count == 0:
            return WorkerPage([], None, 1)
        page = min(page, -(-total.count // size))
    if words := _name_words(f):
        return _name_page(user, _name_matches(user, f, words), after=after, page=page, size=size)
    workers = filter_workers(visible_workers(user), f)
    return worker_page(workers, after=after, page=page, size=size, order=order_field(f))


def list_count(user: User, f: WorkerFilter) -> "CappedCount":
    """How many workers list_page pages through, counted up to COUNT_CAP."""
    if words := _name_words(f):
        return _name_count(_name_matches(user, f, words))
    return capped_count(filter_workers(visible_workers(user), f))


@dataclass(frozen=True)
class CappedCount:
    count: int
    more: bool  # True: there are more than `count` rows


def capped_count(workers: QuerySet[Any], cap: int | None = None) -> CappedCount:
    """How many rows, counting at most COUNT_CAP + 1 (one bounded query on a sliced subquery)."""
    cap = COUNT_CAP if cap is None else cap
    n = workers.order_by()[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)


@dataclass(frozen=True)
class Pages:
    """The page links under a list: numbers (None for a gap: 1 2 3 … 38 39 40), previous and
    next (a number, or for the page after the last numbered one a cursor)."""

    links: list[int | None]
    previous: int | None
    next: int | None
    next_cursor: str | None
    current: int | None


def page_links(current: int, last: int, *, around: int = 2, ends: int = 3) -> list[int | None]:
    """The page numbers to show: the first and last `ends`, `around` either side of
    `current`, None where numbers are left out."""
    shown = {
        n for n in range(1, last + 1) if n <= ends or n > last - ends or abs(n - current) <= around
    }
    links: list[int | None] = []
    for n in sorted(shown):
        if links and links[-1] is not None and n != links[-1] + 1:
            links.append(None)
        links.append(n)
    return links


def pages_for(page: WorkerPage, total: CappedCount, size: int = PAGE_SIZE) -> Pages:
    if page.number is None:  # past the numbered pages: only onwards (and back to the first)
        return Pages([], None, None, page.next_cursor, None)
    last = min(max(1, -(-total.count // size)), last_numbered_page(size))
    number = min(page.number, last)
    beyond = page.next_cursor if number == last and total.more else None
    return Pages(
        page_links(number, last) if last > 1 else [],
        number - 1 if number > 1 else None,
        number + 1 if number < last else None,
        beyond,
        number,
    )


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


def masked_value(name: str, text: str, viewer: User) -> str:
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
                    masked_value(name, _shown(name, before), viewer),
                    masked_value(name, _shown(name, after), viewer),
                    key_label(WORKER_OBJECT_TYPE, name),
                )
                for name, before, after in event.changed_fields
            ],
        )
        for event in events.order_by("-at", "-id")[:limit]
    ]


def _shown(name: str, value: Any) -> str:
    """A stored value of the worker's field `name` as the page shows it (choices by label)."""
    return display_value(value_label(WORKER_OBJECT_TYPE, name, value))


def worker_sources(worker: Worker) -> list[WorkerSource]:
    return list(WorkerSource.objects.filter(worker=worker).select_related("source"))


def merged_records(worker: Worker, *, viewer: User) -> list[Worker]:
    """Records merged into `worker` that lie in the viewer's scope.

    The scope is checked in Python: with the area filter in SQL, SQLite's planner (whose
    statistics say merged_into is NULL almost everywhere) scans the whole kabupaten instead of
    the few merged rows."""
    merged = Worker.objects.filter(merged_into=worker).order_by("id")
    return [w for w in merged if contains(codes_for(viewer), w.desa_id)]

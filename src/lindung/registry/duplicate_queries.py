"""Reads of the possible duplicates: the open pairs a user may review, and two records compared
field by field as the user may see them."""

from dataclasses import dataclass

from django.db.models import Field, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.formats import EMPTY, format_date, format_number, format_rupiah
from lindung.regions.scope import codes_for
from lindung.registry.models import DuplicateStatus, PossibleDuplicate, Worker
from lindung.registry.queries import CONTACT_FIELDS, PAGE_SIZE, masked_value, visible_workers
from lindung.roles import Capability


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
        a = masked_value(name, _display(left, name), viewer)
        b = masked_value(name, _display(right, name), viewer)
        rows.append(ComparedField(name, label[:1].upper() + label[1:], a, b))
    return rows

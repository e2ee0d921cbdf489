"""The approved beneficiary lists over the JSON API (for BPJS enrollment and other systems).

Scoped and masked like the pages: entries and changes only for roles that see persons
(accounts.person_level), within their wilayah, NIK masked without VIEW_NIK; 500 entries a page
with a keyset cursor.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from lindung.accounts.models import User
from lindung.formats import mask_nik
from lindung.regions.scope import kabupaten_for
from lindung.roles import Capability
from lindung.targeting.lists import (
    lists_with_status,
    summary_in_scope,
    visible_changes,
    visible_entries,
)
from lindung.targeting.models import BeneficiaryList

router = Router(tags=["targeting"])
PAGE = 500


class SourceTotals(Schema):
    selected: int
    cost: int
    budget: int


class ListOut(Schema):
    number: int
    kabupaten: str = Field(description="Code of the regency/city whose list it is, e.g. 52.03")
    fiscal_year: int
    version: int
    in_force: bool
    previous: int | None = Field(description="Number of the list this one replaces")
    decree: str
    decree_date: datetime.date | None = Field(description="Date of the signed decree (SK)")
    selected: int
    cost: int
    by_source: dict[str, SourceTotals]
    added: int
    removed: int
    moved: int
    approved_at: datetime.datetime
    approved_by: str


class EntryOut(Schema):
    worker_id: int
    nik: str = Field(description="Masked (5203********0001) for roles without VIEW_NIK")
    name: str
    sex: str
    birth_date: datetime.date
    occupation: str
    desa: str
    kecamatan: str
    source: str
    rank: int
    cost: int = Field(description="Contributions for the fiscal year, rupiah")


class EntryPageOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class ChangeOut(Schema):
    worker_id: int
    kind: str = Field(description="added, removed or moved (another funding source)")
    source_before: str
    source_after: str
    nik: str
    name: str
    desa: str
    kecamatan: str


class ChangePageOut(Schema):
    items: list[ChangeOut]
    next_cursor: str | None


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # django_auth has let only logged-in users through
        raise PermissionDenied
    return user


def _list_out(item: Any, user: User) -> ListOut:
    """`item` comes from lists_with_status (it carries `in_force`); its totals are those of the
    user's wilayah (a kecamatan or desa operator sees their area's, not the kabupaten's)."""
    totals = summary_in_scope(user, item)
    return ListOut(
        number=item.number,
        kabupaten=item.kabupaten,
        fiscal_year=item.fiscal_year,
        version=item.version,
        in_force=item.in_force,
        previous=item.previous.number if item.previous else None,
        decree=item.decree,
        decree_date=item.decree_date,
        selected=totals["selected"],
        cost=totals["cost"],
        by_source={code: SourceTotals(**figures) for code, figures in totals["by_source"].items()},
        added=totals["added"],
        removed=totals["removed"],
        moved=totals["moved"],
        approved_at=item.approved_at,
        approved_by=item.approved_by_label,
    )


def _page(rows: QuerySet[Any], cursor: str) -> tuple[list[Any], str | None]:
    """A keyset page of `rows` by primary key: PAGE rows after `cursor`, and the next cursor."""
    after = int(cursor) if cursor.isdigit() else 0
    found = list(rows.filter(pk__gt=after).order_by("pk")[: PAGE + 1])
    return found[:PAGE], str(found[PAGE - 1].pk) if len(found) > PAGE else None


@router.get("/lists/", response=list[ListOut])
def list_index(request: HttpRequest, fiscal_year: int | None = None) -> list[ListOut]:
    """Approved lists, newest first (totals only)."""
    user = _user(request)
    lists = lists_with_status(kabupaten_for(user))
    if fiscal_year is not None:
        lists = lists.filter(fiscal_year=fiscal_year)
    return [_list_out(item, user) for item in lists]


@router.get("/lists/{number}", response=ListOut)
def list_detail(request: HttpRequest, number: int) -> ListOut:
    user = _user(request)
    return _list_out(get_object_or_404(lists_with_status(kabupaten_for(user)), number=number), user)


@router.get("/lists/{number}/entries", response=EntryPageOut)
def list_entries(request: HttpRequest, number: int, cursor: str = "") -> EntryPageOut:
    """The list's workers in the caller's wilayah, 500 a page; pass next_cursor as `cursor`."""
    user = _user(request)
    approved = get_object_or_404(
        BeneficiaryList.objects.filter(kabupaten__in=kabupaten_for(user)), number=number
    )
    rows, next_cursor = _page(visible_entries(user, approved), cursor)
    show_nik = user.can(Capability.VIEW_NIK)
    items = [
        EntryOut(
            worker_id=e.worker_id,
            nik=e.nik if show_nik else mask_nik(e.nik),
            name=e.name,
            sex=e.sex,
            birth_date=e.birth_date,
            occupation=e.occupation,
            desa=e.desa_id,
            kecamatan=e.kecamatan_id,
            source=e.source,
            rank=e.rank,
            cost=e.cost,
        )
        for e in rows
    ]
    return EntryPageOut(items=items, next_cursor=next_cursor)


@router.get("/lists/{number}/changes", response=ChangePageOut)
def list_changes(request: HttpRequest, number: int, cursor: str = "") -> ChangePageOut:
    """The differences from the list this one replaces, in the caller's wilayah."""
    user = _user(request)
    approved = get_object_or_404(
        BeneficiaryList.objects.filter(kabupaten__in=kabupaten_for(user)), number=number
    )
    rows, next_cursor = _page(visible_changes(user, approved), cursor)
    show_nik = user.can(Capability.VIEW_NIK)
    items = [
        ChangeOut(
            worker_id=c.worker_id,
            kind=c.kind,
            source_before=c.source_before,
            source_after=c.source_after,
            nik=c.nik if show_nik else mask_nik(c.nik),
            name=c.name,
            desa=c.desa_id,
            kecamatan=c.kecamatan_id,
        )
        for c in rows
    ]
    return ChangePageOut(items=items, next_cursor=next_cursor)

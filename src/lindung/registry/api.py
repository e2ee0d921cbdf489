"""The registry over the JSON API: the list with the page's filters and a keyset cursor, and one
worker by NIK (POSTed: a NIK never goes in a URL, which reaches the access log). Scoped and
masked exactly like the HTML pages."""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from lindung.accounts.models import User
from lindung.registry import queries
from lindung.registry.models import Occupation, Sex, Worker, WorkerStatus

router = Router(tags=["registry"])


class WorkerQuery(Schema):
    kecamatan: str = Field("", description="Kecamatan code, e.g. 52.03.07")
    desa: str = Field("", description="Desa/kelurahan code, e.g. 52.03.07.1001")
    occupation: Occupation | None = None
    desil: str = Field("", pattern=r"^(|[1-9]|10|none)$", description="1-10, or none")
    sex: Sex | None = None
    age: str = Field("", description="One of " + ", ".join(queries.AGE_BANDS))
    status: WorkerStatus | None = None
    source: int | None = Field(None, description="Source id")
    q: str = Field(
        "",
        max_length=100,
        description="A NIK or No. KK (16 digits; spaces, dots and dashes ignored), the first "
        "digits of a NIK, or words of a name in any order (each the start of a word of the name; "
        "spelling variants such as Muhamad/Muhammad and titles such as H., Lalu, Baiq ignored)",
    )
    cursor: str = Field("", description="next_cursor of the previous page")

    @field_validator("age")
    @classmethod
    def _known_band(cls, value: str) -> str:
        if value and value not in queries.AGE_BANDS:
            raise ValueError("unknown age band")
        return value

    def worker_filter(self) -> queries.WorkerFilter:
        return queries.WorkerFilter(
            kecamatan=self.kecamatan,
            desa=self.desa,
            occupation=self.occupation or "",
            desil=self.desil,
            sex=self.sex or "",
            age=self.age,
            status=self.status or "",
            source=self.source,
            q=self.q,
        )


class WorkerOut(Schema):
    id: int
    nik: str = Field(description="Masked (5203********0001) for roles without VIEW_NIK")
    no_kk: str
    name: str
    sex: str
    birth_date: datetime.date
    birth_place: str
    phone: str | None = Field(description="null for roles that do not see persons")
    address: str | None
    kabupaten: str
    kecamatan: str
    desa: str
    occupation: str
    income: int | None
    desil: int | None
    disability: bool
    female_head: bool
    status: str
    updated_at: datetime.datetime


class WorkerPageOut(Schema):
    items: list[WorkerOut]
    next_cursor: str | None


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # django_auth has let only logged-in users through
        raise PermissionDenied
    return request.user


def _out(worker: Worker, viewer: User) -> WorkerOut:
    identity = queries.identity_for(worker, viewer)
    return WorkerOut(
        id=worker.pk,
        nik=identity.nik,
        no_kk=identity.no_kk,
        name=worker.name,
        sex=worker.sex,
        birth_date=worker.birth_date,
        birth_place=worker.birth_place,
        phone=identity.phone,
        address=identity.address,
        kabupaten=worker.kabupaten_id,
        kecamatan=worker.kecamatan_id,
        desa=worker.desa_id,
        occupation=worker.occupation,
        income=worker.income,
        desil=worker.desil,
        disability=worker.disability,
        female_head=worker.female_head,
        status=worker.status,
        updated_at=worker.updated_at,
    )


@router.get("/workers/", response=WorkerPageOut)
def worker_list(request: HttpRequest, filters: Query[WorkerQuery]) -> WorkerPageOut:
    """Workers in the caller's wilayah by name, 50 a page; pass next_cursor as `cursor`."""
    user = _user(request)
    page = queries.list_page(user, filters.worker_filter(), after=filters.cursor)
    return WorkerPageOut(items=[_out(w, user) for w in page.workers], next_cursor=page.next_cursor)


class LookupIn(Schema):
    nik: str = Field(max_length=40, description="16 digits; spaces, dots and dashes are ignored")


@router.post("/workers/lookup", response=WorkerOut)
def worker_lookup(request: HttpRequest, lookup: LookupIn) -> WorkerOut:
    """One worker by NIK, sent in the body; 404 when unknown or outside the caller's wilayah.

    Like every POST of a session, it needs the CSRF token in the X-CSRFToken header."""
    user = _user(request)
    nik = re.sub(r"[\s.\-]", "", lookup.nik)
    worker = queries.visible_workers(user).filter(nik=nik).first()
    if worker is None:
        raise Http404
    return _out(worker, user)

"""Every URL of the project (pages, htmx fragments, downloads, API), walked as every role.

The routes come from the URL resolver, so a route added later is walked without touching this
file; only a new kind of path argument needs a row in FILL. Two checks:

- pimpinan (aggregates only) gets 403 on every person-level route and sees no worker's name,
  NIK (full or masked) or birth date anywhere, nor a link to a person-level page;
- area-bound roles never see a person of another area, with the other area's objects in the
  path and its codes, NIKs and names in the filters and searches.
"""

import datetime
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from lindung.accounts.models import User
from lindung.accounts.person_level import (
    AGGREGATE,
    PERSON_LEVEL,
    declared,
    is_aggregate,
    route_keys,
)
from lindung.accounts.tests.factories import UserFactory, operator_desa, operator_kecamatan
from lindung.claims import services as claim_services
from lindung.claims.models import Claim
from lindung.claims.models import Event as ClaimEvent
from lindung.formats import mask_nik
from lindung.jobs.models import Job
from lindung.registry import imports, services
from lindung.registry.background import start_worker_export
from lindung.registry.models import ImportBatch, MoveRequest, PossibleDuplicate, Sex, Worker
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.roles import Role
from lindung.rules.models import PolicyVersion
from lindung.targeting.approval import approve
from lindung.targeting.services import run_scenario

pytestmark = pytest.mark.django_db

HOME_DESA = "52.03.07.1001"  # Pancor: the desa operator's desa, in the kecamatan operator's
NEIGHBOUR_DESA = "52.03.07.1002"  # Kel. Selong: same kecamatan, another desa
OTHER_DESA = "52.03.08.2001"  # Bagik Papan, Kecamatan Pringgabaya
YEAR = 2027
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_HEADER = "No;NIK;Nama Lengkap;JK;Tgl Lahir;Desa/Kelurahan;Kecamatan;Pekerjaan;Penghasilan"
ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")
MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"


# --- the routes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    view_name: str
    route: str  # as Django joins it, e.g. "pekerja/<int:pk>/"

    @property
    def keys(self) -> set[str]:
        return route_keys(self.view_name, self.route)

    @property
    def person_level(self) -> bool:
        return declared(self.keys, PERSON_LEVEL)

    def lookup_order(self) -> list[str]:
        """Declaration keys from the most specific to the least, then the bare argument."""
        prefixes = sorted((k for k in self.keys if k.endswith("/*")), key=len, reverse=True)
        namespaces = [k for k in self.keys if k.endswith(":*")]
        return [self.view_name, "/" + self.route, *prefixes, *namespaces, ""]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            assert isinstance(pattern.pattern, RoutePattern), f"{pattern}: walk regex patterns too"
            name = ":".join(filter(None, [namespace, pattern.name or ""]))
            yield Route(name, prefix + str(pattern.pattern))


def all_routes() -> list[Route]:
    """Every URL pattern of the project, the API's routes included (ninja gives Django ones)."""
    return list(_walk(get_resolver().url_patterns))


def test_every_route_is_declared_person_level_or_aggregate() -> None:
    routes = all_routes()
    assert len(routes) > 50
    undeclared = [r.route for r in routes if not r.person_level and not declared(r.keys, AGGREGATE)]
    both = [r.route for r in routes if r.person_level and declared(r.keys, AGGREGATE)]
    assert undeclared == [], "declare these in accounts/person_level.py"
    assert both == [], "a route is either person-level or aggregate"


def test_every_declaration_names_a_route() -> None:
    keys = set().union(*(r.keys for r in all_routes()))
    assert sorted((PERSON_LEVEL | AGGREGATE) - keys) == []


# --- the objects --------------------------------------------------------------------------------
@dataclass
class Area:
    """One area's workers and the objects that belong to it, with the texts that identify its
    persons."""

    desa: str
    workers: list[Worker]
    pair: PossibleDuplicate
    batch: ImportBatch
    operator: User
    import_rows: list[tuple[str, str]]  # (NIK, name) of the checked, not committed, file
    move: MoveRequest  # a request to move one of the area's workers
    job: Job  # the operator's export of the area's workers (a background job with its file)
    event: ClaimEvent  # an accident of one of the area's workers, reported by its operator
    claim: Claim  # its claim

    def markers(self, *, birth_dates: bool = False) -> set[str]:
        found = {w.name for w in self.workers} | {w.nik for w in self.workers}
        found |= {mask_nik(w.nik) for w in self.workers}
        for nik, name in self.import_rows:
            found |= {nik, mask_nik(nik)} | ({name} if name else set())
        if birth_dates:
            for born in {w.birth_date for w in self.workers}:
                found |= {born.isoformat(), f"{born:%d-%m-%Y}", f"{born:%d/%m/%Y}"}
                found.add(f"{born.day} {MONTHS.split()[born.month - 1]} {born.year}")
        return found


def _area(desa: str, token: str, serial: int, operator: User, born: datetime.date) -> Area:
    """Three workers of `desa` (two of them a possible duplicate), named after `token`, their
    NIKs ending in `serial`…; an import checked by the area's operator; an audited edit."""
    kecamatan = desa[:8]

    def worker(first: str, n: int) -> Worker:
        nik = nik_for(kecamatan, born, Sex.FEMALE, serial + n)
        name = f"{first} {token}"
        return WorkerFactory(
            desa_id=desa, nik=nik, name=name, name_key=name.lower(), sex=Sex.FEMALE,
            birth_date=born, desil=3,
        )  # fmt: skip

    one, twin_a, twin_b = worker("Inaq", 0), worker("Baiq", 1), worker("Baiq", 2)
    low, high = sorted((twin_a, twin_b), key=lambda w: w.pk)
    pair = PossibleDuplicate.objects.create(worker=low, other=high, score=92)
    services.update_worker(by=operator, worker=one, changes={"phone": "081299990000"})
    desa_name = {OTHER_DESA: "Bagik Papan", NEIGHBOUR_DESA: "Kel. Selong"}.get(desa, "Pancor")
    kecamatan_name = "Pringgabaya" if kecamatan == "52.03.08" else "Selong"
    rows = [
        (nik_for(kecamatan, born, Sex.FEMALE, serial + 3), f"Papuq {token}"),
        (nik_for(kecamatan, born, Sex.FEMALE, serial + 4), ""),  # rejected: no name
    ]
    lines = [IMPORT_HEADER] + [
        f"{n};{nik};{name};P;{born:%d-%m-%Y};{desa_name};{kecamatan_name};Petani;1.500.000"
        for n, (nik, name) in enumerate(rows, 1)
    ]
    batch = imports.start_import(
        by=operator,
        upload=io.BytesIO("\n".join(lines).encode()),
        file_name=f"daftar {token}.csv",
        source="DTKS 2025",
    )
    kabupaten_operator = UserFactory(role=Role.OPERATOR_KABUPATEN, username=f"kab.{token}")
    move = services.request_move(
        by=kabupaten_operator, worker=twin_b, target_desa=desa, fields={"phone": "081377770000"}
    )
    job = start_worker_export(by=operator, query="")
    event = claim_services.report_event(
        by=operator, worker=one, kind="accident", occurred_on=datetime.date(2026, 6, 1),
        place="Sawah", cause="at_work",
    )  # fmt: skip
    claim = claim_services.open_claim(by=operator, event=event, kind="jkk-medical")
    return Area(desa, [one, twin_a, twin_b], pair, batch, operator, rows, move, job, event, claim)


@dataclass
class World:
    home: Area
    neighbour: Area
    other: Area
    scenario_id: int
    list_numbers: list[int]
    policy_numbers: list[int]

    def values(self, area: Area, kind: str) -> list[str]:
        """Path arguments of one kind, from `area` where the object belongs to an area."""
        table: dict[str, list[Any]] = {
            "worker": [w.pk for w in area.workers],
            "nik": [w.nik for w in area.workers],
            "pair": [area.pair.pk],
            "move": [area.move.pk],
            "batch": [area.batch.pk],
            "user": [area.operator.pk],
            "desa": [area.desa, area.desa[:8]],
            "scenario": [self.scenario_id],
            "list": self.list_numbers,
            "policy": self.policy_numbers or [1],
            "kind": ["jkm"],
            "fmt": ["xlsx", "csv"],
            "job": [area.job.pk],
            "event": [area.event.pk],
            "claim": [area.claim.pk],
            "claim_number": [area.claim.number],
            "year": ["2026"],
        }
        return [str(v) for v in table[kind]]


# How to fill each path argument: (declaration key, argument) -> kind of World.values. The most
# specific key wins (view name, route, route prefix, namespace, then "" for any route).
FILL: dict[tuple[str, str], str] = {
    ("/pekerja/duplikat/*", "pk"): "pair",
    ("/pekerja/pindah/*", "pk"): "move",
    ("registry:*", "pk"): "worker",
    ("rules:nominate", "pk"): "worker",
    ("rules:policy-detail", "number"): "policy",
    ("accounts:*", "pk"): "user",
    ("targeting:*", "pk"): "scenario",
    ("claims:event-detail", "pk"): "event",
    ("claims:claim-open", "pk"): "event",
    ("/klaim/*", "pk"): "claim",
    ("/klaim/*", "worker_pk"): "worker",
    ("/api/v1/claims/<number>", "number"): "claim_number",
    ("", "year"): "year",
    ("", "number"): "list",
    ("", "pk"): "worker",
    ("", "batch_id"): "batch",
    ("", "nik"): "nik",
    ("", "code"): "desa",
    ("", "kind"): "kind",
    ("", "job_id"): "job",
    ("", "fmt"): "fmt",
}


def _fill_kind(route: Route, argument: str) -> str:
    for key in route.lookup_order():
        if (key, argument) in FILL:
            return FILL[key, argument]
    raise AssertionError(f"{route.route}: add a row for <{argument}> to FILL")


def urls_for(route: Route, world: World, area: Area) -> list[str]:
    """The route with every combination of `area`'s objects in its path; a route without path
    arguments also with the area's codes, a NIK and a name start as filters and searches."""
    arguments = ARGUMENT.findall(route.route)
    choices = [world.values(area, _fill_kind(route, a)) for a in arguments]
    urls = []
    for combination in itertools.product(*choices):
        path = route.route
        for argument, value in zip(arguments, combination, strict=True):
            path = re.sub(rf"<(?:\w+:)?{argument}>", value, path)
        urls.append("/" + path)
    if not arguments:
        base = urls[0]
        searches = [
            {"q": area.workers[0].nik},
            {"q": area.workers[0].name.split()[1]},  # the distinctive token, not the full name
            {"kecamatan": area.desa[:8], "desa": area.desa, "area": area.desa},
        ]
        urls += [base + "?" + urlencode(search) for search in searches]
    return urls


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.VAR_DIR = tmp_path
    home_op = operator_desa(HOME_DESA, username="op.home")
    neighbour_op = operator_desa(NEIGHBOUR_DESA, username="op.neighbour")
    other_op = operator_kecamatan("52.03.08", username="op.other")
    home = _area(HOME_DESA, "Rumahwati", 9101, home_op, datetime.date(1961, 4, 17))
    neighbour = _area(NEIGHBOUR_DESA, "Tetanggawati", 9201, neighbour_op,
                      datetime.date(1962, 6, 19))  # fmt: skip
    other = _area(OTHER_DESA, "Seberangwati", 9301, other_op, datetime.date(1957, 3, 13))
    first = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 10**10, "dbhcht": 0})
    approved = approve(by="test", scenario=first, decree="188.45/1/2027")
    smaller = run_scenario(by="test", fiscal_year=YEAR, budgets={"apbd": 3 * 12 * 16_800})
    revised = approve(by="test", scenario=smaller, note="APBD-P")
    assert approved.entries.count() > revised.entries.count() == 3  # so the revision has changes
    policies = list(PolicyVersion.objects.values_list("number", flat=True)[:1])
    return World(home, neighbour, other, first.pk, [approved.number, revised.number], policies)


# --- reading the answers ------------------------------------------------------------------------
def _text(response: Any) -> str:
    """The answer as text: HTML/JSON as they are, XLSX cell by cell, PDF as extracted text."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if kind.startswith(XLSX):
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return "\n".join(
            "\t".join(str(cell) for cell in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return bytes(content).decode(errors="replace")


def _leaks(url: str, text: str, markers: set[str]) -> list[str]:
    """Markers in `text`, except those the URL itself carries (a search box shows its query)."""
    asked = unquote(url)
    squeezed = re.sub(r"\s+", "", text)
    return sorted(
        m for m in markers if m not in asked and (m in text or re.sub(r"\s+", "", m) in squeezed)
    )


def _get(client: Client, url: str, problems: list[str]) -> tuple[Any, str]:
    headers = {"HX-Request": "true"} if "?" in url else {}  # searches as htmx fragments too
    try:
        response = client.get(url, headers=headers)
    except Exception as error:  # every failing route is listed, not only the first
        problems.append(f"GET {url}: {type(error).__name__}: {error}")
        return None, ""
    if response.status_code >= 500:
        problems.append(f"GET {url}: {response.status_code}")
    return response, _text(response)


def _links(html: str) -> set[str]:
    found = re.findall(r'(?:href|hx-get|hx-post|action)="(/[^"]*)"', html)
    return {urlsplit(link).path for link in found if not link.startswith("/static/")}


# What every signed-in user may post about themselves: leaving, and the language of their pages.
OWN_POSTS = {"accounts:logout", "set-language"}


# --- pimpinan -----------------------------------------------------------------------------------
def test_pimpinan_gets_403_and_no_person_on_every_route(client: Client, world: World) -> None:
    client.force_login(UserFactory(role=Role.PIMPINAN))
    markers = set().union(
        *(a.markers(birth_dates=True) for a in (world.home, world.neighbour, world.other))
    )
    problems: list[str] = []
    walked = 0
    for route in all_routes():
        for url in urls_for(route, world, world.other):
            response, text = _get(client, url, problems)
            walked += 1
            if response is None:
                continue
            if route.person_level and response.status_code != 403:
                problems.append(f"GET {url}: {response.status_code}, not 403")
            if leaks := _leaks(url, text, markers):
                problems.append(f"GET {url}: {response.status_code} shows {leaks}")
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                problems += [
                    f"{url} links to the person-level {link}"
                    for link in _links(text)
                    if not _opens_for_pimpinan(link)
                ]
            post_only = response.status_code == 405 and route.view_name not in OWN_POSTS
            if (route.person_level or post_only) and "?" not in url:
                status = client.post(url).status_code
                if status not in ({403} if route.person_level else {403, 405}):
                    problems.append(f"POST {url}: {status}, not refused")
    assert walked > 100
    assert problems == []


def _opens_for_pimpinan(path: str) -> bool:
    try:
        match = get_resolver().resolve(path)
    except Resolver404:
        return True  # not a page of ours
    return is_aggregate(match)


def test_pimpinan_does_not_see_the_worker_menu(client: Client) -> None:
    client.force_login(UserFactory(role=Role.PIMPINAN))
    nav = [item.url for item in client.get("/dasbor/").context["nav_items"]]
    assert "/dasbor/" in nav and "/pekerja/" not in nav and "/sasaran/daftar/" not in nav
    client.force_login(operator_desa())
    assert "/pekerja/" in [item.url for item in client.get("/dasbor/").context["nav_items"]]


def test_pimpinan_gets_403_as_json_from_the_api(client: Client, world: World) -> None:
    client.force_login(UserFactory(role=Role.PIMPINAN))
    response = client.get("/api/v1/registry/workers/", {"q": world.other.workers[0].nik})
    assert response.status_code == 403 and "detail" in response.json()
    assert client.get("/api/v1/targeting/lists/").status_code == 200  # totals only


def test_anonymous_requests_still_go_to_the_login(client: Client) -> None:
    assert client.get("/pekerja/").status_code == 302
    assert client.get("/api/v1/registry/workers/").status_code == 401


# --- every role, another area -------------------------------------------------------------------
def _user(role: str) -> User:
    if role == Role.OPERATOR_KECAMATAN:
        return operator_kecamatan("52.03.07", username="op.kecamatan")
    if role == Role.OPERATOR_DESA:
        return operator_desa(HOME_DESA, username="op.desa")
    return UserFactory(role=role)


@pytest.mark.parametrize("role", list(Role))
def test_no_role_sees_a_person_of_another_area_on_any_route(
    client: Client, world: World, role: str
) -> None:
    """Kabupaten-wide roles see the whole deployment: for them the walk only checks that every
    route answers without a server error."""
    client.force_login(_user(role))
    outside = [world.other]
    if role == Role.OPERATOR_DESA:
        outside = [world.neighbour, world.other]
    hidden: set[str] = set()
    if role in (Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA, Role.PIMPINAN):
        hidden = set().union(*(area.markers() for area in outside))
    own = world.home.workers[0].name
    problems: list[str] = []
    seen_own = False
    for route in all_routes():
        for url in [url for area in outside for url in urls_for(route, world, area)]:
            response, text = _get(client, url, problems)
            seen_own = seen_own or own in text
            if response is not None and (leaks := _leaks(url, text, hidden)):
                problems.append(f"GET {url}: {response.status_code} shows {leaks}")
    assert problems == []
    assert seen_own == (role != Role.PIMPINAN)  # the walk reached the role's own persons

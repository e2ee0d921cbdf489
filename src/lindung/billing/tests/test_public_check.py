"""The public check /cek/: a worker learns only whether they are protected, until when, by which
programs and who pays; unknown, wrong and unprotected look alike; limited per address."""

import datetime
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lindung.billing import coverage, public_views, services
from lindung.enrollment.models import Participation
from lindung.registry.models import SelfPayment, SelfPaymentOrigin, Worker
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("cek:check")
BILL_DAY = datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC)
MARCH = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)  # 1 March 2027 in Lombok
APRIL = datetime.datetime(2027, 4, 1, 9, 0, tzinfo=datetime.UTC)
UNKNOWN_NIK = "5203070101909999"
NONE_TEXT = "Tidak ditemukan perlindungan aktif untuk data ini."
# The masked CSRF token (64 letters and digits) in the form and the htmx header differs per page.
TOKEN = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    """An anonymous visitor whose browser asks for English (no language chosen on the site)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def paid(registered: list[Participation]) -> list[Participation]:
    """The five of `registered`; the APBD bill of January to June paid on 5 January 2027."""
    with time_machine.travel(BILL_DAY, tick=False):
        bill = services.make_bills(by="test", fiscal_year=2027, source="apbd")[0]
        services.pay(by="test", bill=bill, amount=bill.amount, paid_on=datetime.date(2027, 1, 5))
    return registered


def _of(participations: list[Participation], source: str) -> Participation:
    return next(p for p in participations if p.source == source)


def _check(client: Client, nik: str, birth: str, **extra: Any) -> Any:
    return client.post(PAGE, {"nik": nik, "birth_date": birth}, **extra)


def _body(response: Any) -> str:
    return str(response.content.decode())


def _same_page(response: Any) -> str:
    return TOKEN.sub("TOKEN", _body(response))


def _leaks(body: str, participation: Participation) -> list[str]:
    """The person's identifying details that appear in the page."""
    worker = Worker.objects.get(pk=participation.worker_id)
    facts = {
        "nik": participation.nik,
        "nik spaced": " ".join(re.findall(r"\d{4}", participation.nik)),
        "name": worker.name,
        "kpj": participation.kpj,
        "desa": participation.desa_id,
        "birth date": worker.birth_date.isoformat(),
        "birth date typed": worker.birth_date.strftime("%d-%m-%Y"),
    }
    return [what for what, value in facts.items() if value and value in body]


@time_machine.travel(MARCH, tick=False)
def test_a_protected_worker_sees_until_when_which_programs_and_who_pays(
    paid: list[Participation], visitor: Client
) -> None:
    apbd = _of(paid, "apbd")
    response = _check(visitor, apbd.nik, "1980-05-28")
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="cek-protected"' in body
    assert "Anda terlindungi BPJS Ketenagakerjaan." in body
    assert '<dd data-testid="cek-until">30 Juni 2027</dd>' in body
    assert "JKK (Jaminan Kecelakaan Kerja), JKM (Jaminan Kematian)" in body
    assert '<dd data-testid="cek-payer">APBD</dd>' in body
    assert "Status per 1 Maret 2027." in body
    assert _leaks(body, apbd) == []


@time_machine.travel(MARCH, tick=False)
@pytest.mark.parametrize(
    ("nik", "birth"),
    [("{nik}", "28-05-1980"), ("{spaced}", "28/05/1980"), ("{dotted}", "28.05.1980")],
)
def test_a_nik_with_spaces_or_dots_and_a_typed_birth_date_are_read(
    paid: list[Participation], visitor: Client, nik: str, birth: str
) -> None:
    real = _of(paid, "apbd").nik
    typed = nik.format(
        nik=real,
        spaced=" ".join(re.findall(r"\d{4}", real)),
        dotted=f"{real[:2]}.{real[2:4]}.{real[4:6]}.{real[6:]}",
    )
    body = _body(_check(visitor, typed, birth))
    assert 'data-testid="cek-protected"' in body
    assert _leaks(body, _of(paid, "apbd")) == []


@time_machine.travel(MARCH, tick=False)
def test_a_worker_in_grace_is_told_protection_is_paused_and_whom_to_ask(
    paid: list[Participation], visitor: Client
) -> None:
    dbhcht = _of(paid, "dbhcht")  # registered from January, its bill not paid: in grace in March
    body = _body(_check(visitor, dbhcht.nik, "1980-05-28"))
    assert 'data-testid="cek-grace"' in body
    assert "Perlindungan Anda terhenti sementara sampai iuran dibayar." in body
    assert '<dd data-testid="cek-payer">DBHCHT</dd>' in body
    assert "Disnakertrans" in body
    assert 'data-testid="cek-programs"' not in body
    assert _leaks(body, dbhcht) == []


@time_machine.travel(MARCH, tick=False)
def test_an_unknown_nik_gets_the_general_answer(visitor: Client) -> None:
    response = _check(visitor, UNKNOWN_NIK, "1980-05-28")
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="cek-none"' in body
    assert NONE_TEXT in body
    assert "Disnakertrans" in body
    assert UNKNOWN_NIK not in body


@time_machine.travel(MARCH, tick=False)
def test_a_wrong_birth_date_gives_exactly_the_unknown_nik_page(
    paid: list[Participation], visitor: Client
) -> None:
    unknown = _same_page(_check(visitor, UNKNOWN_NIK, "1980-05-29"))
    wrong = _same_page(_check(visitor, _of(paid, "apbd").nik, "1980-05-29"))
    assert wrong == unknown
    assert NONE_TEXT in wrong


@time_machine.travel(APRIL, tick=False)
def test_a_lapsed_or_never_enrolled_worker_gets_exactly_the_unknown_nik_page(
    paid: list[Participation], visitor: Client
) -> None:
    unknown = _same_page(_check(visitor, UNKNOWN_NIK, "1980-05-28"))
    lapsed = _of(paid, "dbhcht")  # unpaid since January: past the three months of arrears
    assert coverage.person(nik=lapsed.nik, birth_date=datetime.date(1980, 5, 28), on=APRIL.date())
    never = WorkerFactory(birth_date=datetime.date(1975, 2, 3))  # in the registry, on no list
    assert _same_page(_check(visitor, lapsed.nik, "1980-05-28")) == unknown
    assert _same_page(_check(visitor, never.nik, "03-02-1975")) == unknown


def test_unknown_wrong_and_unprotected_run_the_same_queries(paid: list[Participation]) -> None:
    """The timing side channel: the same statements for the three (rows aside)."""
    born = datetime.date(1980, 5, 28)
    day = datetime.date(2027, 4, 1)
    never = WorkerFactory(birth_date=datetime.date(1975, 2, 3))
    asked = {
        "unknown": (UNKNOWN_NIK, born),
        "wrong birth date": (_of(paid, "apbd").nik, datetime.date(1980, 5, 29)),
        "lapsed": (_of(paid, "dbhcht").nik, born),
        "on no list": (never.nik, never.birth_date),
    }
    shapes = {}
    for label, (nik, birth) in asked.items():
        with CaptureQueriesContext(connection) as queries:
            cover = coverage.person(nik=nik, birth_date=birth, on=day)
        assert cover is None or not (cover.protected or cover.in_grace), label
        # The statements without their values (ids, NIKs, dates).
        shapes[label] = [
            re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries
        ]
    assert len({tuple(s) for s in shapes.values()}) == 1, shapes


@time_machine.travel(MARCH, tick=False)
def test_a_self_payer_with_a_known_paid_until_is_protected_and_pays_themselves(
    visitor: Client,
) -> None:
    worker = WorkerFactory(birth_date=datetime.date(1990, 8, 17))
    SelfPayment.objects.create(
        worker=worker,
        kpj="19000000001",
        since=datetime.date(2026, 1, 1),
        until=datetime.date(2027, 12, 31),
        origin=SelfPaymentOrigin.MANUAL,
    )
    body = _body(_check(visitor, worker.nik, "17-08-1990"))
    assert 'data-testid="cek-protected"' in body
    assert '<dd data-testid="cek-until">31 Desember 2027</dd>' in body
    assert '<dd data-testid="cek-payer">Mandiri (bayar sendiri)</dd>' in body
    assert "19000000001" not in body
    assert worker.nik not in body and worker.name not in body


@time_machine.travel(MARCH, tick=False)
def test_the_form_comes_back_empty_after_a_check_and_after_an_error(
    paid: list[Participation], visitor: Client
) -> None:
    nik = _of(paid, "apbd").nik
    for birth in ("28-05-1980", "31-02-1980"):
        body = _body(_check(visitor, nik, birth))
        assert nik not in body
        assert 'name="nik"' in body
        assert not re.search(r'name="(nik|birth_date)"[^>]*value=', body)
    body = _body(_check(visitor, nik[:15], "28-05-1980"))
    assert "Ketik 16 angka NIK Anda." in body
    assert nik[:15] not in body
    body = _body(_check(visitor, nik, "28-05-2090"))
    assert "Ketik tanggal lahir sebagai tanggal-bulan-tahun, contoh 17-08-1985." in body
    assert 'data-testid="cek-result"' not in body


def test_the_page_is_indonesian_whatever_the_browser_asks(visitor: Client) -> None:
    response = visitor.get(PAGE)
    assert response.status_code == 200
    body = _body(response)
    assert '<html lang="id">' in body
    assert "Cek perlindungan BPJS Ketenagakerjaan Anda" in body
    assert "Tanggal lahir" in body
    assert 'type="date"' in body
    assert 'data-testid="cek-result"' not in body
    assert response["Content-Language"] == "id"
    assert "no-store" in response["Cache-Control"]  # the answer is not kept in the browser


@time_machine.travel(MARCH, tick=False)
def test_the_answer_is_indonesian_whatever_the_browser_asks(visitor: Client) -> None:
    body = _body(_check(visitor, UNKNOWN_NIK, "1980-05-28"))
    assert '<html lang="id">' in body
    assert NONE_TEXT in body
    assert "Cek lagi" in body


def test_a_check_needs_the_csrf_token() -> None:
    browser = Client(enforce_csrf_checks=True)
    assert _check(browser, UNKNOWN_NIK, "1980-05-28").status_code == 403
    page = browser.get(PAGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _body(page))
    assert token
    response = browser.post(
        PAGE,
        {"nik": UNKNOWN_NIK, "birth_date": "1980-05-28", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 200


@time_machine.travel(MARCH, tick=False)
def test_an_address_gets_ten_checks_in_ten_minutes_then_429(visitor: Client) -> None:
    for _n in range(public_views.PER_ADDRESS):
        assert _check(visitor, UNKNOWN_NIK, "1980-05-28").status_code == 200
    refused = _check(visitor, UNKNOWN_NIK, "1980-05-28")
    assert refused.status_code == 429
    body = _body(refused)
    assert 'data-testid="cek-limited"' in body
    assert "Terlalu banyak pengecekan" in body
    assert 0 < int(refused["Retry-After"]) <= public_views.WINDOW
    assert NONE_TEXT not in body  # refused before any look-up
    other = _check(visitor, UNKNOWN_NIK, "1980-05-28", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200
    assert visitor.get(PAGE).status_code == 200  # the form itself is never limited
    with time_machine.travel(MARCH + datetime.timedelta(minutes=10), tick=False):
        assert _check(visitor, UNKNOWN_NIK, "1980-05-28").status_code == 200


@time_machine.travel(MARCH, tick=False)
def test_all_addresses_together_have_a_cap(visitor: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(public_views, "EVERYONE", 3)
    for n in range(3):
        assert (
            _check(visitor, UNKNOWN_NIK, "1980-05-28", REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
        )
    assert _check(visitor, UNKNOWN_NIK, "1980-05-28", REMOTE_ADDR="10.0.0.9").status_code == 429


@time_machine.travel(MARCH, tick=False)
def test_checks_refused_for_one_address_do_not_use_up_everyone_elses(
    visitor: Client, monkeypatch: Any
) -> None:
    monkeypatch.setattr(public_views, "EVERYONE", 12)
    for _n in range(30):
        _check(visitor, UNKNOWN_NIK, "1980-05-28")  # 10 counted, 20 refused for the address
    assert _check(visitor, UNKNOWN_NIK, "1980-05-28", REMOTE_ADDR="10.0.0.1").status_code == 200


@time_machine.travel(MARCH, tick=False)
def test_no_nik_reaches_the_logs(
    paid: list[Participation], visitor: Client, caplog: pytest.LogCaptureFixture, log_lines: list
) -> None:
    caplog.set_level(logging.DEBUG)
    nik = _of(paid, "apbd").nik
    _check(visitor, nik, "28-05-1980")  # protected
    _check(visitor, nik, "29-05-1980")  # wrong birth date
    _check(visitor, nik[:15], "28-05-1980")  # invalid
    for _n in range(public_views.PER_ADDRESS):
        _check(visitor, nik, "28-05-1980")
    assert _check(visitor, nik, "28-05-1980").status_code == 429  # logged by django.request
    assert any("Too Many Requests" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        message = record.getMessage()
        assert nik not in message and nik[:15] not in message, record.name
        assert "1980-05-28" not in message and "28-05-1980" not in message, record.name
    assert not [line for line in log_lines if nik in line or nik[:15] in line]


def test_the_login_page_links_to_the_check(visitor: Client) -> None:
    body = _body(visitor.get(reverse("accounts:login")))
    assert re.search(r'data-testid="login-cek"><a href="/cek/">', body)
    assert "Cek perlindungan BPJS Ketenagakerjaan Anda" in body

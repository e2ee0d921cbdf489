""" "Protected today" (terlindungi hari ini), the dashboard's headline: the workers in a paid
period today per area and source (with those in grace and lapsed), recounted when the date
changes, in the API and hidden when small for leadership."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from lindung.accounts.models import User
from lindung.accounts.tests.factories import UserFactory, admin
from lindung.billing import coverage, groups, services
from lindung.billing.models import Bill
from lindung.billing.tests.conftest import approve_list, make_registry, register_all
from lindung.dashboard import alerts
from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.models import Cell, Dimension, Snapshot, State
from lindung.dashboard.queries import BREAKDOWN_NAMES, Filters, breakdown, children, indicators
from lindung.dashboard.queries import resolve_area as area_of
from lindung.dashboard.tests.test_pages import boundaries
from lindung.enrollment.models import EndReason, Participation
from lindung.enrollment.models import State as ParticipationState
from lindung.registry.models import SelfPayment
from lindung.registry.tests.factories import WorkerFactory
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db
YEAR = 2027
MARCH = datetime.datetime(2027, 3, 10, 2, 0, tzinfo=datetime.UTC)  # 10 March, 10:00 in Lombok
TODAY = datetime.date(2027, 3, 10)
HOME = {"address": "Dusun Lauk Rurung", "birth_place": "Selong", "desil": 1}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def _fresh_alerts() -> Iterator[None]:
    alerts.forget()  # another test's database had the same versions
    yield
    alerts.forget()


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MARCH, tick=False) as traveller:
        yield traveller


def _bill(source: str, month: int) -> Bill:
    return Bill.objects.get(source=source, period_start=datetime.date(YEAR, month, 1))


@pytest.fixture
def paid(clock: Any) -> dict[str, Any]:
    """Five workers of list 1 registered from 1 January 2027 (three APBD, two DBHCHT), billed
    per half year; the APBD bill of January to June paid in full on 10 March."""
    workers = make_registry()
    approve_list()
    register_all()
    services.make_bills(by="test", fiscal_year=YEAR)
    january = _bill("apbd", 1)
    services.pay(by="test", bill=january, amount=january.amount, paid_on=TODAY)
    refresh()
    State.objects.filter(pk=1).update(queued=False)  # the queued recount ran: this one
    return workers


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def _per_source(source: str) -> dict[str, int]:
    return {
        row["desa_id"]: row["n"]
        for row in Participation.objects.filter(fiscal_year=YEAR, source=source)
        .values("desa_id")
        .annotate(n=Count("id"))
    }


def test_the_protected_count_per_desa_and_source_follows_the_paid_bills(clock: Any) -> None:
    make_registry()
    approve_list()
    register_all()
    services.make_bills(by="test", fiscal_year=YEAR)
    self_payer = WorkerFactory(desa_id="52.03.08.2001", **HOME)  # pays BPJS TK themselves
    SelfPayment.objects.create(
        worker=self_payer, kpj="27000000099", since=datetime.date(YEAR, 1, 1),
        until=datetime.date(YEAR, 12, 31), origin="manual",
    )  # fmt: skip
    refresh()
    user = admin()
    everything = area_of(user, "")
    before = indicators(user, everything, Filters(YEAR))
    assert (before.protected.value, before.in_grace.value, before.lapsed.value) == (1, 5, 0)

    january = _bill("apbd", 1)
    services.pay(by="test", bill=january, amount=january.amount, paid_on=TODAY)
    refresh()

    figures = indicators(user, everything, Filters(YEAR))
    assert (figures.protected.value, figures.in_grace.value, figures.lapsed.value) == (4, 2, 0)
    assert figures.sponsored.value == 5  # the list count stays ("dibiayai")
    by_source = {s.code: (s.protected.value, s.in_grace.value) for s in figures.by_source}
    assert by_source == {"apbd": (3, 0), "dbhcht": (0, 2), "mandiri": (1, 0)}
    assert state().labels["mandiri"] == "Mandiri"
    # per desa and source, the cells hold what `lindung coverage` counts
    cells = {
        (row["desa_id"], row["source"]): (row["p"], row["g"], row["l"])
        for row in Cell.objects.filter(
            generation=state().generation, fiscal_year=YEAR, dimension=Dimension.TOTAL
        )
        .exclude(source="")
        .values("desa_id", "source")
        .annotate(p=Sum("protected"), g=Sum("in_grace"), l=Sum("lapsed"))
        if row["p"] or row["g"] or row["l"]
    }
    expected = {
        (row["desa_id"], row["source"]): (row["protected"], row["in_grace"], row["lapsed"])
        for row in coverage.per_desa(TODAY).iter_rows(named=True)
    }
    assert cells == expected
    apbd = _per_source("apbd")
    rows = {
        r.code: r.protected.value for r in children(user, area_of(user, "52.03"), Filters(YEAR))
    }
    assert rows["52.03.08"] == apbd.get("52.03.08.2001", 0) + 1  # with the self-payer
    assert rows["52.03.07"] == sum(n for desa, n in apbd.items() if desa.startswith("52.03.07."))
    only_apbd = indicators(user, everything, Filters(YEAR, source="apbd"))
    assert only_apbd.protected.value == 3 and only_apbd.in_grace.value == 0
    # another fiscal year protects nobody today
    assert indicators(user, everything, Filters(YEAR + 1)).protected.value == 0
    # today's snapshot keeps the count for the trend
    day = Snapshot.objects.filter(day=TODAY, fiscal_year=YEAR).aggregate(n=Sum("protected"))
    assert day["n"] == 4


def test_every_breakdown_of_the_protected_adds_up_to_their_total(paid: dict[str, Any]) -> None:
    user = admin()
    for code in ("", "52.03.07", "52.03.08.2001"):
        area = area_of(user, code)
        for filters in (Filters(YEAR), Filters(YEAR, source="apbd"), Filters(YEAR, sex="P")):
            total = indicators(user, area, filters).protected.value
            for by in BREAKDOWN_NAMES:
                if by == "month":  # the month of registration counts registry rows only
                    continue
                rows = breakdown(user, area, filters, by)
                assert sum(r.protected.value or 0 for r in rows) == total, (code, filters, by)


def test_the_headline_shows_the_protected_today(paid: dict[str, Any]) -> None:
    boundaries()
    client = _client(admin())

    page = client.get(reverse("dashboard:home"), {"tahun": YEAR})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="ind-protected">3<' in html
    assert "protected today (10 March 2027)" in html
    assert 'data-testid="ind-sponsored">5<' in html  # funded: the approved list's count
    assert 'data-testid="source-protected-apbd">3<' in html
    assert page.context["indicator"] == "protected"  # the map's colour by default
    features = client.get(reverse("dashboard:map"), {"tahun": YEAR}).json()["features"]
    assert sum(f["properties"]["value"] or 0 for f in features) == 3
    assert features and client.get(reverse("dashboard:map")).json()["legend"]["title"] == (
        "Workers protected today"
    )
    ahead = client.get(reverse("dashboard:home"), {"tahun": YEAR + 1}).content.decode()
    assert 'data-testid="ind-protected">0<' in ahead  # nobody paid ahead for next year
    assert "protected from 1 January 2028 (paid ahead)" in ahead


def test_the_downloads_carry_the_protected_today(paid: dict[str, Any]) -> None:
    import io

    import polars as pl
    from pypdf import PdfReader

    client = _client(admin())
    table = client.get(reverse("dashboard:table"), {"tabel": "sources", "tahun": YEAR})
    frame = pl.read_excel(
        io.BytesIO(b"".join(table.streaming_content)), read_options={"header_row": 4}
    )
    label = state().labels["apbd"]
    assert dict(zip(frame["Source"], frame["Protected today"], strict=True))[label] == 3
    pdf = client.get(reverse("dashboard:kecamatan-pdf"), {"area": "52.03.07", "tahun": YEAR})
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Protected on 10 March 2027" in text


def test_the_api_gives_the_protected_beside_the_old_keys(paid: dict[str, Any]) -> None:
    client = _client(admin())

    figures = client.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR}).json()

    assert (figures["protected"], figures["in_grace"], figures["lapsed"]) == (3, 2, 0)
    assert figures["protected_on"] == "2027-03-10"
    assert (figures["sponsored"], figures["enrolled"], figures["registered"]) == (5, 5, 5)
    assert {s["code"]: s["protected"] for s in figures["by_source"]} == {"apbd": 3, "dbhcht": 0}
    assert sum(a["protected"] for a in figures["areas"]) == 3
    ahead = client.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR + 1}).json()
    assert ahead["protected"] == 0 and ahead["protected_on"] == "2028-01-01"
    past = client.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR - 1}).json()
    assert past["protected"] == 0 and past["protected_on"] is None


def test_the_cells_go_stale_when_the_date_changes(
    paid: dict[str, Any], clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(admin())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(reverse("dashboard:home"))
    assert not callbacks and state().stale_since is None  # counted today: nothing to do

    clock.move_to(datetime.datetime(2027, 3, 11, 0, 5, tzinfo=datetime.UTC))  # 08:05 local
    client = _client(admin())  # the next morning's session
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api = client.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR}).json()

    assert len(callbacks) == 1 and state().queued  # the recount is queued, once
    assert api["stale"] and api["protected_on"] == "2027-03-10"


def test_a_new_day_recounts_who_is_protected_without_any_change(
    paid: dict[str, Any], clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """On 5 July the APBD half year paid through June is over (its workers in grace) and the
    DBHCHT workers, unpaid since January, are past their three months of arrears."""
    clock.move_to(datetime.datetime(2027, 7, 5, 1, 0, tzinfo=datetime.UTC))
    client = _client(admin())

    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("dashboard:home"), {"tahun": YEAR})  # queues the recount: it runs

    current = state()
    assert current.counted_on == datetime.date(2027, 7, 5) and current.stale_since is None
    figures = indicators(admin(), area_of(admin(), ""), Filters(YEAR))
    assert (figures.protected.value, figures.in_grace.value, figures.lapsed.value) == (0, 3, 2)
    page = client.get(reverse("dashboard:home"), {"tahun": YEAR}).content.decode()
    assert 'data-testid="ind-protected">0<' in page and "3 in grace, 2 lapsed" in page


@pytest.fixture
def nine(clock: Any) -> None:
    """Nine APBD workers protected: six in Pancor (Selong), three in Pringgabaya."""
    WorkerFactory.create_batch(6, desa_id="52.03.07.1001", **HOME)
    WorkerFactory.create_batch(3, desa_id="52.03.08.2001", **HOME)
    approve_list(apbd=9, dbhcht=0)
    register_all()
    assert Participation.objects.count() == 9
    services.make_bills(by="test", fiscal_year=YEAR)
    january = _bill("apbd", 1)
    services.pay(by="test", bill=january, amount=january.amount, paid_on=TODAY)
    refresh()


@pytest.mark.usefixtures("nine")
def test_leadership_sees_no_small_count_of_the_protected() -> None:
    leader = _client(UserFactory(role=Role.PIMPINAN))

    api = leader.get("/api/v1/dashboard/indicators", {"fiscal_year": YEAR}).json()

    assert api["protected"] == 9
    areas = {a["code"]: a["protected"] for a in api["areas"]}
    assert areas["52.03.08"] is None  # 3 workers
    assert areas["52.03.07"] is None  # 6: hidden with the 3, or 9 - 6 would tell them
    assert areas["52.03.01"] == 0
    officer = {
        a["code"]: a["protected"]
        for a in _client(admin()).get("/api/v1/dashboard/indicators").json()["areas"]
    }
    assert (officer["52.03.07"], officer["52.03.08"]) == (6, 3)
    page = leader.get(reverse("dashboard:home"), {"area": "52.03.08", "tahun": YEAR})
    assert 'data-testid="ind-protected">x<' in page.content.decode()
    top = leader.get(reverse("dashboard:home"), {"tahun": YEAR}).content.decode()
    assert 'data-testid="ind-protected">9<' in top
    assert '<td class="num" data-testid="area-protected">x</td>' in top


# --- the alerts panel ------------------------------------------------------------------------

JUNE = datetime.datetime(2027, 6, 10, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def june(paid: dict[str, Any], clock: Any) -> None:
    """10 June: the APBD workers' paid half year ends on 30 June, the DBHCHT bill of January is
    past due, and one DBHCHT participation lapsed on 5 June."""
    clock.move_to(JUNE)
    lapsed = Participation.objects.filter(source="dbhcht").order_by("pk").first()
    assert lapsed is not None
    Participation.objects.filter(pk=lapsed.pk).update(
        state=ParticipationState.BERAKHIR,
        end_reason=EndReason.LAPSED,
        ended_on=datetime.date(2027, 6, 5),
    )
    groups.mark_stale()  # as the lapse's audit event does
    refresh()  # the day's recount
    State.objects.filter(pk=1).update(queued=False)


@pytest.mark.usefixtures("june")
def test_the_alerts_panel_shows_billing_staff_what_needs_attention() -> None:
    page = _client(admin()).get(reverse("dashboard:home"), {"tahun": YEAR})

    html = page.content.decode()
    panel = page.context["alerts"]
    assert 'data-testid="alerts"' in html
    assert [(e.source, e.wadah, e.participants.value) for e in panel.expiring] == [
        (state().labels["apbd"], "SG-APBD", 3)
    ]
    assert panel.expiring[0].until == datetime.date(2027, 6, 30)
    overdue = _bill("dbhcht", 1)
    assert [b.bill for b in panel.past_due] == [overdue.number] and panel.past_due_count == 1
    assert overdue.number in html and 'data-testid="alert-past-due"' in html
    assert panel.lapsed_month.value == 1 and 'data-testid="alert-lapsed"' in html
    assert panel.bills_url == alerts._url(alerts.BILL_LIST)
    assert ('data-testid="alerts-bills-link"' in html) == bool(panel.bills_url)


@pytest.mark.usefixtures("june")
def test_late_funds_keep_workers_in_grace_with_the_reason_shown() -> None:
    services.set_funds_delayed(
        by="test", bill=_bill("dbhcht", 1), delayed=True, reason="DBHCHT belum cair"
    )
    page = _client(admin()).get(reverse("dashboard:home"), {"tahun": YEAR})

    panel = page.context["alerts"]
    assert panel.in_grace.value == 1  # the other one lapsed
    assert [(r.reason, r.participants.value) for r in panel.grace_reasons] == [
        ("DBHCHT belum cair", 1)
    ]
    assert panel.past_due_count == 0  # late funds: not past due
    assert "DBHCHT belum cair" in page.content.decode()


@pytest.mark.usefixtures("june")
def test_leadership_sees_the_alerts_as_counts_only() -> None:
    page = _client(UserFactory(role=Role.PIMPINAN)).get(reverse("dashboard:home"), {"tahun": YEAR})

    html = page.content.decode()
    panel = page.context["alerts"]
    assert panel.expiring_total.hidden and panel.expiring[0].participants.hidden  # 3: small
    assert panel.lapsed_month.hidden
    assert panel.past_due_count == 1 and panel.past_due == []  # no bill numbers
    assert _bill("dbhcht", 1).number not in html
    assert panel.bills_url == "" and 'data-testid="alerts-bills-link"' not in html
    assert 'data-testid="alert-past-due"' in html


@pytest.mark.usefixtures("june")
def test_an_operator_sees_the_alerts_of_their_wilayah() -> None:
    operator = UserFactory(role=Role.OPERATOR_KECAMATAN, region_id="52.03.08")

    panel = _client(operator).get(reverse("dashboard:home")).context["alerts"]

    in_area = Participation.objects.filter(source="apbd", kecamatan_id="52.03.08").count()
    assert panel.expiring_total.value == in_area
    assert panel.past_due_count == 0  # bills belong to the whole deployment
    assert panel.bills_url == ""


@pytest.mark.usefixtures("june")
def test_a_payment_clears_its_alert_once_the_recount_is_in(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(admin())

    def past_due() -> int:
        count: int = client.get(reverse("dashboard:home")).context["alerts"].past_due_count
        return count

    assert past_due() == 1
    overdue = _bill("dbhcht", 1)
    with django_capture_on_commit_callbacks(execute=False) as recount:
        services.pay(by="test", bill=overdue, amount=overdue.amount, paid_on=timezone.localdate())

    assert groups.is_stale() and past_due() == 1  # counted as before, as the cells are
    assert groups.is_stale()  # the page did not rebuild the coverage groups itself
    for queued in recount:
        queued()  # the recount the payment queued (rebuilding the groups too)
    assert not groups.is_stale() and past_due() == 0


@pytest.mark.usefixtures("paid")
def test_nothing_to_attend_to_shows_no_panel() -> None:
    services.pay(
        by="test", bill=_bill("dbhcht", 1), amount=_bill("dbhcht", 1).amount, paid_on=TODAY
    )
    page = _client(admin()).get(reverse("dashboard:home"))

    assert not page.context["alerts"].any and 'data-testid="alerts"' not in page.content.decode()

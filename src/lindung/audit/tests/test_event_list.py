import io
import uuid
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, auditor, user_with_role
from lindung.audit.actions import Action
from lindung.audit.models import Event
from lindung.audit.queries import PAGE_SIZE
from lindung.audit.services import record
from lindung.roles import CAPABILITIES, Capability, Role

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
URL = reverse("audit:event-list")


def _record_at(monkeypatch: pytest.MonkeyPatch, at: datetime, **kwargs: Any) -> Event:
    """An event stamped `at` (Event.at is auto_now_add, and events are never updated)."""
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: at)
        return record(**kwargs)


def _actions(client: Client, **params: str) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row.event.action for row in response.context["rows"]]


@pytest.fixture
def auditor_client(client: Client) -> Client:
    client.force_login(auditor(username="audit"))
    return client


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.ADMIN, Role.AUDITOR)])
def test_only_admins_and_auditors_see_the_audit_log(client: Client, role: str) -> None:
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("audit:event-export")).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_admins_and_auditors_see_the_audit_log(client: Client, role: str) -> None:
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 200


def test_it_filters_by_actor_object_action_and_batch(auditor_client: Client) -> None:
    boss = admin(username="boss")
    target = admin(username="target")
    batch = uuid.uuid4()
    record(by=boss, action=Action.USER_UPDATED, obj=target, before={"x": 1}, after={"x": 2})
    record(by=None, action=Action.USER_CREATED, obj=boss)
    imported = Action.WORKER_IMPORTED_UPDATE
    record(by=boss, action=imported, object_type="registry.worker", object_id="7", batch=batch)
    record(by=boss, action=imported, object_type="registry.worker", object_id="8", batch=batch)

    assert _actions(auditor_client) == [imported, imported, "user_created", "user_updated"]
    assert _actions(auditor_client, actor="system") == ["user_created"]
    assert _actions(auditor_client, actor="boss", action="user_updated") == ["user_updated"]
    assert _actions(auditor_client, object_type="accounts.user", object_id=str(target.pk)) == [
        "user_updated"
    ]
    assert _actions(auditor_client, object_type="registry.worker") == [imported] * 2
    assert _actions(auditor_client, object_id="8") == [imported]
    assert _actions(auditor_client, batch=str(batch)) == [imported] * 2
    assert _actions(auditor_client, actor="nobody") == []


def test_it_filters_by_local_dates_inclusive(
    auditor_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 and 00:30 WITA are 15:30 and 16:30 UTC on the same UTC day
    a, b, c, d = Action.LOGIN, Action.LOGOUT, Action.LOGIN_FAILED, Action.PASSWORD_CHANGED
    _record_at(monkeypatch, datetime(2024, 5, 27, 23, 59, tzinfo=WITA), by=None, action=a)
    _record_at(monkeypatch, datetime(2024, 5, 28, 0, 0, tzinfo=WITA), by=None, action=b)
    _record_at(monkeypatch, datetime(2024, 5, 28, 23, 30, tzinfo=WITA), by=None, action=c)
    _record_at(monkeypatch, datetime(2024, 5, 29, 0, 30, tzinfo=WITA), by=None, action=d)

    assert _actions(auditor_client, date_from="2024-05-28", date_to="2024-05-28") == [c, b]
    assert _actions(auditor_client, date_from="2024-05-29") == [d]
    assert _actions(auditor_client, date_to="2024-05-27") == [a]


def test_an_invalid_filter_is_shown_and_ignored(auditor_client: Client) -> None:
    record(by=None, action=Action.LOGIN)
    response = auditor_client.get(URL, {"date_from": "kemarin", "batch": "not-a-uuid"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "batch"}
    assert [row.event.action for row in response.context["rows"]] == [Action.LOGIN]


def test_it_pages_newest_first_without_gaps_or_repeats(
    auditor_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_moment = datetime(2024, 5, 28, 9, 0, tzinfo=WITA)
    for _ in range(PAGE_SIZE + 10):  # many events in the same microsecond: ties broken by id
        _record_at(monkeypatch, same_moment, by=None, action=Action.LOGIN)
    for _ in range(PAGE_SIZE):
        record(by=None, action=Action.LOGOUT)
    expected = list(Event.objects.order_by("-at", "-id").values_list("id", flat=True))

    seen: list[int] = []
    params: dict[str, str] = {}
    for _ in range(5):
        response = auditor_client.get(URL, params)
        seen += [row.event.pk for row in response.context["rows"]]
        if not response.context["next_cursor"]:
            break
        params = {"before": response.context["next_cursor"]}
    assert seen == expected


def test_the_older_link_keeps_the_filter(auditor_client: Client) -> None:
    for _ in range(PAGE_SIZE + 1):
        record(by=None, action=Action.LOGIN)
    response = auditor_client.get(URL, {"action": "login"})
    cursor = response.context["next_cursor"]
    assert f'href="?action=login&amp;before={cursor}"' in response.content.decode()


def test_the_audit_list_query_count_does_not_grow_with_events(
    auditor_client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(PAGE_SIZE + 5):
        record(
            by=admin(username=f"a{n}"),
            action=Action.WORKER_UPDATED,
            before={"nik": "5203"},
            after={"nik": "1"},
        )
    # session, user, one page of events
    with django_assert_num_queries(3):
        response = auditor_client.get(
            URL, {"action": "worker_updated", "before": "99999999999999999-999999"}
        )
    assert len(response.context["rows"]) == PAGE_SIZE


def test_it_shows_the_before_and_after_of_changed_fields(auditor_client: Client) -> None:
    record(by=None, action=Action.USER_UPDATED, before={"role": "bpjs"}, after={"role": "pimpinan"})
    response = auditor_client.get(URL)
    [change] = response.context["rows"][0].changes
    assert (change.field, change.before, change.after) == ("role", "bpjs", "pimpinan")
    assert b"pimpinan" in response.content


NIK, NO_KK = "5203074107900001", "5203070101090002"


def _nik_event() -> Event:
    return record(
        by=None,
        action=Action.WORKER_UPDATED,
        before={"nik": NIK, "no_kk": NO_KK, "name": "Siti"},
        after={"nik": "5203074107900009", "no_kk": None, "name": "Siti Aminah"},
    )


def test_nik_and_kk_are_masked_for_a_role_without_view_nik(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        CAPABILITIES, Role.AUDITOR, frozenset({Capability.VIEW_AUDIT, Capability.VIEW_PERSONS})
    )
    _nik_event()
    client.force_login(auditor())
    response = client.get(URL)
    html = response.content.decode()
    assert NIK not in html and NO_KK not in html and "5203074107900009" not in html
    assert "5203********0001" in html and "5203********0002" in html
    assert "Siti Aminah" in html  # other fields are not masked


def test_nik_is_shown_to_a_role_with_view_nik(client: Client) -> None:
    _nik_event()
    client.force_login(auditor())
    html = client.get(URL).content.decode()
    assert NIK in html and NO_KK in html


def test_the_export_holds_the_filtered_events_masked_and_is_itself_audited(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        CAPABILITIES, Role.AUDITOR, frozenset({Capability.VIEW_AUDIT, Capability.VIEW_PERSONS})
    )
    viewer: User = auditor(username="audit")
    _nik_event()
    record(by=None, action=Action.LOGIN)
    client.force_login(viewer)

    response = client.get(reverse("audit:event-export"), {"action": "worker_updated"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = pl.read_excel(io.BytesIO(response.getvalue()))
    assert sheet.height == 1
    changes = sheet.row(0)[6]
    assert "5203********0001" in changes and NIK not in changes

    exported = Event.objects.get(action="audit_exported")
    assert exported.actor == viewer
    assert exported.after == {"filters": {"action": "worker_updated"}, "rows": 1}


def test_the_export_keeps_formulas_as_text(auditor_client: Client) -> None:
    record(by=None, action=Action.LOGIN, object_repr='=HYPERLINK("http://evil.example","klik")')
    response = auditor_client.get(reverse("audit:event-export"))
    with zipfile.ZipFile(io.BytesIO(response.getvalue())) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cells

"""The claims API: scoped, masked for roles without VIEW_NIK, closed to pimpinan."""

import datetime
from typing import Any

import pytest
from django.test import Client

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, operator_desa, user_with_role
from lindung.claims import services
from lindung.claims.tests.conftest import on
from lindung.registry.models import Worker
from lindung.roles import Role
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = english_client()
    client.force_login(user)
    return client


def test_claims_over_the_api_are_scoped_and_masked(paid_half_year: dict[str, Any]) -> None:
    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 12)):
        event = services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkm")
        services.update_file(
            by="test", claim=claim,
            heirs=[{"relation": "spouse", "name": "Inaq Sumiati", "nik": "5203074101850001"}],
        )  # fmt: skip
    boss = _client(admin())
    listed = boss.get("/api/v1/claims/?year=2027").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["number"], item["kind"], item["state"], item["verdict"]) == (
        claim.number, "jkm", "DILAPORKAN", "protected",
    )  # fmt: skip
    assert item["expected_amount"] == 42_000_000
    detail = boss.get(f"/api/v1/claims/{claim.number}").json()
    assert detail["heirs"][0]["nik"] == "5203074101850001"
    assert detail["worker_nik"] == worker.nik

    elsewhere = _client(operator_desa("52.03.08.2001"))
    assert elsewhere.get("/api/v1/claims/").json()["count"] == 0
    assert elsewhere.get(f"/api/v1/claims/{claim.number}").status_code == 404
    assert _client(user_with_role(Role.PIMPINAN)).get("/api/v1/claims/").status_code == 403
    assert english_client().get("/api/v1/claims/").status_code == 401


def test_the_impact_over_the_api_hides_small_counts_from_pimpinan(
    paid_half_year: dict[str, Any],
) -> None:
    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    with on(datetime.date(2027, 2, 20)):
        event = services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkm")
        services.settle(by="test", claim=claim, paid_on=datetime.date(2027, 2, 19),
                        amount=42_000_000)  # fmt: skip
    full = _client(admin()).get("/api/v1/claims/impact?year=2027").json()
    assert (full["year"], full["benefits"], full["families"]) == (2027, 42_000_000, 1)
    assert list(full)[:8] == ["year", "premiums", "benefits", "ratio", "families", "children",
                              "by_source", "by_type"]  # fmt: skip
    leader = _client(user_with_role(Role.PIMPINAN)).get("/api/v1/claims/impact?year=2027")
    assert leader.status_code == 200 and leader.json()["families"] == "< 5"


def test_the_cached_impact_follows_a_payment(paid_half_year: dict[str, Any]) -> None:
    worker = Worker.objects.get(pk=paid_half_year["apbd"][0].worker_id)
    boss = _client(admin())
    with on(datetime.date(2027, 2, 20)):
        event = services.report_event(
            by="test", worker=worker, kind="death", occurred_on=datetime.date(2027, 2, 10),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkm")
        assert boss.get("/api/v1/claims/impact?year=2027").json()["benefits"] == 0
        services.settle(by="test", claim=claim, paid_on=datetime.date(2027, 2, 19),
                        amount=42_000_000)  # fmt: skip
        assert boss.get("/api/v1/claims/impact?year=2027").json()["benefits"] == 42_000_000

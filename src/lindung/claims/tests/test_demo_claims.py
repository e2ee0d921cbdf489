"""The demo's pilot year: its list enrolled, billed and paid, and claims in every state."""

import datetime
from pathlib import Path

import pytest

from lindung.claims.models import Claim, ClaimState, Event, Verdict
from lindung.claims.tests.conftest import on
from lindung.ops.demo_claims import claims_demo, pilot_year
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_the_pilot_year_starts_in_march() -> None:
    assert pilot_year(datetime.date(2026, 12, 3)) == 2026
    assert pilot_year(datetime.date(2027, 2, 28)) == 2026
    assert pilot_year(datetime.date(2027, 3, 1)) == 2027


def test_the_demo_has_claims_in_each_state_and_runs_once(tmp_path: Path) -> None:
    for _n in range(60):
        WorkerFactory(desil=1, address="Dusun Lauk Rurung", birth_place="Selong")
    WorkerFactory(birth_date=datetime.date(1940, 1, 1))  # too old for any list: never protected
    with on(datetime.date(2026, 12, 3)):
        done = claims_demo(tmp_path)
        again = claims_demo(tmp_path)
    assert done is not None and done == again
    assert done["year"] == 2026 and done["events"] == 8
    states = set(Claim.objects.values_list("state", flat=True))
    assert states == set(ClaimState.values)
    paid = Claim.objects.filter(state=ClaimState.DIBAYAR)
    assert paid.count() == 2 and all(c.paid_amount for c in paid)
    assert Event.objects.filter(verdict=Verdict.NOT_PROTECTED).count() == 1
    assert Event.objects.filter(verdict=Verdict.PROTECTED).count() == 7

import datetime
from typing import Any

import pytest
import time_machine

from lindung.billing import services as billing
from lindung.billing.models import Bill
from lindung.billing.tests.conftest import (  # noqa: F401  (fixtures)
    _var,
    approve_list,
    client,
    english,
    make_registry,
    register_all,
    registered,
)
from lindung.enrollment.models import Participation


def on(day: datetime.date, hour: int = 9) -> time_machine.travel:
    """Travel to `day` at `hour` Lombok time (UTC+8)."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
        - datetime.timedelta(hours=8),
        tick=False,
    )


@pytest.fixture
def paid_half_year(registered: list[Participation]) -> dict[str, Any]:  # noqa: F811
    """The five workers of 2027 (`registered`), billed January to June on 5 January: the APBD
    bill paid on 10 January, the DBHCHT one never."""
    with on(datetime.date(2027, 1, 5)):
        billing.make_bills(
            by="test", fiscal_year=2027, period=billing.parse_period("2027-01..2027-06", 2027)
        )
        apbd = Bill.objects.get(source="apbd")
        billing.issue_bill(by="test", bill=apbd, assessment_code="270100000001")
    with on(datetime.date(2027, 1, 10)):
        billing.record_sp2d(
            by="test", bill=apbd, number="SP2D/1/2027", date=datetime.date(2027, 1, 9)
        )
        billing.pay(by="test", bill=apbd, amount=apbd.amount, paid_on=datetime.date(2027, 1, 10))
    by_source: dict[str, list[Participation]] = {}
    for p in registered:
        by_source.setdefault(p.source, []).append(p)
    return {"apbd": by_source["apbd"], "dbhcht": by_source["dbhcht"], "bill": apbd}


@pytest.fixture(autouse=True)
def _long_sessions(settings: Any) -> None:
    """Logins made today still hold in the days of 2027 the tests travel to."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600

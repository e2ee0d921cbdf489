"""The command line's exact interface (issue 15): `lindung billing bills|pay`, `coverage`."""

import datetime
import io
import json
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command

from lindung.billing.models import Bill, BillState, PaidPeriod

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 1, 10, 9, 0, tzinfo=datetime.UTC)


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


@time_machine.travel(NOW, tick=False)
def test_bills_pay_and_coverage_speak_the_documented_json(registered: list) -> None:
    made = _run("billing", "bills", "--year", "2027", "--period", "2027-01..2027-06", "--json")
    assert set(made) == {"bills", "total"}
    assert [set(b) for b in made["bills"]] == [
        {"bill", "wadah", "source", "period", "participants", "amount"}
    ] * 2
    apbd = next(b for b in made["bills"] if b["source"] == "apbd")
    assert (apbd["wadah"], apbd["period"], apbd["participants"]) == (
        "SG-APBD", "2027-01..2027-06", 3
    )  # fmt: skip
    assert made["total"] == sum(b["amount"] for b in made["bills"])
    assert _run("billing", "bills", "--year", "2027", "--json") != made  # July to December
    again = _run("billing", "bills", "--year", "2027", "--json")
    assert again == {"bills": [], "total": 0}  # idempotent

    typed = f"{apbd['amount']:,}".replace(",", ".")  # "302.400": as people type money
    paid = _run("billing", "pay", apbd["bill"], "--amount", typed, "--date", "2027-01-10",
                "--sp2d", "SP2D/01/2027", "--reference", "BNTB 1", "--json")  # fmt: skip
    assert paid["state"] == BillState.DIBAYAR and paid["outstanding"] == 0
    assert paid["months_paid"] == 6
    assert PaidPeriod.objects.filter(bill__number=apbd["bill"]).count() == 3

    cover = _run("coverage", "--on", "2027-03-01", "--json")
    assert set(cover) == {"date", "protected", "in_grace", "lapsed", "by_source", "by_kecamatan"}
    assert (cover["date"], cover["protected"], cover["in_grace"]) == ("2027-03-01", 3, 2)
    assert cover["by_source"]["apbd"] == {"protected": 3, "in_grace": 0, "lapsed": 0}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE-1", "--amount", "1000", "--date", "2027-01-10"], "There is no bill NOPE-1"),
        (["{bill}", "--amount", "0", "--date", "2027-01-10"], "more than Rp0"),
        (["{bill}", "--amount", "-5", "--date", "2027-01-10"], "not an amount of rupiah"),
        (["{bill}", "--amount", "999.999.999", "--date", "2027-01-10"], "more than that"),
        (["{bill}", "--amount", "1000", "--date", "2026-12-01"], "comes before bill"),
        (["{bill}", "--amount", "dua juta", "--date", "2027-01-10"], "not an amount of rupiah"),
        (["{bill}", "--amount", "1000", "--date", "10 Jan"], "not a date"),
    ],
)
def test_a_bad_payment_exits_with_the_reason_and_changes_nothing(
    registered: list, args: list[str], message: str
) -> None:
    made = _run("billing", "bills", "--year", "2027", "--source", "apbd", "--json")
    number = made["bills"][0]["bill"]
    out = io.StringIO()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("billing", "pay", *[a.format(bill=number) for a in args], "--json",
                     stdout=out)  # fmt: skip
    assert message in json.loads(out.getvalue())["error"]
    assert Bill.objects.filter(paid__gt=0).count() == 0
    assert not PaidPeriod.objects.exists()


def test_a_bad_period_is_refused() -> None:
    with pytest.raises(CommandError, match="1, 3, 6 or 12 months"):
        call_command("billing", "bills", "--year", "2027", "--period", "2027-01..2027-05")
    with pytest.raises(CommandError, match=re.escape("YYYY-MM..YYYY-MM")):
        call_command("billing", "bills", "--year", "2027", "--period", "Januari")

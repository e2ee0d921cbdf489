"""Demo claims: a pilot year that has run (its list approved, enrolled, billed and paid), and
a handful of deaths and accidents of its workers reported during it, their claims in each state
(paid with heirs and children at school, submitted and overdue at BPJS, incomplete, rejected),
a death with no claim yet and a death of a worker who was never protected.

The pilot year is the current one (the previous one before March, so that its events lie in
the past). Everything goes through the services an operator would use. Idempotent: a second run
finds the pilot list and its events and changes nothing."""

import datetime
from pathlib import Path
from typing import Any

from django.db.models import Case, Count, When

PILOT_BUDGET = 201_600_000  # 1.000 workers x 12 months x Rp16.800
PILOT_DECREE = "188.45/PILOT/{year}"
DEMO_DESA = "52.03.07.1001"  # demo.desa's village


def pilot_year(today: datetime.date) -> int:
    return today.year if today.month >= 3 else today.year - 1


def claims_demo(folder: Path) -> dict[str, Any] | None:
    """The pilot year and its claims (see the module). Returns counts per claim state and the
    pilot year, or None when the registry is empty."""
    from lindung.claims.models import Claim, Event
    from lindung.claims.services import today
    from lindung.registry.models import Worker

    if not Worker.objects.exists():
        return None
    year = pilot_year(today())
    approved = _pilot_list(year, folder)
    if approved is None:
        return None
    _pay_the_year(year)
    if not Event.objects.filter(fiscal_year=year).exists():
        _events(year)
    counts = dict(
        Claim.objects.filter(fiscal_year=year)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {"year": year, "events": Event.objects.filter(fiscal_year=year).count(), **counts}


def _pilot_list(year: int, folder: Path) -> Any:
    from lindung.ops.demo import enroll_list
    from lindung.targeting.approval import approve
    from lindung.targeting.lists import current_list
    from lindung.targeting.services import run_scenario

    approved = current_list(year)
    if approved is None:
        scenario = run_scenario(
            by="demo", fiscal_year=year, name=f"Percontohan {year}",
            budgets={"apbd": PILOT_BUDGET, "dbhcht": 0},
        )  # fmt: skip
        if not scenario.selected:
            return None
        approved = approve(by="demo", scenario=scenario, decree=PILOT_DECREE.format(year=year))
    enroll_list(approved, folder, start=datetime.date(year, 1, 1))  # idempotent
    return approved


def _pay_the_year(year: int) -> None:
    """The pilot year's APBD bill for the whole year, issued and paid (recorded today: the
    bill covers the year's months whenever it is paid)."""
    from lindung.billing import services
    from lindung.billing.models import Bill, BillState

    paid_on = services.today()
    services.make_bills(  # idempotent: only months not billed yet
        by="demo", fiscal_year=year, period=services.parse_period(f"{year}-01..{year}-12", year)
    )
    for n, bill in enumerate(Bill.objects.filter(fiscal_year=year).order_by("number"), 1):
        if bill.state == BillState.RENCANA:
            bill = services.issue_bill(
                by="demo", bill=bill, bpjs_number=f"TAG/{year}/P{n:02d}",
                assessment_code=f"{year % 100:02d}09{n:08d}", billed_on=paid_on,
            )  # fmt: skip
        if bill.paid == 0 and bill.amount:
            services.record_sp2d(by="demo", bill=bill, number=f"SP2D-P{n:03d}/BUD/{year}",
                                 date=paid_on)  # fmt: skip
            services.pay(by="demo", bill=bill, amount=bill.amount, paid_on=paid_on,
                         reference=f"BNTB P{year}{n:04d}")  # fmt: skip


def _events(year: int) -> None:
    """The pilot year's events, dated back from today (or from 31 December of a past year)."""
    from lindung.claims import services
    from lindung.claims.rules import current as claim_rules
    from lindung.enrollment.models import Participation, State
    from lindung.registry.models import Worker, WorkerStatus

    end = min(services.today(), datetime.date(year, 12, 31))
    start = datetime.date(year, 1, 2)

    def back(days: int) -> datetime.date:
        return max(start, end - datetime.timedelta(days=days))

    # The demo village's workers first (demo.desa then has claims to work), then the others.
    registered = Participation.objects.filter(fiscal_year=year, state=State.TERDAFTAR)
    workers = list(
        Worker.objects.filter(
            pk__in=registered.values_list("worker_id", flat=True), status=WorkerStatus.AKTIF
        )
        .annotate(elsewhere=Case(When(desa_id=DEMO_DESA, then=0), default=1))
        .order_by("elsewhere", "pk")[:12]
    )
    if len(workers) < 7:
        return
    rules = claim_rules()

    def docs(kind: str, road: bool = False) -> list[str]:
        return [code for code, _label in rules.documents_for(kind, road=road)]

    # 1. A farmer dies of illness: JKM paid to the widow, two children at school.
    died = back(60)
    event = services.report_event(
        by="demo", worker=workers[0], kind="death", occurred_on=died,
        place="Rumah, dusun setempat", cause="not_work", description="Sakit jantung",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="jkm")
    claim = services.update_file(
        by="demo", claim=claim, documents=docs("jkm"),
        heirs=[
            {"relation": "spouse", "name": "Inaq Sumiati", "nik": ""},
            {"relation": "child", "name": "Lalu Hamdan", "school_level": "SMP"},
            {"relation": "child", "name": "Baiq Rina", "school_level": "SD"},
        ],
    )  # fmt: skip
    claim = services.complete_file(by="demo", claim=claim, on=died + datetime.timedelta(days=6))
    claim = services.submit(by="demo", claim=claim, on=died + datetime.timedelta(days=7),
                            bpjs_number=f"JKM/{year}/0101")  # fmt: skip
    services.mark_paid(by="demo", claim=claim, paid_on=min(end, died + datetime.timedelta(days=10)),
                       amount=claim.expected_amount or 42_000_000)  # fmt: skip

    # 2. An ojek driver dies in a road accident on the way to work: JKK death paid.
    died = back(120)
    event = services.report_event(
        by="demo", worker=workers[1], kind="death", occurred_on=died,
        occurred_at=datetime.time(6, 40), place="Jalan raya Selong - Labuhan Haji",
        cause="commuting", description="Tertabrak truk saat berangkat kerja",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="jkk-death")
    claim = services.update_file(
        by="demo", claim=claim, documents=docs("jkk-death", road=True),
        kk1_sent_at=_moment(died, 15), kk2_sent_at=_moment(died + datetime.timedelta(days=2), 10),
        doctor_statement_on=died + datetime.timedelta(days=1),
        heirs=[{"relation": "spouse", "name": "Baiq Nurhayati"},
               {"relation": "child", "name": "Muhammad Rizki", "school_level": "SMA"}],
    )  # fmt: skip
    claim = services.complete_file(by="demo", claim=claim, on=died + datetime.timedelta(days=5))
    claim = services.submit(by="demo", claim=claim, on=died + datetime.timedelta(days=5),
                            bpjs_number=f"JKK/{year}/0207")  # fmt: skip
    services.mark_paid(by="demo", claim=claim, paid_on=min(end, died + datetime.timedelta(days=12)),
                       amount=claim.expected_amount or 0)  # fmt: skip

    # 3. A tobacco labourer falls at the drying barn: STMB submitted, BPJS overdue.
    hurt = back(40)
    event = services.report_event(
        by="demo", worker=workers[2], kind="accident", occurred_on=hurt,
        occurred_at=datetime.time(14, 0), place="Oven tembakau", cause="at_work",
        description="Jatuh dari tangga oven, patah kaki",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="stmb", months_off=3)
    claim = services.update_file(
        by="demo", claim=claim, documents=docs("stmb"),
        kk1_sent_at=_moment(hurt + datetime.timedelta(days=1), 9),
        doctor_statement_on=hurt + datetime.timedelta(days=14),
        kk2_sent_at=_moment(hurt + datetime.timedelta(days=15), 9),
    )  # fmt: skip
    claim = services.complete_file(by="demo", claim=claim, on=hurt + datetime.timedelta(days=16))
    services.submit(by="demo", claim=claim, on=hurt + datetime.timedelta(days=16))

    # 4. A fisher cut at sea: medical care, the file still incomplete.
    hurt = back(5)
    event = services.report_event(
        by="demo", worker=workers[3], kind="accident", occurred_on=hurt,
        place="Perairan Tanjung Luar", cause="at_work", description="Tangan terluka jaring",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="jkk-medical")
    services.update_file(by="demo", claim=claim, documents=["kartu_peserta", "ktp_peserta"])

    # 5. A trader's claim for disability: file complete, not yet submitted.
    hurt = back(25)
    event = services.report_event(
        by="demo", worker=workers[4], kind="accident", occurred_on=hurt,
        place="Pasar Masbagik", cause="at_work", description="Tertimpa rak dagangan",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="jkk-disability")
    claim = services.update_file(
        by="demo", claim=claim, documents=docs("jkk-disability"),
        kk1_sent_at=_moment(hurt, 18), doctor_statement_on=hurt + datetime.timedelta(days=10),
        kk2_sent_at=_moment(hurt + datetime.timedelta(days=11), 9),
    )  # fmt: skip
    services.complete_file(by="demo", claim=claim, on=hurt + datetime.timedelta(days=12))

    # 6. A death with no claim after more than 30 days: on the worklist.
    services.report_event(
        by="demo", worker=workers[5], kind="death", occurred_on=back(45),
        place="Puskesmas", cause="not_work", description="Demam berdarah",
    )  # fmt: skip

    # 7. A JKM claim BPJS refused (the death was reported as work-related later).
    died = back(90)
    event = services.report_event(
        by="demo", worker=workers[6], kind="death", occurred_on=died,
        place="Sawah", cause="not_work", description="Tersambar petir",
    )  # fmt: skip
    claim = services.open_claim(by="demo", event=event, kind="jkm")
    claim = services.update_file(by="demo", claim=claim, documents=docs("jkm"),
                                 heirs=[{"relation": "parent", "name": "Amaq Sahnan"}])  # fmt: skip
    claim = services.complete_file(by="demo", claim=claim, on=died + datetime.timedelta(days=4))
    claim = services.submit(by="demo", claim=claim, on=died + datetime.timedelta(days=4))
    services.reject(by="demo", claim=claim, reason="Akta kematian tidak sesuai dengan KTP")

    # 8. A worker never on a list dies: not protected, said so.
    outsider = (
        Worker.objects.filter(status=WorkerStatus.AKTIF)
        .exclude(pk__in=Participation.objects.values_list("worker_id", flat=True))
        .order_by("pk")
        .first()
    )
    if outsider is not None:
        event = services.report_event(
            by="demo", worker=outsider, kind="death", occurred_on=back(20),
            place="Rumah", cause="not_work",
        )  # fmt: skip
        services.open_claim(by="demo", event=event, kind="jkm")


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return datetime.datetime.combine(day, datetime.time(hour), ZoneInfo(settings.TIME_ZONE))

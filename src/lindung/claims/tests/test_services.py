"""Reporting an event, the ledger's verdict on its date, the claim's amount by the rules and
its way to payment or refusal."""

import datetime
from typing import Any

import pytest
from django.utils import translation

from lindung.audit.models import Event as AuditEvent
from lindung.billing.models import Bill, BillLine, BillState
from lindung.billing.services import daily
from lindung.claims import deadlines, services, workdays
from lindung.claims.models import Claim, ClaimState, Event, Verdict
from lindung.claims.rules import current as claim_rules
from lindung.claims.states import ClaimError
from lindung.claims.tests.conftest import on
from lindung.enrollment.models import EndReason, State
from lindung.registry.models import Worker, WorkerStatus
from lindung.rules.calculators import benefit
from lindung.rules.national import rules_for

pytestmark = pytest.mark.django_db

ALL_JKM = ["kartu_peserta", "ktp_peserta", "ktp_ahli_waris", "akta_kematian", "kk",
           "surat_ahli_waris", "buku_nikah", "buku_rekening"]  # fmt: skip


def _worker(participation: Any) -> Worker:
    return Worker.objects.get(pk=participation.worker_id)


def _death(participation: Any, day: datetime.date, cause: str = "not_work") -> Event:
    return services.report_event(
        by="test",
        worker=_worker(participation),
        kind="death",
        occurred_on=day,
        place="Sawah, Desa Sukamulia",
        cause=cause,
    )


def test_a_death_of_a_protected_worker_ends_the_participation_and_prices_the_jkm(
    paid_half_year: dict[str, Any],
) -> None:
    first = paid_half_year["apbd"][0]
    with on(datetime.date(2027, 2, 12)):
        event = _death(first, datetime.date(2027, 2, 10))
        claim = services.open_claim(by="test", event=event, kind="jkm")

    assert event.verdict == Verdict.PROTECTED
    assert event.protected_until == datetime.date(2027, 6, 30)
    assert event.source == "apbd"
    first.refresh_from_db()
    assert (first.state, first.end_reason, first.ended_on) == (
        State.BERAKHIR,
        EndReason.DIED,
        datetime.date(2027, 2, 10),
    )
    assert _worker(first).status == WorkerStatus.MENINGGAL
    expected = benefit("jkm", contribution_years=0, rules=rules_for(datetime.date(2027, 2, 10)))
    assert claim.expected_amount == expected.total == 42_000_000
    assert [line[1] for line in claim.breakdown] == [a for _label, a in expected.breakdown]
    assert claim.number == "KL-2027-0001"
    # two paid months (January, February) before the death: below the unverified minimum
    assert "3" in claim.amount_note and "2" in claim.amount_note
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"event_reported", "claim_opened", "participation_ended"} <= set(actions)


def test_a_reported_death_takes_the_later_months_off_planned_bills(
    registered: list[Any],
) -> None:
    from lindung.billing import services as billing

    with on(datetime.date(2027, 1, 5)):
        billing.make_bills(
            by="test", fiscal_year=2027, period=billing.parse_period("2027-01..2027-06", 2027)
        )
        assert Bill.objects.filter(state=BillState.RENCANA).count() == 2
    with on(datetime.date(2027, 3, 3)):
        _death(registered[0], datetime.date(2027, 3, 1))
    months = set(
        BillLine.objects.filter(participation=registered[0]).values_list("month", flat=True)
    )
    assert months == {
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
        datetime.date(2027, 3, 1),
    }
    for bill in Bill.objects.all():  # the totals lowered by what went equal the lines left
        lines = BillLine.objects.filter(bill=bill)
        assert bill.amount == sum(line.amount for line in lines)
        assert bill.participants == len({line.participation_id for line in lines})


def test_a_death_while_lapsed_is_not_protected_with_the_reason_and_no_amount(
    paid_half_year: dict[str, Any],
) -> None:
    unpaid = paid_half_year["dbhcht"][0]
    with on(datetime.date(2027, 4, 10)):
        assert daily()["lapsed"] == 2
        event = _death(unpaid, datetime.date(2027, 4, 6))
        claim = services.open_claim(by="test", event=event, kind="jkm")

    assert event.verdict == Verdict.NOT_PROTECTED
    assert "Lapsed since January 2027" in event.verdict_reason
    assert "unpaid for more than 3 months" in event.verdict_reason
    assert claim.expected_amount is None and claim.breakdown == []
    assert claim.amount_note.startswith("No benefit: not protected on the day.")
    with translation.override("id"), on(datetime.date(2027, 4, 10)):
        from lindung.claims.protection import verdict

        assert "Januari 2027" in verdict(_worker(unpaid), on=datetime.date(2027, 4, 6)).reason


def test_a_death_in_grace_names_the_arrears_and_the_last_day_to_pay_them(
    paid_half_year: dict[str, Any],
) -> None:
    unpaid = paid_half_year["dbhcht"][0]
    with on(datetime.date(2027, 2, 12)):
        event = _death(unpaid, datetime.date(2027, 2, 10), cause="at_work")
        claim = services.open_claim(by="test", event=event, kind="jkk-death")
    assert event.verdict == Verdict.IN_GRACE
    assert "unpaid since January 2027" in event.verdict_reason
    assert "31 March 2027" in event.verdict_reason or "31 Maret 2027" in event.verdict_reason
    assert claim.expected_amount is not None
    assert "Paid only once the arrears are paid" in claim.amount_note


def test_a_worker_never_registered_is_not_protected(db: Any) -> None:
    from lindung.registry.tests.factories import WorkerFactory

    worker = WorkerFactory()
    with on(datetime.date(2027, 2, 12)):
        event = services.report_event(
            by="test", worker=worker, kind="accident", occurred_on=datetime.date(2027, 2, 1),
            place="Pasar Masbagik", cause="at_work",
        )  # fmt: skip
    assert event.verdict == Verdict.NOT_PROTECTED
    assert "Not on an approved list of 2027" in event.verdict_reason


@pytest.mark.parametrize(
    ("kind", "cause", "extra", "calc"),
    [
        ("jkk-death", "at_work", {}, {}),
        ("jkk-disability", "at_work", {}, {}),
        ("jkk-disability", "commuting", {"parts": ["ibu_jari_tangan_kanan"]}, {}),
        ("stmb", "at_work", {"months_off": 14}, {"months": 14}),
    ],
)
def test_jkk_amounts_are_the_calculators(
    paid_half_year: dict[str, Any],
    kind: str,
    cause: str,
    extra: dict[str, Any],
    calc: dict[str, Any],
) -> None:
    worker = paid_half_year["apbd"][1]
    day = datetime.date(2027, 3, 2)
    rules = rules_for(day)
    if "parts" in extra:
        extra = {"parts": [rules.partial_disability.parts[0].code]}  # type: ignore[union-attr]
        calc = {"parts": extra["parts"]}
    with on(datetime.date(2027, 3, 5)):
        event = services.report_event(
            by="test", worker=_worker(worker), kind="death" if kind == "jkk-death" else "accident",
            occurred_on=day, place="Jalan raya Selong", cause=cause,
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind=kind, **extra)
    expected = benefit(kind, income=1_000_000, contribution_years=0, rules=rules, **calc)
    assert claim.expected_amount == expected.total
    assert claim.income == 1_000_000


def test_children_at_school_add_the_scholarship_as_the_calculator_does(
    paid_half_year: dict[str, Any],
) -> None:
    worker = paid_half_year["apbd"][2]
    day = datetime.date(2027, 3, 2)
    with on(datetime.date(2027, 3, 5)):
        event = _death(worker, day, cause="at_work")
        claim = services.open_claim(by="test", event=event, kind="jkk-death")
        heirs = [
            {"relation": "child", "name": "Anak Dua", "school_level": "SMP"},
            {"relation": "spouse", "name": "Istri", "nik": "5203014101850001"},
            {"relation": "child", "name": "Anak Satu", "school_level": "SD"},
            {"relation": "child", "name": "Anak Tiga", "school_level": "TK"},
        ]
        claim = services.update_file(by="test", claim=claim, heirs=heirs)
    expected = benefit(
        "jkk-death", income=1_000_000, contribution_years=0, children=["SMP", "SD"],
        rules=rules_for(day),
    )  # fmt: skip
    assert claim.expected_amount == expected.total
    assert [h.relation for h in claim.heirs.order_by("pk")] == ["spouse", "child", "child", "child"]
    assert services.children_of(claim) == ["SMP", "SD"]
    trail = AuditEvent.objects.filter(action="claim_updated").get()
    assert "Istri" not in str(trail.after) and "5203014101850001" not in str(trail.after)


def test_each_state_transition_and_the_ones_refused(paid_half_year: dict[str, Any]) -> None:
    worker = paid_half_year["apbd"][0]
    with on(datetime.date(2027, 2, 12)):
        event = _death(worker, datetime.date(2027, 2, 10))
        claim = services.open_claim(by="test", event=event, kind="jkm")
        assert claim.state == ClaimState.DILAPORKAN
        with pytest.raises(ClaimError, match="not complete"):
            services.complete_file(by="test", claim=claim)
        with pytest.raises(ClaimError, match="cannot become"):
            services.submit(by="test", claim=claim)
        with pytest.raises(ClaimError, match="cannot become"):
            services.mark_paid(by="test", claim=claim, paid_on=datetime.date(2027, 2, 12), amount=1)
        claim = services.update_file(by="test", claim=claim, documents=ALL_JKM)
        with pytest.raises(ClaimError, match="heirs"):
            services.complete_file(by="test", claim=claim)
        claim = services.update_file(
            by="test", claim=claim, heirs=[{"relation": "spouse", "name": "Inaq Sumiati"}]
        )
        claim = services.complete_file(by="test", claim=claim)
        assert claim.state == ClaimState.BERKAS_LENGKAP
        claim = services.submit(by="test", claim=claim, bpjs_number="JKM/2027/0042")
        assert claim.state == ClaimState.DIAJUKAN
        assert claim.bpjs_due == workdays.add_working_days(datetime.date(2027, 2, 12), 3)
        with pytest.raises(ClaimError, match="submitted"):
            services.update_file(by="test", claim=claim, documents=[])
    with on(datetime.date(2027, 2, 16)):
        with pytest.raises(ClaimError, match="more than zero"):
            services.mark_paid(by="test", claim=claim, paid_on=datetime.date(2027, 2, 16), amount=0)
        with pytest.raises(ClaimError, match="future"):
            services.mark_paid(
                by="test", claim=claim, paid_on=datetime.date(2027, 2, 17), amount=42_000_000
            )
        claim = services.mark_paid(
            by="test", claim=claim, paid_on=datetime.date(2027, 2, 16), amount=42_000_000
        )
        assert (claim.state, claim.paid_amount) == (ClaimState.DIBAYAR, 42_000_000)
        with pytest.raises(ClaimError, match="cannot become"):
            services.reject(by="test", claim=claim, reason="late")
    assert list(
        AuditEvent.objects.filter(object_id=str(claim.pk), action__startswith="claim_")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["claim_opened", "claim_updated", "claim_updated", "claim_complete", "claim_submitted",
          "claim_paid"]  # fmt: skip


def test_a_submitted_claim_can_be_rejected_with_a_reason(paid_half_year: dict[str, Any]) -> None:
    worker = paid_half_year["apbd"][0]
    with on(datetime.date(2027, 3, 3)):
        event = services.report_event(
            by="test", worker=_worker(worker), kind="accident",
            occurred_on=datetime.date(2027, 3, 1), place="Kebun", cause="at_work",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="jkk-medical")
        assert claim.expected_amount is None
        docs = [code for code, _l in claim_rules().documents_for("jkk-medical", road=False)]
        assert "laporan_polisi" not in docs
        claim = services.update_file(by="test", claim=claim, documents=docs)
        claim = services.complete_file(by="test", claim=claim)
        claim = services.submit(by="test", claim=claim)
        with pytest.raises(ClaimError, match="why"):
            services.reject(by="test", claim=claim, reason=" ")
        claim = services.reject(by="test", claim=claim, reason="Bukan kecelakaan kerja")
    assert claim.state == ClaimState.DITOLAK
    # a rejected claim of a kind may be opened again (new evidence)
    with on(datetime.date(2027, 3, 20)):
        again = services.open_claim(by="test", event=event, kind="jkk-medical")
    assert again.state == ClaimState.DILAPORKAN


def test_bad_reports_are_refused_and_store_nothing(paid_half_year: dict[str, Any]) -> None:
    worker = _worker(paid_half_year["apbd"][0])
    cases = [
        ({"kind": "accident", "cause": "not_work"}, "not covered by JKK"),
        ({"occurred_on": datetime.date(2027, 3, 9)}, "future"),
        ({"place": "  "}, "place"),
        ({"kind": "fire"}, "what happened"),
    ]
    with on(datetime.date(2027, 3, 5)):
        for change, message in cases:
            args = {"kind": "death", "cause": "not_work", "occurred_on": datetime.date(2027, 3, 1),
                    "place": "Rumah"} | change  # fmt: skip
            with pytest.raises(ClaimError, match=message):
                services.report_event(by="test", worker=worker, **args)
        event = services.report_event(
            by="test", worker=worker, kind="death", cause="not_work",
            occurred_on=datetime.date(2027, 3, 1), place="Rumah",
        )  # fmt: skip
        with pytest.raises(ClaimError, match="already"):
            services.report_event(
                by="test", worker=worker, kind="death", cause="not_work",
                occurred_on=datetime.date(2027, 3, 1), place="Rumah",
            )  # fmt: skip
        with pytest.raises(ClaimError, match="cannot lead"):
            services.open_claim(by="test", event=event, kind="stmb", months_off=2)
    assert Event.objects.count() == 1 and Claim.objects.count() == 0


def test_working_days_skip_weekends_holidays_and_cuti_bersama() -> None:
    # Nyepi and Idul Fitri 2026 with their cuti bersama: 18 to 24 March (the 21st and 22nd
    # are a weekend), and Good Friday on 3 April.
    assert workdays.add_working_days(datetime.date(2026, 3, 17), 1) == datetime.date(2026, 3, 25)
    assert workdays.add_working_days(datetime.date(2026, 3, 17), 7) == datetime.date(2026, 4, 2)
    assert workdays.add_working_days(datetime.date(2026, 4, 2), 1) == datetime.date(2026, 4, 6)
    assert workdays.add_working_days(datetime.date(2026, 7, 3), 1) == datetime.date(2026, 7, 6)
    assert not workdays.is_working_day(datetime.date(2026, 12, 24))  # cuti bersama Natal
    assert workdays.is_working_day(datetime.date(2026, 12, 23))


def test_jkk_deadlines_kk1_kk2_and_bpjs(paid_half_year: dict[str, Any]) -> None:
    worker = paid_half_year["apbd"][0]
    with on(datetime.date(2027, 3, 1), hour=12):
        event = services.report_event(
            by="test", worker=_worker(worker), kind="accident",
            occurred_on=datetime.date(2027, 3, 1), occurred_at=datetime.time(10, 30),
            place="Kebun tembakau", cause="commuting",
        )  # fmt: skip
        claim = services.open_claim(by="test", event=event, kind="stmb", months_off=2)
    found = {d.code: d for d in deadlines.for_claim(claim, now=deadlines.event_moment(event))}
    assert found["kk1"].due == deadlines.event_moment(event) + datetime.timedelta(hours=48)
    assert not found["kk1"].late and found["kk2"].due is None
    later = deadlines.event_moment(event) + datetime.timedelta(hours=49)
    assert {d.code: d for d in deadlines.for_claim(claim, now=later)}["kk1"].late
    assert deadlines.forms_late(Claim.objects.all(), now=later) == [claim]
    assert "laporan_polisi" in [c for c, _l in services.missing_documents(claim)]  # road
    with on(datetime.date(2027, 3, 5)):
        claim = services.update_file(
            by="test", claim=claim,
            documents=[c for c, _l in claim_rules().documents_for("stmb", road=True)],
            doctor_statement_on=datetime.date(2027, 3, 4),
        )  # fmt: skip
        claim = services.complete_file(by="test", claim=claim)
        claim = services.submit(by="test", claim=claim)  # Friday 5 March 2027
    # 7 working days: 8 (Nyepi), 9, 10, 11, 12 and 15 March 2027 are holidays or cuti bersama
    assert claim.bpjs_due == datetime.date(2027, 3, 24)
    assert list(deadlines.bpjs_late(Claim.objects.all(), on=datetime.date(2027, 3, 24))) == []
    assert list(deadlines.bpjs_late(Claim.objects.all(), on=datetime.date(2027, 3, 25))) == [claim]


def test_a_death_without_a_claim_for_30_days_is_on_the_worklist(
    paid_half_year: dict[str, Any],
) -> None:
    with on(datetime.date(2027, 2, 12)):
        event = _death(paid_half_year["apbd"][0], datetime.date(2027, 2, 10))
    events = Event.objects.all()
    assert list(deadlines.deaths_without_claim(events, on=datetime.date(2027, 3, 12))) == [event]
    assert list(deadlines.deaths_without_claim(events, on=datetime.date(2027, 3, 11))) == []
    with on(datetime.date(2027, 3, 12)):
        services.open_claim(by="test", event=event, kind="jkm")
    assert list(deadlines.deaths_without_claim(events, on=datetime.date(2027, 3, 12))) == []


def test_the_branch_report_settles_an_open_claim_or_records_a_new_one(
    paid_half_year: dict[str, Any],
) -> None:
    worker = paid_half_year["apbd"][0]
    other = paid_half_year["apbd"][1]
    with on(datetime.date(2027, 2, 20)):
        event = _death(worker, datetime.date(2027, 2, 10))
        claim = services.open_claim(by="test", event=event, kind="jkm")
        claim = services.settle(
            by="test", claim=claim, paid_on=datetime.date(2027, 2, 19), amount=42_000_000
        )
        assert claim.state == ClaimState.DIBAYAR
        with pytest.raises(ClaimError, match="already"):
            services.settle(by="test", claim=claim, paid_on=datetime.date(2027, 2, 19), amount=1)
        new = services.record_bpjs_claim(
            by="test", participation=other, kind="jkk-medical",
            event_date=datetime.date(2027, 2, 1), paid_on=datetime.date(2027, 2, 18),
            amount=3_250_000, bpjs_number="JKK-77",
        )  # fmt: skip
    assert (new.state, new.paid_amount, new.event.kind) == (
        ClaimState.DIBAYAR,
        3_250_000,
        "accident",
    )
    assert new.event.verdict == Verdict.PROTECTED


def test_claim_numbers_go_on_past_9999(paid_half_year: dict[str, Any]) -> None:
    workers = paid_half_year["apbd"]
    with on(datetime.date(2027, 3, 5)):
        first = services.open_claim(by="test", event=_death(workers[0], datetime.date(2027, 3, 1)),
                                    kind="jkm")  # fmt: skip
        Claim.objects.filter(pk=first.pk).update(number="KL-2027-9999")
        second = services.open_claim(
            by="test", event=_death(workers[1], datetime.date(2027, 3, 1)), kind="jkm"
        )
        third = services.open_claim(
            by="test", event=_death(workers[2], datetime.date(2027, 3, 1)), kind="jkm"
        )
    assert (second.number, third.number) == ("KL-2027-10000", "KL-2027-10001")


def test_a_number_taken_meanwhile_is_skipped(
    paid_half_year: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    workers = paid_half_year["apbd"]
    with on(datetime.date(2027, 3, 5)):
        first = services.open_claim(
            by="test", event=_death(workers[0], datetime.date(2027, 3, 1)), kind="jkm"
        )
        # as if another operator's claim had taken the number between the read and the insert
        given = iter([first.number])
        real = services._next_number
        monkeypatch.setattr(services, "_next_number", lambda year: next(given, None) or real(year))
        second = services.open_claim(
            by="test", event=_death(workers[1], datetime.date(2027, 3, 1)), kind="jkm"
        )
    assert (first.number, second.number) == ("KL-2027-0001", "KL-2027-0002")
    assert Claim.objects.count() == 2

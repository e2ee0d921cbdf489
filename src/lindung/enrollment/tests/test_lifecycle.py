"""Participations follow the approved lists; every transition, legal and refused."""

import datetime
from typing import Any

import pytest

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.enrollment import services, states
from lindung.enrollment.batches import create_batch
from lindung.enrollment.models import EndReason, Kind, Participation, State, Wadah
from lindung.enrollment.services import EnrollmentError, end_participation, resubmit
from lindung.enrollment.states import TransitionError
from lindung.enrollment.tests.conftest import run
from lindung.registry.services import set_worker_status
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db


def _states(year: int = 2027) -> dict[int, str]:
    return dict(Participation.objects.filter(fiscal_year=year).values_list("worker_id", "state"))


def test_an_approved_list_makes_a_candidate_of_each_worker(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    assert _states() == {w.pk: State.CALON for w in registry.values() if w.desil <= 4}
    p = Participation.objects.get(worker=registry["poorest"])
    assert (p.nik, p.source, p.kind, p.beneficiary_list_id) == (
        registry["poorest"].nik,
        "apbd",
        Kind.NEW,
        approved.pk,
    )
    event = Event.objects.get(action="participations_synced")
    assert event.after["created"] == 5


def test_syncing_again_changes_nothing(approved: BeneficiaryList) -> None:
    assert services.sync_list(by="test", beneficiary_list=approved) == {
        "created": 0,
        "ended": 0,
        "moved": 0,
        "renewals": 0,
    }
    assert Event.objects.filter(action="participations_synced").count() == 1


def test_a_revision_ends_the_removed_and_adds_the_new(
    approved: BeneficiaryList, registry: dict[str, Any], wadah: Wadah
) -> None:
    create_batch(by="test", beneficiary_list=approved, wadah=wadah)
    revised = approve(by="test", scenario=run(apbd=3), note="budget cut")
    removed = set(approved.entries.values_list("worker_id", flat=True)) - set(
        revised.entries.values_list("worker_id", flat=True)
    )
    assert len(removed) == 2
    for p in Participation.objects.filter(worker_id__in=removed):
        assert (p.state, p.end_reason) == (State.BERAKHIR, EndReason.LIST_REVISION)
    kept = Participation.objects.exclude(state=State.BERAKHIR)
    assert kept.count() == 3 and {p.beneficiary_list_id for p in kept} == {revised.pk}
    # and back to five: two new candidates (the ended ones stay history)
    third = approve(by="test", scenario=run(apbd=5), note="budget restored")
    assert Participation.objects.filter(beneficiary_list=third, state=State.CALON).count() == 2
    assert Participation.objects.filter(state=State.BERAKHIR).count() == 2


def test_a_candidate_moved_to_another_source_moves_a_submitted_one_ends(
    registry: dict[str, Any], wadah: Wadah
) -> None:
    first = approve(by="test", scenario=run(apbd=5))
    create_batch(by="test", beneficiary_list=first, wadah=wadah)
    revised = approve(by="test", scenario=run(apbd=3, dbhcht=2), note="DBHCHT pays tobacco")
    moved = revised.entries.filter(source="dbhcht").values_list("worker_id", flat=True)
    assert len(moved) == 2
    for worker_id in moved:
        ended = Participation.objects.get(worker_id=worker_id, state=State.BERAKHIR)
        assert ended.end_reason == EndReason.SOURCE_CHANGED
        fresh = Participation.objects.get(worker_id=worker_id, state=State.CALON)
        assert fresh.source == "dbhcht"


def test_every_legal_transition_and_the_refused_ones() -> None:
    for before, afters in states.TRANSITIONS.items():
        for after in State.values:
            if after in afters:
                states.check(before, after)
            else:
                with pytest.raises(TransitionError):
                    states.check(before, after)
    with pytest.raises(TransitionError, match="has ended"):
        states.check(State.BERAKHIR, State.CALON)


def test_ending_a_participation_is_audited_and_final(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    p = Participation.objects.get(worker=registry["farmer"])
    ended = end_participation(by="test", participation=p, reason=EndReason.WAGE_WORKER)
    assert (ended.state, ended.end_reason) == (State.BERAKHIR, EndReason.WAGE_WORKER)
    event = Event.objects.get(action="participation_ended")
    assert event.before == {"state": "CALON", "end_reason": "", "ended_on": None}
    with pytest.raises(TransitionError):
        end_participation(by="test", participation=ended, reason=EndReason.DIED)
    with pytest.raises(TransitionError):
        resubmit(by="test", participation=ended)
    with pytest.raises(EnrollmentError):
        end_participation(by="test", participation=p, reason="bored")


def test_a_candidate_cannot_be_resubmitted(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    p = Participation.objects.get(worker=registry["farmer"])
    with pytest.raises(TransitionError):
        resubmit(by="test", participation=p)


def test_a_death_in_the_registry_ends_the_participation(
    approved: BeneficiaryList, registry: dict[str, Any]
) -> None:
    set_worker_status(by=admin(), worker=registry["farmer"], status="meninggal")
    p = Participation.objects.get(worker=registry["farmer"])
    assert (p.state, p.end_reason) == (State.BERAKHIR, EndReason.DIED)


def test_closing_a_year_ends_the_open_participations_with_their_reason(
    approved: BeneficiaryList, registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(EnrollmentError):
        services.close_year(by="test", fiscal_year=2027)
    approve(by="test", scenario=run(year=2028, apbd=3))
    monkeypatch.setattr(services, "today", lambda: datetime.date(2028, 1, 2))
    ended = services.close_year(by="test", fiscal_year=2027)
    assert ended == 5
    reasons = set(
        Participation.objects.filter(fiscal_year=2027).values_list("end_reason", flat=True)
    )
    assert reasons == {EndReason.YEAR_ENDED, EndReason.NOT_RENEWED}

"""A committed answer writes one audit event per changed participation, in bulk, as an event
written by `audit.record` reads back: actor, time, object, before and after."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.enrollment.answers.service import commit, receive
from lindung.enrollment.batches import batch_files, create_batch
from lindung.enrollment.models import Participation, State, Wadah
from lindung.enrollment.synth import fake_answer
from lindung.targeting.models import BeneficiaryList

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("by_user", [True, False])
def test_each_answered_participation_has_its_event(
    approved: BeneficiaryList, wadah: Wadah, tmp_path: Path, by_user: bool
) -> None:
    batch = create_batch(by="test", beneficiary_list=approved, wadah=wadah)
    answer_file = tmp_path / "jawaban.xlsx"
    fake_answer(batch_files(batch)["xlsx"], answer_file)
    answer = receive(by="test", batch=batch, source=answer_file, file_name="jawaban.xlsx")
    user = admin() if by_user else None
    before = timezone.now()

    commit(by=user or "cli", answer=answer)

    events = Event.objects.filter(action="participation_answered")
    changed = Participation.objects.filter(batch=batch).exclude(state=State.DIAJUKAN)
    assert events.count() == changed.count() == 5
    for participation in changed:
        event = events.get(object_id=str(participation.pk))
        assert event.object_type == "enrollment.participation"
        assert event.object_repr == f"2027 {participation.worker_id}"
        assert event.actor == user
        assert event.actor_label == (user.username if user else "cli")
        assert before - datetime.timedelta(seconds=1) <= event.at <= timezone.now()
        assert event.before == {"state": "DIAJUKAN", "kpj": ""}
        effective = participation.effective_from
        assert event.after == {
            "state": participation.state,
            "kpj": participation.kpj,
            "effective_from": effective.isoformat() if effective else None,
            "batch": batch.pk,
        }

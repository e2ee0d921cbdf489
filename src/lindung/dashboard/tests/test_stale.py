"""The dashboard's stale-marking follows `audit.actions.MOVES_NUMBERS`, not a list of its own."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models.signals import post_save

from lindung.audit.actions import MOVES_NUMBERS, Action
from lindung.audit.models import Event
from lindung.audit.services import record
from lindung.dashboard.aggregates import state
from lindung.enrollment import signals as enrollment_signals

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_enrollment_following() -> Iterator[None]:
    """The events below name no real object: enrollment, which follows some of them (an
    approved list), is not asked to look it up."""
    post_save.disconnect(sender=Event, dispatch_uid="enrollment-follow")
    yield
    enrollment_signals.connect()


def _record_on_fresh_cells(action: Action, callbacks: Any) -> None:
    state()  # the cells as just rebuilt: not stale, no rebuild queued
    with callbacks(execute=False), transaction.atomic():
        record(by="test", action=action, object_type="registry.worker", object_id="1")


def test_an_action_that_moves_numbers_marks_the_cells_stale(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert Action.WORKER_UPDATED in MOVES_NUMBERS
    _record_on_fresh_cells(Action.WORKER_UPDATED, django_capture_on_commit_callbacks)
    assert state().stale_since is not None and state().queued


def test_an_action_that_does_not_move_numbers_leaves_the_cells_fresh(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert Action.LOGIN not in MOVES_NUMBERS
    _record_on_fresh_cells(Action.LOGIN, django_capture_on_commit_callbacks)
    assert state().stale_since is None and not state().queued


@pytest.mark.parametrize("action", list(Action))
def test_the_cells_go_stale_exactly_after_the_actions_that_move_numbers(
    action: Action, django_capture_on_commit_callbacks: Any
) -> None:
    _record_on_fresh_cells(action, django_capture_on_commit_callbacks)
    assert (state().stale_since is not None) == (action in MOVES_NUMBERS)

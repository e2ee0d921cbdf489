"""A recount never stalls the pages: readers see the old cells until the new ones are all
written, and no request recounts; it queues the background task instead."""

from typing import Any

import pytest
from django.urls import reverse

from lindung.accounts.tests.factories import admin
from lindung.dashboard import aggregates
from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.models import Cell, State
from lindung.dashboard.queries import Filters, indicators, resolve_area
from lindung.dashboard.tasks import refresh_task
from lindung.dashboard.tests.test_pages import _client
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _registered(user: Any) -> int | None:
    return indicators(user, resolve_area(user), Filters(2027)).registered.value


def test_readers_see_the_old_cells_until_the_new_generation_is_complete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = admin()
    WorkerFactory.create_batch(3)
    refresh([2027])
    WorkerFactory.create_batch(2)
    seen: list[int | None] = []
    insert = aggregates.insert_frame

    def insert_and_look(table: str, frame: Any) -> None:
        insert(table, frame)
        seen.append(_registered(user))  # what a page shows while the rebuild writes

    monkeypatch.setattr(aggregates, "WRITE_CHUNK", 5)  # several short writes
    monkeypatch.setattr(aggregates, "insert_frame", insert_and_look)
    before = state().generation
    done = refresh([2027])

    assert len(seen) > 1 and set(seen) == {3}
    assert done.generation > before and _registered(user) == 5
    assert not Cell.objects.exclude(generation=done.generation).exists()  # the old rows went


def test_a_rebuild_finished_after_a_later_one_leaves_the_later_standing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    WorkerFactory.create_batch(2)
    refresh([2027])
    refresh([2027])  # the later rebuild, swapped in
    current = state().generation
    monkeypatch.setattr(aggregates, "_take_generation", lambda: current - 1)  # began before it

    refresh([2027])

    assert state().generation == current
    assert set(Cell.objects.values_list("generation", flat=True)) == {current}


def test_the_dashboard_while_stale_answers_from_the_cells_and_queues_a_recount(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = admin()
    WorkerFactory.create_batch(3)
    refreshed = refresh([2027]).refreshed_at
    WorkerFactory.create_batch(2)
    State.objects.filter(pk=1).update(stale_since=refreshed, queued=False)  # a lost job

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = _client(user).get(reverse("dashboard:home"), {"tahun": 2027})

    assert 'data-testid="ind-registered">3<' in page.content.decode()
    assert len(callbacks) == 1  # the recount, queued for the worker
    assert state().queued and state().refreshed_at == refreshed


def test_recount_now_queues_the_task_and_returns_at_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    WorkerFactory.create_batch(3)
    generation = refresh([2027]).generation

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _client(admin()).post(reverse("dashboard:refresh"))

    assert response.status_code == 302
    assert len(callbacks) == 1 and state().stale_since is not None and state().queued
    assert state().generation == generation  # nothing recounted in the request


def test_a_queued_task_finds_nothing_to_do_after_a_recount_covered_it() -> None:
    WorkerFactory.create_batch(3)
    generation = refresh([2027]).generation
    State.objects.filter(pk=1).update(queued=True)  # queued by a change the recount covered

    refresh_task.call()

    assert state().generation == generation and not state().queued
    State.objects.filter(pk=1).update(stale_since=state().refreshed_at)
    refresh_task.call()
    assert state().generation > generation and state().stale_since is None

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_kecamatan, user_with_role
from lindung.audit.models import Event
from lindung.registry.models import (
    DuplicateStatus,
    PossibleDuplicate,
    Worker,
    WorkerSource,
)
from lindung.registry.queries import PAGE_SIZE
from lindung.registry.services import RegistryError, mark_different, merge_workers
from lindung.registry.tests.factories import SourceFactory, WorkerFactory
from lindung.roles import Role

pytestmark = pytest.mark.django_db

APIT_AIK = "52.03.08.2002"  # Kec. Pringgabaya


def _pair(a: Worker, b: Worker, **kwargs: object) -> PossibleDuplicate:
    low, high = sorted((a, b), key=lambda w: w.pk)
    return PossibleDuplicate.objects.create(worker=low, other=high, score=92, **kwargs)


@pytest.fixture
def twins() -> tuple[Worker, Worker]:
    """One person registered twice: the first record has a phone, the second a No. KK."""
    a = WorkerFactory(name="Siti Aminah", phone="081234567890", desil=None)
    b = WorkerFactory(name="Siti Aminnah", no_kk="5203070101090002", phone="0877", desil=3)
    return a, b


# --- services -----------------------------------------------------------------------------------
def test_merging_keeps_one_record_and_fills_its_empty_fields(twins: tuple[Worker, Worker]) -> None:
    a, b = twins
    dtks, p3ke = SourceFactory(name="DTKS"), SourceFactory(name="P3KE")
    batch = uuid.uuid4()
    WorkerSource.objects.create(worker=a, source=dtks)
    WorkerSource.objects.create(worker=b, source=dtks)
    WorkerSource.objects.create(worker=b, source=p3ke, batch=batch)
    pair = _pair(a, b)
    by = operator_kecamatan("52.03.07")

    kept = merge_workers(by=by, duplicate=pair, keep=a)

    a.refresh_from_db()
    b.refresh_from_db()
    assert kept == a and a.merged_into is None and b.merged_into == a
    assert (a.phone, a.no_kk, a.desil) == ("081234567890", "5203070101090002", 3)  # own phone kept
    assert set(a.sources.values_list("name", flat=True)) == {"DTKS", "P3KE"}
    assert WorkerSource.objects.get(worker=a, source=p3ke).batch == batch
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicateStatus.MERGED, by)
    assert pair.decided_at is not None
    assert set(Worker.objects.current().values_list("pk", flat=True)) == {a.pk}


def test_merging_is_audited_on_both_records(twins: tuple[Worker, Worker]) -> None:
    a, b = twins
    merge_workers(by=admin(), duplicate=_pair(a, b), keep=b)
    on_kept = Event.objects.get(action="workers_merged", object_id=str(b.pk))
    on_merged = Event.objects.get(action="workers_merged", object_id=str(a.pk))
    assert on_kept.object_type == on_merged.object_type == "registry.worker"
    assert (on_kept.before, on_kept.after) == ({}, {"merged_from": a.pk})  # nothing to fill
    assert (on_merged.before, on_merged.after) == ({"merged_into": None}, {"merged_into": b.pk})


def test_merging_fills_and_records_the_kept_records_empty_fields(
    twins: tuple[Worker, Worker],
) -> None:
    a, b = twins
    merge_workers(by=admin(), duplicate=_pair(a, b), keep=a)
    event = Event.objects.get(action="workers_merged", object_id=str(a.pk))
    assert event.before == {"desil": None, "no_kk": ""}
    assert event.after == {"desil": 3, "no_kk": "5203070101090002", "merged_from": b.pk}


def test_open_pairs_of_the_merged_record_move_to_the_kept_one(
    twins: tuple[Worker, Worker],
) -> None:
    a, b = twins
    c, d = WorkerFactory(name="Third"), WorkerFactory(name="Fourth")
    pair = _pair(a, b)
    moves = _pair(b, c)  # becomes (a, c)
    repeats = _pair(b, d)  # (a, d) exists already: removed
    _pair(a, d)
    decided = _pair(b, WorkerFactory(), status=DuplicateStatus.DIFFERENT)  # history stays

    merge_workers(by=admin(), duplicate=pair, keep=a)

    moves.refresh_from_db()
    assert {moves.worker_id, moves.other_id} == {a.pk, c.pk}
    assert moves.status == DuplicateStatus.OPEN
    assert not PossibleDuplicate.objects.filter(pk=repeats.pk).exists()
    decided.refresh_from_db()
    assert b.pk in (decided.worker_id, decided.other_id)
    open_pairs = PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN)
    assert not open_pairs.filter(worker=b).exists() and not open_pairs.filter(other=b).exists()


def test_the_kept_worker_must_belong_to_the_pair(twins: tuple[Worker, Worker]) -> None:
    a, b = twins
    with pytest.raises(RegistryError):
        merge_workers(by=admin(), duplicate=_pair(a, b), keep=WorkerFactory())


def test_a_decided_pair_cannot_be_decided_again(twins: tuple[Worker, Worker]) -> None:
    a, b = twins
    pair = _pair(a, b)
    mark_different(by=admin(), duplicate=pair)
    with pytest.raises(RegistryError):
        merge_workers(by=admin(), duplicate=pair, keep=a)
    with pytest.raises(RegistryError):
        mark_different(by=admin(), duplicate=pair)


def test_marking_different_people_is_recorded_on_both(twins: tuple[Worker, Worker]) -> None:
    a, b = twins
    pair = _pair(a, b)
    by = admin()
    mark_different(by=by, duplicate=pair)
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicateStatus.DIFFERENT, by)
    events = Event.objects.filter(action="duplicate_marked_different").order_by("id")
    assert [(e.object_id, e.after["different_from"]) for e in events] == [
        (str(a.pk), b.pk),
        (str(b.pk), a.pk),
    ]
    assert Worker.objects.current().count() == 2


def test_an_operator_cannot_merge_a_worker_outside_their_wilayah() -> None:
    inside, outside = WorkerFactory(), WorkerFactory(desa_id=APIT_AIK)
    with pytest.raises(RegistryError):
        merge_workers(
            by=operator_kecamatan("52.03.07"), duplicate=_pair(inside, outside), keep=inside
        )


# --- pages --------------------------------------------------------------------------------------
LIST = reverse("registry:duplicate-list")


def test_the_list_shows_open_pairs_in_scope_newest_first(client: Client) -> None:
    a, b, c, d = (WorkerFactory() for _ in range(4))
    older, newer = _pair(a, b), _pair(c, d)
    _pair(a, c, status=DuplicateStatus.DIFFERENT)
    _pair(a, WorkerFactory(desa_id=APIT_AIK))  # half outside Kec. Selong
    client.force_login(operator_kecamatan("52.03.07"))
    response = client.get(LIST)
    assert [p.pk for p in response.context["page"].pairs] == [newer.pk, older.pk]


def test_the_list_pages_without_gaps_or_repeats(client: Client) -> None:
    workers = [WorkerFactory() for _ in range(PAGE_SIZE + 6)]
    pairs = [_pair(workers[0], w) for w in workers[1:]]
    client.force_login(admin())
    first = client.get(LIST)
    cursor = first.context["page"].next_cursor
    second = client.get(LIST, {"before": cursor})
    seen = [p.pk for p in first.context["page"].pairs + second.context["page"].pairs]
    assert seen == sorted((p.pk for p in pairs), reverse=True)
    assert second.context["page"].next_cursor is None


def test_the_detail_highlights_the_differences(
    client: Client, twins: tuple[Worker, Worker]
) -> None:
    a, b = twins
    pair = _pair(a, b, batch=uuid.uuid4())
    client.force_login(admin())
    response = client.get(reverse("registry:duplicate-detail", args=[pair.pk]))
    differing = {f.name for f in response.context["fields"] if f.differs}
    assert differing == {"nik", "no_kk", "name", "phone", "desil"}
    html = response.content.decode()
    assert html.count('class="differs"') == len(differing)
    assert html.count('name="keep"') == 2 and 'data-testid="different"' in html


def test_merging_from_the_page_keeps_the_chosen_record(
    client: Client, twins: tuple[Worker, Worker]
) -> None:
    a, b = twins
    pair = _pair(a, b)
    client.force_login(operator_kecamatan("52.03.07"))
    url = reverse("registry:duplicate-merge", args=[pair.pk])
    assert client.get(url).status_code == 400  # which record to keep?
    assert client.post(url, {"keep": "999999", "confirm": "1"}).status_code == 400
    # Without the confirmation the page only asks.
    assert client.post(url, {"keep": str(b.pk)}).status_code == 200
    a.refresh_from_db()
    assert a.merged_into is None
    response = client.post(url, {"keep": str(b.pk), "confirm": "1"})
    assert response.url == reverse("registry:worker-detail", args=[b.pk])
    a.refresh_from_db()
    assert a.merged_into == b
    # a second click finds the pair decided
    again = client.post(url, {"keep": str(b.pk), "confirm": "1"})
    assert again.url == reverse("registry:duplicate-detail", args=[pair.pk])


def test_marking_different_from_the_page(client: Client, twins: tuple[Worker, Worker]) -> None:
    pair = _pair(*twins)
    client.force_login(admin())
    response = client.post(reverse("registry:duplicate-different", args=[pair.pk]))
    assert response.url == LIST
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DIFFERENT


def test_a_pair_half_outside_the_scope_is_not_found(client: Client) -> None:
    pair = _pair(WorkerFactory(), WorkerFactory(desa_id=APIT_AIK))
    client.force_login(operator_kecamatan("52.03.07"))
    assert client.get(reverse("registry:duplicate-detail", args=[pair.pk])).status_code == 404
    merge = reverse("registry:duplicate-merge", args=[pair.pk])
    assert client.post(merge, {"keep": str(pair.worker_id)}).status_code == 404
    different = reverse("registry:duplicate-different", args=[pair.pk])
    assert client.post(different).status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN


@pytest.mark.parametrize("role", [Role.BPJS, Role.PIMPINAN, Role.AUDITOR])
def test_roles_without_edit_data_cannot_review_duplicates(
    client: Client, role: str, twins: tuple[Worker, Worker]
) -> None:
    pair = _pair(*twins)
    client.force_login(user_with_role(role))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("registry:duplicate-detail", args=[pair.pk])).status_code == 403
    merge = reverse("registry:duplicate-merge", args=[pair.pk])
    assert client.post(merge, {"keep": str(pair.worker_id)}).status_code == 403

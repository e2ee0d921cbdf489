"""lindung.bulk.ordered_rows: the rows of a queryset in its order, a chunk at a time."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.bulk import ordered_rows
from lindung.registry.models import Worker
from lindung.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers() -> list[Worker]:
    names = ["Siti", "Amaq Sahwan", "Baiq Nur", "Lalu Ahmad", "Inaq Rumah", "Muhammad", "Zainab"]
    return [WorkerFactory(name=name, desil=1 + n % 3) for n, name in enumerate(names)]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunk=st.integers(1, 9), limit=st.none() | st.integers(0, 9))
def test_it_gives_the_rows_of_the_queryset_in_its_order(  # the rows are only read
    workers: list[Worker], chunk: int, limit: int | None
) -> None:
    ordered = Worker.objects.order_by("desil", "-name")
    expected = list(ordered.values_list("name", "desil", "desa__name")[:limit])

    rows = list(ordered_rows(ordered, ["name", "desil", "desa__name"], limit=limit, chunk=chunk))

    assert rows == expected


def test_a_filtered_queryset_gives_only_its_rows(workers: list[Worker]) -> None:
    some = Worker.objects.filter(desil=2).order_by("name")
    assert list(ordered_rows(some, ["name"])) == [(n,) for n in some.values_list("name", flat=True)]
    assert list(ordered_rows(Worker.objects.none(), ["name"])) == []

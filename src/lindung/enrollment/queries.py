"""Reads of enrollment, always within the user's wilayah.

visible_participations(user)               the participations of the user's area
state_counts(user, fiscal_year)            {(source, wadah code or "", state): n}
status_summary(fiscal_year=None)           the deployment's counts (`lindung enroll status`)
visible_batches(user)                      batches, for those who see the whole deployment
worker_history(worker)                     a worker's participations, newest first
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from lindung.enrollment.models import Answer, Participation, RegistrationBatch, State, Wadah
from lindung.regions import scope
from lindung.registry.models import Worker
from lindung.targeting.lists import in_areas


def visible_participations(user: Any) -> QuerySet[Participation]:
    codes = scope.codes_for(user)
    # Every participation lies inside the deployment: for its whole no prefix filter, which
    # SQLite answers slowly. One kabupaten/kota of several: its own only.
    if codes and user.region_id is None:  # bound to no region: the whole deployment
        return Participation.objects.all()
    return in_areas(Participation.objects.all(), codes)


def sees_whole_deployment(user: Any) -> bool:
    return scope.is_whole_deployment(scope.codes_for(user))


def sees_whole_kabupaten(user: Any) -> bool:
    return scope.is_whole_kabupaten(scope.codes_for(user))


def state_counts(
    participations: QuerySet[Participation],
) -> dict[tuple[str, str, str], int]:
    rows = (
        participations.values_list("source", "wadah__code", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(source, wadah or "", state): n for source, wadah, state, n in rows}


def count_table(
    participations: QuerySet[Participation], source_labels: dict[str, str]
) -> list[dict[str, Any]]:
    """Rows per funding source and wadah with the count of each state and the total; the
    candidates not yet in a batch have no wadah."""
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(State.values, 0)
    )
    for (source, wadah, state), n in state_counts(participations).items():
        table[(source, wadah)][state] += n
    wadah_names = dict(Wadah.objects.values_list("code", "name"))
    rows = []
    for (source, wadah), counts in sorted(table.items()):
        rows.append(
            {
                "source": source,
                "source_label": source_labels.get(source, source.upper()),
                "wadah": wadah,
                "wadah_name": wadah_names.get(wadah, ""),
                "counts": [counts[s] for s in State.values],
                "by_state": counts,
                "total": sum(counts.values()),
            }
        )
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    result = dict.fromkeys(State.values, 0)
    for row in rows:
        for state, n in row["by_state"].items():
            result[state] += n
    return result


def status_summary(fiscal_year: int | None = None) -> list[dict[str, Any]]:
    """The deployment's participations counted per year, funding source, wadah and state."""
    query = Participation.objects.all()
    if fiscal_year is not None:
        query = query.filter(fiscal_year=fiscal_year)
    rows = (
        query.values_list("fiscal_year", "source", "wadah__code", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    grouped: dict[tuple[int, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(State.values, 0)
    )
    for year, source, wadah, state, n in rows:
        grouped[(year, source, wadah or "")][state] += n
    return [
        {
            "fiscal_year": year,
            "source": source,
            "wadah": wadah or None,
            "states": counts,
            "total": sum(counts.values()),
        }
        for (year, source, wadah), counts in sorted(grouped.items())
    ]


def visible_batches(user: Any) -> QuerySet[RegistrationBatch]:
    """Batches name workers of the whole wadah: only roles that see whole kabupaten/kota, the
    batches of their kabupaten/kota's wadah."""
    if not sees_whole_kabupaten(user):
        return RegistrationBatch.objects.none()
    batches = RegistrationBatch.objects.select_related("wadah", "beneficiary_list")
    if sees_whole_deployment(user):
        return batches
    return batches.filter(wadah__kabupaten__in=scope.kabupaten_for(user))


def visible_answers(user: Any) -> QuerySet[Answer]:
    if not sees_whole_kabupaten(user):
        return Answer.objects.none()
    answers = Answer.objects.select_related("batch__wadah")
    if sees_whole_deployment(user):
        return answers
    return answers.filter(batch__wadah__kabupaten__in=scope.kabupaten_for(user))


def worker_history(worker: Worker) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(worker_id=worker.pk)
        .select_related("wadah", "batch")
        .order_by("-fiscal_year", "-id")
    )


def registered_kpj(worker: Worker) -> str:
    """The worker's KPJ as the latest registered participation knows it."""
    return (
        Participation.objects.filter(worker_id=worker.pk)
        .exclude(kpj="")
        .order_by("-fiscal_year", "-id")
        .values_list("kpj", flat=True)
        .first()
        or ""
    )

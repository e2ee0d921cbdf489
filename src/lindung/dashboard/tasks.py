"""Background rebuild of the dashboard's cells (django-tasks; `lindung serve` runs the worker)."""

from django_tasks import task

from lindung.dashboard.aggregates import refresh
from lindung.dashboard.models import State


@task()
def refresh_task() -> None:
    # Changes from now on queue another rebuild; this one covers everything committed so far.
    State.objects.filter(pk=1).update(queued=False)
    refresh()

"""Background rebuild of the dashboard's cells (django-tasks; `lindung serve` runs the worker).

No page rebuilds the cells itself: a change queues this task (`dashboard.signals`), and pages
read the current cells meanwhile."""

from django_tasks import task

from lindung.dashboard.aggregates import refresh, state
from lindung.dashboard.models import State


@task()
def refresh_task() -> None:
    # Changes from now on queue another rebuild; this one covers everything committed so far.
    State.objects.filter(pk=1).update(queued=False)
    current = state()
    if current.refreshed_at is not None and current.stale_since is None:
        return  # a rebuild since this task was queued (`lindung demo`'s, another task's) did it
    refresh()

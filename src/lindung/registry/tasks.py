"""Background jobs of the registry (django-tasks; `lindung serve` runs the worker).

A job that raises marks its batch failed before the error reaches the worker; a worker that dies
in a job (killed, aborted) is restarted by `lindung serve`, which marks the job and its batch
failed (`batch_of` tells which batch a job works on).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django_tasks import task

from lindung.audit.actors import SYSTEM
from lindung.registry import imports, recovery


@contextmanager
def _failing_batch_on_error(batch_id: str) -> Iterator[None]:
    try:
        yield
    except imports.ImportFailed:
        raise
    except BaseException:
        recovery.fail_import(by=SYSTEM, batch_id=batch_id)
        raise


@task()
def check_import_task(batch_id: str) -> None:
    with _failing_batch_on_error(batch_id):
        imports.run_check(batch_id)


@task()
def commit_import_task(batch_id: str, user_id: int | None) -> None:
    try:
        with _failing_batch_on_error(batch_id):
            imports.run_commit(batch_id, user_id)
    except imports.ImportFailed:
        return


_BATCH_TASKS = {t.module_path for t in (check_import_task, commit_import_task)}


def batch_of(task_path: str, args_kwargs: Any) -> str | None:
    """The import batch id a queued job (its task path and stored arguments) works on."""
    if task_path not in _BATCH_TASKS:
        return None
    args = (args_kwargs or {}).get("args") or []
    kwargs = (args_kwargs or {}).get("kwargs") or {}
    value = args[0] if args else kwargs.get("batch_id")
    return str(value) if value else None

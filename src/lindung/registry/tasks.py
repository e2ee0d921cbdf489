"""Background jobs of the registry (django-tasks; `lindung serve` runs the worker)."""

from django_tasks import task

from lindung.registry import imports


@task()
def check_import_task(batch_id: str) -> None:
    imports.run_check(batch_id)


@task()
def commit_import_task(batch_id: str, user_id: int | None) -> None:
    try:
        imports.run_commit(batch_id, user_id)
    except imports.ImportFailed:
        return

"""Background jobs of targeting (django-tasks; `lindung serve` runs the worker)."""

from django_tasks import task

from lindung.targeting.lampiran_files import make_files


@task()
def make_lampiran_task(files_id: int) -> None:
    """Write the PDF and XLSX of an approved list's lampiran (one variant) into place."""
    make_files(files_id)

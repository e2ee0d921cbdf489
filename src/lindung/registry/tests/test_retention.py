"""How long uploaded lists are kept: removed on discard, after the retention, orphans, the page."""

import json
import os
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.accounts.tests.factories import admin
from lindung.audit.models import Event
from lindung.formats import format_date
from lindung.ops.management.commands.serve import run_daily
from lindung.registry.imports import batch_dir
from lindung.registry.models import ImportBatch, ImportStatus
from lindung.registry.retention import purge_uploads
from lindung.registry.tests.test_import import NIK_1, good_rows
from lindung.registry.tests.test_import_pages import upload

pytestmark = pytest.mark.django_db
DAYS = 30


@pytest.fixture(autouse=True)
def _retention(settings: Any) -> None:
    settings.LINDUNG_UPLOAD_RETENTION_DAYS = DAYS


def committed(client: Client) -> ImportBatch:
    client.force_login(admin())
    batch = upload(client, *good_rows())
    client.post(reverse("registry:import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.decided_at is not None
    return batch


def orphan(var: Path, name: str, *, age: timedelta) -> Path:
    """An entry of var/imports/ without a batch, last touched `age` ago."""
    path = var / "imports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.startswith("incoming-"):
        path.write_bytes(b"NIK;Nama\n")
    else:
        path.mkdir()
        (path / "daftar.csv").write_bytes(b"NIK;Nama\n")
    when = (timezone.now() - age).timestamp()
    os.utime(path, (when, when))
    return path


def test_it_removes_the_uploaded_file_and_checked_rows_when_an_import_is_discarded(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())
    assert (batch_dir(batch) / "checked.parquet").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import-discard", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert not batch_dir(batch).exists()
    page = client.get(reverse("registry:import-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-retention"' in page and format_date(batch.decided_at) in page
    assert 'data-testid="import-report"' not in page


def test_it_keeps_a_committed_batchs_files_for_the_retention_then_purges_them(
    client: Client,
) -> None:
    batch = committed(client)
    assert batch.decided_at is not None
    due = batch.decided_at + timedelta(days=DAYS)

    kept = purge_uploads(now=due - timedelta(minutes=1))
    assert (kept.removed_folders, kept.orphans) == (0, 0)
    assert batch_dir(batch).exists()
    assert not Event.objects.filter(action="imports_purged").exists()

    purged = purge_uploads(now=due)

    assert purged.removed_folders == 1 and purged.bytes > 0 and purged.discarded == []
    assert not batch_dir(batch).exists()
    event = Event.objects.get(action="imports_purged")
    assert event.actor is None and event.actor_label == "system"
    assert event.after["removed_folders"] == 1 and event.after["retention_days"] == DAYS
    assert NIK_1 not in json.dumps(event.after) and "daftar" not in json.dumps(event.after)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.new == 3  # the counts stay


def test_the_batch_page_says_how_long_files_are_kept_and_drops_the_report_link_once_removed(
    client: Client,
) -> None:
    batch = committed(client)
    assert batch.decided_at is not None
    due = batch.decided_at + timedelta(days=DAYS)
    url = reverse("registry:import-detail", args=[batch.pk])

    before = client.get(url).content.decode()
    assert 'data-testid="import-report"' in before
    assert 'data-testid="import-retention"' in before
    assert format_date(due) in before and f"{DAYS} hari" in before

    purge_uploads(now=due)

    after = client.get(url).content.decode()
    assert 'data-testid="import-report"' not in after
    assert "tidak tersedia lagi" in after and format_date(due) in after
    assert client.get(reverse("registry:import-report", args=[batch.pk])).status_code == 404
    listing = client.get(reverse("registry:import-list")).content.decode()
    assert f"{DAYS} hari" in listing


def test_it_removes_a_failed_batchs_file_after_the_retention(client: Client) -> None:
    client.force_login(admin())
    client.post(
        reverse("registry:import-list"),
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken"), "source": "X"},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch_dir(batch).exists()

    assert purge_uploads(now=batch.created_at + timedelta(days=DAYS - 1)).removed_folders == 0
    assert purge_uploads(now=batch.created_at + timedelta(days=DAYS)).removed_folders == 1
    assert not batch_dir(batch).exists()


def test_an_import_never_committed_nor_discarded_is_discarded_after_the_retention(
    client: Client,
) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())
    assert batch.status == ImportStatus.READY
    page = client.get(reverse("registry:import-detail", args=[batch.pk])).content.decode()
    assert format_date(batch.created_at + timedelta(days=DAYS)) in page

    purged = purge_uploads(now=batch.created_at + timedelta(days=DAYS))

    assert purged.discarded == [str(batch.pk)] and purged.removed_folders == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED and batch.decided_by is None
    assert not batch_dir(batch).exists()
    response = client.post(reverse("registry:import-commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED


def test_it_removes_orphan_folders_and_temp_files_of_killed_uploads_once_a_day_old(
    client: Client, settings: Any
) -> None:
    batch = committed(client)
    var = Path(settings.VAR_DIR)
    old_folder = orphan(var, str(uuid.uuid4()), age=timedelta(days=2))
    old_temp = orphan(var, "incoming-0123abcd", age=timedelta(days=2))
    young = orphan(var, str(uuid.uuid4()), age=timedelta(minutes=5))  # an upload being saved
    not_ours = orphan(var, "README", age=timedelta(days=400))

    purged = purge_uploads()

    assert (purged.removed_folders, purged.orphans) == (0, 2)
    assert not old_folder.exists() and not old_temp.exists()
    assert young.exists() and not_ours.exists() and batch_dir(batch).exists()
    assert Event.objects.get(action="imports_purged").after["orphans"] == 2


def test_purge_dry_run_removes_nothing_and_prints_what_it_would_remove(
    client: Client, settings: Any
) -> None:
    settings.LINDUNG_UPLOAD_RETENTION_DAYS = 0
    batch = committed(client)
    stray = orphan(Path(settings.VAR_DIR), str(uuid.uuid4()), age=timedelta(days=2))

    out = StringIO()
    call_command("purge", "--dry-run", "--json", stdout=out)

    planned = json.loads(out.getvalue())
    assert planned["removed_folders"] == 1 and planned["orphans"] == 1 and planned["dry_run"]
    assert planned["bytes"] > 0
    assert batch_dir(batch).exists() and stray.exists()
    assert not Event.objects.filter(action="imports_purged").exists()

    out = StringIO()
    call_command("purge", "--json", stdout=out)

    done = json.loads(out.getvalue())
    assert {k: done[k] for k in ("removed_folders", "orphans", "bytes")} == {
        k: planned[k] for k in ("removed_folders", "orphans", "bytes")
    }
    assert not batch_dir(batch).exists() and not stray.exists()
    assert Event.objects.filter(action="imports_purged").count() == 1


def test_purge_prints_a_summary_in_indonesian(settings: Any) -> None:
    orphan(Path(settings.VAR_DIR), "incoming-dead", age=timedelta(days=3))
    out = StringIO()

    call_command("purge", stdout=out)

    assert "Menghapus 0 folder impor dan 1 sisa tanpa impor" in out.getvalue()


def test_serve_runs_the_daily_job_until_stopped_and_survives_a_failed_run() -> None:
    stop = threading.Event()
    calls: list[datetime] = []

    def job() -> None:
        calls.append(timezone.now())
        if len(calls) == 1:
            raise OSError("disk busy")
        if len(calls) == 3:
            stop.set()

    run_daily(job, stop=stop, first=0, every=0)

    assert len(calls) == 3


def test_serve_stops_its_daily_job_at_once_on_shutdown() -> None:
    stop = threading.Event()
    calls: list[int] = []
    thread = threading.Thread(
        target=run_daily, args=(lambda: calls.append(1),), kwargs={"stop": stop}, daemon=True
    )
    thread.start()  # the first run is a minute away, the next a day

    stop.set()
    thread.join(timeout=5)

    assert not thread.is_alive() and calls == []

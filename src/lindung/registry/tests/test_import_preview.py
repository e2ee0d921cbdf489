"""The import page explains: problems by code with their messages, the changes to registered
workers before → after, possible duplicates linked to their review, the progress in Indonesian
steps, and a commit that a second click cannot start twice."""

import datetime
import io
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks.signals import task_enqueued

from lindung.accounts.tests.factories import admin, user_with_role
from lindung.registry import import_preview, imports, progress
from lindung.registry.models import (
    DuplicateStatus,
    ImportBatch,
    ImportStatus,
    PossibleDuplicate,
    Sex,
    Worker,
)
from lindung.registry.pipeline.changes import field_changes
from lindung.registry.pipeline.codes import RowStatus, message_for
from lindung.registry.pipeline.validate import UPDATABLE
from lindung.registry.tests.factories import WorkerFactory, nik_for
from lindung.registry.tests.test_import import HEADER, NIK_1, NIK_2, csv_file, good_rows
from lindung.registry.tests.test_import_pages import upload
from lindung.roles import Role

pytestmark = pytest.mark.django_db

NO_NAME = f"4;{NIK_1[:-1]}9;;L;28-05-1980;Pancor;Selong;Petani;;"
# NIK_1's birth date is 28-05-1980: the file's 29-05-1980 is kept with a warning.
OTHER_DATE = f"5;{NIK_1[:-2]}88;Lalu Rahman;L;29-05-1980;Pancor;Selong;Petani;;"


def page_text(client: Client, batch: ImportBatch, query: str = "") -> str:
    response = client.get(reverse("registry:import-detail", args=[batch.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str, testid: str) -> str:
    """The text of the element with data-testid=`testid` (up to its closing tag)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, testid
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()


# --- the summary ------------------------------------------------------------------------------
def test_the_summary_gives_each_code_its_message_and_count_errors_apart_from_warnings(
    client: Client,
) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows(), NO_NAME, OTHER_DATE)

    html = page_text(client, batch)

    errors_at, warnings_at = html.index("codes-errors"), html.index("codes-warnings")
    assert errors_at < html.index("code-NAME_MISSING") < warnings_at
    assert warnings_at < html.index("code-DOB_NIK_MISMATCH")
    assert text_of(html, "codes-errors") == "Galat: baris ini tidak disimpan"
    name_missing = text_of(html, "code-NAME_MISSING")
    assert name_missing.startswith(f"NAME_MISSING {message_for('NAME_MISSING')} 1")
    assert message_for("DOB_NIK_MISMATCH", warning=True) in text_of(html, "code-DOB_NIK_MISMATCH")
    assert 'href="?kode=NAME_MISSING#baris"' in html


def test_the_rows_of_one_code_are_listed_on_their_own(client: Client) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows(), NO_NAME, OTHER_DATE)

    every = text_of(page_text(client, batch), "import-problems")
    only = text_of(page_text(client, batch, "?kode=NAME_MISSING"), "import-problems")

    assert "NAME_MISSING" in every and "DOB_NIK_MISMATCH" in every
    assert "NAME_MISSING" in only and "DOB_NIK_MISMATCH" not in only


def test_the_summary_tells_codes_apart_from_the_batch_counts_when_the_rows_are_gone(
    client: Client,
) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows(), NO_NAME, OTHER_DATE)
    (imports.batch_dir(batch) / "rows.parquet").unlink()

    codes = import_preview.code_summary(batch, imports.outcome_rows(batch))

    assert [(c.code, c.count, c.warning) for c in codes] == [
        ("NAME_MISSING", 1, False),
        ("DOB_NIK_MISMATCH", 1, True),
    ]


# --- changes to registered workers ------------------------------------------------------------
@pytest.fixture
def registered() -> Worker:
    """NIK_1 as the registry knows it: another name, a trader, no phone, an income."""
    return WorkerFactory(  # type: ignore[no-any-return]
        nik=NIK_1, name="Lalu Ahmad", occupation="pedagang", phone="", income=900_000
    )


def test_the_preview_shows_each_changed_field_before_and_after(
    client: Client, registered: Worker
) -> None:
    client.force_login(admin())
    row = f"1;{NIK_1};Lalu Ahmad Zaini;L;28-05-1980;Pancor;Selong;Petani;;081234567890"
    batch = upload(client, row)

    html = page_text(client, batch)

    assert batch.updated == 1
    changes = [
        text_of(m.group(0), "change-row")
        for m in re.finditer(r'<tr data-testid="change-row">.*?</tr>', html, re.S)
    ]
    assert f"2 {NIK_1} Lalu Ahmad Nama Lalu Ahmad Lalu Ahmad Zaini" in changes
    assert f"2 {NIK_1} Lalu Ahmad Pekerjaan Pedagang Petani" in changes
    assert f"2 {NIK_1} Lalu Ahmad Telepon kosong 081234567890" in changes
    # The empty income cell keeps the registry's income: counted as kept, never blanked.
    assert text_of(html, "change-count-income") == "Penghasilan bulanan 0 1"
    assert text_of(html, "change-count-name") == "Nama 1 0"
    assert "Nothing has been saved" not in html  # the page is in Indonesian
    registered.refresh_from_db()
    assert registered.name == "Lalu Ahmad"  # a preview writes nothing


def test_changes_never_blank_a_field_and_are_masked_for_roles_without_nik() -> None:
    old = {
        "name": "Lalu Ahmad", "no_kk": "", "sex": "L", "birth_date": datetime.date(1980, 5, 28),
        "birth_place": "", "phone": "", "address": "", "desa_id": "52.03.07.1001",
        "occupation": "pedagang", "income": 900_000, "desil": None, "disability": False,
        "female_head": False,
    }  # fmt: skip
    existing = pl.DataFrame([{"id": 7, **old}])
    # The file gives a No. KK and leaves everything else empty (not given).
    given = {f"given_{field}": field == "no_kk" for field in UPDATABLE}
    values = {field: "5203070101090002" if field == "no_kk" else None for field in UPDATABLE}
    plan = pl.DataFrame(
        [{"_row": 2, "worker_id": 7, "nik": NIK_1, "status": RowStatus.UPDATED.value,
          "changed": ["no_kk"], **values, **given}],
        schema_overrides={"birth_date": pl.Date, "income": pl.Int64},
    )  # fmt: skip

    changes, counts = field_changes(plan, existing)

    assert changes.select("field", "before", "after").rows() == [
        ("no_kk", None, "5203070101090002")
    ]
    assert counts["no_kk"] == {"changed": 1, "kept": 0}
    assert counts["income"] == {"changed": 0, "kept": 1}  # kept, not erased
    assert "phone" not in counts  # empty before and after: nothing to say
    viewer = user_with_role(Role.PIMPINAN)
    assert import_preview._shown("no_kk", "5203070101090002", viewer, {}) == "5203********0002"
    assert import_preview._shown("phone", None, viewer, {}) == "kosong"


def test_the_committed_batch_keeps_what_the_commit_changed(
    client: Client, registered: Worker
) -> None:
    client.force_login(admin())
    batch = upload(client, f"1;{NIK_1};Lalu Ahmad Zaini;L;28-05-1980;Pancor;Selong;Petani;;")

    client.post(reverse("registry:import-commit", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    kept = imports.changes_of(batch)
    assert kept is not None
    assert sorted(kept[0].get_column("field")) == ["name", "occupation"]
    assert kept[1]["sources"] == {"changed": 1, "kept": 0}


# --- possible duplicates ----------------------------------------------------------------------
def test_possible_duplicates_of_a_committed_import_link_to_their_review(client: Client) -> None:
    # Baiq Sainah of the file (NIK_2) is registered already under another NIK.
    born = datetime.date(1985, 1, 2)
    other = WorkerFactory(
        name="Baiq Sainah", sex=Sex.FEMALE, birth_date=born, nik=nik_for("52.03.07", born, "P", 77)
    )
    user = admin()
    client.force_login(user)
    batch = upload(client, *good_rows())
    before = page_text(client, batch)
    assert 'data-testid="code-duplicates"' in before
    assert reverse("registry:duplicate-list") in before  # before the commit: the list

    client.post(reverse("registry:import-commit", args=[batch.pk]))

    pair = PossibleDuplicate.objects.get(batch=batch.pk)
    assert {pair.worker_id, pair.other_id} == {other.pk, Worker.objects.get(nik=NIK_2).pk}
    [row] = import_preview.duplicate_pairs(batch, user)
    assert (row.new.nik, row.registered) == (NIK_2, other)  # the import's worker first
    html = page_text(client, batch)
    review = reverse("registry:duplicate-detail", args=[pair.pk])
    assert f'href="{review}" data-testid="duplicate-review"' in html
    assert f'href="{review}" data-testid="row-duplicate"' in html
    assert 'href="#duplikat" data-testid="code-duplicates"' in html


# --- merging asks first -----------------------------------------------------------------------
def test_the_merge_confirmation_shows_what_is_kept_and_merges_only_when_confirmed(
    client: Client,
) -> None:
    keep = WorkerFactory(name="Siti Aminah", phone="081234567890", desil=None)
    merged = WorkerFactory(name="Siti Aminnah", no_kk="5203070101090002", phone="0877", desil=3)
    low, high = sorted((keep, merged), key=lambda w: w.pk)
    pair = PossibleDuplicate.objects.create(worker=low, other=high, score=92)
    client.force_login(admin())
    url = reverse("registry:duplicate-merge", args=[pair.pk])

    response = client.get(url, {"keep": keep.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert text_of(html, "merge-summary").startswith(
        "Siti Aminah tetap di registri. Data Siti Aminnah digabungkan ke dalamnya"
    )
    kk = text_of(html, "merge-field-no_kk")
    assert kk.endswith(
        "5203070101090002 (diambil dari data yang digabungkan: "
        "data yang dipertahankan belum memilikinya)"
    )
    phone = text_of(html, "merge-field-phone")
    assert phone.endswith("081234567890 (nilai data yang dipertahankan)")
    assert 'name="confirm" value="1"' in html
    pair.refresh_from_db()
    merged.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN and merged.merged_into is None

    done = client.post(url, {"keep": keep.pk, "confirm": "1"})

    assert done.status_code == 302
    merged.refresh_from_db()
    keep.refresh_from_db()
    assert merged.merged_into == keep and keep.no_kk == "5203070101090002"


def test_the_pair_page_asks_for_the_confirmation_page(client: Client) -> None:
    pair = PossibleDuplicate.objects.create(worker=WorkerFactory(), other=WorkerFactory(), score=90)
    client.force_login(admin())
    html = client.get(reverse("registry:duplicate-detail", args=[pair.pk])).content.decode()
    merge = reverse("registry:duplicate-merge", args=[pair.pk])
    assert f'<form method="get" action="{merge}">' in html


# --- progress ---------------------------------------------------------------------------------
def test_the_steps_move_through_reading_validating_comparing_and_saving(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    imports.import_file(
        by="cli",
        path=csv_file(tmp_path, *good_rows()),
        source="DTKS 2025",
        progress=lambda step, done, total: seen.append((step, done, total)),
    )

    steps = list(dict.fromkeys(step for step, _done, _total in seen))
    assert steps == ["read", "validate", "compare", *progress.COMMIT_STEPS[1:]]
    validating = [done for step, done, _total in seen if step == "validate"]
    assert validating[0] == 0 and validating[-1] == 3 and len(validating) >= 4
    with translation.override("id"):
        assert [progress.step_label(s) for s in steps[:3]] == [
            "Membaca berkas",
            "Memeriksa baris",
            "Membandingkan dengan registri",
        ]


def test_a_check_in_progress_shows_its_step_in_indonesian(client: Client) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.CHECKING, progress_step="validate", progress_done=1,
        progress_total=4, runner="",
    )  # fmt: skip

    html = page_text(client, batch)

    assert text_of(html, "import-step").startswith(
        "Langkah 2 dari 3: Memeriksa baris (1 / 4 baris)"
    )
    assert 'value="42"' in html  # one step of three done, a quarter of the second


def test_a_commit_in_progress_shows_its_step_from_the_batch_folder(client: Client) -> None:
    client.force_login(admin())
    batch = upload(client, *good_rows())
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING, runner="")
    progress.save_to_file(imports.batch_dir(batch), "write_updated", 0, 3)

    html = page_text(client, batch)

    assert "Langkah 3 dari 6: Menyimpan perubahan data pekerja terdaftar" in html


def test_a_second_click_on_commit_does_not_start_the_job_twice(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = admin()
    batch = imports.start_import(
        by=user, upload=open_rows(), file_name="daftar.csv", source="DTKS 2025"
    )
    imports.run_check(str(batch.pk))
    queued: list[str] = []

    def count(sender: Any, task_result: Any, **kwargs: Any) -> None:
        queued.append(task_result.task.name)

    task_enqueued.connect(count)
    try:
        imports.commit_import(by=user, batch=batch)
        with pytest.raises(imports.ImportFailed) as second:
            imports.commit_import(by=user, batch=batch)
    finally:
        task_enqueued.disconnect(count)

    assert second.value.code == "ALREADY_COMMITTING"
    assert queued == ["commit_import_task"]


def open_rows() -> io.BytesIO:
    return io.BytesIO("\n".join([HEADER, *good_rows()]).encode())

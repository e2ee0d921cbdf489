"""The malformed-file corpus (corpus.py) through the import as the CLI and the web use it: each
file gets its code and message, none crashes, none commits anything."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lindung.accounts.tests.factories import admin
from lindung.registry import imports
from lindung.registry.models import ImportBatch, ImportStatus, Worker
from lindung.registry.tests.corpus import BY_NAME, CASES, Case

pytestmark = pytest.mark.django_db

_FINAL = (ImportStatus.READY, ImportStatus.FAILED, ImportStatus.COMMITTED, ImportStatus.DISCARDED)


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.gap)] if case.gap else []
    return pytest.param(case, id=case.name, marks=marks)


def read_in_subprocess(case: Case, folder: Path) -> dict[str, str | None]:
    """Read the case in a child with a 2 GB address-space limit: a huge allocation kills the
    child, not the test run."""
    done = subprocess.run(
        [sys.executable, "-m", "lindung.registry.tests.corpus", case.name, str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.dangerous])
def test_a_file_that_could_exhaust_memory_is_refused_within_2_gb(
    case: Case, tmp_path: Path
) -> None:
    result = read_in_subprocess(case, tmp_path)

    assert result["code"] == case.code
    assert case.says in str(result["message"])


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_each_corpus_file_gets_its_code_and_commits_nothing(case: Case, tmp_path: Path) -> None:
    if case.dangerous:  # proven harmless in a child first, or this run would be killed
        (tmp_path / "child").mkdir()
        assert read_in_subprocess(case, tmp_path / "child")["code"] == case.code
    path = case.build(tmp_path)
    workers = Worker.objects.count()

    with translation.override("en"):
        if case.code is None:
            outcome = imports.import_file(by=None, path=path, source="Korpus", dry_run=True)
            assert outcome.rows.height >= 1
        else:
            with pytest.raises(imports.ImportFailed) as caught:
                imports.import_file(by=None, path=path, source="Korpus")
            assert caught.value.code == case.code
            assert case.says in caught.value.message
            assert caught.value.message  # a sentence for the operator, not a traceback

    assert Worker.objects.count() == workers
    assert not ImportBatch.objects.exclude(status__in=_FINAL).exists()


def test_a_far_cell_uploaded_on_the_web_fails_its_batch_with_the_message(
    client: Client, tmp_path: Path
) -> None:
    case = BY_NAME["far-cell-xfd1048576"]
    (tmp_path / "child").mkdir()
    assert read_in_subprocess(case, tmp_path / "child")["code"] == case.code
    path = case.build(tmp_path)
    client.force_login(admin())

    response = client.post(
        reverse("registry:import-list"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "source": "Korpus"},
    )

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert "XFD1048576" in batch.error and "Ctrl+End" in batch.error
    assert not Worker.objects.exists()

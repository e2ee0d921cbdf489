from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests match benefit labels and messages by their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """Pages in English too: the tests match messages by their source text."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def registry() -> dict[str, Any]:
    """Five eligible workers (two in tobacco), one too rich, one without desil."""
    poorest = WorkerFactory(desil=1, female_head=True, sex="P")
    farmer = WorkerFactory(desil=2)
    tobacco = WorkerFactory(desil=3, occupation=Occupation.PETANI_TEMBAKAU)
    tobacco_2 = WorkerFactory(desil=4, occupation=Occupation.BURUH_TANI_TEMBAKAU)
    pringgabaya = WorkerFactory(desil=2, desa_id="52.03.08.2001")
    rich = WorkerFactory(desil=9)
    unknown = WorkerFactory(desil=None)
    return locals()

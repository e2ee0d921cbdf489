from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

YEAR_COST_2027 = 12 * 16_800  # one APBD-paid worker for 2027 (as in test_scenarios.YEAR_COST)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests match benefit labels and messages by their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """Pages in English too: the tests match messages by their source text."""
    return english_client()


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


@pytest.fixture
def approved(registry: dict[str, Any], django_capture_on_commit_callbacks: Any) -> BeneficiaryList:
    """All five eligible workers: four in Selong (52.03.07), one in Pringgabaya (52.03.08). Its
    lampiran files are made as after a real commit (the job runs at once in tests)."""
    scenario = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 5 * YEAR_COST_2027,
                                                                  "dbhcht": 0})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        return approve(by="test", scenario=scenario, decree="188.45/7/2027")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lindung.enrollment.models import Wadah, WadahType
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

YEAR_COST_2027 = 12 * 16_800


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return english_client()


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def registry() -> dict[str, Any]:
    """Five eligible workers (two in tobacco), one too rich."""
    home = {"address": "Dusun Lauk Rurung", "birth_place": "Selong"}
    poorest = WorkerFactory(desil=1, female_head=True, sex="P", **home)
    farmer = WorkerFactory(desil=2, **home)
    tobacco = WorkerFactory(desil=3, occupation=Occupation.PETANI_TEMBAKAU, **home)
    tobacco_2 = WorkerFactory(desil=4, occupation=Occupation.BURUH_TANI_TEMBAKAU, **home)
    pringgabaya = WorkerFactory(desil=2, desa_id="52.03.08.2001", **home)
    rich = WorkerFactory(desil=9, **home)
    return {k: v for k, v in locals().items() if k != "home"}


def run(year: int = 2027, apbd: int = 5, dbhcht: int = 0, **kwargs: Any) -> Any:
    return run_scenario(
        by="test",
        fiscal_year=year,
        budgets={"apbd": apbd * YEAR_COST_2027, "dbhcht": dbhcht * YEAR_COST_2027},
        **kwargs,
    )


@pytest.fixture
def approved(registry: dict[str, Any]) -> BeneficiaryList:
    """All five eligible workers on list 1 of 2027, paid by APBD."""
    return approve(by="test", scenario=run(), decree="188.45/7/2027")


@pytest.fixture
def wadah() -> Wadah:
    return Wadah.objects.create(
        code="SG-APBD",
        name="Pekerja Rentan APBD",
        source="apbd",
        type_code=WadahType.SG,
        npw="NPW1234567",
        branch="KC Selong",
    )


@pytest.fixture
def tobacco_wadah() -> Wadah:
    return Wadah.objects.create(
        code="SG-DBHCHT", name="Pekerja Rentan DBHCHT", source="dbhcht", type_code=WadahType.SG
    )

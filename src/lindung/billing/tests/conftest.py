import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lindung.enrollment.models import Participation, State, Wadah, WadahType
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.targeting.approval import approve
from lindung.targeting.models import BeneficiaryList
from lindung.targeting.services import run_scenario
from lindung.ui.tests.clients import english_client

MONTH_2027 = 16_800  # JKK 0,24% of Rp1.000.000 + JKM Rp6.800… as the rules price it
YEAR_COST_2027 = 12 * MONTH_2027


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


def make_registry() -> dict[str, Any]:
    home = {"address": "Dusun Lauk Rurung", "birth_place": "Selong"}
    return {
        "poorest": WorkerFactory(desil=1, female_head=True, sex="P", **home),
        "farmer": WorkerFactory(desil=2, **home),
        "tobacco": WorkerFactory(desil=3, occupation=Occupation.PETANI_TEMBAKAU, **home),
        "tobacco_2": WorkerFactory(desil=4, occupation=Occupation.BURUH_TANI_TEMBAKAU, **home),
        "pringgabaya": WorkerFactory(desil=2, desa_id="52.03.08.2001", **home),
    }


def approve_list(year: int = 2027, apbd: int = 3, dbhcht: int = 2) -> BeneficiaryList:
    scenario = run_scenario(
        by="test",
        fiscal_year=year,
        budgets={"apbd": apbd * YEAR_COST_2027, "dbhcht": dbhcht * YEAR_COST_2027},
    )
    return approve(by="test", scenario=scenario, decree=f"188.45/7/{year}")


def wadah_for(source: str) -> Wadah:
    return Wadah.objects.get_or_create(
        code=f"SG-{source.upper()}",
        defaults={
            "name": f"Pekerja Rentan {source.upper()}",
            "source": source,
            "type_code": WadahType.SG,
            "npw": f"NPW{source.upper()}",
        },
    )[0]


def register_all(
    year: int = 2027, effective: datetime.date | None = None, **only: Any
) -> list[Participation]:
    """Every candidate of `year` registered with BPJS as the branch's answer would (KPJ,
    effective date, wadah of its source)."""
    effective = effective or datetime.date(year, 1, 1)
    registered = []
    for p in Participation.objects.filter(fiscal_year=year).order_by("pk"):
        p.state = State.TERDAFTAR
        p.kpj = f"27{p.pk:09d}"
        p.effective_from = effective
        p.wadah = wadah_for(p.source)
        p.save()
        registered.append(p)
    return registered


@pytest.fixture
def registered() -> list[Participation]:
    """Five workers on list 1 of 2027 (three APBD, two DBHCHT), registered from 1 January."""
    make_registry()
    approve_list()
    return register_all()

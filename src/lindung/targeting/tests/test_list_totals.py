"""The totals on the beneficiary list pages are those of the reader's wilayah: a kecamatan or
desa operator never sees the kabupaten's count, cost or changes."""

from typing import Any

import pytest
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from lindung.accounts.models import User
from lindung.accounts.tests.factories import admin, operator_desa, operator_kecamatan
from lindung.formats import format_number, format_rupiah
from lindung.targeting.approval import approve
from lindung.targeting.models import Beneficiary, BeneficiaryList, ListChange
from lindung.targeting.services import run_scenario
from lindung.targeting.tests.conftest import YEAR_COST_2027
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db


def _html(user: User, name: str, *args: Any) -> str:
    client = english_client()
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def _cells(n: int, cost: int) -> str:
    return f'<td class="num">{format_number(n)}</td><td class="num">{format_rupiah(cost)}</td>'


def _revision() -> BeneficiaryList:
    """List 2: room for two of the five workers of list 1, so three are removed."""
    smaller = run_scenario(by="test", fiscal_year=2027, budgets={"apbd": 2 * YEAR_COST_2027,
                                                                 "dbhcht": 0})  # fmt: skip
    return approve(by="test", scenario=smaller, note="APBD-P dipotong")


def test_the_list_index_shows_a_kecamatan_operator_the_totals_of_their_kecamatan(
    approved: BeneficiaryList,
) -> None:
    revised = _revision()
    in_selong = (
        Beneficiary.objects.filter(kecamatan_id="52.03.07")
        .values("beneficiary_list")
        .annotate(n=Count("id"), cost=Sum("cost"))
    )
    expected = {row["beneficiary_list"]: (row["n"], row["cost"]) for row in in_selong}

    html = _html(operator_kecamatan("52.03.07"), "targeting:list-index")

    assert _cells(4, 4 * YEAR_COST_2027) in html  # list 1: four of its five are in Selong
    assert _cells(approved.selected, approved.cost) not in html
    assert _cells(*expected.get(revised.pk, (0, 0))) in html
    kabupaten = _html(admin(), "targeting:list-index")
    assert _cells(approved.selected, approved.cost) in kabupaten
    assert _cells(revised.selected, revised.cost) in kabupaten


def test_the_list_page_shows_a_desa_operator_the_changes_of_their_desa(
    approved: BeneficiaryList,
) -> None:
    revised = _revision()
    desa = "52.03.08.2001"  # Bagik Papan: one worker of list 1
    mine = dict(
        ListChange.objects.filter(beneficiary_list=revised, desa_id=desa)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    entries = Beneficiary.objects.filter(beneficiary_list=revised, desa_id=desa)

    html = _html(operator_desa(desa), "targeting:list-detail", revised.number)

    summary = (
        f"{mine.get('added', 0)} added, {mine.get('removed', 0)} removed, "
        f"{mine.get('moved', 0)} with another funding source."
    )
    assert summary in html
    assert f"0 added, {revised.removed} removed" not in html  # the kabupaten's three
    assert f'data-testid="list-selected">{entries.count()}<' in html
    everyone = _html(admin(), "targeting:list-detail", revised.number)
    assert f"0 added, {revised.removed} removed, 0 with another funding source." in everyone


def test_the_api_gives_an_area_operator_the_totals_and_changes_of_their_area(
    approved: BeneficiaryList,
) -> None:
    revised = _revision()
    kecamatan = "52.03.07"
    client = Client()
    client.force_login(operator_kecamatan(kecamatan))

    found = {item["number"]: item for item in client.get("/api/v1/targeting/lists/").json()}
    detail = client.get(f"/api/v1/targeting/lists/{revised.number}").json()

    assert found[approved.number]["selected"] < approved.selected  # one is in another kecamatan
    for item in (approved, revised):
        mine = Beneficiary.objects.filter(beneficiary_list=item, kecamatan_id=kecamatan)
        per_source = dict(mine.values_list("source").annotate(n=Count("id")))
        figures = found[item.number]
        assert figures["selected"] == mine.count() <= item.selected
        assert figures["cost"] == (mine.aggregate(c=Sum("cost"))["c"] or 0)
        assert {s: v["selected"] for s, v in figures["by_source"].items()} == per_source
    changes = ListChange.objects.filter(beneficiary_list=revised, kecamatan_id=kecamatan)
    assert detail["removed"] == changes.filter(kind="removed").count() < revised.removed
    assert detail["added"] == changes.filter(kind="added").count()
    client.force_login(admin())
    everyone = client.get(f"/api/v1/targeting/lists/{revised.number}").json()
    assert (everyone["selected"], everyone["removed"]) == (revised.selected, revised.removed)


def test_the_lampiran_files_count_the_changes_of_the_readers_area(
    approved: BeneficiaryList, django_capture_on_commit_callbacks: Any
) -> None:
    revised = _revision()
    desa = "52.03.08.2001"
    mine = ListChange.objects.filter(beneficiary_list=revised, desa_id=desa)
    assert 0 < mine.count() < ListChange.objects.filter(beneficiary_list=revised).count()
    client = english_client()
    client.force_login(operator_desa(desa))
    with django_capture_on_commit_callbacks(execute=True):  # their page starts their extract
        client.get(reverse("targeting:list-detail", args=[revised.number]))
    response = client.get(reverse("targeting:list-xlsx", args=[revised.number]))

    changes = _last_sheet(response)[1:]  # the changes sheet, after its header
    assert sorted(row[2] for row in changes) == sorted(mine.values_list("name", flat=True))
    codes = {c for pair in mine.values_list("source_before", "source_after") for c in pair if c}
    shown = {cell for row in changes for cell in row[5:7] if cell}
    assert codes and not codes & shown  # funding sources by their label (APBD), not their code


def _last_sheet(response: Any) -> list[list[Any]]:
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.get("Location")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_name(book.sheet_names[-1]).to_python()

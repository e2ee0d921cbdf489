"""The calculators for everyone: the CLI, the public API and the public page."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("rules:calculator")


def _calc(*args: str) -> str:
    out = StringIO()
    call_command("calc", *args, stdout=out)
    return out.getvalue()


def test_cli_iuran_json_has_exactly_the_documented_keys() -> None:
    out = _calc(
        "iuran",
        "--income",
        "1000000",
        "--programs",
        "JKK,JKM",
        "--month",
        "2026-05",
        "--funding",
        "mandiri",
        "--months",
        "12",
        "--json",
    )
    assert json.loads(out) == {
        "jkk": 10_000,
        "jkm": 6_800,
        "jht": 0,
        "reduction": 8_400,
        "total_per_month": 8_400,
        "months": 12,
        "total": 134_400,
    }


def test_cli_iuran_without_json_is_a_formatted_summary() -> None:
    out = _calc(
        "iuran",
        "--income",
        "1000000",
        "--programs",
        "JKK,JKM,JHT",
        "--month",
        "2026-05",
        "--funding",
        "dbhcht",
    )
    assert "Rp36.800" in out


def test_cli_manfaat_json() -> None:
    out = json.loads(_calc("manfaat", "jkk-death", "--income", "1000000", "--json"))
    assert set(out) == {"kind", "total", "breakdown"}
    assert out["kind"] == "jkk-death"
    assert out["total"] == 70_000_000
    assert set(out["breakdown"][0]) == {"label", "amount"}
    jkm = json.loads(
        _calc("manfaat", "jkm", "--contribution-years", "3", "--child", "SD", "--json")
    )
    assert jkm["total"] == 42_000_000 + 9_000_000 + 6_000_000 + 9_000_000 + 60_000_000


@pytest.mark.parametrize(
    "args",
    [
        ["iuran", "--income", "-1", "--month", "2026-05"],
        ["iuran", "--income", "1000000", "--month", "2026-05", "--funding", "apbn"],
        ["iuran", "--income", "1000000", "--month", "Mei 2026"],
        ["iuran", "--income", "1000000", "--month", "2026-05", "--months", "2"],
        ["manfaat", "stmb", "--income", "1000000"],
    ],
)
def test_cli_bad_input_is_a_command_error(args: list[str]) -> None:
    with pytest.raises(CommandError):
        _calc(*args)


def test_api_iuran_is_public(client: Client) -> None:
    response = client.get(
        "/api/v1/rules/iuran",
        {
            "income": 1_000_000,
            "programs": "JKK,JKM",
            "month": "2026-05",
            "funding": "mandiri",
            "sector": "",
            "months": 12,
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "jkk": 10_000,
        "jkm": 6_800,
        "jht": 0,
        "reduction": 8_400,
        "total_per_month": 8_400,
        "months": 12,
        "total": 134_400,
    }


def test_api_iuran_transport(client: Client) -> None:
    params = {"income": 1_000_000, "month": "2027-02", "funding": "mandiri"}
    assert client.get("/api/v1/rules/iuran", params).json()["total_per_month"] == 16_800
    transport = client.get("/api/v1/rules/iuran", params | {"sector": "transport"})
    assert transport.json()["total_per_month"] == 8_400


def test_api_manfaat_is_public(client: Client) -> None:
    response = client.get("/api/v1/rules/manfaat/stmb", {"income": 1_000_000, "months": 13})
    assert response.status_code == 200
    assert response.json()["total"] == 12_500_000
    jkm = client.get("/api/v1/rules/manfaat/jkm", {"contribution_years": 3, "children": "TK,TK"})
    assert jkm.json()["total"] == 42_000_000 + 174_000_000


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/rules/iuran", {"income": -1, "month": "2026-05"}),
        ("/api/v1/rules/iuran", {"income": 1_000_000, "month": "2026-13"}),
        ("/api/v1/rules/iuran", {"income": 1_000_000, "month": "2026-05", "funding": "apbn"}),
        ("/api/v1/rules/manfaat/jht", {}),
        ("/api/v1/rules/manfaat/jkk-death", {}),
    ],
)
def test_api_errors_are_422_with_a_message(
    client: Client, url: str, params: dict[str, object]
) -> None:
    response = client.get(url, params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_calculator_page_works_without_login(client: Client) -> None:
    response = client.get(
        PAGE,
        {
            "income": "1000000",
            "programs": ["JKK", "JKM"],
            "month": "2026-05",
            "funding": "mandiri",
            "sector": "",
            "months": "12",
            "months_off": "18",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp8.400" in html
    assert "Rp134.400" in html
    assert "Rp42.000.000" in html  # JKM
    assert "Rp56.000.000" in html  # disability
    assert "Rp15.000.000" in html  # STMB: 12 months in full, 6 at half
    assert 'data-testid="income-level-note"' not in html


def test_the_page_says_which_income_level_was_used(client: Client) -> None:
    response = client.get(
        PAGE,
        {
            "income": "500000",  # below the lowest level: counted as Rp1.000.000
            "programs": ["JKK", "JKM"],
            "month": "2026-05",
            "funding": "apbd",
            "months": "1",
        },
    )
    assert 'data-testid="income-level-note"' in response.content.decode()


def test_the_calculator_page_shows_defaults_on_first_visit(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["result"].jkm == 6_800


def test_htmx_gets_only_the_result(client: Client) -> None:
    response = client.get(
        PAGE,
        {
            "income": "1000000",
            "programs": ["JKK", "JKM"],
            "month": "2026-05",
            "funding": "apbd",
            "months": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="calculator-result"')
    assert "Rp16.800" in html


def test_the_calculator_page_shows_input_errors(client: Client) -> None:
    response = client.get(
        PAGE,
        {
            "income": "-5",
            "month": "2026-05",
            "funding": "mandiri",
            "programs": ["JKK"],
            "months": "1",
        },
    )
    assert response.status_code == 200
    assert "result" not in response.context
    assert response.context["form"].errors


# --- issue 11 ---------------------------------------------------------------------------------


def test_cli_prices_a_payment_straddling_pp50_month_by_month_with_the_same_json_keys() -> None:
    args = ["iuran", "--income", "1000000", "--month", "2025-12", "--sector", "transport"]
    out = json.loads(_calc(*args, "--months", "3", "--json"))
    assert set(out) == {"jkk", "jkm", "jht", "reduction", "total_per_month", "months", "total"}
    assert (out["total_per_month"], out["total"]) == (16_800, 33_600)
    text = _calc(*args, "--months", "3")
    assert "2026-01: Rp8.400" in text
    assert "Rp33.600" in text


def test_cli_total_permanent_disability_pays_the_scholarship() -> None:
    out = json.loads(
        _calc("manfaat", "jkk-disability", "--income", "1000000", "--child", "S1", "--json")
    )
    assert out["total"] == 56_000_000 + 60_000_000


def test_cli_partial_disability_adds_the_parts() -> None:
    args = ["manfaat", "jkk-disability", "--income", "1000000", "--part", "telunjuk_kanan"]
    out = json.loads(_calc(*args, "--part", "jari_tengah_kanan", "--json"))
    assert out["total"] == (9 + 7) * 800_000
    with pytest.raises(CommandError):
        _calc("manfaat", "jkk-disability", "--income", "1000000", "--part", "sayap")


def test_api_prices_each_month_and_pays_the_disability_scholarship(client: Client) -> None:
    params = {"income": 1_000_000, "month": "2025-12", "sector": "transport", "months": 3}
    assert client.get("/api/v1/rules/iuran", params).json()["total"] == 33_600
    total = client.get("/api/v1/rules/manfaat/jkk-disability", {"income": 1_000_000})
    with_children = client.get(
        "/api/v1/rules/manfaat/jkk-disability", {"income": 1_000_000, "children": "S1,S1"}
    )
    assert with_children.json()["total"] == total.json()["total"] + 120_000_000
    partial = client.get(
        "/api/v1/rules/manfaat/jkk-disability", {"income": 1_000_000, "parts": "mata_satu"}
    )
    assert partial.json()["total"] == 35 * 800_000
    wrong = client.get("/api/v1/rules/manfaat/jkk-disability", {"income": 1, "parts": "sayap"})
    assert wrong.status_code == 422


def test_the_page_lists_each_month_and_the_partial_disability(client: Client) -> None:
    response = client.get(
        PAGE,
        {
            "income": "1000000",
            "programs": ["JKK", "JKM"],
            "month": "2025-12",
            "funding": "mandiri",
            "sector": "transport",
            "months": "3",
            "child_1": "S1",
            "parts": ["telunjuk_kanan", "mata_satu"],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="contribution-months"' in html
    assert "Rp33.600" in html
    assert "Rp116.000.000" in html  # total permanent disability + one child's scholarship
    assert 'data-testid="benefit-jkk-disability-partial"' in html
    assert "Rp35.200.000" in html  # (9 + 35)% x 80 x Rp1.000.000

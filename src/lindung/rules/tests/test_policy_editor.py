"""The policy editor: budgets typed as people write them, quota areas picked by name, and the
preview beside the active policy; money typed the same way on the calculator and the scenario
form."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.models import PolicyVersion
from lindung.rules.policy import DEFAULT_HIGH_RISK, TOBACCO, Policy
from lindung.rules.services import save_policy_version
from lindung.rules.tests.test_policy_pages import _draft, _post
from lindung.targeting.forms import RunForm

pytestmark = pytest.mark.django_db

EDIT = reverse("rules:policy-edit")
PREVIEW = reverse("rules:policy-preview")
CALCULATOR = reverse("rules:calculator")
HTMX = {"HX-Request": "true"}


def _row(html: str, testid: str, cell: str) -> str:
    """The text of cell `cell` (active, draft, difference) in the preview row `testid`."""
    row = html[html.index(f'data-testid="{testid}"') :]
    row = row[row.index(f'data-testid="{cell}">') + len(f'data-testid="{cell}">') :]
    return row[: row.index("</td>")]


def test_budgets_and_income_are_read_as_people_type_them(client: Client) -> None:
    client.force_login(admin())
    response = client.post(
        EDIT,
        _post(
            reported_income="Rp 1.500.000",
            **{"source-0-annual_budget": "12 M", "source-1-annual_budget": "2.500.000"},
        ),
    )
    assert response.status_code == 302
    data = PolicyVersion.objects.get().data
    assert data["reported_income"] == 1_500_000
    assert [s["annual_budget"] for s in data["sources"]] == [12_000_000_000, 2_500_000]


def test_the_edit_page_shows_budgets_with_separators_and_in_words(client: Client) -> None:
    client.force_login(admin())
    html = client.get(EDIT).content.decode()
    assert 'value="12.000.000.000"' in html and "dua belas miliar rupiah" in html
    assert 'inputmode="numeric"' in html


def test_a_quota_area_is_picked_by_name_and_saved_by_its_code(client: Client) -> None:
    client.force_login(admin())
    html = client.get(EDIT).content.decode()
    assert '<option value="52.03.07">Kec. Selong (whole kecamatan)</option>' in html
    assert '<option value="52.03.07.1001">Kel. Pancor (Selong)</option>' in html
    assert '<optgroup label="Kec. Pringgabaya">' in html
    response = client.post(
        EDIT,
        _post(**{"quota-0-area": "52.03.07.1001", "quota-1-area": "52.03.08"}),
    )
    assert response.status_code == 302
    assert PolicyVersion.objects.get().data["quotas"] == [
        {"area": "52.03.07.1001", "minimum": 2},
        {"area": "52.03.08", "maximum_share": 0.5},
    ]


def test_a_quota_area_outside_the_deployment_cannot_be_picked(client: Client) -> None:
    client.force_login(admin())
    response = client.post(EDIT, _post(**{"quota-0-area": "52.01.01"}))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_the_preview_shows_the_difference_from_the_active_policy(client: Client) -> None:
    WorkerFactory(desil=2)
    WorkerFactory(desil=3, occupation="petani_tembakau")
    WorkerFactory(desil=5)
    user = admin()
    save_policy_version(by=user, data=Policy.default(("52.03",)).to_data(), name="Aktif", note="")
    client.force_login(user)
    response = client.post(
        PREVIEW,
        _post(max_desil=5, **{"source-0-annual_budget": "14 M", "quota-TOTAL_FORMS": 0}),
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Beside the active version 1." in html
    assert _row(html, "preview-source-apbd-eligible", "active") == "2"
    assert _row(html, "preview-source-apbd-eligible", "draft") == "3"
    assert _row(html, "preview-source-apbd-eligible", "difference") == "+1"
    assert _row(html, "preview-source-apbd-budget", "active") == "Rp12.000.000.000"
    assert _row(html, "preview-source-apbd-budget", "draft") == "Rp14.000.000.000"
    assert _row(html, "preview-source-apbd-budget", "difference") == "+Rp2.000.000.000"
    assert _row(html, "preview-source-dbhcht-eligible", "difference") == "0"
    assert _row(html, "preview-reason-desil", "difference") == "\N{MINUS SIGN}1"
    assert _row(html, "preview-total-eligible", "draft") == "3"
    places = _row(html, "preview-source-apbd-places", "difference")
    assert places.startswith("+") and int(places[1:].replace(".", "")) > 0


def test_the_preview_of_an_unchanged_policy_says_so(client: Client) -> None:
    client.force_login(admin())
    unchanged = _post(
        high_risk_occupations=list(DEFAULT_HIGH_RISK),
        **{"quota-TOTAL_FORMS": 0, "band-INITIAL_FORMS": 1, "source-1-occupations": list(TOBACCO)},
    )
    response = client.post(PREVIEW, unchanged, headers=HTMX)
    html = response.content.decode()
    assert "Beside the default policy." in html and "No change yet." in html
    assert _draft(html, "preview-total-budget") == "Rp15.000.000.000"


def test_an_unreadable_budget_clears_the_preview_and_says_what_is_wrong(client: Client) -> None:
    client.force_login(admin())
    response = client.post(PREVIEW, _post(**{"source-0-annual_budget": "12 X"}), headers=HTMX)
    html = response.content.decode()
    assert 'data-testid="preview-error"' in html
    assert "Budget per year (Rp): Unknown unit “X”" in html
    assert 'data-testid="preview-eligible"' not in html


def test_the_edit_page_loads_the_preview_beside_the_form(client: Client) -> None:
    client.force_login(admin())
    html = client.get(EDIT).content.decode()
    side = html[html.index('class="policy-side"') :]
    assert 'data-testid="policy-preview"' in side and 'hx-trigger="load"' in side
    for section in ("policy-sources", "policy-eligibility", "policy-priority", "policy-quotas"):
        assert f'id="{section}"' in html and f'href="#{section}"' in html


def test_the_calculator_reads_income_written_as_rupiah(client: Client) -> None:
    query = {"income": "Rp 2.500.000", "programs": ["JKK", "JKM"], "month": "2026-05",
             "funding": "mandiri", "months": 1}  # fmt: skip
    html = client.get(CALCULATOR, query).content.decode()
    assert 'data-testid="contribution-table"' in html
    assert "Rp2.500.000" in html


def test_an_unreadable_income_clears_the_calculator_result_and_says_why(client: Client) -> None:
    query = {"income": "2.5", "programs": ["JKK"], "month": "2026-05", "funding": "mandiri",
             "months": 1}  # fmt: skip
    html = client.get(CALCULATOR, query, headers=HTMX).content.decode()
    assert 'data-testid="contribution-table"' not in html
    assert 'data-testid="calculator-errors"' in html and "separators in “2.5” are unclear" in html


def test_the_scenario_form_reads_budgets_as_people_type_them() -> None:
    policy = Policy.default(("52.03",))
    form = RunForm(
        {"fiscal_year": 2027, "budget_apbd": "12 M", "budget_dbhcht": "2.500.000"}, policy=policy
    )
    assert form.is_valid(), form.errors
    assert form.budgets() == {"apbd": 12_000_000_000, "dbhcht": 2_500_000}
    bad: Any = RunForm(
        {"fiscal_year": 2027, "budget_apbd": "-1", "budget_dbhcht": 0}, policy=policy
    )
    assert not bad.is_valid() and "cannot be negative" in bad.errors["budget_apbd"][0]
    assert "dua belas miliar rupiah" in str(RunForm(policy=policy)["budget_apbd"])

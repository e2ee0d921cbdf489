"""The policy pages: list, edit (saving a new version), live preview, version with its diff;
and nominations by desa operators."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lindung.accounts.tests.factories import admin, operator_desa
from lindung.audit.models import Event
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.models import Nomination, PolicyVersion
from lindung.rules.national import RulesError
from lindung.rules.policy import Policy
from lindung.rules.services import nominate, save_policy_version
from lindung.ui.tests.clients import english_client

pytestmark = pytest.mark.django_db

LIST = reverse("rules:policy-list")
EDIT = reverse("rules:policy-edit")
PREVIEW = reverse("rules:policy-preview")


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _post(**changes: Any) -> dict[str, Any]:
    """The edit form's fields for the default policy, as a browser posts them."""
    data: dict[str, Any] = {
        "name": "Rancangan Perbup 2027",
        "note": "",
        "fiscal_year": 2027,
        "reported_income": 1_000_000,
        "coverage_months": 12,
        "min_age": 18,
        "max_age": 65,
        "max_desil": 4,
        "missing_desil": "exclude",
        "statuses": ["aktif"],
        "w_desil": 10,
        "w_female_head": 15,
        "w_disability": 15,
        "high_risk_occupations": ["nelayan", "ojek"],
        "w_high_risk": 10,
        "w_nomination": 20,
        "source-TOTAL_FORMS": 3,
        "source-INITIAL_FORMS": 2,
        "source-0-code": "apbd",
        "source-0-label": "APBD",
        "source-0-annual_budget": 12_000_000_000,
        "source-1-code": "dbhcht",
        "source-1-label": "DBHCHT",
        "source-1-annual_budget": 3_000_000_000,
        "source-1-occupations": ["petani_tembakau", "buruh_tani_tembakau"],
        "band-TOTAL_FORMS": 1,
        "band-INITIAL_FORMS": 0,
        "band-0-min_age": 40,
        "band-0-max_age": 65,
        "band-0-points": 5,
        "quota-TOTAL_FORMS": 2,
        "quota-INITIAL_FORMS": 0,
        "quota-0-area": "52.03.07",
        "quota-0-bound": "minimum",
        "quota-0-value": "2",
        "quota-1-area": "52.03.07",
        "quota-1-bound": "maximum_share",
        "quota-1-value": "0.5",
    }
    data.update(changes)
    return data


def _draft(html: str, testid: str) -> str:
    """The draft policy's figure in the preview row marked `testid`."""
    row = html[html.index(f'data-testid="{testid}"') :]
    row = row[row.index('data-testid="draft">') + len('data-testid="draft">') :]
    return row[: row.index("</td>")]


def _registry() -> None:
    WorkerFactory(desil=2)  # APBD
    WorkerFactory(desil=3, occupation="petani_tembakau")  # APBD and DBHCHT
    WorkerFactory(desil=8)  # desil too high
    WorkerFactory(desil=None)  # no desil


def test_the_list_shows_versions_newest_first_with_the_active_one(client: Client) -> None:
    user = admin()
    data = Policy.default(("52.03",)).to_data()
    save_policy_version(by=user, data=data, name="Perbup 2026", note="")
    save_policy_version(by=user, data=data, name="Rancangan Perbup 2027", note="")
    response = _login(client, user).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Rancangan Perbup 2027") < html.index("Perbup 2026")
    assert 'data-testid="policy-active"' in html


def test_the_list_says_when_the_default_applies(client: Client) -> None:
    response = _login(client, admin()).get(LIST)
    assert 'data-testid="policy-none"' in response.content.decode()


def test_the_edit_form_saves_a_new_version(client: Client) -> None:
    response = _login(client, admin()).get(EDIT)
    assert response.status_code == 200
    assert 'data-testid="source-row"' in response.content.decode()
    response = client.post(EDIT, _post())
    version = PolicyVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rules:policy-detail", args=[1])
    assert version.name == "Rancangan Perbup 2027"
    assert version.data["quotas"] == [{"area": "52.03.07", "minimum": 2, "maximum_share": 0.5}]
    assert version.data["priority"]["high_risk_occupations"] == ["nelayan", "ojek"]
    assert Event.objects.filter(action="policy_version_saved").count() == 1


def test_the_edit_form_shows_policy_errors_and_saves_nothing(client: Client) -> None:
    response = _login(client, admin()).post(EDIT, _post(min_age=70, max_age=60))
    assert response.status_code == 200
    assert "above the maximum age" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_a_version_page_shows_its_diff(client: Client) -> None:
    user = admin()
    data = Policy.default(("52.03",)).to_data()
    save_policy_version(by=user, data=data, name="Perbup 2026", note="")
    data["eligibility"]["max_desil"] = 5
    save_policy_version(by=user, data=data, name="Rancangan Perbup 2027", note="")
    response = _login(client, user).get(reverse("rules:policy-detail", args=[2]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="policy-change"') == 1
    assert "eligibility.max_desil" in html
    assert _login(client, user).get(reverse("rules:policy-detail", args=[1])).status_code == 200
    assert client.get(reverse("rules:policy-detail", args=[9])).status_code == 404


def test_the_preview_counts_eligible_workers_per_source(client: Client) -> None:
    _registry()
    response = _login(client, admin()).post(PREVIEW, _post(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the partial only
    assert "2 of 4 registry workers are eligible." in html
    assert _draft(html, "preview-source-apbd-eligible") == "2"
    assert _draft(html, "preview-source-dbhcht-eligible") == "1"
    assert _draft(html, "preview-reason-desil") == "1"
    assert _draft(html, "preview-reason-desil_missing") == "1"
    assert _draft(html, "preview-reason-age") == "0"
    assert not PolicyVersion.objects.exists()


def test_the_preview_follows_the_unsaved_values(client: Client) -> None:
    _registry()
    response = _login(client, admin()).post(
        PREVIEW, _post(missing_desil="include", max_desil=8), headers={"HX-Request": "true"}
    )
    assert "4 of 4 registry workers are eligible." in response.content.decode()


def test_the_preview_without_javascript_renders_the_whole_form(client: Client) -> None:
    _registry()
    response = _login(client, admin()).post(PREVIEW, _post())
    html = response.content.decode()
    assert 'data-testid="policy-form"' in html
    assert "2 of 4 registry workers are eligible." in html


def test_the_preview_reports_invalid_input(client: Client) -> None:
    response = _login(client, admin()).post(
        PREVIEW, _post(**{"source-0-areas": "52.01.01"}), headers={"HX-Request": "true"}
    )
    assert "outside the deployment" in response.content.decode()


def test_operators_may_not_see_or_change_the_policy(client: Client) -> None:
    _login(client, operator_desa())
    assert client.post(PREVIEW, _post()).status_code == 403
    assert client.get(LIST).status_code == 403
    assert client.post(EDIT, _post()).status_code == 403
    assert not PolicyVersion.objects.exists()


def test_a_desa_operator_nominates_a_worker_of_their_desa() -> None:
    operator = operator_desa("52.03.07.1001")
    worker = WorkerFactory()
    nomination = nominate(by=operator, worker=worker, fiscal_year=2027, reason="Janda, 3 anak")
    assert nomination.by == operator
    event = Event.objects.get(action="worker_nominated")
    assert event.after["fiscal_year"] == 2027
    with pytest.raises(RulesError, match="already nominated"):
        nominate(by=operator, worker=worker, fiscal_year=2027, reason="lagi")


def test_an_operator_cannot_nominate_outside_their_desa() -> None:
    from django.http import Http404

    worker = WorkerFactory(desa_id="52.03.08.2001")
    with pytest.raises(Http404):
        nominate(by=operator_desa("52.03.07.1001"), worker=worker, fiscal_year=2027, reason="x")
    assert not Nomination.objects.exists()


def test_a_desa_operator_nominates_from_the_worker_page() -> None:

    worker = WorkerFactory()
    client = english_client()
    client.force_login(operator_desa("52.03.07.1001"))
    page = client.get(reverse("registry:worker-detail", args=[worker.pk]))
    assert 'data-testid="nominate-form"' in page.content.decode()

    response = client.post(
        reverse("rules:nominate", args=[worker.pk]), {"fiscal_year": 2027, "reason": "Janda"}
    )
    again = client.post(
        reverse("rules:nominate", args=[worker.pk]), {"fiscal_year": 2027, "reason": "lagi"}
    )

    assert response.status_code == 302 and again.status_code == 302
    assert Nomination.objects.get(worker=worker).reason == "Janda"
    page = client.get(reverse("registry:worker-detail", args=[worker.pk]))
    html = page.content.decode()
    assert "already nominated for 2027" in html and "Nominated for 2027" in html


def test_a_desa_operator_cannot_nominate_outside_their_desa() -> None:

    worker = WorkerFactory(desa_id="52.03.08.2001")
    client = Client()
    client.force_login(operator_desa("52.03.07.1001"))
    response = client.post(
        reverse("rules:nominate", args=[worker.pk]), {"fiscal_year": 2027, "reason": "x"}
    )
    assert response.status_code == 404 and not Nomination.objects.exists()

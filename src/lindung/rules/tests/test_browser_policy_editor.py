"""An administrator drafts next year's policy: types budgets the way they write them, picks a
quota area by its name, and watches the preview beside the form say what changes against the
active policy."""

from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD, admin
from lindung.formats import terbilang
from lindung.registry.models import Occupation
from lindung.registry.tests.factories import WorkerFactory
from lindung.rules.models import PolicyVersion
from lindung.rules.policy import Policy
from lindung.rules.services import save_policy_version
from lindung.ui.tests.browser import ARTIFACTS, lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_budgets_as_typed_a_quota_by_name_and_the_preview_beside_the_form(
    page: Any, live_server: Any
) -> None:
    lombok_timur()
    for desil in (1, 2, 3, 5):
        WorkerFactory(desil=desil)
    WorkerFactory(desil=2, occupation=Occupation.PETANI_TEMBAKAU)
    user = admin(username="admin.dinas")
    save_policy_version(by=user, data=Policy.default(("52.03",)).to_data(), name="Perbup", note="")

    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(live_server.url + "/aturan/kebijakan/ubah/")
    page.locator("[data-testid=preview-eligible]").wait_for()  # loaded beside the form
    assert (
        page.locator("[data-testid=preview-against]")
        .inner_text()
        .startswith("Dibandingkan dengan versi aktif 1.")
    )

    # The APBD budget typed digit by digit gets its separators, and its words follow.
    apbd = page.locator("input[name=source-0-annual_budget]")
    apbd_words = page.locator("[data-testid=source-row]").nth(0).locator("[data-money-words]")
    assert apbd_words.text_content() == "dua belas miliar rupiah"  # written by the server
    apbd.fill("")
    apbd.press_sequentially("2500000")
    assert apbd.input_value() == "2.500.000"
    assert apbd_words.text_content() == "dua juta lima ratus ribu rupiah"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#policy-sources").screenshot(path=str(ARTIFACTS / "policy-editor-budget.png"))
    apbd.fill("")
    apbd.press_sequentially("14 M")
    assert apbd.input_value() == "14 M"
    assert apbd_words.text_content() == "empat belas miliar rupiah"
    dbhcht = page.locator("input[name=source-1-annual_budget]")
    dbhcht.fill("")
    dbhcht.press_sequentially("2,5 juta")
    assert dbhcht.input_value() == "2,5 juta"
    dbhcht_words = page.locator("[data-testid=source-row]").nth(1).locator("[data-money-words]")
    assert dbhcht_words.text_content() == "dua juta lima ratus ribu rupiah"
    dbhcht.fill("")
    dbhcht.press_sequentially("12 X")  # unreadable: the words go, the server says why
    assert dbhcht_words.text_content() == ""
    dbhcht.dispatch_event("change")
    page.locator("[data-testid=preview-error]").wait_for()
    assert "Satuan “X” tidak dikenal" in page.locator("[data-testid=preview-problems]").inner_text()
    dbhcht.fill("2.500.000")
    dbhcht.dispatch_event("change")

    # A quota area is picked by its name; the highest desil goes up to 5.
    page.locator("#policy-quotas").scroll_into_view_if_needed()
    quota = page.locator("[data-testid=quota-row]").nth(0)
    quota.locator("select[name=quota-0-area]").select_option(
        label="Kec. Selong (seluruh kecamatan)"
    )
    quota.locator("select[name=quota-0-bound]").select_option("minimum")
    quota.locator("input[name=quota-0-value]").fill("1")
    page.fill("input[name=max_desil]", "5")
    page.locator("input[name=max_desil]").dispatch_event("change")

    difference = "[data-testid=preview-source-apbd-eligible] [data-testid=difference]"
    page.wait_for_selector(f"{difference}:text-is('+1')")
    budget = page.locator("[data-testid=preview-source-apbd-budget] [data-testid=difference]")
    assert budget.inner_text() == "+Rp2.000.000.000"
    dbhcht_budget = "[data-testid=preview-source-dbhcht-budget] [data-testid=difference]"
    assert page.locator(dbhcht_budget).inner_text() == "\N{MINUS SIGN}Rp2.997.500.000"

    # The preview stays in view beside the form while the quotas are on screen.
    page.locator("#policy-quotas").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "policy-editor-preview-beside.png"))  # what one sees
    form_box = page.locator("[data-testid=policy-form]").bounding_box()
    preview_box = page.locator("[data-testid=policy-preview]").bounding_box()
    assert preview_box["x"] >= form_box["x"] + form_box["width"]
    assert preview_box["y"] + preview_box["height"] > 600  # on screen, above the footer
    page.locator("#policy-eligibility").scroll_into_view_if_needed()  # half-way down the form
    assert 0 <= page.locator("[data-testid=policy-preview]").bounding_box()["y"] < 100
    screenshot(page, "policy-editor")

    # The browser's words are the server's.
    for amount in (0, 1_000, 11_000, 2_001_500, 1_500_000_000, 999_999_999_999_999):
        words = page.evaluate("n => window.lindungMoney.terbilang(BigInt(n))", str(amount))
        assert words == terbilang(amount)

    page.click("[data-testid=policy-save]")
    page.wait_for_url("**/aturan/kebijakan/2/")
    data = PolicyVersion.objects.get(number=2).data
    assert [s["annual_budget"] for s in data["sources"]] == [14_000_000_000, 2_500_000]
    assert data["quotas"] == [{"area": "52.03.07", "minimum": 1}]
    assert data["eligibility"]["max_desil"] == 5

    # On a phone the preview follows the form.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/aturan/kebijakan/ubah/")
    page.locator("[data-testid=preview-eligible]").wait_for()
    form_box = page.locator("[data-testid=policy-form]").bounding_box()
    preview_box = page.locator("[data-testid=policy-preview]").bounding_box()
    assert preview_box["y"] >= form_box["y"] + form_box["height"]
    assert preview_box["x"] + preview_box["width"] <= 390  # no sideways scrolling
    screenshot(page, "policy-editor-narrow")

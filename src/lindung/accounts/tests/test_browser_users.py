import pytest

from lindung.accounts.models import User
from lindung.accounts.tests.factories import PASSWORD, UserFactory
from lindung.audit.models import Event
from lindung.roles import Role
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_a_kecamatan_operator_who_then_logs_in(page, live_server) -> None:
    lombok_timur()
    UserFactory(username="admin.dinas", role=Role.ADMIN)
    page.goto(live_server.url + "/akun/masuk/")
    page.fill("input[name=username]", "admin.dinas")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.click("nav.nav >> text=Pengguna")
    page.goto(live_server.url + "/akun/pengguna/baru/")
    form = page.locator("[data-testid=user-form]")
    form.locator("input[name=username]").fill("op.sakra")
    form.locator("input[name=full_name]").fill("Lalu Muhammad Sakra")
    form.locator("select[name=role]").select_option("operator_kecamatan")
    page.wait_for_load_state("networkidle")
    form.locator("select[name=region_code]").select_option("52.03.02")
    form.locator("button[type=submit]").click()
    password = page.locator("[data-testid=new-password]").inner_text().strip()
    screenshot(page, "admin-created-user")

    user = User.objects.get(username="op.sakra")
    assert (user.role, user.region_id, user.must_change_password) == (
        "operator_kecamatan",
        "52.03.02",
        True,
    )
    assert Event.objects.filter(action="user_created", object_id=str(user.pk)).exists()

    # The new operator must choose a password first, then sees only Kecamatan Sakra.
    page.locator("header form[action$='/keluar/'] button").click()
    page.fill("input[name=username]", "op.sakra")
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/kata-sandi/")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "Sawah-Tembakau-2027")
    page.fill("input[name=new_password2]", "Sawah-Tembakau-2027")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # their home: Kecamatan Sakra's work
    assert "Sakra" in page.locator("h1").inner_text()
    screenshot(page, "operator-after-first-login")

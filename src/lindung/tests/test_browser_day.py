"""A day in the life of each role: log in, land on the home page, do the everyday work by
clicking, in Indonesian. Screenshots go to test-artifacts/day-<role>-*.png.

The BPJS officer's browser asks for English (locale en-US, Accept-Language: en-US): the pages
are Indonesian all the same, the language a user chooses being the only switch.
"""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD
from lindung.dashboard.tests.test_pages import boundaries
from lindung.registry.models import DuplicateStatus, PossibleDuplicate, Sex, Worker
from lindung.registry.tests.factories import nik_for
from lindung.roles import Role
from lindung.targeting.models import BeneficiaryList, Scenario
from lindung.tests.crawl import english_words, user_of_role
from lindung.tests.test_query_counts import HEADER, World, build_world
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW = 60_000  # ms: a scenario run or an import check may be a background job with a progress bar


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    made = build_world()
    boundaries()
    return made


def log_in(page: Any, base: str, role: str) -> Any:
    user = user_of_role(role)
    page.goto(base + "/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)  # type: ignore[attr-defined]
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)
    return user


def assert_indonesian(page: Any) -> None:
    assert page.locator("html").get_attribute("lang") == "id", page.url
    words = english_words(page.locator("body").inner_text())
    assert not words, f"English on {page.url}: {sorted(words)}"


def menu(page: Any) -> Any:
    return page.get_by_role("navigation", name="Menu utama")


def test_a_desa_operator_finds_and_edits_a_worker_and_uploads_a_list(
    page: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    log_in(page, live_server.url, Role.OPERATOR_DESA)
    assert page.url == live_server.url + "/"
    assert page.locator("h1").inner_text() == "Kel. Pancor"
    assert page.get_by_test_id("home-todo").is_visible()
    screenshot(page, "day-operator_desa-home")

    # Find a worker by name from the home page, open and edit them.
    page.get_by_label("Cari pekerja").fill("Inaq")
    page.get_by_test_id("home-search").get_by_role("button", name="Cari").click()
    page.wait_for_url("**/pekerja/?q=Inaq**")
    page.get_by_role("link", name="Inaq Rumah").first.click()
    page.wait_for_url("**/pekerja/*/")
    screenshot(page, "day-operator_desa-worker")
    page.get_by_role("link", name="Ubah").first.click()
    page.wait_for_url("**/ubah/")
    page.locator("input[name=phone]").fill("081234567890")
    page.locator("main").get_by_role("button", name="Simpan").click()
    page.wait_for_url(lambda url: not url.endswith("/ubah/"))
    assert "081234567890" in page.get_by_test_id("worker-phone").inner_text()
    assert Worker.objects.filter(phone="081234567890", desa_id="52.03.07.1001").count() == 1

    # Upload the desa's new list from the home page, check it and save it.
    menu(page).get_by_role("link", name="Beranda").click()
    page.get_by_test_id("home-upload").click()
    born = datetime.date(1991, 8, 17)
    niks = [nik_for("52.03.07", born, Sex.MALE, 8800 + n) for n in (1, 2)]
    rows = [
        f"{n};{nik};{name};L;17-08-1991;Pancor;Selong;Nelayan;1.200.000"
        for n, (nik, name) in enumerate(
            zip(niks, ["Lalu Baru Satu", "Amaq Baru Dua"], strict=True), 1
        )
    ]
    upload = tmp_path / "daftar-pancor.csv"
    upload.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    form = page.get_by_test_id("import-upload")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("input[name=source]").fill("Pendataan desa 2026")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-status=ready]", timeout=SLOW)
    assert page.get_by_test_id("count-new").inner_text() == "2"
    assert_indonesian(page)
    screenshot(page, "day-operator_desa-import-preview")
    page.get_by_test_id("import-commit").click()
    page.wait_for_selector("[data-status=committed]", timeout=SLOW)
    assert Worker.objects.filter(nik__in=niks).count() == 2
    screenshot(page, "day-operator_desa-import-saved")


def test_a_kecamatan_operator_opens_their_dashboard_a_list_and_the_lampiran(
    page: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    log_in(page, live_server.url, Role.OPERATOR_KECAMATAN)
    assert page.locator("h1").inner_text() == "Kec. Selong"
    screenshot(page, "day-operator_kecamatan-home")

    page.get_by_test_id("home-dashboard").click()
    page.wait_for_url("**/dasbor/?area=52.03.07")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']", timeout=SLOW)
    assert "Selong" in page.get_by_test_id("dashboard-title").inner_text()
    assert_indonesian(page)
    screenshot(page, "day-operator_kecamatan-dashboard")

    menu(page).get_by_role("link", name="Beranda").click()
    latest = BeneficiaryList.objects.order_by("-number").first()
    assert latest is not None
    lists = page.get_by_test_id("home-lists")
    lists.get_by_role("link", name=f"Daftar {latest.number}").click()
    page.wait_for_url(f"**/sasaran/daftar/{latest.number}/")
    assert_indonesian(page)
    screenshot(page, "day-operator_kecamatan-list")

    menu(page).get_by_role("link", name="Beranda").click()
    with page.expect_download(timeout=SLOW) as info:
        page.get_by_test_id("home-lists").get_by_role("link", name="XLSX").first.click()
    lampiran = tmp_path / "lampiran.xlsx"
    info.value.save_as(lampiran)
    assert lampiran.read_bytes().startswith(b"PK")


def test_a_kabupaten_operator_reviews_a_duplicate_then_finds_the_kept_worker(
    page: Any, live_server: Any, world: World
) -> None:
    log_in(page, live_server.url, Role.OPERATOR_KABUPATEN)
    assert page.url == live_server.url + "/"
    assert page.locator("h1").inner_text() == "Ikhtisar pekerjaan"  # the whole kabupaten
    todo = page.get_by_test_id("todo-duplicates")
    waiting = PossibleDuplicate.objects.filter(status=DuplicateStatus.OPEN).count()
    assert waiting > 0 and todo.locator(".card-value").inner_text() == str(waiting)
    assert_indonesian(page)
    screenshot(page, "day-operator_kabupaten-home")

    # A possible duplicate from the home page: compare, keep the first record, confirm.
    todo.click()
    page.wait_for_url("**/pekerja/duplikat/")
    page.get_by_test_id("duplicate-row").first.get_by_role("link", name="Tinjau").click()
    page.wait_for_selector("[data-testid=duplicate-compare]")
    pair = PossibleDuplicate.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert_indonesian(page)
    page.click("[data-testid=keep-1]")
    page.wait_for_selector("[data-testid=merge-confirm]")
    assert pair.worker.name in page.get_by_test_id("merge-summary").inner_text()
    assert_indonesian(page)
    screenshot(page, "day-operator_kabupaten-merge")
    page.click("[data-testid=merge-confirm]")
    page.wait_for_url(f"**/pekerja/{pair.worker_id}/")
    assert Worker.objects.get(pk=pair.other_id).merged_into_id == pair.worker_id

    # Back home: one review fewer; find the kept worker by the last word of the name.
    menu(page).get_by_role("link", name="Beranda").click()
    shown = page.get_by_test_id("todo-duplicates").locator(".card-value").inner_text()
    assert shown == str(waiting - 1)
    page.get_by_label("Cari pekerja").fill(pair.worker.name.split()[-1].lower())
    page.get_by_test_id("home-search").get_by_role("button", name="Cari").click()
    page.wait_for_url("**/pekerja/?q=**")
    assert page.locator(f"a[href$='/pekerja/{pair.worker_id}/']").count() >= 1
    assert page.locator(f"a[href$='/pekerja/{pair.other_id}/']").count() == 0  # merged away
    assert_indonesian(page)
    screenshot(page, "day-operator_kabupaten-search")


def test_an_administrator_runs_compares_and_approves_a_scenario(
    page: Any, live_server: Any, world: World
) -> None:
    log_in(page, live_server.url, Role.ADMIN)
    assert page.locator("h1").inner_text() == "Ikhtisar pekerjaan"
    assert page.get_by_test_id("home-targeting").is_visible()
    screenshot(page, "day-admin-home")

    page.get_by_test_id("home-targeting").get_by_role("link", name="Kebijakan", exact=True).click()
    page.wait_for_url("**/aturan/kebijakan/")
    assert_indonesian(page)
    screenshot(page, "day-admin-policy")

    menu(page).get_by_role("link", name="Beranda").click()
    page.get_by_test_id("home-scenarios").click()
    page.wait_for_url("**/sasaran/")
    before = Scenario.objects.count()
    form = page.get_by_test_id("scenario-run")
    form.locator("input[name=fiscal_year]").fill("2027")
    form.locator("input[name=name]").fill("Rancangan hari ini")
    form.locator("input[name=budget_apbd]").fill(str(6 * 12 * 16_800))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=scenario-totals]", timeout=SLOW)
    assert Scenario.objects.count() == before + 1
    screenshot(page, "day-admin-scenario")

    menu(page).get_by_role("link", name="Skenario").click()
    newest, previous = Scenario.objects.order_by("-pk")[:2]
    page.check(f"input[name=s][value='{newest.pk}']")
    page.check(f"input[name=s][value='{previous.pk}']")
    page.get_by_test_id("compare").click()
    page.wait_for_selector("[data-testid=compare-totals]", timeout=SLOW)
    assert_indonesian(page)
    screenshot(page, "day-admin-compare")

    page.goto(live_server.url + f"/sasaran/{newest.pk}/")
    page.get_by_test_id("approve-link").click()
    page.locator("input[name=decree]").fill("188.45/99/DISNAKERTRANS/2026")
    page.locator("textarea[name=note]").fill("Perubahan APBD")  # a revision says why
    screenshot(page, "day-admin-approve")
    page.get_by_test_id("approve").click()
    page.wait_for_selector("[data-testid=list-totals]", timeout=SLOW)
    assert BeneficiaryList.objects.filter(scenario=newest).exists()
    screenshot(page, "day-admin-approved")


@pytest.fixture
def english_page(browser: Any) -> Iterator[Any]:
    """A browser that asks for English pages."""
    context = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.wait_for_load_state("load")
    context.close()


def test_a_bpjs_officer_in_an_english_browser_opens_the_list_in_force_and_its_changes(
    english_page: Any, live_server: Any, world: World
) -> None:
    page = english_page
    log_in(page, live_server.url, Role.BPJS)
    assert page.locator("h1").inner_text() == "Penerima yang perlu didaftarkan"
    assert_indonesian(page)
    screenshot(page, "day-bpjs-home")

    latest = BeneficiaryList.objects.order_by("-number").first()
    assert latest is not None and latest.previous_id is not None
    rows = page.get_by_test_id("home-lists")
    rows.get_by_role("link", name="dikeluarkan").first.click()  # the changes of the list
    page.wait_for_url(f"**/sasaran/daftar/{latest.number}/")
    assert page.get_by_test_id("list-changes-summary").is_visible()
    assert_indonesian(page)
    screenshot(page, "day-bpjs-list")


def test_a_leader_drills_the_map_down_to_a_kecamatan_and_downloads_the_summary(
    page: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    log_in(page, live_server.url, Role.PIMPINAN)
    page.wait_for_url("**/dasbor/")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']", timeout=SLOW)
    assert_indonesian(page)
    screenshot(page, "day-pimpinan-dashboard")

    page.locator("[data-testid=dashboard-map] [data-code='52.03.07']").click()
    page.wait_for_url("**area=52.03.07**")
    page.wait_for_selector("[data-testid=dashboard-map][data-map-ready='1']", timeout=SLOW)
    assert "Selong" in page.get_by_test_id("dashboard-title").inner_text()
    screenshot(page, "day-pimpinan-kecamatan")

    with page.expect_download(timeout=SLOW) as info:
        page.get_by_test_id("summary-pdf").click()
    summary = tmp_path / "ringkasan.pdf"
    info.value.save_as(summary)
    assert summary.read_bytes().startswith(b"%PDF")


def test_an_auditor_reads_filters_and_exports_the_audit_log(
    page: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    log_in(page, live_server.url, Role.AUDITOR)
    page.wait_for_url("**/audit/")
    assert page.get_by_test_id("event-row").count() > 0
    screenshot(page, "day-auditor-log")

    filters = page.get_by_test_id("event-filters")
    filters.locator("select[name=action]").select_option("list_approved")
    filters.get_by_role("button", name="Saring").click()
    page.wait_for_url("**action=list_approved**")
    assert page.get_by_test_id("event-row").count() == len(world.lists)
    assert_indonesian(page)
    screenshot(page, "day-auditor-filtered")

    with page.expect_download(timeout=SLOW) as info:
        page.get_by_test_id("event-export").click()
    export = tmp_path / "audit.xlsx"
    info.value.save_as(export)
    assert export.read_bytes().startswith(b"PK")

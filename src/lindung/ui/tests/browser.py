"""Playwright driving Debian's chromium against the live test server."""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from lindung.regions.loaders import read_tree
from lindung.regions.models import Deployment, Region

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_TREE_CACHE: list[Region] = []


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls, so Django's guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    # Let requests the page still makes (htmx, images) finish before the test database is
    # flushed: the live server shares the SQLite connection, and a query still running there
    # makes the flush fail with "database table is locked".
    with contextlib.suppress(Exception):  # a page that keeps polling: close it anyway
        page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()


def lombok_timur() -> None:
    """The 52 subtree and deployment 52.03, reinserted for each transactional browser test."""
    if not _TREE_CACHE:
        rows = read_tree(settings.LINDUNG_AREA_DATA)
        _TREE_CACHE.extend(
            Region(code=c, name=n, name_key=k, level=lv, type=t, parent_id=p)
            for c, n, k, lv, t, p in rows
            if c == "52" or c == "52.03" or c.startswith("52.03.")
        )
    Region.objects.bulk_create(_TREE_CACHE, ignore_conflicts=True)
    deployment, _ = Deployment.objects.get_or_create(pk=1, defaults={"name": "Lombok Timur"})
    deployment.areas.set(["52.03"])


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path

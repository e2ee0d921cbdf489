"""Each role logs in and follows every link reachable from its home page, in the browser.

A page fails the crawl on a 4xx/5xx answer, a console error or uncaught script error (a
Content-Security-Policy violation shows as one), or, on an Indonesian page, a common English
word in the visible text (`tests/crawl.py` lists them). Downloads are fetched for the status.
"""

from pathlib import Path
from typing import Any

import pytest

from lindung.accounts.tests.factories import PASSWORD
from lindung.dashboard.tests.test_pages import boundaries
from lindung.roles import Role
from lindung.tests.crawl import (
    Frontier,
    context_of,
    english_words,
    is_download,
    parse,
    user_of_role,
)
from lindung.tests.test_query_counts import build_world
from lindung.ui.tests.browser import lombok_timur, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_BUDGET = 40  # pages per role


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)


@pytest.mark.parametrize("role", Role.values)
def test_every_page_a_role_reaches_opens_cleanly_in_indonesian(
    role: str, page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    lombok_timur()
    settings.VAR_DIR = tmp_path
    build_world()
    boundaries()
    user = user_of_role(role)
    base = live_server.url
    errors: list[str] = []
    current = {"path": ""}
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console {msg.type} on {current['path']}: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(f"script error on {current['path']}: {exc}"))

    log_in(page, base, user.username)  # type: ignore[attr-defined]
    screenshot(page, f"crawl-{role}-home")
    frontier = Frontier(budget=BROWSER_BUDGET)
    frontier.add(page.url, base + "/")
    problems: list[str] = []
    english: dict[tuple[str, str], str] = {}  # (word, where) → the first page it was seen on
    for path, found_on in frontier:
        current["path"] = path
        if is_download(path):
            response = page.request.get(base + path)
            if response.status >= 400:
                problems.append(f"{response.status} {path} (linked from {found_on})")
            continue
        response = page.goto(base + path)
        status = response.status if response is not None else 0
        if status >= 400:
            problems.append(f"{status} {path} (linked from {found_on})")
        page.wait_for_load_state("load")
        html = page.content()
        for href in parse(html)[0]:
            frontier.add(href, page.url)
        if page.locator("html").get_attribute("lang") == "id":
            text = page.locator("body").inner_text()
            for word in english_words(text):
                english.setdefault((word, context_of(text, word)), path)
    problems += errors + [
        f"English on an Indonesian page: {word!r} in “{where}” ({path} and maybe more)"
        for (word, where), path in english.items()
    ]
    assert problems == [], "\n".join(problems)

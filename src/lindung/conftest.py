"""Shared test set-up: the whole Kemendagri tree is loaded once per test database.

Tests run inside transactions on top of it (pytest-django rolls each test back), so every test
sees the real 91.599 regions and the deployment 52.03 (Lombok Timur) without reloading them.
Browser tests use `transactional_db` and run in their own pytest session (see Makefile).
"""

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from lindung.audit.models import Event
from lindung.regions.loaders import load_tree
from lindung.regions.models import Deployment, Region
from lindung.ui.tests.browser import browser, page

__all__ = ["browser", "django_db_setup", "page"]  # browser fixtures for every app's tests

# No per-example deadline: on a loaded CI machine a slow example is not a failure (speed is
# measured in bench/, never asserted in tests).
hypothesis_settings.register_profile("lindung", deadline=None)
hypothesis_settings.load_profile("lindung")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_tree(settings.LINDUNG_AREA_DATA)
        deployment, _ = Deployment.objects.get_or_create(
            pk=1, defaults={"name": "Kabupaten Lombok Timur"}
        )
        deployment.areas.set(Region.objects.filter(code="52.03"))
        # Tests start from an empty audit log: drop the event the tree load wrote (SQL DELETE
        # is allowed; the ORM refuses it and a trigger refuses UPDATE).
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Event._meta.db_table}")  # noqa: S608
    yield


# --- log lines ------------------------------------------------------------------------------------
# Whatever a test run logs is recorded as the configured console handler writes it (its formatter
# and filters, from settings.LOGGING), so a test can read the log of its requests, and the run
# ends with a check that no line of the whole session holds an unmasked NIK or No. KK.
SIXTEEN_DIGITS = re.compile(r"\d(?:[ .\-]?\d){15}")


class LogLines(logging.Handler):
    """Collects formatted lines, passing each record through the console handler's filters."""

    def __init__(self) -> None:
        super().__init__()
        console = next(h for h in logging.getLogger().handlers if h.name == "console")
        self.setFormatter(console.formatter)
        self.filters = list(console.filters)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(self.format(record).splitlines())


@pytest.fixture(scope="session", autouse=True)
def _no_nik_in_the_session_log() -> Iterator[None]:
    recorder = LogLines()
    logging.getLogger().addHandler(recorder)
    yield
    logging.getLogger().removeHandler(recorder)
    leaked = [line for line in recorder.lines if SIXTEEN_DIGITS.search(line)]
    if leaked:
        pytest.fail(f"log lines with a NIK-like number: {leaked[:5]}")


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """The lines this test logs, formatted and filtered as the console handler writes them."""
    recorder = LogLines()
    logging.getLogger().addHandler(recorder)
    yield recorder.lines
    logging.getLogger().removeHandler(recorder)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the impact's figures, the public check's rate
    limit): a cached answer of another test's database is not this one's."""
    from django.core.cache import cache

    cache.clear()
    yield

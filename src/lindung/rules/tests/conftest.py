from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests match benefit labels and messages by their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """Pages in English too: the tests match messages by their source text."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the chosen language beats the header
    return client

"""Test clients for pages read in English (tests that match messages by their source text)."""

from django.conf import settings
from django.test import Client


def english_client() -> Client:
    """A client that chose English with the language switch (the cookie): the browser's
    Accept-Language alone no longer changes the language."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in their English source form, for tests that match message text."""
    with translation.override("en"):
        yield

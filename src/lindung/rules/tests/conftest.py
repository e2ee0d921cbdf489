from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests match benefit labels and messages by their English source text."""
    with translation.override("en"):
        yield

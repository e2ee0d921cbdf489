from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Uploaded files and checked rows go to a scratch folder, not the project's var/."""
    var = tmp_path_factory.mktemp("var")
    settings.VAR_DIR = var
    return var

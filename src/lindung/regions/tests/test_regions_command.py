"""`lindung regions …`: what the command prints, and how it fails."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from lindung.regions.models import Region
from lindung.regions.tests.test_loaders import lombok_timur_tree, rename

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form: the tests match their text."""
    with translation.override("en"):
        yield


def regions(*args: str) -> list[str]:
    out = StringIO()
    call_command("regions", *args, stdout=out)
    return out.getvalue().splitlines()


def _delete_the_tree() -> None:
    # Children first; the deployment's link to 52.03 is checked only at commit, and the test's
    # transaction is rolled back.
    with connection.cursor() as cursor:
        for level in (4, 3, 2, 1):
            cursor.execute("DELETE FROM regions_region WHERE level = %s", [level])


def test_it_loads_the_whole_tree_then_a_second_run_changes_nothing() -> None:
    _delete_the_tree()
    assert regions("load") == [
        f"Wilayah tree from {settings.LINDUNG_AREA_DATA}:",
        "Level                      Total  Created  Updated  Unchanged",
        "Province                      38       38        0          0",
        "Regency/city                 514      514        0          0",
        "District (kecamatan)       7.285    7.285        0          0",
        "Village (desa/kelurahan)  83.762   83.762        0          0",
        "Missing from source (kept in the database): 0",
    ]
    assert Region.objects.count() == 91_599
    assert regions("load")[2:] == [
        "Province                      38        0        0         38",
        "Regency/city                 514        0        0        514",
        "District (kecamatan)       7.285        0        0      7.285",
        "Village (desa/kelurahan)  83.762        0        0     83.762",
        "Missing from source (kept in the database): 0",
        "Nothing changed.",
    ]


def test_it_reports_a_renamed_village_as_one_update(tmp_path: Path) -> None:
    source = lombok_timur_tree(tmp_path, rename("villages.csv", ",Pancor\n", ",Pancor Baru\n"))
    assert regions("load", "--source", str(source))[1:] == [
        "Level                     Total  Created  Updated  Unchanged",
        "Province                      1        0        0          1",
        "Regency/city                  1        0        0          1",
        "District (kecamatan)         21        0        0         21",
        "Village (desa/kelurahan)    254        0        1        253",
        "Missing from source (kept in the database): 91.322",
    ]


def test_it_prints_the_boundary_counts_and_the_features_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    ring = [[116.5, -8.6], [116.6, -8.6], [116.6, -8.5], [116.5, -8.6]]
    features = [
        {
            "type": "Feature",
            "properties": {"kode": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code in ("52.03.07.1001", "52.03.99", "52.03.07.1002")
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert regions("load-boundaries", str(path), "--allow-unmatched") == [
        "b.geojson: 3 features.",
        "Attached: 2, updated: 0, unchanged: 0.",
        "Not loaded, code not a known region (1):",
        "  features[1] 52.03.99",
    ]


def test_it_prints_the_population_counts_and_the_rows_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("kode,nama,total\n0,INDONESIA,5\n52.03,Lombok Timur,1457591\n52.03.21,Lenek,\n")
    args = ["load-population", str(path), "--year=2024", "--count-column=total"]
    assert regions(*args, "--allow-unmatched", "--skip-empty") == [
        "p.csv: 3 rows, year 2024.",
        "Created: 1, updated: 0, unchanged: 0.",
        "Not loaded, code not a known region (1):",
        "  line 2: 0",
        "Not loaded, empty count (1):",
        "  line 4: 52.03.21",
    ]


def test_it_needs_an_action() -> None:
    with pytest.raises(CommandError, match="the following arguments are required: ACTION"):
        call_command("regions")


def test_a_bad_file_exits_with_1_and_one_line_without_traceback(tmp_path: Path) -> None:
    # Django's own --settings after the action, as `lindung regions load-population …` allows.
    command = ["regions", "load-population", "missing.csv", "--settings=lindung.settings"]
    result = subprocess.run(
        [sys.executable, "-m", "django", *command],
        cwd=tmp_path,
        env={**os.environ, "LINDUNG_VAR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()  # in the installation's language
    assert line.startswith("CommandError: ")
    assert line.endswith(" missing.csv")

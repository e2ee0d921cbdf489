"""End to end: a messy synthetic list, with faults in known proportions, imports with exactly the
codes the generator predicts, row by row; fixing nothing and importing again changes nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lindung.registry.models import Worker
from lindung.registry.synth import generate, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_messy_file_imports_with_exactly_the_predicted_codes(tmp_path: Path, suffix: str) -> None:
    synthetic = generate(3000, kabupaten="52.03", seed=7, messy=True)
    path = tmp_path / f"messy{suffix}"
    write(synthetic, path)
    out = StringIO()

    call_command("import", str(path), "--source", "P3KE", "--json", stdout=out)

    result = json.loads(out.getvalue())
    expected = synthetic.expected_counts(suffix)
    counts = {"new": result["new"], "rejected": result["rejected"]}
    for row in result["rows"]:
        for code in {*row["errors"], *row["warnings"]}:
            counts[code] = counts.get(code, 0) + 1
    assert counts == expected
    assert result["rows_skipped"] == synthetic.skipped_rows
    predicted = {
        m.row: (sorted(m.errors), sorted(m.warnings)) for m in synthetic.manifest_for(suffix)
    }
    actual = {r["row"]: (sorted(r["errors"]), sorted(r["warnings"])) for r in result["rows"]}
    assert actual == predicted
    assert Worker.objects.count() == expected["new"]

    again = StringIO()
    call_command("import", str(path), "--source", "P3KE", "--json", stdout=again)
    second = json.loads(again.getvalue())
    assert (second["new"], second["updated"]) == (0, 0)
    assert second["unchanged"] == expected["new"]

import copy
import datetime
import tomllib
from pathlib import Path
from typing import Any

import pytest

from lindung.rules import apps, national
from lindung.rules.data_files import to_toml
from lindung.rules.national import RulesError, parse_file, parse_version, rules_for

pytestmark = pytest.mark.django_db


def _latest_raw() -> dict[str, Any]:
    return copy.deepcopy(national.file_versions()[-1].data)


def test_the_file_has_two_versions_with_sources() -> None:
    old, pp50 = (v.rules for v in national.file_versions())
    assert (old.version, old.effective_from) == ("2021-01-01-pp82", datetime.date(2021, 1, 1))
    assert (pp50.version, pp50.effective_from) == ("2025-12-22-pp50", datetime.date(2025, 12, 22))
    assert old.reduction is None
    assert pp50.reduction is not None and pp50.reduction.percent == 50
    assert pp50.income_levels.amounts[0] == 1_000_000
    assert pp50.income_levels.amounts[-1] == 20_700_000
    assert not pp50.income_levels.verified
    assert pp50.payment_periods == (1, 3, 6, 12)
    assert pp50.lapse_unpaid_months == 3
    assert "PP 44/2015" in pp50.jkk.source


def test_the_version_in_force_is_the_latest_started_one() -> None:
    assert rules_for(datetime.date(2025, 12, 1)).version == "2021-01-01-pp82"
    assert rules_for(datetime.date(2025, 12, 21)).reduction is None
    assert rules_for(datetime.date(2025, 12, 22)).version == "2025-12-22-pp50"
    assert rules_for(datetime.date(2030, 1, 1)).version == "2025-12-22-pp50"


def test_no_rules_before_the_first_version() -> None:
    with pytest.raises(RulesError):
        rules_for(datetime.date(2020, 1, 1))


def test_jkk_of_one_million_is_exactly_10000() -> None:
    assert rules_for(datetime.date(2026, 1, 1)).jkk.of(1_000_000) == 10_000


def test_it_names_the_key_of_a_missing_source() -> None:
    raw = _latest_raw()
    del raw["contribution"]["jkm"]["source"]
    with pytest.raises(RulesError, match=r"version\.contribution\.jkm\.source"):
        parse_version(raw)


def test_it_refuses_a_float_rate() -> None:
    raw = _latest_raw() | {"contribution": {**_latest_raw()["contribution"]}}
    raw["contribution"]["jkm"] = {"amount": 6800.5, "source": "x"}
    with pytest.raises(RulesError, match=r"jkm\.amount"):
        parse_version(raw)


def test_it_refuses_unknown_funding_in_the_reduction() -> None:
    raw = _latest_raw()
    raw["reduction"]["excluded_funding"] = ["apbd", "apbn_pusat"]
    with pytest.raises(RulesError, match="excluded_funding"):
        parse_version(raw)


def test_it_refuses_two_versions_on_one_date() -> None:
    text = national.NATIONAL_FILE.read_text()
    doubled = text.replace("effective_from = 2025-12-22", "effective_from = 2021-01-01")
    with pytest.raises(RulesError, match="overlapping effective date"):
        parse_file(doubled)


def test_the_toml_copy_reads_back_the_same() -> None:
    latest = national.file_versions()[-1]
    again = tomllib.loads(to_toml(latest.data))
    assert parse_version(again) == latest.rules


def test_the_system_check_fails_clearly_on_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "national.toml"
    broken.write_text('[[versions]]\nversion = "x"\neffective_from = 2021-01-01\n')
    monkeypatch.setattr(national, "NATIONAL_FILE", broken)
    try:
        errors = apps.check_national_rules()
        assert [e.id for e in errors] == ["rules.E001"]
        assert "contribution" in errors[0].msg
    finally:
        monkeypatch.undo()
        national.file_versions.cache_clear()
    assert apps.check_national_rules() == []

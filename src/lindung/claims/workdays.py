"""Indonesian working days: not Saturday or Sunday, not a national holiday or cuti bersama
(the `holidays` package's public and government categories for Indonesia)."""

import datetime
from functools import cache

import holidays


@cache
def _days_off(year: int) -> frozenset[datetime.date]:
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return frozenset(found.keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the start day itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def holiday_name(day: datetime.date) -> str:
    found = holidays.country_holidays(
        "ID", years=day.year, categories=("public", "government"), language="id"
    )
    return str(found.get(day) or "")

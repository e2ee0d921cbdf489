from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (the lockout page's cool-off time)."""
    if value is None:
        return 0
    return -(-int(value.total_seconds()) // 60)

"""The dashboard's small-count rule in one place: a hidden count shows as the mark "x".

{% load dashboard_figures %}
{{ figures.registered|figure }}    1.234, or x when the count is hidden for this viewer
"""

from django import template

from lindung.dashboard.queries import HIDDEN_MARK, Figure
from lindung.formats import format_number

register = template.Library()


@register.filter
def figure(value: Figure) -> str:
    return HIDDEN_MARK if value.hidden else format_number(value.value)

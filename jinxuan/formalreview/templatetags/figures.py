"""An extracted figure as a reader wants it: {% load figures %} {{ figure|figure_value }}.

Durations read as written (两周, not 1209600 秒); other figures as their value in the base unit with the unit."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def figure_value(figure: dict) -> str:
    if not isinstance(figure, dict):
        return ""
    if figure.get("kind") == "duration":
        return str(figure.get("span") or "")
    value = floatformat(figure.get("value"), "-2")
    unit = figure.get("unit") or ""
    return f"{value}{unit}" if unit in ("%", "个百分点", "倍") else f"{value} {unit}".strip()

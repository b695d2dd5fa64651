"""Vote pages in words: {% load vote_labels %} {{ signal.code|signal_label }}, {{ names|case_name:entry.application_id }}."""

from django import template

from jinxuan.voting.presentation import signal_label

register = template.Library()

register.filter("signal_label", signal_label)


@register.filter
def case_name(names: dict, application_id) -> str:
    """"编号 案例名称" of an application from a prepared mapping; never the raw id."""
    return names.get(application_id) or names.get(str(application_id)) or "（已删除的申报）"

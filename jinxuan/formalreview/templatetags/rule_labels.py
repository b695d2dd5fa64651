"""Formal-review rules in words: {% load rule_labels %} {{ finding.rule|rule_label }}."""

from django import template

from jinxuan.campaigns.rule_names import rule_label

register = template.Library()

register.filter("rule_label", rule_label)

"""Template filter for audit event kinds: {% load audit_labels %} {{ event.action|event_label }}."""

from django import template

from jinxuan.audit.labels import event_label

register = template.Library()

register.filter("event_label", event_label)

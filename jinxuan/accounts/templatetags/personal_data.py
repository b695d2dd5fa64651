"""Template filters for masked personal data: {% load personal_data %} {{ user.email|mask_email }}."""

from django import template

from jinxuan.accounts import personal_data

register = template.Library()

register.filter("mask_phone", personal_data.mask_phone)
register.filter("mask_email", personal_data.mask_email)
register.filter("mask_contact", personal_data.mask_contact)
register.filter("mask_text", personal_data.mask_text)

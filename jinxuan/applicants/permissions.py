"""Permissions whose rule reads an application's units: installed into the permission layer (jinxuan.accounts.rules)
when the app loads, so the layer imports nothing from here."""

import rules

from jinxuan.accounts.rules import install, is_guidance, staff_of_campaign

from .ownership import may_access, verified_admin_of


@rules.predicate
def member_of_application(user, application):
    """A member of a verified, consenting unit, or the creator of an own draft (ownership.may_access)."""
    return may_access(user, application)


@rules.predicate
def verified_admin_of_unit(user, unit):
    """An administrator of the verified organisation a joint-unit request is addressed to."""
    return unit is not None and verified_admin_of(user, unit.organisation)


def install_permissions() -> None:
    install("applicants.view_application", member_of_application | staff_of_campaign | is_guidance)
    install("applicants.edit_application", member_of_application)
    install("applicants.answer_joint_request", verified_admin_of_unit)

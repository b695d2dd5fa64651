"""The permission rules: every view and API handler is checked against one of these.

Predicates take (user, obj) where obj is a Campaign (or an object that has
`.campaign`). Roles are campaign-scoped; a role without a campaign holds in all. A permission whose rule needs a
stage app's own data (who may score an application, who may inspect a record) or an application's units (who may
open an application) is installed by that app when it loads (`install`), so this module imports no app above it.
"""

import rules

from .models import Role
from .roles import campaign_ids_for, has_role, roles_of


def _campaign(obj):
    return getattr(obj, "campaign", obj)


def _role_predicate(role: str):
    @rules.predicate(name=f"holds_{role}")
    def holds(user, obj=None):
        return has_role(user, role, _campaign(obj) if obj is not None else None)

    return holds


is_organiser = _role_predicate(Role.ORGANISER)
is_guidance = _role_predicate(Role.GUIDANCE)
is_formal_reviewer = _role_predicate(Role.FORMAL_REVIEWER)
is_expert = _role_predicate(Role.EXPERT)
is_roadshow_judge = _role_predicate(Role.ROADSHOW_JUDGE)
is_inspector = _role_predicate(Role.INSPECTOR)
is_superuser = rules.is_superuser
is_authenticated = rules.is_authenticated


@rules.predicate
def is_global_organiser(user):
    return user.is_authenticated and campaign_ids_for(user, Role.ORGANISER) is None


@rules.predicate
def organiser_anywhere(user):
    """An organiser of any campaign: organisation claims belong to no campaign."""
    return has_role(user, Role.ORGANISER, None)


@rules.predicate
def is_applicant(user):
    return Role.APPLICANT in roles_of(user)


@rules.predicate
def admin_of_organisation(user, organisation):
    return organisation is not None and organisation.memberships.filter(user=user, is_admin=True).exists()


@rules.predicate
def member_of_organisation(user, organisation):
    return organisation is not None and organisation.memberships.filter(user=user).exists()


@rules.predicate
def outside_campaigns(user, obj):
    """An object of no campaign (a historical library case): a campaign-scoped role must not read it as "any"."""
    return obj is not None and getattr(obj, "campaign_id", 0) is None


staff_of_campaign = is_superuser | is_organiser
oversight_of_campaign = staff_of_campaign | is_guidance

PERMISSIONS = {
    # Campaigns
    "campaigns.list_managed": oversight_of_campaign,
    "campaigns.view_dashboard": oversight_of_campaign,
    "campaigns.view_preset": oversight_of_campaign,
    "campaigns.change": staff_of_campaign,
    "campaigns.create": is_superuser | is_global_organiser,
    "audit.view": oversight_of_campaign,
    # Personal workspace and applications
    "accounts.workspace": is_authenticated,
    "accounts.manage_tokens": is_authenticated,
    "applicants.start_application": is_authenticated,
    "applicants.view_organisation": member_of_organisation | is_superuser,
    "applicants.manage_organisation": admin_of_organisation | is_superuser,
    "applicants.register_organisation": is_authenticated,
    "applicants.record_paper": staff_of_campaign,
    "applicants.verify_organisation": is_superuser | organiser_anywhere,
    "accounts.invite_seat": staff_of_campaign,
    "notifications.view_outbox": staff_of_campaign,
    "formalreview.decide": staff_of_campaign | is_formal_reviewer,
    "review.workspace": is_expert,
    "review.manage": staff_of_campaign,
    "review.oversee": oversight_of_campaign,
    "vote.manage": staff_of_campaign,
    "vote.oversee": oversight_of_campaign,
    "library.curate": is_superuser | (~outside_campaigns & is_organiser) | (outside_campaigns & is_global_organiser),
    "library.import": staff_of_campaign, "library.export": staff_of_campaign,
    "inspection.manage": staff_of_campaign, "inspection.oversee": oversight_of_campaign,
    "roadshow.judge": is_roadshow_judge, "roadshow.manage": staff_of_campaign, "roadshow.oversee": oversight_of_campaign,
    "personal_data.export_unmasked": staff_of_campaign,
    "publicity.manage": staff_of_campaign, "publicity.handle": staff_of_campaign, "results.manage": staff_of_campaign,
}

for name, predicate in PERMISSIONS.items():
    rules.add_perm(name, predicate)


def install(name: str, predicate) -> None:
    """A permission whose rule lives in a stage app (registered from its AppConfig.ready())."""
    PERMISSIONS[name] = predicate
    rules.set_perm(name, predicate)

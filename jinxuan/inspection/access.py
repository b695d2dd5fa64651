"""Who may inspect: the one predicate behind the `inspection.inspect` permission.

On a campaign: the user holds the inspector role there (their workspace). On an inspection record: the user holds
the role in its campaign AND is assigned to that record of a live draw. Anyone else gets 404 from the gate.
"""

import rules

from jinxuan.accounts.models import Role
from jinxuan.accounts.roles import has_role

from .models import Inspection


@rules.predicate
def may_inspect(user, obj=None) -> bool:
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(obj, Inspection):
        return (has_role(user, Role.INSPECTOR, obj.campaign) and obj.draw.voided_at is None
                and obj.inspectors.filter(pk=user.pk).exists())
    return has_role(user, Role.INSPECTOR, getattr(obj, "campaign", obj))

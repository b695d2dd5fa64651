"""Role look-ups: which roles a user holds, globally or in one campaign."""

from .models import Role, RoleAssignment


def _assignments(user):
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).values_list("role", "campaign_id"))
        if user.organisation_memberships.exists():
            cache.append((Role.APPLICANT.value, None))
        user._role_cache = cache
    return cache


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return {role for role, _ in _assignments(user)}


def has_role(user, role: str, campaign=None) -> bool:
    """True if the user holds `role` globally or in `campaign` (any campaign when None)."""
    if not user.is_authenticated:
        return False
    campaign_id = getattr(campaign, "pk", campaign)
    for held, scope in _assignments(user):
        if held == role and (scope is None or campaign is None or scope == campaign_id):
            return True
    return False


def campaign_ids_for(user, role: str) -> set[int] | None:
    """Campaign ids where the user holds `role`; None means every campaign."""
    ids: set[int] = set()
    for held, scope in _assignments(user):
        if held == role:
            if scope is None:
                return None
            ids.add(scope)
    return ids

"""What an expert may see: the one place that decides it.

An expert sees an application only while it is assigned to them and no conflict of interest (automatic, declared
or set by the organiser) links them to it. Every expert-facing page, API route, export and e-mail takes its
applications from `visible_applications`; the permission predicate `may_review` uses the same test.
"""

from jinxuan.applicants.models import Application

from .models import Assignment, Conflict, Expert


def expert_of(user) -> Expert | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.expert
    except Expert.DoesNotExist:
        return None


def visible_applications(user, campaign=None):
    """Applications the user may open as an expert (a queryset; empty for non-experts)."""
    expert = expert_of(user)
    if expert is None:
        return Application.objects.none()
    assigned = Assignment.objects.filter(expert=expert)
    conflicted = Conflict.objects.filter(expert=expert)
    if campaign is not None:
        assigned = assigned.filter(campaign=campaign)
        conflicted = conflicted.filter(campaign=campaign)
    return (Application.objects.filter(pk__in=assigned.values("application_id"))
            .exclude(pk__in=conflicted.values("application_id")))


def visible_assignments(user, campaign=None):
    expert = expert_of(user)
    if expert is None:
        return Assignment.objects.none()
    qs = Assignment.objects.filter(expert=expert).exclude(
        application_id__in=Conflict.objects.filter(expert=expert).values("application_id"))
    return qs.filter(campaign=campaign) if campaign is not None else qs


def may_see(user, application) -> bool:
    return application is not None and visible_applications(user).filter(pk=application.pk).exists()

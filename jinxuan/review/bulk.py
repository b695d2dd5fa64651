"""Bulk work on the expert-review lists: remind experts; assign or unassign applications to one expert."""

from jinxuan.lists import BulkOutcome, BulkSkip, run_bulk, stage_closed

from . import services
from .models import Assignment


def remind_experts(campaign, members, ids, *, actor, base_url: str = "") -> BulkOutcome:
    """E-mail each selected expert (of `members`, the filtered pool) their unsubmitted assignments."""

    def remind(member):
        if not services.notify_member(campaign, member, base_url=base_url, reminder=True):
            raise BulkSkip("没有待提交的评分")
        return {"expert": member.expert_id}

    return run_bulk(queryset=members, ids=ids, row=remind, verb="提醒", audit="review.reminded", actor=actor,
                    campaign=campaign, refuse=stage_closed(campaign, "expert_review"))


def assign(campaign, applications, ids, expert, *, actor) -> BulkOutcome:
    """Assign each selected application (of `applications`, the filtered list) to `expert` (audited per row by
    the service)."""

    def one(app):
        if Assignment.objects.filter(campaign=campaign, expert=expert, application=app).exists():
            raise BulkSkip("已分配给该专家")
        services.assign_manually(campaign, expert, app, actor=actor)

    return run_bulk(queryset=applications, ids=ids, row=one, verb=f"分配给{expert.name}", audit=None, actor=actor,
                    campaign=campaign, refuse=stage_closed(campaign, "expert_review"), skip_on=(services.ReviewError,))


def unassign(campaign, applications, ids, expert, *, actor, reason: str = "") -> BulkOutcome:
    """Withdraw `expert`'s assignment of each selected application (audited per row by the service)."""

    def one(app):
        a = Assignment.objects.filter(campaign=campaign, expert=expert, application=app).select_related(
            "review", "application", "campaign").first()
        if a is None:
            raise BulkSkip("未分配给该专家")
        services.unassign(a, actor=actor, reason=reason)

    return run_bulk(queryset=applications, ids=ids, row=one, verb=f"撤销{expert.name}的分配", audit=None,
                    actor=actor, campaign=campaign, refuse=stage_closed(campaign, "expert_review"),
                    skip_on=(services.ReviewError,))

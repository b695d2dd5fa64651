"""An expert's to-do: sheets left per campaign with the expert-review deadline in words (on the workspace and
on /review/)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from jinxuan.accounts.models import Role
from jinxuan.campaigns.todo import Group, Item, campaigns_with_stages, deadline_words, per_campaign, stage_of

from .models import Review
from .visibility import visible_assignments


def expert_groups(user) -> list[Group]:
    """Sheets to do per campaign, with the expert-review deadline in words."""
    counts = per_campaign(visible_assignments(user), total=Count("pk"),
                          todo=Count("pk", filter=~Q(review__state=Review.SUBMITTED)))
    groups = []
    for c in campaigns_with_stages(counts.keys()):
        n = counts[c.pk]
        stage = stage_of(c, "expert_review")
        note, late = deadline_words(stage.ends if stage else None)
        if not n["todo"]:
            note, late = f"已全部提交（{n['total']} 份）", False
        groups.append(Group(c, Role.EXPERT.label, [
            Item("待完成的评分", reverse("review:workspace", args=[c.slug]), n["todo"], note, urgent=late)]))
    return groups

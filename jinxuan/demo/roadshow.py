"""Demo roadshow on a campaign whose composite stage has been applied: the judges seated, the schedule built, the
first few presentations given and scored by every judge (closed), the rest still to come."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.roadshow import services
from jinxuan.roadshow.models import Slot, SlotState


def build(campaign, judges, rng: random.Random, closed: int = 3) -> list[Slot]:
    """`judges`: users to seat as the campaign's roadshow judges. Presentations 1…`closed` (at most all but one)
    are given back to back ending about now and signed by every judge; returns the schedule."""
    for user in judges:
        RoleAssignment.objects.get_or_create(user=user, role=Role.ROADSHOW_JUDGE, campaign=campaign)
    p = services.params(campaign)
    now = timezone.now().replace(second=0, microsecond=0)
    at = now - dt.timedelta(minutes=closed * (p.minutes_per_presentation + p.qa_minutes + 2))
    if not services.slots(campaign).exists():
        services.build_schedule(campaign, starts_at=at)  # the printed schedule starts when the demo's first did
    panel = services.sync_judges(campaign)
    slots = list(services.slots(campaign))
    done = min(closed, max(len(slots) - 1, 0))
    if not panel or not done:
        return slots
    for slot in slots[:done]:
        if slot.state != SlotState.PENDING:  # already given (a second run changes nothing)
            continue
        quality = rng.uniform(72, 92)
        slot = services.start(slot, now=at)
        slot = services.start_qa(slot, now=at + dt.timedelta(minutes=slot.minutes, seconds=rng.randint(-40, 60)))
        at += dt.timedelta(minutes=slot.minutes + slot.qa_minutes)
        slot = services.end_presentation(slot, now=at)
        at += dt.timedelta(minutes=2)
        criteria = services.params(campaign).criteria
        for judge in panel:
            value = max(0.0, min(100.0, quality + rng.uniform(-6, 6)))
            if criteria:
                data = {c.key: f"{float(c.max_score) * value / 100:.1f}" for c in criteria}
            else:
                data = {"score": f"{value:.1f}"}
            services.sign_off(slot, judge, data, now=at)
    return list(services.slots(campaign))

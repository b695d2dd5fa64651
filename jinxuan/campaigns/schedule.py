"""Organiser overrides of a campaign's submission window (audit-logged; reloading the preset restores it)."""

import datetime as dt

from jinxuan.audit.log import record


def reschedule(campaign, opens: dt.datetime, closes: dt.datetime, paper_copy: dt.datetime | None = None,
               reason: str = "", actor=None):
    if opens >= closes:
        raise ValueError("申报开始时间必须早于截止时间")
    fields = ("submission_opens", "submission_closes", "paper_copy_deadline")
    before = {f: getattr(campaign, f).isoformat() if getattr(campaign, f) else None for f in fields}
    campaign.submission_opens, campaign.submission_closes = opens, closes
    campaign.paper_copy_deadline = paper_copy or campaign.paper_copy_deadline
    campaign.save(update_fields=[*fields, "updated_at"])
    after = {f: getattr(campaign, f).isoformat() if getattr(campaign, f) else None for f in fields}
    record("campaign.rescheduled", campaign, campaign=campaign, actor=actor, before=before, after=after, reason=reason)
    return campaign

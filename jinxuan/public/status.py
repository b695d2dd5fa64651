"""A campaign's status in plain words for the public pages, and whether it takes applications now."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import timezone

from jinxuan.applicants.submission import deadline, window_open
from jinxuan.pipeline.models import StageState
from jinxuan.pipeline.runtime import applications_closed, lifecycles

# a parenthesised remark addressed to whoever fills in the preset, e.g. "待定（主办方确定）"
_EDITOR_NOTE = re.compile(r"[（(][^（）()]*(?:主办方|组委会|预设|待填|占位)[^（）()]*[）)]")


@dataclass(frozen=True)
class Status:
    text: str
    accepting: bool  # the application stage is open: show 立即申报


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%-m月%-d日 %H:%M}"


def status_of(campaign, now=None) -> Status:
    now = now or timezone.now()
    if window_open(campaign, now) and applications_closed(campaign) is None:
        return Status(f"正在接受申报，截止时间 {_when(deadline(campaign))}（北京时间）", True)
    if now < campaign.submission_opens:
        return Status(f"尚未开始申报，{_when(campaign.submission_opens)} 开始接受申报", False)
    states = lifecycles(campaign)
    stages = list(campaign.stages.all())
    open_now = [s for s in stages if states[s.key].status == StageState.OPEN]
    if open_now:
        return Status(f"申报已截止，正在进行：{'、'.join(s.name for s in open_now)}", False)
    if stages and all(states[s.key].closed for s in stages):
        return Status("评选已结束", False)
    done = [s for s in stages if states[s.key].closed]
    if done:
        return Status(f"申报已截止，「{done[-1].name}」已完成，下一阶段尚未开始", False)
    return Status("申报已截止，评审尚未开始", False)


def public_text(text) -> str:
    """A preset's free text as the public reads it: remarks meant for the preset's editor removed."""
    return _EDITOR_NOTE.sub("", str(text or "")).strip()

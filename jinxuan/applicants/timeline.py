"""The application's way through the campaign in plain words, for the applicant's application page.

Steps: 填写申报书, 提交申报 (the submission window), then every stage of the campaign with its dates from the
preset; each step is 已完成, 进行中 or 未开始 from the application's state and today's date, and one sentence
says what happens next.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .states import State
from .submission import deadline

DONE, NOW, LATER, STOPPED = "已完成", "进行中", "未开始", "已结束"
OVER = {State.REJECTED, State.ELIMINATED, State.DISQUALIFIED, State.WITHDRAWN}


@dataclass(frozen=True)
class Step:
    title: str
    when: str
    status: str
    note: str = ""


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def _span(starts, ends) -> str:
    if starts and ends:
        return f"{_day(starts)} 至 {_day(ends)}"
    if starts or ends:
        return f"{_day(starts)} 起" if starts else f"{_day(ends)} 前"
    return "日期待主办方公布"


def steps(app, today: dt.date | None = None) -> list[Step]:
    today = today or timezone.localdate()
    campaign = app.campaign
    submitted = app.state != State.DRAFT and app.submitted_at is not None
    closes = deadline(campaign)
    out = [Step("提交申报", _span(campaign.submission_opens, closes),
                DONE if submitted else (STOPPED if timezone.localdate(closes) < today else NOW),
                f"已于 {_day(app.submitted_at)} 提交" if submitted else "填写申报书、上传附件后点击“提交申报”")]
    stages = list(campaign.stages.order_by("position"))
    current = next((i for i, s in enumerate(stages) if s.key == app.current_stage), None)
    ended = app.state in OVER
    for i, stage in enumerate(stages):
        if current is not None:
            status = DONE if i < current else NOW if i == current else LATER
        elif app.state == State.FORMAL_REVIEW and stage.kind == "formal_review":
            status = NOW
        elif stage.ends and stage.ends < today:
            status = STOPPED
        elif stage.starts and stage.starts <= today and submitted:
            status = NOW
        else:
            status = LATER
        if ended and status == LATER:
            status = STOPPED
        out.append(Step(stage.name, _span(stage.starts, stage.ends), status))
    return out


def next_step(app) -> str:
    """One sentence: what happens next for this application."""
    state = app.state
    if state == State.DRAFT:
        return f"请在 {_day(deadline(app.campaign))}（北京时间）前完成并提交申报书；提交前可随时修改，也可先点击“检查申报书”。"
    if state == State.SUBMITTED:
        return "申报已提交。申报截止后，活动工作组进行形式审核；截止前仍可修改并重新提交。"
    if state == State.FORMAL_REVIEW:
        return "活动工作组正在进行形式审核；如需补正，将通知您并给出补正期限。"
    if state == State.NEEDS_CORRECTION:
        due = f"请在 {_day(app.correction_due)}（北京时间）前" if app.correction_due else "请尽快"
        return f"形式审核要求补正：{due}按说明修改后重新提交。"
    if state == State.ACCEPTED:
        return "已通过形式审核，等待进入专家评审。"
    if state == State.IN_STAGE:
        return "正在评审中，结果将在各阶段结束后通知您。"
    if state == State.AWARDED:
        return "恭喜，案例已入选。请留意结果公示与后续活动安排。"
    if state == State.WITHDRAWN:
        return "申报已撤回，不再参加本次评审。"
    return f"申报状态：{State(state).label}。{app.state_reason}".strip()

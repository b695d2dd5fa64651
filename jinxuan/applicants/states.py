"""The state machine of an application.

A plain transition table (a handful of states, no library needed): each move
names who may make it and whether a reason is required; `applicants.services.transition`
applies it and writes the audit log.
"""

from dataclasses import dataclass

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    FORMAL_REVIEW = "formal_review", "形式审核中"
    NEEDS_CORRECTION = "needs_correction", "待补正"
    ACCEPTED = "accepted", "形式审核通过"
    REJECTED = "rejected", "形式审核未通过"
    IN_STAGE = "in_stage", "评审中"
    ELIMINATED = "eliminated", "未晋级"
    DISQUALIFIED = "disqualified", "取消资格"
    AWARDED = "awarded", "入选"
    WITHDRAWN = "withdrawn", "已撤回"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: str
    needs_reason: bool = False


S = State
MOVES: tuple[Move, ...] = (
    Move(S.DRAFT, S.SUBMITTED, "提交申报"),
    Move(S.SUBMITTED, S.FORMAL_REVIEW, "开始形式审核"),
    Move(S.FORMAL_REVIEW, S.NEEDS_CORRECTION, "退回补正", needs_reason=True),
    Move(S.FORMAL_REVIEW, S.ACCEPTED, "形式审核通过"),
    Move(S.FORMAL_REVIEW, S.REJECTED, "形式审核不通过", needs_reason=True),
    Move(S.NEEDS_CORRECTION, S.SUBMITTED, "补正后重新提交"),
    Move(S.NEEDS_CORRECTION, S.REJECTED, "逾期未补正", needs_reason=True),
    Move(S.ACCEPTED, S.IN_STAGE, "进入评审阶段"),
    Move(S.ACCEPTED, S.ELIMINATED, "未晋级", needs_reason=True),
    Move(S.IN_STAGE, S.IN_STAGE, "晋级下一阶段"),
    Move(S.IN_STAGE, S.ELIMINATED, "未晋级", needs_reason=True),
    Move(S.IN_STAGE, S.DISQUALIFIED, "取消资格", needs_reason=True),
    Move(S.IN_STAGE, S.AWARDED, "评定入选"),
    Move(S.ELIMINATED, S.IN_STAGE, "顺位递补", needs_reason=True),
    Move(S.AWARDED, S.DISQUALIFIED, "取消资格", needs_reason=True),
    Move(S.DRAFT, S.WITHDRAWN, "撤回"),
    Move(S.SUBMITTED, S.WITHDRAWN, "撤回", needs_reason=True),
    Move(S.NEEDS_CORRECTION, S.WITHDRAWN, "撤回", needs_reason=True),
)
_BY_PAIR = {(m.source, m.target): m for m in MOVES}


class TransitionError(ValueError):
    pass


def move_for(source: str, target: str) -> Move:
    move = _BY_PAIR.get((source, target))
    if move is None:
        raise TransitionError(f"不能从“{State(source).label}”变为“{State(target).label}”")
    return move


def allowed_targets(source: str) -> list[str]:
    return [m.target for m in MOVES if m.source == source]

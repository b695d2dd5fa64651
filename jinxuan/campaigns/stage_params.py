"""Django-free. Parameter schemas of the stage kinds, one model per kind.

The pipeline engine (jinxuan.pipeline) implements the kinds; a preset names them
and this module says which parameters each kind takes.
"""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormalReviewParams(Strict):
    allow_correction: bool = True
    correction_days: int = Field(5, ge=1, le=60)


class ExpertReviewParams(Strict):
    experts_per_application: int = Field(3, ge=1, le=20)
    blind: bool = True
    advance: Literal["all_scored", "top_fraction", "min_score"] = "all_scored"
    advance_fraction: Decimal | None = Field(None, gt=0, le=1)
    min_score: Decimal | None = Field(None, ge=0)
    aggregate: Literal["mean", "trimmed_mean", "median", "calibrated"] = "mean"
    track_cap: int | None = Field(None, ge=1)  # at most this many applications of one track per expert


class PublicVoteParams(Strict):
    votes_per_application_per_day: int = Field(1, ge=1)
    max_votes_per_day: int = Field(10, ge=1)
    display_delay_minutes: int = Field(0, ge=0)
    verification: Literal["sms"] = "sms"


class CompositeComponent(Strict):
    source: str
    weight: Decimal = Field(gt=0, le=1)
    normalise: Literal["as_is", "linear_on_max"] = "as_is"


class CutRule(Strict):
    fraction: Decimal = Field(gt=0, le=1)
    rounding: Literal["floor", "round", "ceil"] = "floor"
    ties_at_cut: Literal["include_all", "tie_break"] = "tie_break"
    organiser_default: bool = False


class CompositeParams(Strict):
    components: list[CompositeComponent] = Field(min_length=1)
    cut: CutRule | None = None
    direct_entry_flag: str | None = None
    tie_break: list[str] = Field(default_factory=lambda: ["expert_review", "submitted_at"])

    @field_validator("components")
    @classmethod
    def weights_sum_to_one(cls, components):
        total = sum((c.weight for c in components), Decimal(0))
        if total != Decimal(1):
            raise ValueError(f"各组成部分的权重（weight）之和必须为 1，当前为 {total}")
        sources = [c.source for c in components]
        if len(set(sources)) != len(sources):
            raise ValueError("同一来源阶段不能出现两次")
        return components


class RoadshowCriterion(Strict):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=40)
    max_score: Decimal = Field(gt=0, le=100)


class RoadshowParams(Strict):
    aggregate: Literal["mean", "trimmed_mean", "median"] = "trimmed_mean"
    # Optional on-site rubric: the criteria's max scores add up to 100; without one each judge gives one 0–100 score.
    criteria: list[RoadshowCriterion] = Field(default_factory=list)
    earlier_scores_count: bool = False
    minutes_per_presentation: int = Field(10, ge=1)
    qa_minutes: int = Field(5, ge=0)
    publish_scores_live: bool = True
    advance: Literal["all", "top_fraction", "min_score"] = "all"
    advance_fraction: Decimal | None = Field(None, gt=0, le=1)
    min_score: Decimal | None = Field(None, ge=0)

    @field_validator("criteria")
    @classmethod
    def criteria_total_100(cls, criteria):
        if criteria:
            total = sum((c.max_score for c in criteria), Decimal(0))
            if total != 100:
                raise ValueError(f"路演评分项的满分之和必须为 100，当前为 {total}")
            keys = [c.key for c in criteria]
            if len(set(keys)) != len(keys):
                raise ValueError("路演评分项的 key 不能重复")
            if {"slot", "action", "confirmed"} & set(keys):  # names the judges' form already uses
                raise ValueError("路演评分项的 key 不能为 slot、action 或 confirmed")
        return criteria


class SiteInspectionParams(Strict):
    sample_fraction: Decimal | None = Field(None, gt=0, le=1)
    sample_count: int | None = Field(None, ge=1)
    stratify_by_track: bool = False
    checks: list[str] = Field(default_factory=list)
    organiser_default: bool = False

    @model_validator(mode="after")
    def one_sample_size(self):
        if (self.sample_fraction is None) == (self.sample_count is None):
            raise ValueError("sample_fraction 与 sample_count 必须且只能填写一个")
        return self


class PublicityParams(Strict):
    working_days: int = Field(7, ge=1, le=60)
    objections: bool = True
    backfill: bool = True
    backfill_from: str | None = None  # stage whose ranking is frozen for 顺位递补; None: the last earlier stage that cut
    backfill_same_track: bool = False  # replacements only from the departing entry's track
    start_counts: bool = True  # the publication day is working day 1 (jinxuan.outcomes.workdays)


class AwardParams(Strict):
    rank_by: str
    per_track: bool = True


class PublishParams(Strict):
    library: bool = True
    compendium: bool = True


STAGE_PARAMS: dict[str, type[Strict]] = {
    "formal_review": FormalReviewParams,
    "expert_review": ExpertReviewParams,
    "public_vote": PublicVoteParams,
    "composite": CompositeParams,
    "roadshow": RoadshowParams,
    "site_inspection": SiteInspectionParams,
    "publicity": PublicityParams,
    "award": AwardParams,
    "publish": PublishParams,
}

STAGE_KIND_LABELS = {
    "formal_review": "形式审核",
    "expert_review": "专业评审",
    "public_vote": "网络投票",
    "composite": "综合得分",
    "roadshow": "路演答辩",
    "site_inspection": "实地考察",
    "publicity": "结果公示",
    "award": "评定奖项",
    "publish": "发布入库",
}

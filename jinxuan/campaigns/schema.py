"""Django-free. The campaign preset schema: a competition is data, validated here.

A preset is a YAML file; `validate_preset` turns its parsed content into a
`Preset` or raises `PresetError` whose messages name the key path and what was
expected, in Chinese.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)

from jinxuan.campaigns.rule_names import RULE_NAMES

from .stage_params import STAGE_PARAMS

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


FieldType = Literal[
    "text",  # one line
    "textarea",  # long text, counted with the Word-compatible counter
    "integer",
    "decimal",
    "percent",  # Decimal 0-100
    "money",  # 万元, Decimal
    "date",
    "month",  # YYYY-MM
    "month_range",  # start and end month ("至今" allowed when open_end)
    "single_choice",
    "multi_choice",
    "boolean",
    "email",
    "mobile",
    "uscc",  # 统一社会信用代码
    "region",  # province / city
    "track",  # one of the campaign's tracks (单选)
    "group",  # fixed set of sub-fields
    "repeat",  # repeating group (contacts, joint units ...)
    "indicator_table",  # rows x years
    "outline",  # long description split into titled sections with minimum lengths
    "declaration",  # a text the applicant must accept (承诺函)
]

CHOICE_TYPES = {"single_choice", "multi_choice"}
COUNTED_TYPES = {"text", "textarea"}


class ChoiceSpec(Strict):
    """A choice with follow-ups: sub-choices (是 → 数据集产品服务 …) or a required text (对标案例 → 对比分析)."""

    label: Text
    sub_choices: list[Text] = Field(default_factory=list)
    sub_multi: bool = True
    text: bool = False
    text_label: str = ""
    text_max_chars: int | None = Field(None, ge=1)


Choice = Text | ChoiceSpec


class OutlineSection(Strict):
    key: Key
    title: Text
    guidance: str = ""
    min_chars: int | None = Field(None, ge=0)
    max_chars: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def bounds(self):
        if self.min_chars is not None and self.max_chars is not None and self.min_chars > self.max_chars:
            raise ValueError("min_chars 不能大于 max_chars")
        return self


class TableRow(Strict):
    key: Key
    label: Text
    unit: str = ""
    kind: Literal["money", "percent", "integer", "decimal"] = "money"
    # A derived ratio (e.g. 研发投入占比 = 研发投入 / 营业收入 × 100) is checked against its inputs.
    ratio_of: tuple[Key, Key] | None = None


class ShowIf(Strict):
    field: Key
    equals: str | bool


class Check(Strict):
    """A consistency rule inside a group: `total` must equal the sum of `parts`."""

    total: Key
    parts: list[Key] = Field(min_length=2)
    message: str = ""


class FormField(Strict):
    key: Key
    label: Text
    type: FieldType
    required: bool = False
    help: str = ""
    public: bool = False  # the document allows it to be used for publicity
    reviewable: bool | None = None  # shown to experts; None: every application-scope field but identity types
    per_unit: bool = False  # one value per applying unit (lead + joint units)
    unit: str = ""
    min_chars: int | None = Field(None, ge=0)
    max_chars: int | None = Field(None, ge=1)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices: list[Choice] = Field(default_factory=list)
    other: bool = False  # adds 其他 with a free text
    min_selected: int | None = Field(None, ge=0)
    max_selected: int | None = Field(None, ge=1)
    fields: list["FormField"] = Field(default_factory=list)
    min_items: int = Field(0, ge=0)
    max_items: int | None = Field(None, ge=1)
    columns: list[Text] = Field(default_factory=list)
    rows: list[TableRow] = Field(default_factory=list)
    sections: list[OutlineSection] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    open_end: bool = False
    show_if: ShowIf | None = None
    text: str = ""  # the declaration's wording

    @model_validator(mode="after")
    def consistent(self):
        t = self.type
        if t in CHOICE_TYPES and not self.choices:
            raise ValueError(f"类型 {t} 需要 choices（选项列表）")
        if t not in CHOICE_TYPES and (self.choices or self.other):
            raise ValueError(f"类型 {t} 不接受 choices / other")
        if t in {"group", "repeat"} and not self.fields:
            raise ValueError(f"类型 {t} 需要 fields（子字段）")
        if t == "indicator_table" and (not self.rows or not self.columns):
            raise ValueError("indicator_table 需要 rows 与 columns")
        if t == "outline" and not self.sections:
            raise ValueError("outline 需要 sections（提纲各部分）")
        if t == "declaration" and not self.text:
            raise ValueError("declaration 需要 text（承诺内容）")
        if (self.min_chars is not None or self.max_chars is not None) and t not in COUNTED_TYPES | {"outline"}:
            raise ValueError(f"类型 {t} 不计字数，不能设置 min_chars / max_chars")
        if self.min_chars is not None and self.max_chars is not None and self.min_chars > self.max_chars:
            raise ValueError("min_chars 不能大于 max_chars")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value 不能大于 max_value")
        if self.max_items is not None and self.min_items > self.max_items:
            raise ValueError("min_items 不能大于 max_items")
        _unique([f.key for f in self.fields], "fields")
        _unique([s.key for s in self.sections], "sections")
        _unique([r.key for r in self.rows], "rows")
        row_keys = {r.key for r in self.rows}
        for row in self.rows:
            if row.ratio_of and not set(row.ratio_of) <= row_keys:
                raise ValueError(f"行 {row.key} 的 ratio_of 引用了不存在的行 {list(row.ratio_of)}")
        sub_keys = {f.key for f in self.fields}
        for check in self.checks:
            missing = ({check.total, *check.parts}) - sub_keys
            if missing:
                raise ValueError(f"checks 引用了不存在的子字段：{', '.join(sorted(missing))}")
        return self

    def choice_labels(self) -> list[str]:
        labels = [c if isinstance(c, str) else c.label for c in self.choices]
        return [*labels, "其他"] if self.other else labels


class FormSection(Strict):
    key: Key
    title: Text
    help: str = ""
    # "unit": filled once per applying unit (lead unit required, joint units optional).
    scope: Literal["application", "unit"] = "application"
    fields: list[FormField] = Field(min_length=1)

    @model_validator(mode="after")
    def unique_keys(self):
        _unique([f.key for f in self.fields], "fields")
        return self


class FormSchema(Strict):
    sections: list[FormSection] = Field(min_length=1)

    @model_validator(mode="after")
    def unique_keys(self):
        _unique([s.key for s in self.sections], "sections")
        for scope in ("application", "unit"):
            _unique([f.key for s in self.sections if s.scope == scope for f in s.fields], f"{scope} 范围的字段")
        by_key = {f.key: f for s in self.sections for f in s.fields}
        for f in by_key.values():
            if f.show_if and f.show_if.field not in by_key:
                raise ValueError(f"字段 {f.key} 的 show_if 引用了不存在的字段 {f.show_if.field}")
        return self

    def fields(self, scope: str | None = None):
        for section in self.sections:
            if scope is None or section.scope == scope:
                yield from section.fields


class ImageRule(Strict):
    formats: list[Literal["jpg", "png"]] = Field(default_factory=lambda: ["jpg"])
    min_px: int = Field(1, ge=1)
    max_px: int | None = Field(None, ge=1)


class Attachment(Strict):
    key: Key
    name: Text
    required: bool = False
    description: str = ""
    formats: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")]] = Field(
        default_factory=lambda: ["pdf", "jpg", "png", "docx"]
    )
    # Size limit in KB of 1024 bytes (what file managers show): at most max_size_kb, or under it when
    # size_below is set (the document says 小于 200kb: a file of 199.2 KB passes, one of 200 KB does not).
    max_size_kb: int = Field(20480, ge=1)
    size_below: bool = False
    max_files: int = Field(1, ge=1)
    issuer_and_validity: bool = False  # ask for 出具单位 and 有效期 as in the 附件清单
    image: ImageRule | None = None

    @property
    def size_limit_bytes(self) -> int:
        return self.max_size_kb * 1024

    def allows_size(self, size: int | float) -> bool:
        return size < self.size_limit_bytes if self.size_below else size <= self.size_limit_bytes

    @property
    def size_amount(self) -> str:
        kb = self.max_size_kb
        return f"{kb // 1024} MB" if kb >= 1024 and kb % 1024 == 0 else f"{kb} KB"

    @property
    def size_text(self) -> str:
        """The limit as the call states it: 小于 200 KB / 不超过 20 MB."""
        return f"{'小于' if self.size_below else '不超过'} {self.size_amount}"

    @property
    def size_refusal(self) -> str:
        """What a file over the limit is told: 应小于 200 KB / 超过上限 20 MB."""
        return f"应小于 {self.size_amount}" if self.size_below else f"超过上限 {self.size_amount}"


class GeoRule(Strict):
    """Geographic eligibility (002's Shanghai list)."""

    region: Text
    core_practice_in_region: bool = True
    # Lead unit based in the region, or, failing that, every one of these conditions.
    otherwise_all_of: list[Text] = Field(default_factory=list)


class ApplicantRules(Strict):
    max_units: int | None = Field(None, ge=1)  # lead + joint units
    min_years_in_operation: int | None = Field(None, ge=0)
    implementation_regions: list[Text] = Field(default_factory=list)
    implemented_from: dt.date | None = None
    implemented_by: dt.date | None = None
    applicant_types: list[Text] = Field(default_factory=list)
    technology_scope: list[Text] = Field(default_factory=list)
    geographic: GeoRule | None = None
    requires_quantified_results: bool = False
    notes: list[Text] = Field(default_factory=list)  # rules a person checks (诚信记录 …)


class SubDirection(Strict):
    name: Text
    description: str = ""


class Track(Strict):
    key: Key
    name: Text
    kind: Literal["track", "main_list", "feature_list", "special_list"] = "track"
    description: str = ""
    sub_directions: list[SubDirection] = Field(default_factory=list)
    winners: int | None = Field(None, ge=1)  # fixed number of winners (top-N lists)
    rules: ApplicantRules | None = None  # overrides / additions to the campaign's rules


class SubItem(Strict):
    key: Key
    name: Text
    weight: Decimal | None = Field(None, gt=0, le=1)


class Criterion(Strict):
    key: Key
    name: Text
    weight: Decimal = Field(gt=0, le=1)
    max_score: Decimal = Field(Decimal(100), gt=0)
    description: str = ""
    sub_items: list[SubItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def sub_weights(self):
        weights = [s.weight for s in self.sub_items if s.weight is not None]
        if weights and (len(weights) != len(self.sub_items) or sum(weights) != Decimal(1)):
            raise ValueError("子项权重要么全部省略，要么全部给出且之和为 1")
        return self


class Rubric(Strict):
    criteria: list[Criterion] = Field(min_length=1)
    organiser_default: bool = False  # weights not fixed by the call: the organiser's to change

    @model_validator(mode="after")
    def weights_sum_to_one(self):
        total = sum((c.weight for c in self.criteria), Decimal(0))
        if total != Decimal(1):
            raise ValueError(f"评审标准的权重之和必须为 1，当前为 {total}")
        _unique([c.key for c in self.criteria], "criteria")
        return self


class AwardTier(Strict):
    key: Key
    name: Text
    count: int | None = Field(None, ge=1)
    per_track: bool = False


class AwardScheme(Strict):
    tiers: list[AwardTier] = Field(min_length=1)
    special: list[AwardTier] = Field(default_factory=list)
    organiser_default: bool = False
    # Equal scores at a capped list's last place (winners: N) with more tied cases than seats left: the jury
    # decides which enter, with a reason ("jury"), or every tied case enters at the shared place ("shared").
    # Never the submission time.
    tie_at_cap: Literal["jury", "shared"] = "jury"


class StageBase(Strict):
    key: Key
    name: Text
    starts: dt.date | None = None
    ends: dt.date | None = None

    @model_validator(mode="after")
    def ordered(self):
        if self.starts and self.ends and self.starts > self.ends:
            raise ValueError("starts 不能晚于 ends")
        return self

    def sources(self) -> list[str]:
        """Keys of the earlier stages whose results this stage reads."""
        params = getattr(self, "params", None)
        found = [c.source for c in getattr(params, "components", [])]
        if getattr(params, "rank_by", None):
            found.append(params.rank_by)
        return found


def _stage_model(kind: str, params_model: type[BaseModel]) -> type[StageBase]:
    return create_model(
        f"{params_model.__name__.removesuffix('Params')}Stage",
        __base__=StageBase,
        kind=(Literal[kind], ...),
        params=(params_model, Field(default_factory=params_model)),
    )


STAGE_MODELS = {kind: _stage_model(kind, model) for kind, model in STAGE_PARAMS.items()}
Stage = Annotated[Union[tuple(STAGE_MODELS.values())], Field(discriminator="kind")]  # noqa: UP007


class ScreeningRule(Strict):
    """A formal-review rule the campaign switches on (jinxuan.formalrules), with its parameters."""

    rule: str
    severity: Literal["blocking", "warning"] | None = None  # None: the rule's default
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("rule")
    @classmethod
    def known_rule(cls, value: str) -> str:
        if value not in RULE_NAMES:
            raise ValueError(f"未知的审核规则 {value!r}，可用：{', '.join(RULE_NAMES)}")
        return value


class Organiser(Strict):
    name: Text
    contact: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""


class Schedule(Strict):
    submission_opens: dt.datetime
    submission_closes: dt.datetime
    paper_copy_deadline: dt.datetime | None = None
    results: str = ""  # e.g. "12月" when the document gives no date

    @model_validator(mode="after")
    def ordered(self):
        if self.submission_opens >= self.submission_closes:
            raise ValueError("submission_opens 必须早于 submission_closes")
        return self


class Preset(Strict):
    slug: Slug
    name: Text
    short_name: Text
    year: int = Field(ge=2000, le=2100)
    theme: str = ""
    description: str = ""
    source: str = ""  # which call document the preset follows
    organiser: Organiser
    guidance_units: list[Text] = Field(default_factory=list)
    schedule: Schedule
    tracks: list[Track] = Field(min_length=1)
    max_tracks_per_application: int = Field(1, ge=1)
    applicant_rules: ApplicantRules = Field(default_factory=ApplicantRules)
    form: FormSchema
    attachments: list[Attachment] = Field(default_factory=list)
    rubric: Rubric | None = None
    awards: AwardScheme | None = None
    stages: list[Stage] = Field(min_length=1)
    policies: list[Text] = Field(default_factory=list)  # policy documents the call cites
    # The preset key stays `screening:` (as do the model ScreeningResult and its table): stored presets and
    # campaign specs use it, so the package's rename to jinxuan.formalrules does not reach it.
    screening: list[ScreeningRule] = Field(default_factory=list)  # formal-review rules (jinxuan.formalrules)
    district_recommendation_skips: Literal["cut", "review_and_vote"] = Field(
        "cut", description="区级政府部门推荐的案例免于什么：cut 仅免于综合得分的晋级比例（仍参加专业评审和网络投票，"
                           "名次在比例外时直接进入路演答辩，不占名额）；review_and_vote 还免于专业评审和网络投票"
                           "（不参加综合排名，直接进入路演答辩）")

    @model_validator(mode="after")
    def cross_references(self):
        _unique([t.key for t in self.tracks], "tracks")
        _unique([a.key for a in self.attachments], "attachments")
        _unique([s.key for s in self.stages], "stages")
        earlier: set[str] = set()
        for stage in self.stages:
            for source in stage.sources():
                if source not in earlier:
                    raise ValueError(f"阶段 {stage.key} 引用的来源阶段 {source!r} 不在它之前")
            earlier.add(stage.key)
        if self.district_recommendation_skips == "review_and_vote":
            kinds = {s.kind for s in self.stages}
            if "roadshow" not in kinds:
                raise ValueError("district_recommendation_skips 为 review_and_vote 时，活动必须设有路演答辩阶段")
            if not any(s.kind == "composite" and s.params.direct_entry_flag == "district_recommended"
                       for s in self.stages):
                raise ValueError("district_recommendation_skips 为 review_and_vote 时，综合得分阶段必须设置 "
                                 "direct_entry_flag: district_recommended")
        if sum(1 for f in self.form.fields() if f.type == "track") > 1:
            raise ValueError("表单中最多只能有一个 track（申报方向）字段")
        return self


def _unique(keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what} 中的键 {key!r} 重复")
        seen.add(key)

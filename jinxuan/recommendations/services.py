"""District recommendations: mark, withdraw and import (preview, then apply all or nothing).

A recommendation changes who advances, so each one is audit-logged per application, and it is refused once the
stage that reads it is closed: the composite (whose cut it skips) or, when the preset lets recommended cases skip
the expert review and the vote too, the expert review (the first stage that passes them through).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from jinxuan.applicants.models import Application
from jinxuan.applicants.prefetch import share_campaign
from jinxuan.applicants.states import State
from jinxuan.applicants.uploads import inspect_upload, storage_name
from jinxuan.audit.log import record
from jinxuan.campaigns.schema import Attachment
from jinxuan.exports import xlsx
from jinxuan.pipeline import runtime
from jinxuan.review.excel import ExcelError, _sheet_rows

from .districts import DISTRICTS, district_of
from .models import DistrictRecommendation

LETTER_RULE = Attachment(key="district_letter", name="推荐函", formats=["pdf", "jpg", "jpeg", "png"],
                         max_size_kb=20 * 1024, max_files=1)
# applications that may still be recommended: past formal review or waiting for it, not out of the running
OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.IN_STAGE)
IMPORT_HEADERS = ["申报编号", "推荐区", "备注"]
SKIPS = {"cut": "推荐案例仍参加专业评审和网络投票；综合得分名次在晋级比例之外时直接进入路演答辩，不占名额",
         "review_and_vote": "推荐案例免于专业评审和网络投票，不参加综合排名，直接进入路演答辩"}


class RecommendationError(ValueError):
    """A refused recommendation; the message is shown to the organiser."""


def reading_stage(campaign):
    """The stage whose closing fixes what a recommendation does (None: the campaign has no such stage)."""
    kind = "expert_review" if runtime.skips_review_and_vote(campaign) else "composite"
    return runtime.stage_of(campaign, kind)


def refusal(campaign) -> str:
    """Why recommendations cannot change any more (empty: they can)."""
    stage = reading_stage(campaign)
    if stage is None:
        return "本活动没有读取区级推荐的阶段（综合得分），不能登记区级推荐"
    if runtime.is_closed(campaign, stage) or runtime.final_run(campaign, stage) is not None:
        return f"「{stage.name}」阶段已结束，区级推荐不能再更改"
    return ""


def skips_text(campaign) -> str:
    return SKIPS[campaign.spec.district_recommendation_skips]


def _require_open(campaign) -> None:
    problem = refusal(campaign)
    if problem:
        raise RecommendationError(problem)


def _pk_of(number: str) -> int | None:
    """申报编号 → id (GZ2025-0007 → 7); the caller compares the whole number afterwards."""
    tail = (number or "").strip().rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def by_numbers(campaign, numbers) -> dict[str, Application]:
    pks = [pk for pk in map(_pk_of, numbers) if pk is not None]
    found = (Application.objects.filter(campaign=campaign, pk__in=pks)
             .select_related("track", "campaign", "district_recommendation"))
    return {a.number: a for a in found}


def candidate(campaign, number: str) -> Application:
    number = (number or "").strip().upper()
    app = by_numbers(campaign, [number]).get(number)
    if app is None:
        raise RecommendationError(f"申报编号“{number}”不在本活动中")
    if app.state not in OPEN_STATES:
        raise RecommendationError(f"{app.number}（{app.title}）当前状态为“{app.get_state_display()}”，不能登记推荐")
    return app


def _store_letter(item: DistrictRecommendation, upload) -> None:
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
    result = inspect_upload(upload.name, source, LETTER_RULE)
    if not result.ok:
        raise RecommendationError("；".join(result.problems))
    if item.letter:
        item.letter.delete(save=False)
    name = storage_name(result)
    if isinstance(source, bytes):
        item.letter.save(name, ContentFile(source), save=False)
    else:
        with open(source, "rb") as fh:
            item.letter.save(name, File(fh), save=False)
    item.letter_name, item.letter_sha256 = result.safe_name, result.sha256


@transaction.atomic
def recommend(application: Application, district: str, *, letter=None, note: str = "", actor=None,
              require_letter: bool = True) -> DistrictRecommendation:
    """Mark (or correct) a recommendation; the letter is required unless one is on file (or for an import)."""
    campaign = application.campaign
    _require_open(campaign)
    found = district_of(district)
    if found is None:
        raise RecommendationError("推荐区：请从广州市 11 个区中选择")
    if application.state not in OPEN_STATES:
        raise RecommendationError(f"{application.number} 当前状态为“{application.get_state_display()}”，不能登记推荐")
    item = DistrictRecommendation.objects.select_for_update().filter(application=application).first()
    before = ({"district": item.district, "note": item.note, "letter": item.letter_name} if item else None)
    if item is None:
        item = DistrictRecommendation(application=application, recommended_by=actor)
    if letter is None and require_letter and not item.letter:
        raise RecommendationError("推荐函：请上传推荐单位出具的推荐函（PDF 或图片）")
    item.district, item.note = found, (note or "").strip()[:200]
    if letter is not None:
        _store_letter(item, letter)
    item.save()
    if not application.district_recommended:
        application.district_recommended = True
        application.save(update_fields=["district_recommended"])
    record("recommendation.marked" if before is None else "recommendation.changed", application,
           campaign=campaign, actor=actor, before=before,
           after={"district": item.district, "note": item.note, "letter": item.letter_name,
                  "letter_sha256": item.letter_sha256})
    return item


@transaction.atomic
def withdraw(application: Application, *, reason: str = "", actor=None) -> None:
    campaign = application.campaign
    _require_open(campaign)
    if not reason.strip():
        raise RecommendationError("撤销原因：必填")
    item = DistrictRecommendation.objects.filter(application=application).first()
    before = {"district": item.district if item else "", "letter": item.letter_name if item else ""}
    if item is not None:
        if item.letter:
            item.letter.delete(save=False)
        item.delete()
    Application.objects.filter(pk=application.pk).update(district_recommended=False)
    application.district_recommended = False
    record("recommendation.withdrawn", application, campaign=campaign, actor=actor, before=before,
           reason=reason.strip())


# ------------------------------------------------------------------------------------------------ import


@dataclass
class Preview:
    rows: list[dict] = field(default_factory=list)  # {"row", "number", "title", "district", "note", "change"}
    errors: list[str] = field(default_factory=list)


def parse_import(campaign, data: bytes) -> Preview:
    """Every row checked against the campaign; errors name the row in Chinese. Nothing is written."""
    out = Preview()
    problem = refusal(campaign)
    if problem:
        out.errors.append(problem)
        return out
    try:
        rows = list(_sheet_rows(data, IMPORT_HEADERS, ["申报编号", "推荐区"]))
    except ExcelError as exc:
        out.errors.append(str(exc))
        return out
    if not rows:
        out.errors.append("表格中没有数据行")
    for _, r in rows:
        r["申报编号"] = r.get("申报编号", "").upper()
    apps = by_numbers(campaign, [r["申报编号"] for _, r in rows])
    seen = set()
    for line, row in rows:
        number, district = row.get("申报编号", ""), district_of(row.get("推荐区", ""))
        if not number:
            out.errors.append(f"第 {line} 行：缺少申报编号")
            continue
        if number in seen:
            out.errors.append(f"第 {line} 行：申报编号 {number} 重复")
            continue
        seen.add(number)
        app = apps.get(number)
        if app is None:
            out.errors.append(f"第 {line} 行：申报编号 {number} 不在本活动中")
            continue
        if app.state not in OPEN_STATES:
            out.errors.append(f"第 {line} 行：{number} 当前状态为“{app.get_state_display()}”，不能登记推荐")
            continue
        if district is None:
            out.errors.append(f"第 {line} 行：推荐区“{row.get('推荐区', '')}”不是广州市的区"
                              f"（可填：{'、'.join(d[:-1] for d in DISTRICTS)}）")
            continue
        existing = getattr(app, "district_recommendation", None)
        change = "新增" if existing is None else ("不变" if existing.district == district else "更改推荐区")
        out.rows.append({"row": line, "number": number, "title": app.title, "district": district,
                         "note": row.get("备注", "")[:200], "change": change})
    return out


@transaction.atomic
def apply_import(campaign, rows: list[dict], actor=None) -> int:
    """Apply a previewed import: every row or none (any refusal rolls the whole import back)."""
    _require_open(campaign)
    for row in rows:
        app = candidate(campaign, row["number"])
        recommend(app, row["district"], note=row.get("note", ""), actor=actor, require_letter=False)
    return len(rows)


def template_workbook() -> bytes:
    return xlsx.workbook("区级推荐", IMPORT_HEADERS, [["GZ2025-0001", "天河", "示例行，导入前请删除"]])


def listing(campaign) -> list[Application]:
    """Every application marked recommended (with or without a registered district and letter)."""
    return share_campaign(Application.objects.filter(campaign=campaign, district_recommended=True).defer("answers")
                          .select_related("track", "district_recommendation__recommended_by").order_by("pk"), campaign)

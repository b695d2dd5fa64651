"""Excel in and out for expert review (openpyxl): the expert pool, assignments, and all scores."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook

from jinxuan.accounts.personal_data import mask_text
from jinxuan.applicants.models import application_number
from jinxuan.applicants.prefetch import share_campaign
from jinxuan.exports import xlsx

from .models import PoolMember, Review
from .presentation import masked_title

STATE_LABELS = dict(Review.STATES)

POOL_HEADERS = ["姓名", "电子邮箱", "职务/职称", "现任职单位", "现任职单位统一社会信用代码", "曾任职单位",
                "专长标签", "专业背景", "评审数量上限"]
ASSIGNMENT_HEADERS = ["申报编号", "专家电子邮箱"]


class ExcelError(ValueError):
    pass


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _sheet_rows(data: bytes, headers: list[str], required: list[str]):
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise ExcelError("无法读取该文件，请上传 .xlsx 格式的 Excel 表格") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    head = next(rows, None)
    if head is None:
        raise ExcelError("表格为空")
    names = [str(h or "").strip() for h in head]
    missing = [h for h in required if h not in names]
    if missing:
        raise ExcelError("表头缺少列：" + "、".join(missing) + "（第 1 行须为：" + "、".join(headers) + "）")
    index = {h: names.index(h) for h in headers if h in names}
    for number, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            continue
        yield number, {h: ("" if row[i] is None else str(row[i]).strip()) for h, i in index.items() if i < len(row)}


def split_list(text: str) -> list[str]:
    """Items separated by 、，, ; or new lines."""
    for sep in "，、;；\n":
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


def parse_pool(data: bytes) -> Parsed:
    """Experts from a workbook with POOL_HEADERS; every bad row is reported with its row number."""
    out = Parsed()
    for number, row in _sheet_rows(data, POOL_HEADERS, ["姓名", "电子邮箱"]):
        name, email = row.get("姓名", ""), row.get("电子邮箱", "")
        if not name:
            out.errors.append(f"第 {number} 行：缺少姓名")
            continue
        if "@" not in email:
            out.errors.append(f"第 {number} 行（{name}）：电子邮箱无效")
            continue
        load_text = row.get("评审数量上限", "") or "20"
        try:
            load = int(float(load_text))
            if load < 1:
                raise ValueError
        except ValueError:
            out.errors.append(f"第 {number} 行（{name}）：评审数量上限须为正整数")
            continue
        out.rows.append({
            "name": name, "email": email, "title": row.get("职务/职称", ""),
            "employer_name": row.get("现任职单位", ""), "employer_code": row.get("现任职单位统一社会信用代码", ""),
            "past": [{"name": p, "code": ""} for p in split_list(row.get("曾任职单位", ""))],
            "tags": split_list(row.get("专长标签", "")), "bio": row.get("专业背景", ""), "load": load})
    return out


def parse_assignments(data: bytes) -> Parsed:
    out = Parsed()
    for number, row in _sheet_rows(data, ASSIGNMENT_HEADERS, ASSIGNMENT_HEADERS):
        if not row.get("申报编号") or "@" not in row.get("专家电子邮箱", ""):
            out.errors.append(f"第 {number} 行：申报编号或专家电子邮箱无效")
            continue
        out.rows.append({"row": number, "number": row["申报编号"], "email": row["专家电子邮箱"].lower()})
    return out


def template_workbook(headers: list[str]) -> bytes:
    return xlsx.workbook("Sheet", headers, [])


def _row(number, title, expert, member, state, total, scores, comments) -> dict:
    return {"number": number, "title": title, "expert": expert, "pseudonym": member.pseudonym if member else "",
            "state": STATE_LABELS.get(state, "未开始"), "total": float(total) if total is not None else None,
            "scores": scores or {}, "comments": comments or {}}


def expert_rows(campaign, assignments, blind: bool = False, extra_terms: list[str] | None = None) -> list[dict]:
    """One row per assignment: application, expert (name and pseudonym), state, total, criterion scores. `blind`:
    titles masked as the expert's pages mask them (the expert's own export in a blind review)."""
    members = {m.expert_id: m for m in PoolMember.objects.filter(campaign=campaign)}
    assignments = assignments.order_by("application_id", "expert_id")
    if not blind:  # number and title only: read as values (12,000 rows would be 48,000 objects)
        return [_row(application_number(campaign, app_id), title, name, members.get(expert_id), state, total, scores,
                     comments)
                for app_id, title, expert_id, name, state, total, scores, comments in assignments.values_list(
                    "application_id", "application__title", "expert_id", "expert__name", "review__state",
                    "review__total", "review__scores", "review__comments")]
    assignments = list(assignments.select_related("application__created_by", "expert", "review")  # what the
                       .prefetch_related("application__units__organisation"))         # masking reads
    share_campaign((a.application for a in assignments), campaign)
    rows = []
    for a in assignments:
        review = getattr(a, "review", None)
        rows.append(_row(a.application.number, masked_title(a.application, extra_terms), a.expert.name,
                         members.get(a.expert_id), review.state if review else None,
                         review.total if review else None, review.scores if review else {},
                         review.comments if review else {}))
    return rows


def scores_workbook(campaign, rows: list[dict], pseudonymise: bool, aggregates: dict | None = None) -> bytes:
    """All scores; experts appear by pseudonym unless ``pseudonymise`` is False (the organiser's export)."""
    rubric = campaign.spec.rubric
    columns = []
    for c in rubric.criteria if rubric else []:
        if c.sub_items:
            columns += [(c.key, s.key, f"{c.name}·{s.name}") for s in c.sub_items]
        else:
            columns.append((c.key, None, c.name))
    head = ["申报编号", "案例名称", "专家", "状态", "总分"] + [label for _, _, label in columns] + ["评语"]
    wb = Workbook(write_only=True)  # thousands of sheets: written row by row
    ws = xlsx.streamed_sheet(wb, "评分明细", head, widths=16)
    for r in rows:
        values = []
        for ck, sk, _ in columns:
            v = r["scores"].get(ck)
            v = v.get(sk) if isinstance(v, dict) and sk else (None if isinstance(v, dict) else v)
            values.append(float(v) if v not in (None, "") else None)
        comments = mask_text("；".join(f"{k}：{v}" for k, v in r["comments"].items()))  # no contacts in comments
        xlsx.append(ws, [r["number"], r["title"], r["pseudonym"] if pseudonymise else r["expert"], r["state"],
                         r["total"], *values, comments])
    if aggregates:
        ws2 = xlsx.streamed_sheet(wb, "汇总", ["申报编号", "案例名称", "评审数", "平均分", "截尾平均分", "中位数", "校准分",
                                               "极差", "分歧较大"], widths=16)
        for row in aggregates:
            xlsx.append(ws2, row)
    return xlsx.to_bytes(wb)

"""The vote detail workbook: one row per vote, the voter's phone masked, read in chunks without a query per row."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from .models import Vote
from .phones import mask

HEADERS = ["票号", "申报编号", "案例名称", "投票人（已隐去）", "投票日", "时间", "IP", "有效", "作废原因", "异常信号"]


def vote_rows(campaign) -> Iterator[list]:
    """Rows of every vote of `campaign` in id order (the applications' numbers and titles read once)."""
    cases = {a.pk: (a.number, a.title) for a in campaign.applications.only("pk", "title", "campaign")}
    votes = (Vote.objects.filter(campaign=campaign).order_by("pk")
             .values_list("pk", "application_id", "voter__phone", "day", "created_at", "ip", "valid",
                          "invalid_reason", "signals"))
    for pk, app_id, phone, day, created, ip, valid, reason, signals in votes.iterator(chunk_size=5000):
        number, title = cases.get(app_id, ("", ""))
        yield [pk, number, title, mask(phone), day.isoformat(),
               timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S"), ip or "", "是" if valid else "否",
               reason, "；".join(s["message"] for s in signals or ())]


def votes_workbook(campaign) -> bytes:
    from openpyxl import Workbook

    from jinxuan.exports import xlsx

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("投票明细")
    xlsx.append(ws, HEADERS)
    for row in vote_rows(campaign):
        xlsx.append(ws, row)
    return xlsx.to_bytes(wb)

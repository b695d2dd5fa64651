"""The organiser's application list as a workbook: masked by default, unmasked only through the reasoned export."""

from django.utils import timezone

from jinxuan.applicants.personal_data import contact_rows
from jinxuan.applicants.states import State
from jinxuan.exports.xlsx import workbook

HEADERS = ["申报编号", "案例名称", "方向", "状态", "提交时间", "申报单位", "联系人所在单位", "联系人", "部门与职务", "手机",
           "电子邮箱"]


def application_rows(campaign, masked: bool = True, apps=None) -> list[list]:
    """One row per contact of every submitted application (an application without contacts: one row); `apps`:
    the applications in their order (default: every submitted one, by number)."""
    rows = []
    if apps is None:
        # Through the campaign's manager every row shares this campaign object (its parsed preset too).
        apps = (campaign.applications.exclude(state=State.DRAFT)
                .select_related("track").prefetch_related("units__organisation").order_by("pk"))
    for app in apps:
        units = "、".join(u.organisation.name for u in app.units.all())
        submitted = timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M") if app.submitted_at else ""
        base = [app.number, app.title, app.track.name, app.get_state_display(), submitted, units]
        contacts = contact_rows(app, masked=masked)
        for c in contacts or [{"unit": "", "name": "", "title": "", "mobile": "", "email": ""}]:
            rows.append(base + [c["unit"], c["name"], c["title"], c["mobile"], c["email"]])
    return rows


def applications_workbook(campaign, masked: bool = True, apps=None) -> tuple[bytes, int]:
    rows = application_rows(campaign, masked=masked, apps=apps)
    return workbook("申报列表", HEADERS, rows), len(rows)

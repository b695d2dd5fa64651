"""The organiser's application list: what it can be searched, filtered and sorted by."""

from django.db.models import Prefetch

from jinxuan.applicants.models import ApplicationUnit
from jinxuan.applicants.states import State
from jinxuan.lists import Filter, ListSpec, Sort, number_q

YES_NO = [("yes", "是"), ("no", "否")]


def _yes_no(field: str):
    return lambda qs, v: qs.filter(**{f"{field}__isnull": v != "yes"})


def applications_spec(campaign) -> ListSpec:
    return ListSpec(
        sorts=[Sort("number", "编号", ("pk",)), Sort("title", "案例名称", ("title",)),
               Sort("track", "方向", ("track__position", "track__name")), Sort("state", "状态", ("state",)),
               Sort("submitted", "提交时间", ("submitted_at",)), Sort("paper", "纸质材料", ("paper_received_at",))],
        default_sort="number",
        search_fields=("title", "units__organisation__name"), search_extra=number_q,
        search_label="搜索", search_placeholder="编号、案例名称或申报单位",
        filters=[
            Filter("state", "状态", [(s.value, s.label) for s in State if s != State.DRAFT]),
            Filter("track", "方向", [(str(t.pk), t.name) for t in campaign.tracks.all()], field="track_id"),
            Filter("paper", "纸质材料", [("yes", "已收到"), ("no", "未收到")], apply=_yes_no("paper_received_at")),
            Filter("district", "区级政府推荐", YES_NO, apply=lambda qs, v: qs.filter(district_recommended=v == "yes")),
        ],
        page_size=50,
    )


def applications_base(campaign, answers: bool = False):
    """Submitted applications, rows sharing the campaign object (no preset parsed per row); `answers`: read the
    answers too (the export's contacts live there), else they are deferred (the page does not show them)."""
    apps = campaign.applications.exclude(state=State.DRAFT).select_related("track")
    units = ApplicationUnit.objects.select_related("organisation")
    if not answers:
        apps, units = apps.defer("answers"), units.defer("answers")
    return apps.prefetch_related(Prefetch("units", units))

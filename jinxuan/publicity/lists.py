"""The objection queue of the publicity page: search, status filter, sorting."""

from jinxuan.applicants.prefetch import light
from jinxuan.lists import Filter, ListSpec, Sort, number_q

from .models import Objection


def objections_base(campaign):
    return light(Objection.objects.filter(campaign=campaign).select_related("application__campaign", "handled_by"),
                 "application__")


def objections_spec() -> ListSpec:
    return ListSpec(
        sorts=[Sort("time", "提交时间", ("created_at",)), Sort("receipt", "回执编号", ("receipt",)),
               Sort("case", "异议对象", ("application_id",)), Sort("status", "处理结果", ("status",))],
        default_sort="time",
        search_fields=("receipt", "application__title", "name", "text"),
        search_extra=lambda term: number_q(term, "application_id"),
        search_placeholder="回执编号、案例编号或名称、异议人、内容",
        filters=[Filter("status", "处理结果", Objection.STATUSES)],
        page_size=20,
    )

"""The organiser's view of a campaign's cases in the library: search, filters, sorting, Excel; bulk featuring."""

from jinxuan.lists import BulkOutcome, BulkSkip, Filter, ListSpec, Sort, run_bulk

from . import services
from .models import Case


def cases_base(campaign):
    return Case.objects.filter(campaign=campaign).select_related("campaign")


def _distinct(campaign, field: str) -> list[tuple[str, str]]:
    values = (Case.objects.filter(campaign=campaign).exclude(**{field: ""}).order_by(field)
              .values_list(field, flat=True).distinct())
    return [(v, v) for v in values]


def cases_spec(campaign) -> ListSpec:
    return ListSpec(
        sorts=[Sort("order", "赛道", ("track_order", "tier_order", "position")), Sort("title", "案例名称", ("title",)),
               Sort("tier", "奖项等级", ("tier_order",)), Sort("published", "发布时间", ("published_at",))],
        default_sort="order",
        search_fields=("title", "organisations", "special"),
        search_placeholder="案例名称、单位或特别奖项",
        filters=[
            Filter("track", "赛道", _distinct(campaign, "track")),
            Filter("tier", "奖项等级", _distinct(campaign, "tier")),
            Filter("featured", "精选", [("yes", "已精选"), ("no", "未精选")],
                   apply=lambda qs, v: qs.filter(featured=v == "yes")),
            Filter("source", "来源", Case.SOURCES),
        ],
        page_size=50,
    )


def export_rows(qs):
    """The filtered cases with the columns' fields only (a case's text and figures are tens of kB each)."""
    return qs.select_related(None).only("title", "organisations", "track", "tier", "special", "year", "featured",
                                        "source", "published_at").iterator(chunk_size=1000)


CASE_COLUMNS = [
    ("案例名称", lambda c: c.title), ("单位", lambda c: "、".join(c.organisations or [])), ("赛道", lambda c: c.track),
    ("奖项等级", lambda c: c.tier), ("特别奖项", lambda c: c.special), ("年度", lambda c: c.year),
    ("精选", lambda c: c.featured), ("来源", lambda c: c.get_source_display()), ("发布时间", lambda c: c.published_at),
]


def set_featured(campaign, cases, ids, featured: bool, *, actor) -> BulkOutcome:
    """Feature (or unfeature) each selected case of `cases`; `services.set_featured` audits each one."""

    def one(case):
        if case.featured == featured:
            raise BulkSkip("已在精选中" if featured else "本不在精选中")
        services.set_featured(case, featured, actor=actor)

    return run_bulk(queryset=cases, ids=ids, row=one, verb="加入精选" if featured else "移出精选", audit=None,
                    actor=actor, campaign=campaign)



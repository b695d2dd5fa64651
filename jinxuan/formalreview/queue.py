"""The formal-review queue as a list: search, filters, sort and paging read from the URL, as plain functions.

`Query.from_params(request.GET)` reads the list's state; `rows(campaign, query)` is the whole filtered, sorted
list (the page, the Excel export and the reader's previous/next all take it from here, so they agree);
`paginate` cuts one page; `workbook` writes exactly the filtered list through jinxuan/exports/xlsx.py.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationUnit, ApplicationVersion
from jinxuan.applicants.prefetch import share_campaign
from jinxuan.applicants.states import State
from jinxuan.campaigns.rule_names import rule_label
from jinxuan.exports import xlsx

from .models import ScreeningResult
from .recheck import UNDER_REVIEW
from .services import latest_screening, run_screening

PAGE_SIZE = 25
DECIDED = (State.ACCEPTED, State.REJECTED)
STATES = (*UNDER_REVIEW, *DECIDED)
SORTS = {  # key → (label, ordering)
    "submitted": ("提交时间（先到先审）", ("submitted_at", "pk")),
    "-submitted": ("提交时间（最新在前）", ("-submitted_at", "-pk")),
    "number": ("申报编号", ("pk",)),
    "title": ("案例名称", ("title", "pk")),
    "-blocking": ("阻断问题（多在前）", None),  # sorted after the findings are read
}
SEVERITIES = {"blocking": "阻断", "warning": "提示"}


@dataclass(frozen=True)
class Query:
    q: str = ""
    state: str = ""
    rule: str = ""
    severity: str = ""
    track: str = ""
    sort: str = "submitted"
    page: int = 1

    @classmethod
    def from_params(cls, params) -> Query:
        """The list's state from a query dict; anything unknown falls back to the default."""
        def get(name):
            return str(params.get(name, "") or "").strip()

        try:
            page = max(1, int(get("page") or 1))
        except ValueError:
            page = 1
        return cls(q=get("q")[:100], state=get("state") if get("state") in STATES else "",
                   rule=get("rule")[:60], severity=get("severity") if get("severity") in SEVERITIES else "",
                   track=get("track")[:60], sort=get("sort") if get("sort") in SORTS else "submitted", page=page)

    def filtered(self) -> bool:
        return bool(self.q or self.state or self.rule or self.severity or self.track)

    def urlencode(self, **changes) -> str:
        """The query string of this state (defaults left out), with `changes`; a change of filter goes to page 1."""
        values = asdict(replace(self, **changes))
        if "page" not in changes:
            values["page"] = 1
        defaults = asdict(Query())
        return urlencode({k: v for k, v in values.items() if v != defaults[k]})


@dataclass
class Row:
    app: Application
    result: ScreeningResult | None
    shown: list[dict]  # the findings the filters match (all when no rule / severity filter)

    @property
    def blocking(self) -> int:
        return self.result.blocking if self.result else 0


def _applications(campaign, query: Query):
    states = [query.state] if query.state else list(UNDER_REVIEW)
    apps = Application.objects.filter(campaign=campaign, state__in=states)
    if query.track:
        apps = apps.filter(track__key=query.track)
    if query.q:
        units = ApplicationUnit.objects.filter(organisation__name__icontains=query.q).values("application_id")
        found = Q(title__icontains=query.q) | Q(pk__in=units)
        number = re.search(r"(\d{1,9})\s*$", query.q)  # 申报编号 GD2025-0007 ends in the id
        if number:
            found |= Q(pk=int(number[1]))
        apps = apps.filter(found)
    screening = ScreeningResult.objects.filter(application=OuterRef("pk")).order_by("-created_at").values("pk")[:1]
    version = ApplicationVersion.objects.filter(application=OuterRef("pk")).order_by("-number").values("number")[:1]
    ordering = SORTS[query.sort][1] or ("submitted_at", "pk")
    return (apps.select_related("track").defer("answers")  # the rows share the campaign (`rows`)
            .annotate(latest_screening_id=Subquery(screening), latest_version=Subquery(version)).order_by(*ordering))


def current_result(app, result=None, latest=None, known=False) -> ScreeningResult | None:
    """The latest screening of the latest version; the rules run again when it is missing or stale (an
    application still under review only; `known`: the latest screening and version number are given)."""
    if not known:
        result = latest_screening(app)
        latest = app.versions.order_by("-number").values_list("number", flat=True).first()
    if app.state not in UNDER_REVIEW:
        return result
    if result is None or result.version_number != latest or result.preset_hash != app.campaign.preset_hash:
        result = run_screening(app)
    return result


def rows(campaign, query: Query) -> list[Row]:
    """Every application of the queue that the query selects, in its order (a few queries, whatever the count)."""
    apps = share_campaign(_applications(campaign, query), campaign)  # one parsed preset, not one per row
    screenings = ScreeningResult.objects.in_bulk([a.latest_screening_id for a in apps if a.latest_screening_id])
    out = []
    for app in apps:
        result = current_result(app, screenings.get(app.latest_screening_id), app.latest_version, known=True)
        findings = result.findings if result else []
        shown = [f for f in findings if (not query.rule or f["rule"] == query.rule)
                 and (not query.severity or f["severity"] == query.severity)]
        if (query.rule or query.severity) and not shown:
            continue
        out.append(Row(app, result, shown))
    if query.sort == "-blocking":
        out.sort(key=lambda r: -r.blocking)
    return out


def ordered_ids(campaign, params) -> list[int]:
    """The application ids of the list `params` (a query string's dict) describes, in its order."""
    return [r.app.pk for r in rows(campaign, Query.from_params(params))]


def rules_in(campaign) -> list[tuple[str, str]]:
    """(rule, its Chinese name) of every rule with a finding among the applications under review."""
    seen: set[str] = set()
    for rules in ScreeningResult.objects.filter(application__campaign=campaign,
                                                application__state__in=UNDER_REVIEW).values_list("rules", flat=True):
        seen.update(rules or [])
    return sorted(((r, rule_label(r)) for r in seen), key=lambda pair: pair[1])


@dataclass
class Page:
    rows: list[Row]
    number: int
    count: int  # pages
    total: int  # rows

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(all_rows: list[Row], page: int, size: int | None = None) -> Page:
    size = size or PAGE_SIZE
    count = max(1, -(-len(all_rows) // size))
    number = min(max(1, page), count)
    return Page(all_rows[(number - 1) * size:number * size], number, count, len(all_rows))


HEADERS = ["申报编号", "案例名称", "申报方向", "状态", "提交时间", "阻断问题", "提示", "自动发现的问题"]


def workbook(campaign, all_rows: list[Row]) -> bytes:
    data = [[r.app.number, r.app.title, r.app.track.name, State(r.app.state).label,
             timezone.localtime(r.app.submitted_at) if r.app.submitted_at else None,
             r.blocking, r.result.warnings if r.result else 0,
             "\n".join(f"{'阻断' if f['severity'] == 'blocking' else '提示'}：{f['message']}" for f in r.shown)]
            for r in all_rows]
    return xlsx.workbook("形式审核", HEADERS, data, widths=[16, 40, 20, 12, 18, 10, 8, 60])

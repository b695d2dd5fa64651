"""The organiser's audit log: filtering by actor, kind and date, paging, and subjects named in words.

Plain functions, testable without a request; the view only reads the query string and renders.
"""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.core.paginator import Page, Paginator

from jinxuan.audit.labels import EVENT_LABELS, event_label
from jinxuan.audit.models import AuditEvent

PER_PAGE = 50
APPLICATION = "applicants.application"


@dataclass
class AuditFilter:
    actor: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> "AuditFilter":
        """Read the filter from a QueryDict (or dict); a malformed date is reported in Chinese and ignored."""
        f = cls(actor=(query.get("actor") or "").strip(), kind=(query.get("kind") or "").strip())
        for name, words in (("since", "起始日期"), ("until", "截止日期")):
            raw = (query.get(name) or "").strip()
            if not raw:
                continue
            try:
                setattr(f, name, date.fromisoformat(raw))
            except ValueError:
                f.errors.append(f"{words}“{raw}”不是有效日期，请按 年-月-日 填写（如 2025-09-01）")
        if f.since and f.until and f.since > f.until:
            f.errors.append("起始日期晚于截止日期，没有符合条件的事件")
        return f


def filtered_events(campaign, flt: AuditFilter):
    qs = AuditEvent.objects.filter(campaign=campaign)
    if flt.actor:
        qs = qs.filter(actor_label=flt.actor)
    if flt.kind:
        qs = qs.filter(action=flt.kind)
    if flt.since:
        qs = qs.filter(at__date__gte=flt.since)
    if flt.until:
        qs = qs.filter(at__date__lte=flt.until)
    return qs.order_by("-seq")


def actor_choices(campaign) -> list[str]:
    return sorted(set(AuditEvent.objects.filter(campaign=campaign).order_by().values_list("actor_label", flat=True)
                      .distinct()) - {""})


def kind_choices(campaign) -> list[tuple[str, str]]:
    """The kinds that occur in this campaign's log, as (key, Chinese label), ordered by label."""
    used = set(AuditEvent.objects.filter(campaign=campaign).order_by().values_list("action", flat=True).distinct())
    return sorted(((k, event_label(k)) for k in used), key=lambda kv: (kv[0] not in EVENT_LABELS, kv[1]))


def page_of(qs, number) -> Page:
    return Paginator(qs, PER_PAGE).get_page(number)


def subject_words(events) -> dict[int, str]:
    """seq -> what the event is about, in words: "编号 案例名称" for applications, else the kind of thing."""
    app_ids = {int(e.object_id) for e in events if e.object_type == APPLICATION and e.object_id.isdigit()}
    Application = apps.get_model("applicants", "Application")
    found = {a.pk: a for a in Application.objects.filter(pk__in=app_ids).select_related("campaign")  # for `number`
             .only("pk", "title", "campaign__slug", "campaign__year")}
    out: dict[int, str] = {}
    for e in events:
        if e.object_type == APPLICATION and e.object_id.isdigit() and int(e.object_id) in found:
            app = found[int(e.object_id)]
            out[e.seq] = f"{app.number} {app.title}"
        elif e.object_type:
            out[e.seq] = _type_words(e.object_type)
        else:
            out[e.seq] = ""
    return out


def _type_words(label_lower: str) -> str:
    try:
        name = str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return "其他对象"
    return name if any("\u4e00" <= ch <= "\u9fff" for ch in name) else "其他对象"

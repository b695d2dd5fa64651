"""The organiser's list of votes: search, filters (validity, fraud signal, case), sorting; its Excel columns."""

from django.utils import timezone

from jinxuan.applicants.prefetch import light
from jinxuan.lists import Filter, ListSpec, Sort, number_q

from .fraud import CODES, LABELS
from .models import Vote
from .phones import mask

VALIDITY = [("valid", "有效"), ("invalid", "已作废")]
FLAGGED = "any"


def votes_base(campaign):
    return light(Vote.objects.filter(campaign=campaign).select_related("voter", "application__campaign"), "application__")


def _signal(qs, value):
    if value == FLAGGED:
        return qs.exclude(signals=[])
    return qs.filter(signals__icontains=f'"{value}"')  # the code, quoted, in the stored signals


def votes_spec(campaign, entrants, phone_search: bool = False) -> ListSpec:
    """`entrants`: the cases of the vote, for the case filter; `phone_search`: the voter's number is searched too
    (organisers only: others could otherwise learn whether a number voted)."""
    return ListSpec(
        sorts=[Sort("time", "投票时间", ("created_at",)), Sort("case", "案例", ("application_id",)),
               Sort("ip", "IP", ("ip",))],
        default_sort="time", default_desc=True,
        search_fields=("application__title", "ip", *(("voter__phone",) if phone_search else ())),
        search_extra=lambda term: number_q(term, "application_id"),
        search_placeholder="案例编号或名称、IP" + ("、手机号" if phone_search else ""),
        filters=[
            Filter("valid", "状态", VALIDITY, apply=lambda qs, v: qs.filter(valid=v == "valid")),
            Filter("signal", "异常信号", [(FLAGGED, "任一异常信号"), *((c, LABELS[c]) for c in CODES)],
                   apply=_signal),
            Filter("case", "案例", [(str(a.pk), f"{a.number} {a.title}") for a in entrants], field="application_id"),
        ],
        page_size=100, page_sizes=(50, 100, 200),
    )


def _signals(v) -> str:
    return "；".join(f"{LABELS.get(s.get('code'), '异常信号')}：{s.get('message', '')}" for s in v.signals)


VOTE_COLUMNS = [
    ("票号", lambda v: v.pk), ("申报编号", lambda v: v.application.number), ("案例名称", lambda v: v.application.title),
    ("投票人（已隐去）", lambda v: mask(v.voter.phone)), ("投票日", lambda v: v.day.isoformat()),
    ("时间", lambda v: timezone.localtime(v.created_at).strftime("%Y-%m-%d %H:%M:%S")), ("IP", lambda v: v.ip or ""),
    ("有效", lambda v: v.valid), ("作废原因", lambda v: v.invalid_reason), ("异常信号", _signals),
]

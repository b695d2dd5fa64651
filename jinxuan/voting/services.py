"""The public vote: codes, verified voters, casting under the preset's limits, counters, totals, invalidation.

Durability: every vote is a row; the unique constraint (voter, application, day) is the final word on "once per
application per day", so parallel requests cannot double-count, and a vote is acknowledged only once its INSERT
has committed. With Redis (REDIS_URL) a vote is one Redis step (a script: SET NX of the (voter, application,
day) claim and INCR of the voter's daily count), one INSERT, then one INCR of the application's total once the
INSERT has committed: a total never counts a vote that was not stored. A vote that is not stored gives the step
back (the claim DEL'd, the daily count DECR'd). Totals can always be rebuilt from the rows (`rebuild_counters`);
a total that cannot be moved is dropped and rebuilt on the next read. Without Redis the database enforces the
limits.
Fraud signals are not computed per vote: `detect_signals` runs over the stored rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import time

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from jinxuan.applicants.models import Application
from jinxuan.applicants.prefetch import light, states_stamp
from jinxuan.applicants.states import State
from jinxuan.audit.log import record
from jinxuan.campaigns.kept import kept
from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.stage_params import PublicVoteParams
from jinxuan.pipeline import runtime
from jinxuan.pipeline.composite import CompositeError, close_composite
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.services import store_run

from . import fraud as S
from .counters import counters
from .figures import invalidated_stamp, signals_ran
from .models import SmsCode, Vote, Voter, VoteWindow
from .phones import mask, normalise
from .sms import backend

logger = logging.getLogger(__name__)
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")  # numbers inside signal messages are masked like the export
CODE_TTL = dt.timedelta(minutes=5)
MAX_WRONG = 5
LOCK = dt.timedelta(minutes=30)
SEND_GAP = 60  # seconds between two codes to one number
SENDS_PER_NUMBER_HOUR = 5
SENDS_PER_IP_HOUR = 20
LOCKED = "验证码错误次数过多，该号码已暂时锁定，请 30 分钟后再试"


class VoteError(ValueError):
    """Refused; the message is shown to the voter."""


# ------------------------------------------------------------------------------------------------ campaign side


def vote_stage(campaign):
    return campaign.stages.filter(kind="public_vote").first()


def params(campaign) -> PublicVoteParams:
    stage = vote_stage(campaign)
    return PublicVoteParams.model_validate(stage.params if stage else {})


def window(campaign) -> VoteWindow:
    found = VoteWindow.objects.filter(campaign=campaign).first()
    if found:
        return found
    stage = vote_stage(campaign)
    tz = timezone.get_current_timezone()
    opens = closes = None
    if stage and stage.starts:
        opens = dt.datetime.combine(stage.starts, dt.time.min, tz)
    if stage and stage.ends:
        closes = dt.datetime.combine(stage.ends, dt.time.max, tz)
    return VoteWindow.objects.get_or_create(campaign=campaign, defaults={"opens_at": opens, "closes_at": closes})[0]


def set_window(campaign, opens_at, closes_at, actor=None, delay: int | None = None) -> VoteWindow:
    if opens_at and closes_at and opens_at >= closes_at:
        raise VoteError("结束时间须晚于开始时间")
    if delay is not None and not 0 <= delay <= 7 * 24 * 60:
        raise VoteError("显示延迟须在 0 到 10080 分钟之间")
    w = window(campaign)
    before = {"opens_at": str(w.opens_at), "closes_at": str(w.closes_at), "delay": w.display_delay_minutes}
    w.opens_at, w.closes_at = opens_at, closes_at
    if delay is not None:
        w.display_delay_minutes = delay
    w.save()
    forget_snapshot(campaign)
    record("vote.window", campaign, campaign=campaign, actor=actor, before=before,
           after={"opens_at": str(opens_at), "closes_at": str(closes_at), "delay": w.display_delay_minutes})
    return w


def display_delay(campaign) -> int:
    """Minutes the public count lags: the organiser's setting, else the preset's."""
    w = window(campaign)
    return w.display_delay_minutes if w.display_delay_minutes is not None else params(campaign).display_delay_minutes


def is_open(campaign, now=None) -> bool:
    w = window(campaign)
    now = now or timezone.now()
    return bool(w.opens_at and w.closes_at and w.opens_at <= now <= w.closes_at)


def stage_entrants(campaign):
    """Applications that passed expert review (the stage result moved them to 评审中 at that stage)."""
    run = runtime.previous_run(campaign, vote_stage(campaign))
    if run is None:
        return Application.objects.none()
    advanced = runtime.advanced_ids(run)
    return (Application.objects.filter(campaign=campaign, pk__in=advanced, state=State.IN_STAGE)
            .select_related("track", "campaign").order_by("pk"))


def tallied(campaign):
    """Every application that entered the vote, whatever became of it later: the vote table keeps the counts of
    cases that did not advance after the composite was computed."""
    run = runtime.previous_run(campaign, vote_stage(campaign))
    if run is None:
        return Application.objects.none()
    return (Application.objects.filter(campaign=campaign, pk__in=runtime.advanced_ids(run))
            .select_related("track", "campaign").order_by("pk"))


def entrants(campaign):
    """What the public votes on: the stage's entrants, without district-recommended cases when the preset lets
    them skip the vote (they pass the stage unranked)."""
    found = stage_entrants(campaign)
    if runtime.skips_review_and_vote(campaign):
        found = found.filter(district_recommended=False)
    return found


SNAPSHOT_SECONDS = 5.0
_snapshots: dict[int, tuple[float, dict]] = {}


def snapshot(campaign) -> dict:
    """Window, limits and entrant ids of a campaign, kept per process for SNAPSHOT_SECONDS so the vote path
    reads no settings from the database (an organiser's change applies within seconds; a close, at once: see
    `closed_key`)."""
    now = time.monotonic()
    found = _snapshots.get(campaign.pk)
    if found and now - found[0] < SNAPSHOT_SECONDS:
        return found[1]
    w = window(campaign)
    stage = vote_stage(campaign)
    snap = {"opens_at": w.opens_at, "closes_at": w.closes_at, "params": params(campaign),
            "closed": runtime.closed_message(stage) if runtime.is_closed(campaign, stage) else "",
            "entrants": frozenset(entrants(campaign).values_list("pk", flat=True))}
    _snapshots[campaign.pk] = (now, snap)
    return snap


def forget_snapshot(campaign=None) -> None:
    if campaign is None:
        _snapshots.clear()
        _campaigns.clear()
    else:
        _snapshots.pop(getattr(campaign, "pk", campaign), None)


_campaigns: dict[str, tuple[float, object]] = {}


def campaign_by_slug(slug: str):
    """The campaign with a public vote stage named by `slug` (None if none), kept per process briefly."""
    now = time.monotonic()
    found = _campaigns.get(slug)
    if found and now - found[0] < SNAPSHOT_SECONDS:
        return found[1]
    campaign = Campaign.objects.filter(slug=slug, stages__kind="public_vote").first()
    _campaigns[slug] = (now, campaign)
    return campaign


# ------------------------------------------------------------------------------------------------ codes


def _hash(code: str, phone: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _count(key: str, limit: int, ttl: int) -> bool:
    """Increment a rate counter; False once it exceeds `limit` within `ttl` seconds."""
    if cache.add(key, 1, ttl):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl)
        return True


def request_code(raw_phone: str, ip: str | None) -> str:
    """Send a 6-digit code; returns the normalised number. Rate-limited per number and per IP."""
    phone = normalise(raw_phone)
    if phone is None:
        raise VoteError("请输入有效的 11 位中国大陆手机号")
    voter = Voter.objects.filter(phone=phone).first()
    if voter and voter.locked_until and voter.locked_until > timezone.now():
        raise VoteError(LOCKED)
    if not cache.add(f"sms:gap:{phone}", 1, SEND_GAP):
        raise VoteError("验证码发送过于频繁，请 1 分钟后再试")
    if not _count(f"sms:hour:{phone}", SENDS_PER_NUMBER_HOUR, 3600):
        raise VoteError("该号码一小时内获取验证码次数已达上限")
    if ip and not _count(f"sms:ip:{ip}", SENDS_PER_IP_HOUR, 3600):
        raise VoteError("当前网络获取验证码过于频繁，请稍后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.create(phone=phone, code_hash=_hash(code, phone), expires_at=timezone.now() + CODE_TTL, ip=ip)
    backend().send(phone, f"【金选】您的投票验证码为 {code}，5 分钟内有效。如非本人操作请忽略。")
    return phone


def verify_code(raw_phone: str, code: str) -> Voter:
    """A verified voter, or VoteError. Each check is counted before the code is compared, under a lock on the
    number's voter row, so parallel guesses queue and at most MAX_WRONG wrong codes are ever compared within
    LOCK (then the number is locked for LOCK). The count is committed before the refusal is raised."""
    phone = normalise(raw_phone)
    if phone is None:
        raise VoteError("请输入有效的 11 位中国大陆手机号")
    Voter.objects.get_or_create(phone=phone)
    with transaction.atomic():
        voter = Voter.objects.select_for_update().get(phone=phone)
        error = _check_code(voter, phone, str(code).strip(), timezone.now())
    if error:
        raise VoteError(error)
    return voter


def _check_code(voter: Voter, phone: str, code: str, now) -> str:
    """Inside the transaction that holds the voter row: the refusal's message, or "" with the voter verified."""
    if voter.locked_until and voter.locked_until > now:
        return LOCKED
    checked = SmsCode.objects.filter(phone=phone, created_at__gt=now - LOCK).aggregate(n=Sum("attempts"))["n"] or 0
    if checked >= MAX_WRONG:
        Voter.objects.filter(pk=voter.pk).update(locked_until=now + LOCK)
        return LOCKED
    sent = SmsCode.objects.filter(phone=phone, used_at=None, expires_at__gt=now).order_by("-pk").first()
    if sent is None:
        return "验证码已过期或未发送，请重新获取"
    SmsCode.objects.filter(pk=sent.pk).update(attempts=F("attempts") + 1)  # counted before it is compared
    if not hmac.compare_digest(sent.code_hash, _hash(code, phone)):
        if checked + 1 >= MAX_WRONG:
            Voter.objects.filter(pk=voter.pk).update(locked_until=now + LOCK)
            return "验证码错误次数过多，该号码已锁定 30 分钟"
        return "验证码不正确"
    # the right code: used once; its check is not a wrong one
    SmsCode.objects.filter(pk=sent.pk).update(used_at=now, attempts=F("attempts") - 1)
    Voter.objects.filter(pk=voter.pk).update(verified_at=now)
    voter.verified_at = now
    return ""


# ------------------------------------------------------------------------------------------------ votes


def today(now=None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def _key(*parts) -> str:
    return "vote:" + ":".join(str(p) for p in parts)


REPEAT = "您今天已为该案例投过票，明天可再投"
CLOSED = "网络投票已结束，不再接受投票"
CLOSE_SETTLE_SECONDS = 1.0  # after the shared closed flag is set, votes already past it commit within this


def closed_key(campaign_id: int) -> str:
    """The flag that tells every process's vote step (in Redis when shared) that the vote is closed."""
    return _key("closed", campaign_id)


def _flag_closed(campaign, on: bool) -> None:
    store = counters()
    store.set_flag(closed_key(campaign.pk), on)
    forget_snapshot(campaign)
    if on and store.shared:
        time.sleep(CLOSE_SETTLE_SECONDS)  # let votes that passed the flag before it was set commit first


def _over_limit(p: PublicVoteParams) -> str:
    return f"每人每天最多投 {p.max_votes_per_day} 票，今日票数已用完"


def cast(campaign, application_id: int, voter: Voter, *, ip: str | None = None, device: str = "",
         user_agent: str = "", now=None) -> Vote:
    """One vote, or VoteError saying why not. Safe under any number of parallel calls."""
    if voter.verified_at is None:
        raise VoteError("请先完成手机号验证")
    return Vote.objects.get(pk=cast_id(campaign, application_id, voter.pk, ip=ip, device=device,
                                       user_agent=user_agent, now=now))


def cast_id(campaign, application_id: int, voter_id: int, *, ip: str | None = None, device: str = "",
            user_agent: str = "", now=None) -> int:
    """`cast` for a voter known to be verified (the signed cookie is set only after verification); returns the
    stored vote's id. With Redis this is the vote path: one Redis step, one INSERT (committed on return), then the
    total's INCR."""
    now = now or timezone.now()
    snap = snapshot(campaign)
    if snap["closed"]:  # closed by the organiser, whatever the window says
        raise VoteError(snap["closed"])
    if not (snap["opens_at"] and snap["closes_at"] and snap["opens_at"] <= now <= snap["closes_at"]):
        raise VoteError("当前不在投票时间内")
    if application_id not in snap["entrants"]:
        raise VoteError("该案例不在投票范围内")
    p = snap["params"]
    day = today(now)
    row = {"campaign_id": campaign.pk, "application_id": application_id, "voter_id": voter_id, "day": day, "ip": ip,
           "device": device[:40], "user_agent": user_agent[:300]}
    daily = _key("daily", campaign.pk, voter_id, day)
    if counters().shared and p.votes_per_application_per_day == 1:
        return _cast_with_redis(row, daily, p)
    return _cast_in_database(row, daily, p)


def _cast_with_redis(row: dict, daily: str, p: PublicVoteParams) -> int:
    """Redis holds the limits across processes (claim and daily count in one step); the unique constraint is the
    final word. A vote not stored gives its step back; the total is counted once the vote is stored."""
    claim = _key("claim", row["voter_id"], row["application_id"], row["day"])
    store = counters()
    taken = store.take(claim, daily, p.max_votes_per_day, closed_key(row["campaign_id"]))
    if taken == -2:
        raise VoteError(CLOSED)
    if taken == 0:
        raise VoteError(REPEAT)
    if taken < 0:
        raise VoteError(_over_limit(p))
    try:
        vote_id = _insert(row)
    except IntegrityError as exc:
        store.give_back(claim, daily, keep_claim=True)
        if getattr(exc.__cause__, "sqlstate", None) == "23503":  # the voter no longer exists
            raise VoteError("请先完成手机号验证") from None
        raise VoteError(REPEAT) from None
    except BaseException:
        store.give_back(claim, daily, keep_claim=False)
        raise
    _move_total(row["campaign_id"], row["application_id"], 1)
    return vote_id


def _cast_in_database(row: dict, daily: str, p: PublicVoteParams) -> int:
    """Without Redis (a per-process cache): the database enforces the limits under a lock on the voter."""
    claim = _key("claim", row["voter_id"], row["application_id"], row["day"]) \
        if p.votes_per_application_per_day == 1 else None
    store = counters()
    if store.flag(closed_key(row["campaign_id"])):
        raise VoteError(CLOSED)
    claimed, count = store.claim(claim, daily)
    if not claimed:
        raise VoteError(REPEAT)
    if count > p.max_votes_per_day:
        store.release(claim, daily)
        raise VoteError(_over_limit(p))
    try:
        with transaction.atomic():
            if Voter.objects.select_for_update().filter(pk=row["voter_id"]).first() is None:
                raise VoteError("请先完成手机号验证")  # the voter no longer exists
            mine = Vote.objects.filter(voter_id=row["voter_id"], day=row["day"])
            if mine.filter(campaign_id=row["campaign_id"]).count() >= p.max_votes_per_day:
                raise VoteError(_over_limit(p))
            if mine.filter(application_id=row["application_id"]).count() >= p.votes_per_application_per_day:
                raise IntegrityError
            vote_id = Vote.objects.create(**row).pk
    except IntegrityError:
        store.undo_daily(daily)
        raise VoteError(REPEAT) from None
    except VoteError:
        store.release(claim, daily)
        raise
    _move_total(row["campaign_id"], row["application_id"], 1)
    return vote_id


_INSERT = ("INSERT INTO {table} (campaign_id, application_id, voter_id, day, created_at, ip, device, user_agent, "
           "valid, invalid_reason, signals) VALUES (%s, %s, %s, %s, %s, %s::inet, %s, %s, true, '', '[]'::jsonb) "
           "RETURNING id")


def _insert(row: dict) -> int:
    """Store one vote row and return its id: committed on return, or in a savepoint inside a transaction (so
    a refusal cannot break the caller's)."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return _insert_row(row)
    return _insert_row(row)


def _insert_row(row: dict) -> int:
    """On PostgreSQL one INSERT on the request's connection, without the ORM and without Django's per-request
    health-check query: a connection found broken (e.g. after a database restart) is replaced and the INSERT
    sent once more; had the first one been stored after all (the answer lost), the second meets the unique
    constraint and the vote is reported as already cast (the counters then lag by one until rebuilt)."""
    if connection.vendor != "postgresql":
        return Vote.objects.create(**row).pk
    sql = _INSERT.format(table=connection.ops.quote_name(Vote._meta.db_table))
    params = (row["campaign_id"], row["application_id"], row["voter_id"], row["day"], timezone.now(), row["ip"],
              row["device"], row["user_agent"])
    try:
        return _execute_returning(sql, params)
    except (OperationalError, InterfaceError):
        raw = connection.connection
        if connection.in_atomic_block or raw is None or not (raw.closed or raw.broken):
            raise
        connection.close()
        return _execute_returning(sql, params)


def _execute_returning(sql: str, params: tuple):
    connection.ensure_connection()
    raw = connection.connection
    # a server-side-binding cursor (not the connection's ClientCursor), one per connection and kept with it: the
    # INSERT is prepared once per connection
    cursor = raw.__dict__.get("jinxuan_vote_cursor")
    if cursor is None or cursor.closed:
        cursor = raw.jinxuan_vote_cursor = psycopg.Cursor(raw)
    with connection.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()[0]


def _move_total(campaign_id: int, application_id: int, delta: int) -> None:
    """Move an application's total by `delta` once the change is committed (at once outside a transaction): a
    total never counts a vote that was not stored. If the counter cannot be moved, it is dropped so that the
    next read rebuilds it from the rows."""
    key = _key("total", campaign_id, application_id)

    def move():
        store = counters()
        try:
            store.count(key) if delta == 1 else store.bump(key, delta)
        except Exception:  # noqa: BLE001 — the vote is stored; the counter is rebuilt from the rows instead
            logger.warning("vote counter %s not moved; dropped to be rebuilt", key, exc_info=True)
            try:
                store.forget(key)
            except Exception:  # noqa: BLE001 — Redis is gone: its counters go with it and are rebuilt
                pass

    if _in_callers_transaction():
        transaction.on_commit(move)
    else:
        move()


def _in_callers_transaction() -> bool:
    """Inside a transaction of the caller's own (not yet committed). A test case's wrapping transaction does not
    count, as for Django's durable blocks: there the vote is as committed as it will ever be."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def stored_totals(campaign, until=None) -> dict[int, int]:
    """Valid votes per application counted from the rows (optionally up to a time)."""
    qs = Vote.objects.filter(campaign=campaign, valid=True)
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    return dict(qs.values_list("application_id").annotate(n=Count("id")).values_list("application_id", "n"))


def live_totals(campaign) -> dict[int, int]:
    """Counters from the cache; any missing counter (e.g. after a Redis restart) is rebuilt from the rows."""
    apps = list(entrants(campaign).values_list("pk", flat=True))
    keys = {_key("total", campaign.pk, a): a for a in apps}
    found = counters().get_many(list(keys))
    if len(found) < len(keys):
        return rebuild_counters(campaign)
    return {keys[k]: int(v) for k, v in found.items()}


def rebuild_counters(campaign) -> dict[int, int]:
    totals = stored_totals(campaign)
    apps = list(entrants(campaign).values_list("pk", flat=True))
    counters().set_many({_key("total", campaign.pk, a): totals.get(a, 0) for a in apps})
    return {a: totals.get(a, 0) for a in apps}


SHOWN_STEP = 30  # seconds: the cutoff of delayed totals moves in steps of this, so each step is counted once


def shown_totals(campaign) -> dict[int, int]:
    """What the public sees: stored counts as of the organiser's display delay (at least that old: the cutoff is
    the delay before now, rounded down to a step of SHOWN_STEP seconds), kept for the step: counting 300,000
    votes took 50 ms of every view of the public list. An invalidation shows at once."""
    delay = display_delay(campaign)
    if not delay:
        return live_totals(campaign)
    cutoff = timezone.now() - dt.timedelta(minutes=delay)
    cutoff -= dt.timedelta(seconds=cutoff.timestamp() % SHOWN_STEP)
    return kept(campaign, "vote-shown", (cutoff.isoformat(), invalidated_stamp(campaign)),
                lambda: stored_totals(campaign, until=cutoff), 2 * SHOWN_STEP)


def invalidate(vote: Vote, reason: str, actor=None) -> Vote:
    """Mark a vote invalid (audited); the total follows once that is committed."""
    vote = _invalidate(vote, reason, actor)
    _move_total(vote.campaign_id, vote.application_id, -1)
    return vote


@transaction.atomic
def _invalidate(vote: Vote, reason: str, actor=None) -> Vote:
    reason = (reason or "").strip()
    if not reason:
        raise VoteError("作废投票须说明原因")
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if not vote.valid:
        raise VoteError("该票已作废")
    vote.valid, vote.invalid_reason = False, reason
    vote.invalidated_by, vote.invalidated_at = actor, timezone.now()
    vote.save(update_fields=["valid", "invalid_reason", "invalidated_by", "invalidated_at"])
    record("vote.invalidated", vote.application, campaign=vote.campaign, actor=actor,
           before={"vote": vote.pk, "valid": True}, after={"valid": False, "signals": [s["code"] for s in vote.signals]},
           reason=reason)
    return vote


def detect_signals(campaign) -> dict[str, int]:
    """Run the fraud signals over every stored vote of the campaign; store them on the votes."""
    votes = list(Vote.objects.filter(campaign=campaign).select_related("voter"))
    found = S.detect([S.VoteRecord(v.pk, v.application_id, v.voter.phone, v.ip or "", v.device, v.created_at)
                      for v in votes])
    changed = []
    for v in votes:
        new = [{"code": s.code, "message": _PHONE.sub(lambda m: mask(m.group()), s.message), "related": s.related}
               for s in found.get(v.pk, [])]
        if new != v.signals:
            v.signals = new
            changed.append(v)
    Vote.objects.bulk_update(changed, ["signals"], batch_size=1000)
    signals_ran(campaign)
    return S.summarise(found)


def composite_run(campaign):
    return runtime.kind_run(campaign, "composite")


@transaction.atomic
def close_public_vote(campaign, actor=None):
    """Close the vote: its window ends now if it ends later, and its result (valid votes per entrant, every
    entrant advancing) is stored; no vote is accepted after, whatever the dates say."""
    stage = vote_stage(campaign)
    if stage is None:
        raise VoteError("本活动没有网络投票阶段")
    if runtime.final_run(campaign, stage) is not None:
        raise VoteError("网络投票已结束，票数已确定")
    previous = runtime.previous_run(campaign, stage)
    if previous is None:
        raise VoteError("上一阶段尚未结束，不能结束投票")
    _flag_closed(campaign, True)  # every process refuses from now on, not only after its snapshot expires
    w = window(campaign)
    now = timezone.now()
    if w.closes_at is None or w.closes_at > now:
        set_window(campaign, w.opens_at if w.opens_at and w.opens_at < now else None, now, actor=actor)
    run = store_run(campaign, _stage_result(campaign, stage), actor=actor)
    forget_snapshot(campaign)
    return run


def _stage_result(campaign, stage):
    apps = list(light(stage_entrants(campaign)))  # the entrants' flags only: no answers, one preset read
    totals = stored_totals(campaign)
    return implementation("public_vote")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, data={stage.key: {a.pk: totals.get(a.pk, 0) for a in apps}}))


def reopen_public_vote(campaign) -> None:
    """The vote's stage was reopened: its closed flag is cleared (the window's dates still apply)."""
    _flag_closed(campaign, False)


def preview_stamp(campaign) -> tuple:
    """What `preview_vote` reads, in brief: the applications' states and the votes (the newest, and the set of
    those invalidated)."""
    votes = Vote.objects.filter(campaign=campaign).aggregate(last=Max("pk"))
    return states_stamp(campaign), votes["last"], *invalidated_stamp(campaign)


def preview_vote(campaign) -> dict | None:
    """The counts the vote would store if it closed now (for the stage report while it is open)."""
    stage = vote_stage(campaign)
    if stage is None or runtime.previous_run(campaign, stage) is None:
        return None
    return _stage_result(campaign, stage).to_json()


def close_vote(campaign, actor=None, notify: bool = True, now=None):
    """After the vote window: the vote's counts are stored, then the composite stage (which reads only the stored
    results of earlier stages) moves the applications on (audited)."""
    if campaign.stages.filter(kind="composite").first() is None:
        raise VoteError("本活动没有综合得分阶段")
    if composite_run(campaign) is not None:
        raise VoteError("综合得分已计算，晋级名单已确定")
    w = window(campaign)
    if w.closes_at is None or (now or timezone.now()) < w.closes_at:
        raise VoteError("投票尚未结束：请在投票结束后计算综合得分，或先将结束时间调整为现在")
    if runtime.kind_run(campaign, "expert_review") is None:
        raise VoteError("专业评审尚未结束")
    try:
        return close_composite(campaign, actor=actor, notify=notify)
    except CompositeError as exc:
        raise VoteError(str(exc)) from exc

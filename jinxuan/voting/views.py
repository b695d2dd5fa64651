"""Public vote pages (mobile-first). GET never changes state: a vote is a POST from the confirm page."""

import secrets

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from jinxuan.accounts.access import public
from jinxuan.accounts.redirects import safe_next
from jinxuan.campaigns.models import Campaign

from . import listing, services
from .listing import public_rows
from .models import Voter
from .presentation import public_summary

VOTER_COOKIE, DEVICE_COOKIE = "jx_voter", "jx_device"
VOTER_AGE = 7 * 86400


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _voter_id(request) -> int | None:
    try:
        return int(request.get_signed_cookie(VOTER_COOKIE, salt="voter", max_age=VOTER_AGE))
    except (KeyError, ValueError, signing.BadSignature):
        return None


def current_voter(request) -> Voter | None:
    voter_id = _voter_id(request)
    return None if voter_id is None else Voter.objects.filter(pk=voter_id, verified_at__isnull=False).first()


def _with_device(request, response):
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(DEVICE_COOKIE, secrets.token_hex(12), max_age=365 * 86400, httponly=True,
                            samesite="Lax")
    return response


def _campaign(slug):
    return get_object_or_404(Campaign, slug=slug, stages__kind="public_vote")


@public
def index(request, slug):
    campaign = _campaign(slug)
    cases = public_rows(campaign)
    tracks = sorted({c["track"] for c in cases})
    track, q = request.GET.get("track", ""), request.GET.get("q", "").strip()[:50]
    sort = request.GET.get("sort", "")
    sort = sort if sort in listing.SORTS else ""
    rows = listing.browse(cases, services.shown_totals(campaign), track, q, sort)
    page = Paginator(rows, listing.PAGE).get_page(request.GET.get("page"))
    keep = {k: v for k, v in (("track", track), ("q", q), ("sort", sort)) if v}
    return _with_device(request, render(request, "voting/index.html", {
        "campaign": campaign, "page": page, "found": len(rows), "total": len(cases), "tracks": tracks,
        "track": track, "q": q, "sort": sort, "sorts": listing.SORTS, "keep": urlencode(keep),
        "sort_keep": urlencode({k: v for k, v in keep.items() if k != "sort"}), "open": services.is_open(campaign),
        "window": services.window(campaign), "params": services.params(campaign), "voter": current_voter(request),
        "delay": services.display_delay(campaign)}))


@public
def detail(request, slug, pk):
    campaign = _campaign(slug)
    app = get_object_or_404(services.entrants(campaign), pk=pk)
    return _with_device(request, render(request, "voting/detail.html", {
        "campaign": campaign, "app": app, "summary": public_summary(app, full=True),
        "votes": services.shown_totals(campaign).get(app.pk, 0), "open": services.is_open(campaign),
        "voter": current_voter(request)}))


@public
def confirm(request, slug, pk):
    """POST from the detail page: shows the confirmation (still no vote). POST with `confirmed`: casts it.

    The confirmed POST is the hot path of a public vote: the campaign's settings come from a per-process
    snapshot and the voter from the signed cookie (set only after verification), so it costs one Redis step,
    one INSERT and the total's INCR after the commit. Under gunicorn it is answered by `fastpath.Handler` before the middleware stack (the same
    checks and answer); this view serves it under the test client and when the fast path steps aside."""
    campaign = services.campaign_by_slug(slug)
    if campaign is None or pk not in services.snapshot(campaign)["entrants"]:
        raise Http404
    if request.method != "POST":
        return redirect("vote:detail", slug=slug, pk=pk)
    voter_id = _voter_id(request)
    if voter_id is None:
        return redirect(reverse("vote:verify") + "?next=" + reverse("vote:detail", args=[slug, pk]))
    if request.POST.get("confirmed") != "1":
        app = get_object_or_404(services.entrants(campaign), pk=pk)
        voter = current_voter(request)
        return render(request, "voting/confirm.html", {"campaign": campaign, "app": app, "voter": voter})
    level, text = cast_vote(request, campaign, pk, voter_id)
    messages.add_message(request, level, text)
    return redirect("vote:detail", slug=slug, pk=pk)


def cast_vote(request, campaign, pk: int, voter_id: int) -> tuple[int, str]:
    """Cast the confirmed vote of the request; the message for the voter (level, text). Shared with
    `fastpath`, which serves this same request without the middleware it does not need."""
    try:
        services.cast_id(campaign, pk, voter_id, ip=_client_ip(request), device=request.COOKIES.get(DEVICE_COOKIE, ""),
                         user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except services.VoteError as exc:
        return messages.ERROR, str(exc)
    return messages.SUCCESS, "投票成功，感谢参与"


@public
def verify(request):
    next_url = safe_next(request, default="/")
    phone = request.POST.get("phone", "")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                phone = services.request_code(phone, _client_ip(request))
                messages.success(request, "验证码已发送，5 分钟内有效")
            else:
                voter = services.verify_code(phone, request.POST.get("code", ""))
                response = redirect(next_url)
                response.set_signed_cookie(VOTER_COOKIE, voter.pk, salt="voter", max_age=VOTER_AGE, httponly=True,
                                           samesite="Lax", secure=request.is_secure())
                messages.success(request, "手机号验证成功，请确认投票")
                return response
        except services.VoteError as exc:
            messages.error(request, str(exc))
    return _with_device(request, render(request, "voting/verify.html", {"phone": phone, "next": next_url}))

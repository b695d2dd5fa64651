"""The reader's pages: one application, read in place, for every role that may read it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from jinxuan.accounts.access import guard
from jinxuan.applicants.models import Application
from jinxuan.formalreview.models import Decision
from jinxuan.formalreview.recheck import UNDER_REVIEW
from jinxuan.formalreview.services import DecisionError, decide

from . import navigation
from .files import inline_response
from .lens import lens_for
from .page import compose


def application_from_url(request, slug, pk, **_):
    return get_object_or_404(Application.objects.select_related("campaign", "track"), campaign__slug=slug, pk=pk)


def _action(app, lens) -> dict:
    """The role's action in the sticky panel: the formal decision, or a link to the role's own sheet."""
    if lens.decide:
        return {"kind": "decide", "open": app.state in UNDER_REVIEW}
    if lens.name == "expert":
        return {"kind": "link", "url": reverse("review:score", args=[app.campaign.slug, app.pk]), "label": "打开评分表"}
    if lens.name == "judge":
        return {"kind": "link", "url": reverse("roadshow:judge", args=[app.campaign.slug]), "label": "打开路演评分"}
    return {"kind": ""}


@guard("reader.read", obj=application_from_url)
def read(request, slug, pk):
    app = request.access_target
    lens = lens_for(request.user, app)
    source, list_query = request.GET.get("list", ""), request.GET.get("from", "")
    walk = navigation.walk(app.campaign, request.user, lens.name, app.pk, source, list_query)
    typed = {}
    if request.method == "POST" and lens.decide:
        typed = {k: request.POST.get(k, "") for k in ("decision", "reason", "override_reason")}
        try:
            decide(app, typed["decision"], reason=typed["reason"], override_reason=typed["override_reason"],
                   actor=request.user)
        except DecisionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已记录审核结论：{app.number}「{app.title}」")
            return redirect((walk.next or walk.back) if walk else reverse("formalreview:queue", args=[slug]))
        app.refresh_from_db()
    context = compose(app, lens)
    return render(request, "reader/read.html", {
        **context, "app": app, "campaign": app.campaign, "walk": walk, "action": _action(app, lens),
        "choices": Decision.choices, "typed": typed, "query": request.GET.urlencode(),
    }, status=400 if typed else 200)


@guard("reader.read", obj=application_from_url)
@xframe_options_sameorigin
def attachment(request, slug, pk, att):
    """An attachment shown in place (inline) when the reader's lens includes attachments."""
    app = request.access_target
    if not lens_for(request.user, app).attachments:
        from django.http import Http404

        raise Http404
    stored = get_object_or_404(app.attachments, pk=att)
    response = inline_response(stored)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    return response

"""A file built in the background: its progress page (refreshing itself until done) and its download."""

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from jinxuan.accounts.access import guard
from jinxuan.storage.files import download_response

from .models import PreparedFile
from .services import KEEP_HOURS, kind_of


def _prepared(request, token):
    try:
        token = uuid.UUID(token)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(PreparedFile.objects.select_related("campaign"), token=token)


@guard("prepared.fetch", obj=_prepared)
def status(request, token):
    prepared = request.access_target
    kind = kind_of(prepared.kind)
    elapsed = int(((prepared.finished_at or timezone.now()) - (prepared.started_at or prepared.created_at))
                  .total_seconds()) if prepared.started_at else 0
    percent = int(100 * prepared.done / prepared.total) if prepared.total else None
    return render(request, "prepared/status.html", {
        "prepared": prepared, "kind": kind, "campaign": prepared.campaign, "elapsed": elapsed, "percent": percent,
        "waiting": prepared.state in (PreparedFile.QUEUED, PreparedFile.RUNNING), "keep_hours": KEEP_HOURS,
        "back": request.GET.get("back", "") if request.GET.get("back", "").startswith("/") else ""})


@guard("prepared.fetch", obj=_prepared)
def download(request, token):
    prepared = request.access_target
    if prepared.state != PreparedFile.DONE or not prepared.file:
        raise Http404
    return download_response(prepared.file, prepared.filename)

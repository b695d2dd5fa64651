"""Organiser pages for compendiums: import a published compendium (.txt / .docx) into the case library —
upload → preview → confirm, nothing written before confirm — and export a campaign's compendium as DOCX/PDF.

The plain functions at the top are shared with `jinxuan library import|export`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time

from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from jinxuan import lists
from jinxuan.accounts.access import check, guard
from jinxuan.applicants.uploads import inspect_upload
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.campaigns.schema import Attachment
from jinxuan.compendium.export import groups as compendium_groups
from jinxuan.compendium.parse import ParseError, ParseReport, parse_file
from jinxuan.prepared.services import request_file
from jinxuan.storage.files import storage

from . import case_list, compendium_files, services
from .models import Case

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_TTL_SECONDS = 24 * 3600
GROUP_SHOWN = 50  # cases listed per track and tier on the compendium page (all of them on the cases page)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CompendiumImportError(ValueError):
    """An import that cannot go ahead (message in Chinese)."""


# ---------------------------------------------------------------- import: plain functions


DOCX_RULE = Attachment(key="compendium", name="案例集文件", formats=["docx"], max_size_kb=MAX_UPLOAD_BYTES // 1024)


def parse_upload(data: bytes, filename: str, default_track: str = "") -> ParseReport:
    """Parse an uploaded compendium; cases without a track heading get `default_track`."""
    if not data:
        raise ParseError("文件是空的")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ParseError(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    if data[:2] == b"PK" or filename.lower().endswith(".docx"):  # a zip: the applicants' archive checks first
        checked = inspect_upload(filename, data, DOCX_RULE)
        if not checked.ok:
            raise ParseError("；".join(checked.problems))
    report = parse_file(data, filename)
    default_track = (default_track or "").strip()
    if default_track:
        for case in report.cases:
            case.track = case.track or default_track
    return report


def existing_titles(campaign, report: ParseReport) -> set[str]:
    titles = [c.title for c in report.cases]
    return set(Case.objects.filter(campaign=campaign, title__in=titles).values_list("title", flat=True))


def commit_import(campaign, report: ParseReport, *, actor=None) -> list[tuple[Case, bool]]:
    """Write every parsed case through `add_historical_case`, all or nothing; returns (case, created) pairs."""
    if not report.cases:
        raise CompendiumImportError("没有可导入的案例")
    before = existing_titles(campaign, report)
    out = []
    try:
        with transaction.atomic():
            for parsed in report.cases:
                case = services.add_historical_case(
                    campaign=campaign, title=parsed.title, track=parsed.track, tier=parsed.tier,
                    special=parsed.special, paragraphs=parsed.paragraphs, captions=parsed.captions,
                    organisations=parsed.organisations, actor=actor,
                )
                out.append((case, parsed.title not in before))
    except services.LibraryError as exc:
        raise CompendiumImportError(f"导入未完成，所有案例均未写入：{exc}") from exc
    return out


def report_json(report: ParseReport, *, existing: set[str] = frozenset(), results=None) -> dict:
    cases = []
    for i, c in enumerate(report.cases):
        row = {"title": c.title, "track": c.track, "tier": c.tier, "special": c.special, "line": c.line,
               "organisations": c.organisations, "paragraphs": len(c.paragraphs), "captions": c.captions}
        if results is not None:
            row["id"], row["action"] = results[i][0].pk, ("created" if results[i][1] else "updated")
        else:
            row["action"] = "update" if c.title in existing else "create"
        cases.append(row)
    return {"cases": cases, "problems": [p.as_dict() for p in report.problems], "unit": report.unit}


# ---------------------------------------------------------------- pending uploads (between preview and confirm)


PENDING_PREFIX = "compendium-pending"  # in the configured storage, so any host can confirm what another previewed


def _pending_name(token: str, part: str) -> str:
    if not TOKEN_RE.match(token or ""):
        raise Http404
    return f"{PENDING_PREFIX}/{token}/{part}"


def save_pending(campaign, user, filename: str, data: bytes, default_track: str) -> str:
    purge_pending()
    token = secrets.token_urlsafe(24)
    meta = {"campaign": campaign.pk, "user": user.pk, "filename": filename[:200], "track": default_track[:200],
            "at": time.time()}
    store = storage()
    store.save(_pending_name(token, "upload.bin"), ContentFile(data))
    store.save(_pending_name(token, "meta.json"), ContentFile(json.dumps(meta, ensure_ascii=False).encode()))
    return token


def _read(name: str) -> bytes:
    with storage().open(name, "rb") as fh:
        return fh.read()


def load_pending(campaign, user, token: str) -> tuple[dict, bytes]:
    """The stored upload of this campaign and user; 404 for anything else (unknown, expired, someone else's)."""
    try:
        meta = json.loads(_read(_pending_name(token, "meta.json")).decode("utf-8"))
        data = _read(_pending_name(token, "upload.bin"))
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    if meta.get("campaign") != campaign.pk or meta.get("user") != user.pk:
        raise Http404
    if time.time() - float(meta.get("at", 0)) > PENDING_TTL_SECONDS:
        drop_pending(token)
        raise Http404
    return meta, data


def drop_pending(token: str) -> None:
    store = storage()
    for part in ("upload.bin", "meta.json"):
        name = _pending_name(token, part)
        try:
            store.delete(name)
        except OSError:
            continue
    try:  # an object store has no folders; the local one keeps an empty one behind
        os.rmdir(store.path(f"{PENDING_PREFIX}/{token}"))
    except (NotImplementedError, OSError):
        pass


def pending_tokens() -> list[str]:
    try:
        return sorted(storage().listdir(PENDING_PREFIX)[0])
    except (FileNotFoundError, OSError):
        return []


def purge_pending(max_age: float = PENDING_TTL_SECONDS) -> int:
    store, removed = storage(), 0
    for token in pending_tokens():
        if not TOKEN_RE.match(token):
            continue
        try:
            at = float(json.loads(_read(_pending_name(token, "meta.json"))).get("at", 0))
        except (OSError, ValueError):
            at = store.get_modified_time(_pending_name(token, "upload.bin")).timestamp() \
                if store.exists(_pending_name(token, "upload.bin")) else 0
        if time.time() - at > max_age:
            drop_pending(token)
            removed += 1
    return removed


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ---------------------------------------------------------------- views


@guard("library.export", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    compendium = compendium_files.build_compendium(campaign, contents=False)
    groups = [{"track": g.track, "tier": g.tier, "cases": g.cases[:GROUP_SHOWN], "more": len(g.cases) - GROUP_SHOWN}
              for g in compendium_groups(compendium)]
    return render(request, "library/compendium.html", {
        "campaign": campaign, "compendium": compendium, "groups": groups, "group_shown": GROUP_SHOWN,
    })


def _document(request, fmt: str):
    """The compendium file, or, for a large campaign, the page of its background build."""
    campaign = request.access_target
    if compendium_files.case_count(campaign) > compendium_files.PREPARE_ABOVE:
        prepared = request_file(campaign, request.user, compendium_files.KINDS[fmt])
        back = reverse("compendium:overview", args=[campaign.slug])
        return redirect(f"{reverse('prepared:status', args=[prepared.token])}?{urlencode({'back': back})}")
    data, filename = compendium_files.document(campaign, fmt)
    return _download(data, compendium_files.TYPES[fmt], filename)


@guard("library.export", obj=campaign_from_url)
def export_docx(request, slug):
    return _document(request, "docx")


@guard("library.export", obj=campaign_from_url)
def export_pdf(request, slug):
    return _document(request, "pdf")


def _track_names(campaign) -> list[str]:
    return list(campaign.tracks.order_by("position").values_list("name", flat=True))


@guard("library.import", obj=campaign_from_url)
def upload(request, slug):
    campaign = request.access_target
    error, track = "", ""
    if request.method == "POST":
        file = request.FILES.get("file")
        track = (request.POST.get("track") or "").strip()[:200]
        if file is None:
            error = "请选择要导入的 .txt 或 .docx 文件"
        elif file.size > MAX_UPLOAD_BYTES:
            error = f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        else:
            data = file.read()
            try:
                parse_upload(data, file.name, track)
            except ParseError as exc:
                error = str(exc)
            else:
                token = save_pending(campaign, request.user, file.name, data, track)
                return redirect("compendium:preview", slug=slug, token=token)
    return render(request, "library/import.html", {
        "campaign": campaign, "error": error, "track": track, "tracks": _track_names(campaign),
    }, status=400 if error else 200)


@guard("library.import", obj=campaign_from_url)
def preview(request, slug, token):
    campaign = request.access_target
    meta, data = load_pending(campaign, request.user, token)
    try:
        report = parse_upload(data, meta["filename"], meta.get("track", ""))
    except ParseError as exc:  # the same bytes parsed before; kept for safety
        drop_pending(token)
        messages.error(request, str(exc))
        return redirect("compendium:import", slug=slug)
    existing = existing_titles(campaign, report)
    grouped = [
        {"track": track, "tier": tier, "cases": [{"case": c, "exists": c.title in existing} for c in cases]}
        for track, tier, cases in report.groups()
    ]
    return render(request, "library/import_preview.html", {
        "campaign": campaign, "token": token, "meta": meta, "report": report, "groups": grouped,
        "new_count": sum(1 for c in report.cases if c.title not in existing),
        "update_count": sum(1 for c in report.cases if c.title in existing),
    })


@guard("library.import", obj=campaign_from_url)
@require_POST
def confirm(request, slug, token):
    campaign = request.access_target
    meta, data = load_pending(campaign, request.user, token)
    try:
        report = parse_upload(data, meta["filename"], meta.get("track", ""))
        results = commit_import(campaign, report, actor=request.user)
    except (ParseError, CompendiumImportError) as exc:
        messages.error(request, str(exc))
        return redirect("compendium:preview", slug=slug, token=token)
    drop_pending(token)
    created = sum(1 for _, new in results if new)
    messages.success(request, f"已导入 {len(results)} 个案例（新增 {created} 个，更新 {len(results) - created} 个）")
    return redirect("compendium:overview", slug=slug)


@guard("library.import", obj=campaign_from_url)
@require_POST
def discard(request, slug, token):
    load_pending(request.access_target, request.user, token)
    drop_pending(token)
    messages.info(request, "已放弃本次导入，未写入任何案例")
    return redirect("compendium:import", slug=slug)



# ---------------------------------------------------------------- the organiser's list of the campaign's cases


def _case_list(request, campaign):
    spec = case_list.cases_spec(campaign)
    return spec, lists.parse(spec, request.GET), case_list.cases_base(campaign)


@guard("library.export", obj=campaign_from_url)
def cases(request, slug):
    """The campaign's cases in the library; organisers feature or unfeature the ticked ones."""
    from django.core.exceptions import PermissionDenied
    from django.urls import reverse

    campaign = request.access_target
    spec, state, base = _case_list(request, campaign)
    curator = check(request.user, "library.curate", campaign)
    if request.method == "POST":
        if not curator:
            raise PermissionDenied
        featured = request.POST.get("action") == "feature"
        outcome = case_list.set_featured(campaign, lists.filtered(spec, state, base), request.POST.getlist("ids"),
                                         featured, actor=request.user)
        (messages.success if outcome.ok else messages.error)(request, outcome.message)
        query = request.GET.urlencode()
        return redirect(reverse("compendium:cases", args=[slug]) + (f"?{query}" if query else ""))
    return render(request, "library/cases.html", {
        "campaign": campaign, "listing": lists.apply(spec, state, base), "curator": curator})


@guard("library.export", obj=campaign_from_url)
def cases_export(request, slug):
    spec, state, base = _case_list(request, request.access_target)
    data = lists.export_xlsx(spec, state, base, case_list.CASE_COLUMNS, "案例库", widths=[40, 36, 20, 12, 16, 8, 6, 10, 18],
                             rows=case_list.export_rows)
    return lists.xlsx_response(data, f"library-{slug}.xlsx")

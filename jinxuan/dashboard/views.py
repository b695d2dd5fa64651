"""Organiser and guidance-unit dashboard; the personal workspace of every role."""

from django.shortcuts import redirect, render
from django.urls import reverse

from jinxuan import lists
from jinxuan.accounts.access import guard
from jinxuan.accounts.models import Role
from jinxuan.accounts.personal_data import unmasked_export
from jinxuan.accounts.roles import roles_of
from jinxuan.applicants.ownership import visible_applications
from jinxuan.audit.log import record
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.lists import xlsx_response
from jinxuan.notifications import preview as P
from jinxuan.notifications.mail import DEFAULTS, template_for
from jinxuan.notifications.models import Event, OutboxMessage, Template
from jinxuan.pipeline.links import manage_links

from . import audit_log
from .export import applications_workbook
from .lists import applications_base, applications_spec
from .queries import managed_campaigns, state_counts, track_counts
from .todo import role_links, todo_for


@guard("accounts.workspace")
def workspace(request):
    """Every role's landing page: what needs action now (待办), the roles held with their pages, own applications."""
    applications = visible_applications(request.user).select_related("campaign", "track")
    assignments = request.user.role_assignments.select_related("campaign").prefetch_related("campaign__stages")
    return render(request, "dashboard/workspace.html", {
        "applications": applications, "roles": role_links(assignments), "groups": todo_for(request.user),
        "manages": request.user.is_superuser or bool(roles_of(request.user) & {Role.ORGANISER, Role.GUIDANCE})})


@guard("campaigns.list_managed")
def campaign_list(request):
    campaigns = managed_campaigns(request.user).prefetch_related("tracks", "stages")
    rows = [{"campaign": c, "states": [s for s in state_counts(c) if s["count"]]} for c in campaigns]
    return render(request, "dashboard/campaign_list.html", {"rows": rows})


@guard("campaigns.view_dashboard", obj=campaign_from_url)
def campaign_detail(request, slug):
    campaign = request.access_target
    return render(
        request,
        "dashboard/campaign_detail.html",
        {
            "campaign": campaign,
            "spec": campaign.spec,
            "stages": campaign.stages.all(),
            "tracks": track_counts(campaign),
            "states": state_counts(campaign),
            "stage_pages": manage_links(campaign),
        },
    )


@guard("campaigns.view_dashboard", obj=campaign_from_url)
def campaign_counts(request, slug):
    """htmx fragment: counts per state, refreshed in place."""
    campaign = request.access_target
    return render(request, "dashboard/_state_counts.html", {"states": state_counts(campaign), "campaign": campaign})


@guard("audit.view", obj=campaign_from_url)
def campaign_audit(request, slug):
    campaign = request.access_target
    campaigns = [c for c in managed_campaigns(request.user) if request.user.has_perm("audit.view", c)]
    chosen = request.GET.get("campaign", "")
    if chosen != campaign.slug and chosen in {c.slug for c in campaigns}:  # switch campaign, keep the other filters
        query = request.GET.copy()
        query.pop("campaign")
        query.pop("page", None)
        target = reverse("dashboard:campaign_audit", args=[chosen])
        return redirect(f"{target}?{query.urlencode()}" if query else target)
    flt = audit_log.AuditFilter.from_query(request.GET)
    page = audit_log.page_of(audit_log.filtered_events(campaign, flt), request.GET.get("page"))
    subjects = audit_log.subject_words(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("campaign", None)
    return render(request, "dashboard/audit.html", {
        "campaign": campaign, "page": page, "rows": [(e, subjects[e.seq]) for e in page.object_list],
        "filter": flt, "actors": audit_log.actor_choices(campaign), "kinds": audit_log.kind_choices(campaign),
        "campaigns": campaigns, "query": query.urlencode(),
    })


@guard("campaigns.view_dashboard", obj=campaign_from_url)
def campaign_applications(request, slug):
    campaign = request.access_target
    spec = applications_spec(campaign)
    listing = lists.apply(spec, lists.parse(spec, request.GET), applications_base(campaign))
    return render(request, "dashboard/applications.html", {
        "campaign": campaign, "listing": listing,
        "can_record_paper": request.user.has_perm("applicants.record_paper", campaign),
        "can_export_unmasked": request.user.has_perm("personal_data.export_unmasked", campaign),
    })


def _filtered_applications(request, campaign):
    """The list as the organiser filtered and sorted it (the query string of the list page), unpaged."""
    spec = applications_spec(campaign)
    return lists.filtered(spec, lists.parse(spec, request.GET), applications_base(campaign, answers=True))


@guard("campaigns.view_dashboard", obj=campaign_from_url)
def applications_export(request, slug):
    """The application list as filtered on the page, with contacts, personal data masked."""
    campaign = request.access_target
    data, _ = applications_workbook(campaign, masked=True, apps=_filtered_applications(request, campaign))
    return xlsx_response(data, f"{slug}-applications.xlsx")


@guard("personal_data.export_unmasked", obj=campaign_from_url)
def applications_export_unmasked(request, slug):
    """Organisers only: the same list unmasked, after a reason that goes to the audit log."""
    from django.urls import reverse

    campaign = request.access_target
    return unmasked_export(request, campaign, kind="dashboard.applications", title="申报列表与联系人",
                           build=lambda: applications_workbook(campaign, masked=False,
                                                               apps=_filtered_applications(request, campaign)),
                           filename=f"{slug}-applications-unmasked.xlsx",
                           back=reverse("dashboard:applications", args=[slug]))


@guard("notifications.view_outbox", obj=campaign_from_url)
def campaign_outbox(request, slug):
    campaign = request.access_target
    return render(request, "dashboard/outbox.html", {"campaign": campaign, "messages_out": OutboxMessage.objects.filter(campaign=campaign)[:300]})


@guard("campaigns.change", obj=campaign_from_url)
def mail_templates(request, slug):
    """Organisers edit the e-mail templates of their campaign: each with its variables and a preview with sample
    data; a template with errors is not saved, the errors are shown in Chinese beside it and the typed text is kept.
    `preview` previews the typed text without saving."""
    from django.contrib import messages

    campaign = request.access_target
    typed, errors = {}, {}
    if request.method == "POST":
        event = request.POST.get("event")
        subject, body = request.POST.get("subject", "").strip(), request.POST.get("body", "")
        if event not in Event.values:
            messages.error(request, "通知事件无效")
            return redirect("dashboard:mail_templates", slug=slug)
        found = P.problems(event, subject, body)
        if found or "preview" in request.POST:
            typed[event], errors[event] = (subject, body), found
            if found:
                messages.error(request, f"{Event(event).label}：{'；'.join(found)}。未保存，请修改后再保存。")
        else:
            before = dict(zip(("subject", "body"), template_for(event, campaign), strict=True))
            Template.objects.update_or_create(campaign=campaign, event=event, defaults={"subject": subject, "body": body})
            record("notifications.template_changed", campaign, campaign=campaign, before=before,
                   after={"event": event, "subject": subject, "body": body})
            messages.success(request, f"已保存“{Event(event).label}”通知模板")
            return redirect("dashboard:mail_templates", slug=slug)
    rows = []
    for event in Event:
        saved = template_for(event.value, campaign)
        subject, body = typed.get(event.value, saved)
        rows.append({"event": event, "subject": subject, "body": body, "customised": saved != DEFAULTS[event.value],
                     "variables": P.variables_of(event.value), "errors": errors.get(event.value, []),
                     "unsaved": event.value in typed,
                     "preview": None if errors.get(event.value) else P.preview(subject, body)})
    return render(request, "dashboard/mail_templates.html", {"campaign": campaign, "rows": rows})

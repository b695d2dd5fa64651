"""The applicant portal: organisations, drafts with autosave, attachments, submission, print-outs."""

import secrets
import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import guard, public
from jinxuan.accounts.models import hash_token
from jinxuan.accounts.personal_data import has_consent, mask_export, sees_unmasked, set_consent
from jinxuan.audit.log import record
from jinxuan.campaigns.models import Campaign
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from . import attachments as files
from . import formio
from .forms import InviteForm, JointUnitForm, OrganisationForm, SignupForm, WithdrawForm
from .models import Application, ApplicationUnit, ApplicationVersion, Invitation, Membership, Organisation
from .services import member_emails
from .states import State
from .submission import (
    SubmissionError,
    can_edit,
    closed_reason,
    deadline,
    problems_of,
    save_draft,
    submit,
    units_of,
    verify_token,
    window_open,
    withdraw,
)


def _application(request, pk, **_):
    return get_object_or_404(Application.objects.select_related("campaign", "track"), pk=pk)


def _organisation(request, pk, **_):
    return get_object_or_404(Organisation, pk=pk)


def _my_organisations(user):
    return Organisation.objects.filter(memberships__user=user).distinct()


# -- accounts and organisations ---------------------------------------------------------------------

@public
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = get_user_model().objects.create_user(username=data["username"], email=data["email"],
                                                    password=data["password"], display_name=data["display_name"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "注册成功。请先登记您的单位，或通过单位管理员的邀请链接加入。")
        return redirect(request.GET.get("next") or "apply:home")
    return render(request, "applicants/signup.html", {"form": form})


@guard("applicants.start_application")
def home(request):
    orgs = _my_organisations(request.user)
    applications = (Application.objects.filter(organisations__in=orgs).exclude(state=State.WITHDRAWN)
                    .select_related("campaign", "track").distinct())
    open_campaigns = [c for c in Campaign.objects.all() if window_open(c)]
    return render(request, "applicants/home.html",
                  {"orgs": orgs, "applications": applications, "open_campaigns": open_campaigns})


@guard("applicants.register_organisation")
def organisation_new(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            org = form.save()
            Membership.objects.create(user=request.user, organisation=org, is_admin=True)
            record("organisation.registered", org, after={"name": org.name, "credit_code": org.credit_code})
        messages.success(request, f"已登记单位：{org.name}")
        return redirect("apply:home")
    return render(request, "applicants/organisation_form.html", {"form": form})


@guard("applicants.view_organisation", obj=_organisation)
def organisation_detail(request, pk):
    org = request.access_target
    form = InviteForm(request.POST or None)
    is_admin = request.user.has_perm("applicants.manage_organisation", org)
    if request.method == "POST":
        if not is_admin:
            return HttpResponse("只有单位管理员可以邀请成员", status=403)
        if form.is_valid():
            raw = secrets.token_urlsafe(24)
            Invitation.objects.create(organisation=org, email=form.cleaned_data["email"], digest=hash_token(raw), invited_by=request.user)
            link = request.build_absolute_uri(reverse("apply:invitation", args=[raw]))
            notify(Event.INVITATION, [form.cleaned_data["email"]],
                   {"organisation": org.name, "inviter": str(request.user), "link": link})
            messages.success(request, f"已向 {form.cleaned_data['email']} 发送邀请")
            return redirect("apply:organisation", pk=org.pk)
    members = org.memberships.select_related("user")
    return render(request, "applicants/organisation_detail.html", {"org": org, "members": members, "form": form, "is_admin": is_admin})


@public
def invitation(request, token):
    invite = Invitation.objects.filter(digest=hash_token(token), accepted_at__isnull=True).select_related("organisation").first()
    if invite is None:
        return render(request, "errors/error.html", {"code": 404, "title": "邀请无效", "text": "该邀请链接无效或已被使用。"}, status=404)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('apply:signup')}?next={request.path}")
    if request.method == "POST":
        Membership.objects.get_or_create(user=request.user, organisation=invite.organisation)
        invite.accepted_at = timezone.now()
        invite.save(update_fields=["accepted_at"])
        record("organisation.member_joined", invite.organisation, after={"user": request.user.username})
        messages.success(request, f"您已加入 {invite.organisation.name}")
        return redirect("apply:home")
    return render(request, "applicants/invitation.html", {"invite": invite})


# -- drafts ----------------------------------------------------------------------------------------

@guard("applicants.start_application")
def application_new(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    orgs = _my_organisations(request.user)
    if not orgs:
        messages.info(request, "请先登记您的单位。")
        return redirect("apply:organisation_new")
    if not window_open(campaign):
        messages.error(request, "该征集活动当前不在申报时间内。")
        return redirect("apply:home")
    if request.method == "POST":
        org = get_object_or_404(orgs, pk=request.POST.get("organisation"))
        track = campaign.tracks.filter(key=request.POST.get("track")).first() or campaign.tracks.first()
        with transaction.atomic():
            app = Application.objects.create(campaign=campaign, track=track, title="（未命名案例）", created_by=request.user)
            ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0,
                                           answers=_unit_defaults(campaign, org))
            record("application.created", app, after={"lead": org.credit_code})
        return redirect("apply:edit", pk=app.pk)
    return render(request, "applicants/new.html", {"campaign": campaign, "orgs": orgs})


def _unit_defaults(campaign, org) -> dict:
    """Pre-fill a unit section from the organisation's registration."""
    values = {}
    for field in campaign.spec.form.fields("unit"):
        if field.type == "uscc":
            values[field.key] = org.credit_code
        elif field.label == "单位名称":
            values[field.key] = org.name
        elif field.label == "注册地" and org.registered_region:
            values[field.key] = org.registered_region
        elif field.label == "主要办公地" and org.office_region:
            values[field.key] = org.office_region
    return values


def _problem_map(problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.path, []).append(p.message)
    return out


def _form_context(app, problems):
    spec = app.campaign.spec
    units = list(app.units.select_related("organisation").order_by("position"))
    pmap = _problem_map(problems)
    sections = []
    for section in spec.form.sections:
        if section.scope == "unit":
            for unit in units:
                who = "主申报单位" if unit.is_lead else f"联合申报单位（{unit.position}）"
                fields = [formio.render_field(f, unit.answers.get(f.key), f"u{unit.position}-{f.key}", pmap,
                                              f"units[{unit.position}].{f.key}") for f in section.fields]
                sections.append({"key": f"{section.key}-{unit.position}", "title": f"{section.title}·{who}", "help": section.help, "fields": fields})
        else:
            fields = []
            for f in section.fields:
                if f.per_unit:
                    for unit in units:
                        fields.append(formio.render_field(f.model_copy(update={"label": f"{f.label}（{unit.organisation.name}）"}),
                                                          (app.answers.get(f.key) or {}).get(unit.organisation.credit_code),
                                                          f"a-{f.key}-{unit.position}", pmap, f"{f.key}.{unit.organisation.credit_code}"))
                else:
                    fields.append(formio.render_field(f, app.answers.get(f.key), f"a-{f.key}", pmap, f.key, tracks=spec.tracks))
            sections.append({"key": section.key, "title": section.title, "help": section.help, "fields": fields})
    return sections, units


def _read_post(app, post):
    spec = app.campaign.spec
    units = list(app.units.select_related("organisation").order_by("position"))
    answers = formio.read_application(spec, post, [u.organisation.credit_code for u in units])
    unit_answers = {u.position: formio.read_unit(spec, post, u.position) for u in units}
    track_field = next((f.key for f in spec.form.fields("application") if f.type == "track"), None)
    if track_field and answers.get(track_field):
        track = app.campaign.tracks.filter(key=answers[track_field]).first()
        if track and track.pk != app.track_id:
            Application.objects.filter(pk=app.pk).update(track=track)
    return answers, unit_answers


@guard("applicants.edit_application", obj=_application)
def application_edit(request, pk):
    app = request.access_target
    if not can_edit(app):
        messages.info(request, closed_reason(app.campaign) or "申报已提交且申报期已结束，或当前状态不可修改。")
        return redirect("apply:detail", pk=app.pk)
    if request.method == "POST":
        answers, unit_answers = _read_post(app, request.POST)
        app = save_draft(app, answers, unit_answers, actor=request.user)
        messages.success(request, "已保存。")
        return redirect(f"{reverse('apply:edit', args=[app.pk])}#{request.POST.get('_section', '')}")
    problems = problems_of(app)
    sections, units = _form_context(app, problems)
    return render(request, "applicants/edit.html", {
        "app": app, "sections": sections, "units": units, "problems": problems,
        "joint_form": JointUnitForm(), "attachment_rows": files.rows_for(app), "deadline": deadline(app.campaign),
        "idempotency_key": uuid.uuid4().hex, "max_units": app.campaign.spec.applicant_rules.max_units,
    })


@guard("applicants.edit_application", obj=_application)
@require_POST
def application_autosave(request, pk):
    app = request.access_target
    try:
        answers, unit_answers = _read_post(app, request.POST)
        app = save_draft(app, answers, unit_answers, actor=request.user)
    except SubmissionError as exc:
        return render(request, "applicants/_autosave.html", {"error": exc.message}, status=409)
    problems = problems_of(app)
    return render(request, "applicants/_autosave.html", {"saved_at": timezone.now(), "problems": problems, "app": app})


@guard("applicants.edit_application", obj=_application)
@require_POST
def unit_add(request, pk):
    app = request.access_target
    form = JointUnitForm(request.POST)
    limit = app.campaign.spec.applicant_rules.max_units or 1
    if not can_edit(app):
        messages.error(request, "当前状态不可修改")
    elif app.units.count() >= limit:
        messages.error(request, f"联合申报单位：申报单位（含主申报单位）不超过 {limit} 家")
    elif not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}：{'；'.join(errors)}")
    else:
        data = form.cleaned_data
        org, _ = Organisation.objects.get_or_create(credit_code=data["credit_code"], defaults={"name": data["name"]})
        if app.units.filter(organisation=org).exists():
            messages.error(request, "该单位已在本申报中")
        else:
            position = (app.units.order_by("-position").values_list("position", flat=True).first() or 0) + 1
            ApplicationUnit.objects.create(application=app, organisation=org, position=position, answers=_unit_defaults(app.campaign, org))
            record("application.unit_added", app, after={"credit_code": org.credit_code})
            messages.success(request, f"已添加联合申报单位：{org.name}")
    return redirect(reverse("apply:edit", args=[app.pk]) + "#units")


@guard("applicants.edit_application", obj=_application)
@require_POST
def unit_remove(request, pk, unit):
    app = request.access_target
    target = get_object_or_404(app.units, pk=unit, is_lead=False)
    if can_edit(app):
        record("application.unit_removed", app, before={"credit_code": target.organisation.credit_code})
        target.delete()
    return redirect(reverse("apply:edit", args=[app.pk]) + "#units")


# -- attachments -----------------------------------------------------------------------------------

@guard("applicants.edit_application", obj=_application)
@require_POST
def attachment_upload(request, pk):
    app = request.access_target
    if not can_edit(app):
        messages.error(request, closed_reason(app.campaign) or "当前状态不可上传附件")
    else:
        try:
            stored = files.store_upload(app, request.POST.get("key", ""), request.FILES.get("file"), request.user,
                                        issuer=request.POST.get("issuer", ""), valid_until=request.POST.get("valid_until", ""))
            messages.success(request, f"已上传：{stored.name}")
        except files.UploadRefused as exc:
            for problem in exc.problems:
                messages.error(request, problem)
    return redirect(reverse("apply:edit", args=[app.pk]) + "#attachments")


@guard("applicants.view_application", obj=_application)
def attachment_download(request, pk, att):
    stored = get_object_or_404(request.access_target.attachments, pk=att)
    response = FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Type"] = "application/octet-stream"
    return response


@guard("applicants.edit_application", obj=_application)
@require_POST
def attachment_delete(request, pk, att):
    app = request.access_target
    stored = get_object_or_404(app.attachments, pk=att)
    if can_edit(app):
        record("application.attachment_removed", app, before={"key": stored.key, "sha256": stored.sha256})
        stored.delete()
    return redirect(reverse("apply:edit", args=[app.pk]) + "#attachments")


# -- submit, withdraw, detail ------------------------------------------------------------------------

@guard("applicants.edit_application", obj=_application)
@require_POST
def application_submit(request, pk):
    app = request.access_target
    try:
        version = submit(app, actor=request.user, idempotency_key=request.POST.get("idempotency_key", "")[:64])
    except SubmissionError as exc:
        messages.error(request, exc.message)
        for problem in exc.problems[:30]:
            messages.error(request, str(problem))
        return redirect("apply:edit", pk=app.pk) if can_edit(app) else redirect("apply:detail", pk=app.pk)
    app.refresh_from_db()
    if request.POST.get("contact_consent_asked") == "1":
        set_consent(app, request.user, request.POST.get("contact_consent") == "1")
    notify(Event.SUBMITTED, member_emails(app),
           {"campaign": app.campaign.short_name, "title": app.title, "number": app.number, "version": version.number,
            "hash": version.content_hash[:16], "time": timezone.localtime(version.submitted_at).strftime("%Y-%m-%d %H:%M")},
           campaign=app.campaign, dedupe_key=f"submitted:{version.pk}")
    messages.success(request, f"已提交（第 {version.number} 版）。请下载带水印的申报书，盖章后寄送纸质材料。")
    return redirect("apply:detail", pk=app.pk)


@guard("applicants.edit_application", obj=_application)
@require_POST
def application_withdraw(request, pk):
    app = request.access_target
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤回原因：必填")
    else:
        try:
            withdraw(app, form.cleaned_data["reason"], actor=request.user)
            messages.success(request, "申报已撤回")
        except SubmissionError as exc:
            messages.error(request, exc.message)
    return redirect("apply:detail", pk=app.pk)


@guard("applicants.view_application", obj=_application)
def application_detail(request, pk):
    from jinxuan.audit.models import AuditEvent

    app = request.access_target
    history = AuditEvent.objects.filter(object_type="applicants.application", object_id=str(app.pk)).order_by("-seq")
    return render(request, "applicants/detail.html", {
        "app": app, "versions": app.versions.order_by("-number"), "history": history,
        "editable": can_edit(app) and request.user.has_perm("applicants.edit_application", app),
        "member": request.user.has_perm("applicants.edit_application", app),
        "withdraw_form": WithdrawForm(), "attachments": app.attachments.all(), "units": units_of(app),
        "consent": has_consent(app),
    })


@guard("applicants.edit_application", obj=_application)
@require_POST
def contact_consent(request, pk):
    """The applicant agrees (or no longer agrees) that the contact details may be shown on public pages."""
    app = request.access_target
    given = request.POST.get("consent") == "1"
    set_consent(app, request.user, given)
    messages.success(request, "已同意在公开页面展示联系方式" if given else "已撤回公开联系方式的同意，公开页面不再展示联系方式")
    return redirect("apply:detail", pk=app.pk)


# -- print-outs and verification ------------------------------------------------------------------

def _version(app, number):
    return get_object_or_404(ApplicationVersion, application=app, number=number)


@guard("applicants.view_application", obj=_application)
def print_pdf(request, pk, number):
    from .printing import application_pdf_for

    app = request.access_target
    version = _version(app, number)
    pdf = application_pdf_for(app, version, request.build_absolute_uri(reverse("verify", args=[version.pk, verify_token(version)])),
                              masked=not sees_unmasked(request.user, app))
    return _download(pdf, f"{app.number}-v{version.number}.pdf", "application/pdf")


@guard("applicants.view_application", obj=_application)
def case_docx(request, pk):
    from .printing import case_docx_for

    app = request.access_target
    return _download(case_docx_for(app), f"{app.number}-申报案例说明.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@guard("applicants.view_application", obj=_application)
def commitment(request, pk, fmt):
    from .printing import commitment_for

    app = request.access_target
    data = commitment_for(app, fmt)
    kind = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _download(data, f"{app.number}-承诺函.{fmt}", kind)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public
def verify(request, version_id, token):
    version = ApplicationVersion.objects.filter(pk=version_id).select_related("application__campaign").first()
    valid = version is not None and secrets.compare_digest(verify_token(version), token)
    context = {"valid": valid}
    if valid:
        app = version.application
        latest = app.versions.order_by("-number").first()
        context.update(version=version, app=app, latest=latest, lead=app.lead)
    return render(request, "applicants/verify.html", context, status=200 if valid else 404)


@guard("applicants.record_paper", obj=_application)
@require_POST
def paper_received(request, pk):
    app = request.access_target
    if app.paper_received_at is None:
        Application.objects.filter(pk=app.pk).update(paper_received_at=timezone.now())
        record("application.paper_received", app, after={"at": timezone.now().isoformat()})
    messages.success(request, f"已登记收到纸质材料：{app.title}")
    return redirect("dashboard:applications", slug=app.campaign.slug)


@guard("applicants.view_application", obj=_application)
def export_json(request, pk):
    import json

    from .export import export_application

    app = request.access_target
    exported = export_application(app)
    if not sees_unmasked(request.user, app):
        exported = mask_export(app.campaign.spec, exported)
    data = json.dumps(exported, ensure_ascii=False, indent=2).encode()
    return _download(data, f"{app.number}.json", "application/json")

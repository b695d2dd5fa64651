"""The applicant portal: organisations, drafts with autosave, attachments, submission, print-outs."""

import json
import secrets
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import guard, public
from jinxuan.accounts.models import hash_token
from jinxuan.accounts.personal_data import mask_export
from jinxuan.accounts.redirects import safe_next
from jinxuan.accounts.verification import VerificationError, mark_verified, send_verification
from jinxuan.audit.log import record
from jinxuan.audit.models import AuditEvent
from jinxuan.campaigns.models import Campaign
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event
from jinxuan.storage.files import download_response

from . import attachments as files
from . import formio, formpage, ownership, precheck, timeline
from .export import export_application
from .forms import InviteForm, JointUnitForm, OrganisationForm, SignupForm, WithdrawForm
from .models import (
    Application,
    ApplicationUnit,
    ApplicationVersion,
    Consent,
    Invitation,
    Membership,
    Organisation,
)
from .personal_data import has_consent, sees_unmasked, set_consent
from .printing import application_pdf_stored, case_docx_stored, commitment_stored, verify_url
from .services import member_emails
from .states import State
from .submission import (
    SubmissionError,
    can_edit,
    closed_reason,
    deadline,
    edit_refusal,
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
        record("accounts.signed_up", user, actor=user, after={"via": "signup"})
        send_verification(user, request.build_absolute_uri("/")[:-1])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"注册成功。验证邮件已发送至 {user.email}，请打开邮件中的链接完成验证；"
                                  "随后登记您的单位，或通过单位管理员的邀请链接加入。")
        return redirect(safe_next(request, default="apply:home"))
    return render(request, "applicants/signup.html", {"form": form})


@guard("applicants.start_application")
def home(request):
    orgs = _my_organisations(request.user)
    applications = (ownership.visible_applications(request.user).exclude(state=State.WITHDRAWN)
                    .select_related("campaign", "track"))
    open_campaigns = [c for c in Campaign.objects.all() if window_open(c)]
    return render(request, "applicants/home.html",
                  {"orgs": orgs, "applications": applications, "open_campaigns": open_campaigns,
                   "requests": ownership.pending_requests(request.user)})


@guard("applicants.register_organisation")
def organisation_new(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {k: data.get(k) for k in ("unit_type", "registered_region", "office_region", "founded")}
        details["profile"] = form.profile()
        try:
            claim = ownership.register(request.user, name=data["name"], credit_code=data["credit_code"],
                                       details=details, licence=data.get("licence"), dispute=data.get("dispute"))
        except ownership.OwnershipError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记单位：{claim.claimed_name}。"
                                      + ("活动工作组核验营业执照后完成单位认证。" if claim.licence
                                         else "请在单位页面上传营业执照，活动工作组核验后完成单位认证。"))
            return redirect("apply:home")
    return render(request, "applicants/organisation_form.html", {"form": form})


@guard("applicants.view_organisation", obj=_organisation)
def organisation_detail(request, pk):
    org = request.access_target
    form = InviteForm(request.POST if request.POST.get("action", "invite") == "invite" else None)
    is_admin = request.user.has_perm("applicants.manage_organisation", org)
    my_claim = org.claims.filter(claimant=request.user).first()
    if request.method == "POST":
        if not is_admin:
            return HttpResponse("只有单位管理员可以进行此操作", status=403)
        if request.POST.get("action") == "licence":
            try:
                if my_claim is None:
                    raise ownership.OwnershipError("您没有该单位的认证申请")
                ownership.attach_licence(my_claim, request.FILES.get("licence"), actor=request.user)
                messages.success(request, "营业执照已上传，等待活动工作组核验")
            except ownership.OwnershipError as exc:
                messages.error(request, str(exc))
            return redirect("apply:organisation", pk=org.pk)
        if form.is_valid():
            raw = secrets.token_urlsafe(24)
            Invitation.objects.create(organisation=org, email=form.cleaned_data["email"], digest=hash_token(raw), invited_by=request.user)
            link = request.build_absolute_uri(reverse("apply:invitation", args=[raw]))
            notify(Event.INVITATION, [form.cleaned_data["email"]],
                   {"organisation": org.name, "inviter": str(request.user), "link": link})
            messages.success(request, f"已向 {form.cleaned_data['email']} 发送邀请")
            return redirect("apply:organisation", pk=org.pk)
    members = org.memberships.select_related("user")
    requests = [u for u in ownership.pending_requests(request.user) if u.organisation_id == org.pk]
    return render(request, "applicants/organisation_detail.html", {
        "org": org, "members": members, "form": form, "is_admin": is_admin, "claim": my_claim,
        "requests": requests})


def _unit(request, pk, **_):
    return get_object_or_404(ApplicationUnit.objects.select_related("organisation", "application__campaign"), pk=pk)


@guard("applicants.answer_joint_request", obj=_unit)
@require_POST
def joint_request_answer(request, pk):
    """A verified administrator accepts or declines being a joint unit of someone else's application."""
    unit = request.access_target
    accept = request.POST.get("answer") == "accept"
    try:
        ownership.answer_request(unit, request.user, accept)
        messages.success(request, f"已确认参与联合申报：{unit.application.title}" if accept
                         else f"已拒绝，本单位已从申报“{unit.application.title}”中移除")
    except ownership.OwnershipError as exc:
        messages.error(request, str(exc))
    return redirect("apply:organisation", pk=unit.organisation_id)


@public
def invitation(request, token):
    invite = Invitation.objects.filter(digest=hash_token(token), accepted_at__isnull=True).select_related("organisation").first()
    if invite is None:
        return render(request, "errors/error.html", {"code": 404, "title": "邀请无效", "text": "该邀请链接无效或已被使用。"}, status=404)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('apply:signup')}?next={request.path}")
    problem = ""
    if request.user.email.strip().lower() != invite.email.strip().lower():
        problem = "此邀请发给另一个电子邮箱。请使用该邮箱注册或登录的账户接受邀请。"
    if request.method == "POST" and not problem:
        try:
            mark_verified(request.user, how="organisation_invitation")  # the link reached this mailbox
        except VerificationError as exc:
            problem = str(exc)
        else:
            Membership.objects.get_or_create(user=request.user, organisation=invite.organisation)
            invite.accepted_at = timezone.now()
            invite.save(update_fields=["accepted_at"])
            record("organisation.member_joined", invite.organisation, after={"user": request.user.username})
            messages.success(request, f"您已加入 {invite.organisation.name}")
            return redirect("apply:home")
    return render(request, "applicants/invitation.html", {"invite": invite, "problem": problem})


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
        track_field = next((f.key for f in campaign.spec.form.fields("application") if f.type == "track"), None)
        with transaction.atomic():
            app = Application.objects.create(campaign=campaign, track=track, title="（未命名案例）", created_by=request.user,
                                             answers={track_field: track.key} if track_field else {})
            ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0,
                                           answers=_unit_defaults(campaign, org))
            record("application.created", app, after={"lead": org.credit_code})
        return redirect("apply:edit", pk=app.pk)
    return render(request, "applicants/new.html", {"campaign": campaign, "orgs": orgs,
                                                   "chosen_track": request.GET.get("track", "")})


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


def _save_posted(request, app):
    """Store what the form carried along with an upload, a joint unit or a submit, before anything can fail."""
    if request.POST.get("_form_present") != "1":
        return app
    answers, unit_answers = _read_post(app, request.POST)
    return save_draft(app, answers, unit_answers, actor=request.user)


def _edit_page(request, app, *, attempted=False, joint_form=None, upload_errors=None, advice=None, status=200):
    """The 申报书 page. Before a submit attempt only problems of what was typed show at the fields (a fresh
    form shows none); after one, every problem shows at its field and in one summary grouped by section."""
    app.refresh_from_db()
    problems = problems_of(app)
    page = formpage.build(app, problems if attempted else problems_of(app, for_submit=False))
    max_units = app.campaign.spec.applicant_rules.max_units
    can_add_unit = not max_units or len(page.units) < max_units
    rows = files.rows_for(app)
    for row in rows:
        row["errors"] = (upload_errors or {}).get(row["rule"].key, [])
    return render(request, "applicants/edit.html", {
        "app": app, "sections": page.sections, "units": page.units, "problems": problems, "attempted": attempted,
        "summary": formpage.summary(page, problems, can_add_unit) if attempted else [],
        "advice": None if advice is None else precheck.advise(app, page),
        "joint_form": joint_form or JointUnitForm(prefix="joint"), "attachment_rows": rows, "deadline": deadline(app.campaign),
        "idempotency_key": uuid.uuid4().hex, "max_units": max_units, "can_add_unit": can_add_unit,
    }, status=status)


@guard("applicants.edit_application", obj=_application)
def application_edit(request, pk):
    app = request.access_target
    if not can_edit(app):
        messages.info(request, closed_reason(app.campaign) or "申报已提交且申报期已结束，或当前状态不可修改。")
        return redirect("apply:detail", pk=app.pk)
    if request.method == "POST":
        answers, unit_answers = _read_post(app, request.POST)
        app = save_draft(app, answers, unit_answers, actor=request.user)
        if request.POST.get("_precheck"):
            return _edit_page(request, app, attempted=request.POST.get("_attempted") == "1", advice=True)
        messages.success(request, "已保存。")
        return redirect(f"{reverse('apply:edit', args=[app.pk])}#{request.POST.get('_section', '')}")
    return _edit_page(request, app)


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
    shown = problems if request.POST.get("_attempted") == "1" else problems_of(app, for_submit=False)
    return render(request, "applicants/_autosave.html", {"saved_at": timezone.now(), "problems": problems, "app": app,
                                                         "field_problems_json": json.dumps(formpage.problem_map(shown), ensure_ascii=False)})


@guard("applicants.edit_application", obj=_application)
@require_POST
def unit_add(request, pk):
    """Name a joint unit. The form's answers come along and are saved first; a refusal is shown beside the
    joint-unit fields on the same page, with what was typed still in them."""
    app = request.access_target
    prefix = "joint" if "joint-credit_code" in request.POST else None
    form = JointUnitForm(request.POST, prefix=prefix)
    limit = app.campaign.spec.applicant_rules.max_units or 1
    try:
        app = _save_posted(request, app)
    except SubmissionError as exc:
        messages.error(request, exc.message)
        return redirect("apply:detail", pk=app.pk)
    if not can_edit(app):
        messages.error(request, "当前状态不可修改")
        return redirect("apply:detail", pk=app.pk)
    if app.units.count() >= limit:
        form.is_valid()
        form.add_error(None, f"申报单位（含主申报单位）不超过 {limit} 家")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            unit = ownership.name_joint_unit(app, credit_code=data["credit_code"], typed_name=data["name"],
                                             actor=request.user, base_url=request.build_absolute_uri("/")[:-1])
        except ownership.OwnershipError as exc:
            form.add_error("credit_code", str(exc))
        else:
            if unit.consent == Consent.PENDING:
                messages.success(request, f"已向 {unit.organisation.name} 的管理员发送联合申报确认请求；"
                                          "对方确认前，该单位成员不能查看本申报，本申报也不能提交。")
            elif unit.consent == Consent.UNCLAIMED:
                messages.success(request, f"已添加联合申报单位：{unit.typed_name}（该统一社会信用代码尚无认证单位，"
                                          "所填名称仅供参考；该单位日后完成认证时将请其确认）")
            else:
                messages.success(request, f"已添加联合申报单位：{unit.organisation.name}")
            return redirect(reverse("apply:edit", args=[app.pk]) + "#units")
    return _edit_page(request, app, joint_form=form, attempted=request.POST.get("_attempted") == "1", status=422)


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

def _busy_on_database_outage(view):
    """Outermost: a database that cannot be reached is a 503 page saying so (never "storage full")."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except files.DATABASE_ERRORS:
            # Without the request's context: its processors need the database that just failed.
            page = render_to_string("errors/error.html", {"code": 503, "title": "服务繁忙", "text": files.SERVICE_BUSY})
            return HttpResponse(page, status=503)

    return wrapper


@_busy_on_database_outage
@guard("applicants.edit_application", obj=_application)
@require_POST
def attachment_upload(request, pk):
    """One file for one material. Sent with the whole form (button `_upload` = the material's key, file in
    `file-KEY`) the answers are saved first; a refused file is explained in its row on the same page."""
    app = request.access_target
    refusal = edit_refusal(app)
    if refusal:
        messages.error(request, refusal)
        return redirect("apply:detail", pk=app.pk)
    key = request.POST.get("_upload") or request.POST.get("key", "")
    app = _save_posted(request, app)
    try:
        stored = files.store_upload(app, key, request.FILES.get(f"file-{key}") or request.FILES.get("file"), request.user,
                                    issuer=request.POST.get(f"issuer-{key}", request.POST.get("issuer", "")),
                                    valid_until=request.POST.get(f"valid_until-{key}", request.POST.get("valid_until", "")))
    except files.UploadRefused as exc:
        return _edit_page(request, app, upload_errors={key: exc.problems}, attempted=request.POST.get("_attempted") == "1",
                          status=422)
    messages.success(request, f"已上传：{stored.name}")
    return redirect(reverse("apply:edit", args=[app.pk]) + "#attachments")


@guard("applicants.view_application", obj=_application)
def attachment_download(request, pk, att):
    stored = get_object_or_404(request.access_target.attachments, pk=att)
    return download_response(stored.file, stored.name)


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
        app = _save_posted(request, app)
        version = submit(app, actor=request.user, idempotency_key=request.POST.get("idempotency_key", "")[:64],
                         base_url=request.build_absolute_uri("/")[:-1])
    except SubmissionError as exc:
        if exc.problems and can_edit(app):
            return _edit_page(request, app, attempted=True, status=422)
        messages.error(request, exc.message)
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
    app = request.access_target
    history = AuditEvent.objects.filter(object_type="applicants.application", object_id=str(app.pk)).order_by("-seq")
    return render(request, "applicants/detail.html", {
        "app": app, "versions": app.versions.order_by("-number"), "history": history,
        "editable": can_edit(app) and request.user.has_perm("applicants.edit_application", app),
        "member": request.user.has_perm("applicants.edit_application", app),
        "withdraw_form": WithdrawForm(), "attachments": app.attachments.all(), "units": units_of(app),
        "consent": has_consent(app), "timeline": timeline.steps(app), "next_step": timeline.next_step(app),
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
    app = request.access_target
    version = _version(app, number)
    pdf = application_pdf_stored(app, version, verify_url(version, request.build_absolute_uri("/")[:-1]),
                                 masked=not sees_unmasked(request.user, app))
    return _download(pdf, f"{app.number}-v{version.number}.pdf", "application/pdf")


@guard("applicants.view_application", obj=_application)
def case_docx(request, pk):
    app = request.access_target
    return _download(case_docx_stored(app), f"{app.number}-申报案例说明.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@guard("applicants.view_application", obj=_application)
def commitment(request, pk, fmt):
    app = request.access_target
    data = commitment_stored(app, fmt)
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
    app = request.access_target
    exported = export_application(app)
    if not sees_unmasked(request.user, app):
        exported = mask_export(app.campaign.spec, exported)
    data = json.dumps(exported, ensure_ascii=False, indent=2).encode()
    return _download(data, f"{app.number}.json", "application/json")

"""Account pages: login and password reset (with their limits), e-mail verification, seat invitations."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from jinxuan.campaigns.lookups import campaign_from_url

from . import invitations, people, throttle, verification
from .access import guard, public
from .forms import InvitationSignupForm, ThrottledLoginForm, VerifiedFirstResetForm
from .models import Role, SeatInvitation
from .redirects import safe_next


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm

    def get_redirect_url(self):
        return safe_next(self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        errors = form.non_field_errors().as_data() if form is not None and form.is_bound else []
        context["throttled"] = next((e.messages[0] for e in errors if e.code == "throttled"), "")
        return context


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = VerifiedFirstResetForm

    def form_valid(self, form):
        ip = throttle.client_ip(self.request)
        if not throttle.take("reset_ip", ip):
            form.add_error(None, f"重设密码的请求过于频繁，请约 {throttle.minutes_left('reset_ip')} 分钟后再试。")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if not throttle.take("reset_email", form.cleaned_data["email"]):
            # the same answer as a sent mail: the limit of one address does not say whether it has an account
            return redirect(self.get_success_url())
        return super().form_valid(form)


login = public(LoginView.as_view())
password_reset = public(PasswordResetView.as_view())


@public
def verify_email(request, token):
    try:
        user = verification.verify_token(token)
    except verification.VerificationError as exc:
        return render(request, "errors/error.html", {"code": 400, "title": "邮箱验证未完成", "text": str(exc)},
                      status=400)
    messages.success(request, f"电子邮箱 {user.email} 已验证。")
    return redirect("workspace" if request.user.is_authenticated else "accounts:login")


@guard("accounts.workspace")
def resend_verification(request):
    user = request.user
    if request.method == "POST":
        if user.email_verified:
            messages.info(request, "您的电子邮箱已验证。")
        elif verification.verified_owner(user.email, exclude=user):
            messages.error(request, "该电子邮箱已由另一个已验证的账户使用，请联系活动工作组更换邮箱。")
        elif not throttle.take("reset_email", "verify:" + user.email):
            messages.error(request, "验证邮件发送过于频繁，请稍后再试。")
        else:
            verification.send_verification(user, request.build_absolute_uri("/")[:-1])
            messages.success(request, f"验证邮件已发送至 {user.email}，请打开邮件中的链接完成验证。")
    return redirect("workspace")


def _landing(invitation) -> str:
    from django.urls import reverse

    if invitation.role == Role.EXPERT and invitation.campaign is not None:
        return reverse("review:workspace", kwargs={"slug": invitation.campaign.slug})
    return reverse("workspace")


@public
def invitation(request, token):
    """A seat invitation: a new person sets a password here; an account naming the address confirms."""
    from django.contrib.auth import login as sign_in

    try:
        invite = invitations.open_token(token)
    except invitations.InvitationError as exc:
        return render(request, "errors/error.html", {"code": 404, "title": "邀请无法使用", "text": str(exc)},
                      status=404)
    user = request.user if request.user.is_authenticated else None
    problem = invitations.may_accept_as(invite, user) if user else ""
    owner_exists = invitations.existing_owner(invite) is not None
    form = None
    if user is None and not owner_exists:
        form = InvitationSignupForm(request.POST if request.method == "POST" else None, email=invite.email,
                                    initial={"username": invitations.suggest_username(invite.email),
                                             "display_name": invite.name})
    if request.method == "POST":
        try:
            if user is not None and not problem:
                invitations.accept_existing(token, user)
                messages.success(request, f"您已接受邀请，担任{invite.get_role_display()}。")
                return redirect(_landing(invite))
            if form is not None and form.is_valid():
                _, new_user = invitations.accept_new(token, username=form.cleaned_data["username"],
                                                     password=form.cleaned_data["password"],
                                                     display_name=form.cleaned_data["display_name"])
                sign_in(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"账户已创建，您已接受邀请，担任{invite.get_role_display()}。"
                                          f"登录用户名：{new_user.username}")
                return redirect(_landing(invite))
        except invitations.InvitationError as exc:
            messages.error(request, str(exc))
    return render(request, "accounts/invitation.html", {
        "invite": invite, "form": form, "problem": problem, "owner_exists": owner_exists,
        "login_url": f"{reverse_lazy('accounts:login')}?next={request.path}",
    })


def _campaign(request, slug, **_):
    return campaign_from_url(request, slug)


@guard("accounts.invite_seat", obj=_campaign)
def seats(request, slug):
    """活动管理 › 人员: invite experts, judges, inspectors, guidance units and formal reviewers (one by one or
    pasted in bulk); every invitation of the campaign grouped by role, with resend and withdraw."""
    from django.shortcuts import get_object_or_404

    campaign = request.access_target
    base_url = request.build_absolute_uri("/")[:-1]
    values, bulk_errors = {}, []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                people.invite_one(campaign, request.POST.get("role", ""), request.POST.get("name", ""),
                                  request.POST.get("email", ""), actor=request.user, base_url=base_url)
                messages.success(request, f"已向 {request.POST.get('name', '').strip()} 发送邀请；"
                                          "对方通过邮件中的链接确认后获得该职务")
                return redirect("accounts:seats", slug=slug)
            if action == "bulk":
                bulk = people.invite_many(campaign, request.POST.get("role", ""), request.POST.get("people", ""),
                                          actor=request.user, base_url=base_url)
                if not bulk.errors:
                    messages.success(request, f"已发送 {len(bulk.people)} 份邀请")
                    return redirect("accounts:seats", slug=slug)
                values, bulk_errors = request.POST, bulk.errors
            elif action in ("revoke", "resend"):
                invite = get_object_or_404(SeatInvitation, pk=request.POST.get("invitation"), campaign=campaign)
                if action == "revoke":
                    if invite.state != SeatInvitation.PENDING:
                        raise invitations.InvitationError("该邀请已接受或已撤回，不能撤回")
                    invitations.revoke(invite, actor=request.user)
                    messages.success(request, f"已撤回对 {invite.name} 的邀请")
                else:
                    people.resend(invite, actor=request.user, base_url=base_url)
                    messages.success(request, f"已重新向 {invite.name} 发送邀请，原链接已失效")
                return redirect("accounts:seats", slug=slug)
        except invitations.InvitationError as exc:
            messages.error(request, str(exc))
            values = request.POST
    status = 400 if values else 200
    return render(request, "accounts/seats.html", {
        "campaign": campaign, "groups": people.grouped(campaign),
        "roles": [(r.value, r.label) for r in people.PEOPLE_ROLES],
        "values": values, "bulk_errors": bulk_errors,
    }, status=status)

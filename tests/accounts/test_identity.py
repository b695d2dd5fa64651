"""Issue 18, findings 1, 10 and 13: verified e-mail, seats by invitation, one `next` check, limits across accounts."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from jinxuan.accounts import invitations, verification
from jinxuan.accounts.models import ApiToken, Role, RoleAssignment, SeatInvitation, User
from jinxuan.audit.models import AuditEvent
from jinxuan.notifications.models import OutboxMessage
from jinxuan.review import services as review
from jinxuan.review.models import PoolMember

pytestmark = pytest.mark.django_db
EXPERT_EMAIL = "real.expert@example.cn"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _signup(client, username, email, **extra):
    return client.post("/apply/signup/" + extra.pop("query", ""), {
        "username": username, "display_name": "张三", "email": email, "password": "Zhang-San-Mima-88", **extra})


def _token(event: str, to: str, pattern: str) -> str:
    body = OutboxMessage.objects.filter(event=event, to__iexact=to).latest("pk").body
    return re.search(pattern, body).group(1)


# -- verified e-mail ---------------------------------------------------------------------------------

def test_signup_sends_a_verification_link_and_the_address_counts_only_once_opened(client):
    assert _signup(client, "zhangsan", "Zhang@Example.cn").status_code == 302
    user = User.objects.get(username="zhangsan")
    assert not user.email_verified
    token = _token("verify_email", "Zhang@Example.cn", r"/accounts/verify-email/([^/\s]+)/")
    assert client.get(f"/accounts/verify-email/{token}/").status_code == 302
    user.refresh_from_db()
    assert user.email_verified
    assert AuditEvent.objects.filter(action="accounts.email_verified", object_id=str(user.pk)).exists()


def test_a_forged_or_foreign_verification_link_verifies_nothing(client, make_user):
    victim = make_user("victim", verified=False)
    response = client.get("/accounts/verify-email/not-a-token/")
    assert response.status_code == 400 and "验证链接无效" in response.content.decode()
    token = verification.make_token(victim)
    victim.email = "other@example.cn"  # the address changed after the link was sent
    victim.save()
    assert client.get(f"/accounts/verify-email/{token}/").status_code == 400
    victim.refresh_from_db()
    assert not victim.email_verified


def test_addresses_are_unique_among_verified_accounts_case_insensitively(make_user):
    make_user("first")  # first@example.cn, verified
    second = User.objects.create_user(username="second", email="FIRST@example.cn", password="x-Passw0rd-1")
    with pytest.raises(verification.VerificationError):
        verification.mark_verified(second, how="test")
    second.refresh_from_db()
    assert not second.email_verified


# -- finding 1: an expert seat cannot be taken by signing up first with the expert's address ------------------

def test_signing_up_first_with_the_experts_address_gains_nothing(client, campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    organiser = make_user("org", Role.ORGANISER, campaign=gz)
    _signup(client, "impostor", EXPERT_EMAIL)  # signs up first, never verifies (cannot: not their mailbox)
    impostor = User.objects.get(username="impostor")

    client.force_login(organiser)
    client.post(reverse("review_manage:pool", args=[gz.slug]),
                {"action": "add", "email": EXPERT_EMAIL, "name": "王专家", "load": "5"})
    assert not RoleAssignment.objects.filter(user=impostor).exists()
    assert not PoolMember.objects.filter(expert__user=impostor).exists()
    client.force_login(impostor)
    assert client.get(reverse("review:workspace", args=[gz.slug])).status_code in (403, 404)
    _, raw = ApiToken.issue(impostor, "t")
    api = client.get(f"/api/v1/review/{gz.slug}/assignments", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code in (403, 404)

    # the real expert's mail carries the invitation link, through which a new person sets a password
    mails = OutboxMessage.objects.filter(event="seat_invited", to=EXPERT_EMAIL)
    assert mails.count() == 1 and "设置登录密码" in mails.get().body
    token = _token("seat_invited", EXPERT_EMAIL, r"/accounts/invitations/([^/\s]+)/")
    client.logout()
    page = client.get(f"/accounts/invitations/{token}/").content.decode()
    assert "设置密码并接受邀请" in page
    response = client.post(f"/accounts/invitations/{token}/", {
        "action": "create", "username": "wangexpert", "display_name": "王专家",
        "password": "Wang-Zhuan-Jia-2025", "password2": "Wang-Zhuan-Jia-2025"})
    assert response.status_code == 302
    expert = User.objects.get(username="wangexpert")
    assert expert.email_verified and PoolMember.objects.filter(campaign=gz, expert__user=expert).exists()
    assert client.get(reverse("review:workspace", args=[gz.slug])).status_code == 200
    # the impostor still has nothing, and can no longer verify the address
    assert not RoleAssignment.objects.filter(user=impostor).exists()
    with pytest.raises(verification.VerificationError):
        verification.mark_verified(impostor, how="test")
    invitation = SeatInvitation.objects.get(email=EXPERT_EMAIL)
    assert invitation.state == SeatInvitation.ACCEPTED and invitation.accepted_by == expert
    assert AuditEvent.objects.filter(action="accounts.seat_granted").count() == 1
    # single use
    assert client.get(f"/accounts/invitations/{token}/").status_code == 404


def test_an_existing_account_accepts_by_logging_in_and_confirming(client, campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    judge = make_user("judge1", verified=False)
    other = make_user("someone")
    invitation, link = invitations.invite(judge.email, Role.ROADSHOW_JUDGE, gz, name="李评委")
    token = link.rsplit("/", 2)[-2]
    client.force_login(other)  # another account cannot accept it
    page = client.get(f"/accounts/invitations/{token}/").content.decode()
    assert "此邀请发给另一个电子邮箱" in page
    client.post(f"/accounts/invitations/{token}/", {"action": "accept"})
    assert not RoleAssignment.objects.filter(user=other).exists()
    client.force_login(judge)
    assert client.post(f"/accounts/invitations/{token}/", {"action": "accept"}).status_code == 302
    assert RoleAssignment.objects.filter(user=judge, role=Role.ROADSHOW_JUDGE, campaign=gz).exists()
    judge.refresh_from_db()
    assert judge.email_verified  # the link reached this mailbox


def test_invitation_tokens_are_signed_and_expire(campaigns):
    gz = campaigns["gz-dianshu-2025"]
    invitation, link = invitations.invite("x@example.cn", Role.INSPECTOR, gz, name="考察员")
    token = link.rsplit("/", 2)[-2]
    with pytest.raises(invitations.InvitationError):
        invitations.open_token(token[:-2] + "xx")
    SeatInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    with pytest.raises(invitations.InvitationError, match="过期"):
        invitations.open_token(token)


def test_organiser_invites_seats_and_sees_who_accepted(client, campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    client.force_login(make_user("org", Role.ORGANISER, campaign=gz))
    url = reverse("accounts:seats", args=[gz.slug])
    client.post(url, {"action": "invite", "role": "inspector", "name": "赵考察", "email": "zhao@example.cn"})
    token = _token("seat_invited", "zhao@example.cn", r"/accounts/invitations/([^/\s]+)/")
    invitations.accept_new(token, username="zhaokc", password="Zhao-Kao-Cha-99")
    html = client.get(url).content.decode()
    assert "赵考察" in html and "已接受" in html and "zhao@example.cn" not in html  # the address is masked
    refused = client.post(url, {"action": "invite", "role": "organiser", "name": "x", "email": "y@example.cn"})
    assert refused.status_code == 400 and "请选择要邀请的职务" in refused.content.decode()
    assert not SeatInvitation.objects.filter(role="organiser").exists()


def test_add_to_pool_no_longer_picks_an_account_by_address(campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    sharer = make_user("sharer", verified=False)
    result = review.add_to_pool(gz, email=sharer.email, name="同名邮箱", send=False)
    assert isinstance(result, SeatInvitation)
    assert not PoolMember.objects.filter(campaign=gz).exists()


# -- finding 10: one check of every `next` ----------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_signup_does_not_redirect_off_site(client, target):
    response = _signup(client, "nextuser", "next@example.cn", query=f"?next={target}")
    assert response.status_code == 302 and response["Location"] == "/apply/"


def test_signup_follows_a_path_of_this_site(client):
    response = _signup(client, "nextuser", "next@example.cn", query="?next=/apply/organisations/new/")
    assert response["Location"] == "/apply/organisations/new/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_login_and_voter_pages_do_not_redirect_off_site(client, make_user, target):
    make_user("alice")
    response = client.post(f"/accounts/login/?next={target}", {"username": "alice", "password": "s3cret-Passw0rd!"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    page = client.get(f"/vote/verify/?next={target}").content.decode()
    assert "evil.example" not in page


# -- finding 13: login throttled per address over accounts and per account; resets throttled -------------

def test_password_spraying_from_one_address_is_throttled(client, make_user, settings):
    settings.JINXUAN_THROTTLES = {"login_ip": (12, 3600)}
    users = [make_user(f"spray{i}") for i in range(13)]
    for user in users[:12]:  # one failure per account: django-axes alone never locks any of them
        client.post("/accounts/login/", {"username": user.username, "password": "Password1"})
    response = client.post("/accounts/login/", {"username": users[12].username, "password": "s3cret-Passw0rd!"})
    assert response.status_code == 200 and "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other_ip = client.post("/accounts/login/", {"username": users[12].username, "password": "s3cret-Passw0rd!"},
                           REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302  # another address is not affected


def test_one_account_is_throttled_over_many_addresses(client, make_user, settings):
    settings.JINXUAN_THROTTLES = {"login_account": (4, 3600)}
    make_user("target")
    for i in range(4):
        client.post("/accounts/login/", {"username": "target", "password": "guess"}, REMOTE_ADDR=f"10.1.0.{i}")
    response = client.post("/accounts/login/", {"username": "target", "password": "s3cret-Passw0rd!"},
                           REMOTE_ADDR="10.1.0.99")
    assert response.status_code == 200 and "登录失败次数过多" in response.content.decode()


def test_password_reset_is_throttled_per_address_and_per_ip(client, make_user, settings):
    settings.JINXUAN_THROTTLES = {"reset_email": (2, 3600), "reset_ip": (4, 3600)}
    make_user("alice")
    for _ in range(3):
        assert client.post("/accounts/password-reset/", {"email": "alice@example.cn"}).status_code == 302
    assert len(mail.outbox) == 2  # the third request for the same mailbox sends nothing (and says nothing)
    client.post("/accounts/password-reset/", {"email": "b@example.cn"})
    response = client.post("/accounts/password-reset/", {"email": "c@example.cn"})
    assert response.status_code == 429 and "过于频繁" in response.content.decode()

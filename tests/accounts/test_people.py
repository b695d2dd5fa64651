"""活动管理 › 人员: invitations of every seat grouped by role with their state, bulk invitations (all or nothing),
resend (the old link stops working) and withdraw, all audited; an accepted judge is on the roadshow panel at once."""

import re

import pytest
from django.urls import reverse

from jinxuan.accounts import invitations, people
from jinxuan.accounts.models import Role, RoleAssignment, SeatInvitation
from jinxuan.audit.models import AuditEvent
from jinxuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _token(to: str) -> str:
    body = OutboxMessage.objects.filter(event="seat_invited", to__iexact=to).latest("pk").body
    return re.search(r"/accounts/invitations/([^/\s]+)/", body).group(1)


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def org_client(client, gz, make_user):
    client.force_login(make_user("people_org", Role.ORGANISER, campaign=gz))
    return client


def test_parse_bulk_reads_names_and_addresses_in_either_order():
    bulk = people.parse_bulk("张三 zhang@example.cn\nli@example.cn，李四\n\n王五 <wang@example.cn>\t")
    assert bulk.errors == [] and bulk.people == [("张三", "zhang@example.cn"), ("李四", "li@example.cn"),
                                                 ("王五", "wang@example.cn")]
    bulk = people.parse_bulk("张三\nzhao@example.cn\n钱七 a@example.cn b@example.cn\n孙八 zhao@example.cn")
    assert bulk.errors == ["第 1 行：缺少电子邮箱（张三）", "第 2 行：缺少姓名（zhao@example.cn）",
                           "第 3 行：只能填写一个电子邮箱（钱七 a@example.cn b@example.cn）"]


def test_a_bulk_invitation_with_a_bad_line_sends_nothing_and_keeps_the_text(org_client, gz):
    url = reverse("accounts:seats", args=[gz.slug])
    text = "评委甲 jia@example.cn\n评委乙"
    answer = org_client.post(url, {"action": "bulk", "role": "roadshow_judge", "people": text})
    html = answer.content.decode()
    assert answer.status_code == 400 and "第 2 行：缺少电子邮箱（评委乙）" in html and "评委甲 jia@example.cn" in html
    assert not SeatInvitation.objects.exists() and not OutboxMessage.objects.filter(event="seat_invited").exists()


def test_bulk_invitations_are_sent_grouped_by_role_and_audited(org_client, gz):
    url = reverse("accounts:seats", args=[gz.slug])
    org_client.post(url, {"action": "bulk", "role": "roadshow_judge",
                          "people": "评委甲 jia@example.cn\n评委乙 yi@example.cn"})
    org_client.post(url, {"action": "invite", "role": "expert", "name": "专家丙", "email": "bing@example.cn"})
    assert SeatInvitation.objects.filter(role="roadshow_judge", campaign=gz).count() == 2
    assert AuditEvent.objects.filter(action="accounts.seat_invited").count() == 3
    groups = {g.role: g for g in people.grouped(gz)}
    assert [i.name for i in groups[Role.ROADSHOW_JUDGE].rows] == ["评委乙", "评委甲"]
    assert [i.label for i in groups[Role.EXPERT].rows] == ["已邀请"]
    html = org_client.get(url).content.decode()
    sections = html.split('<section class="people-group"')[1:]
    assert "评审专家" in sections[0] and "专家丙" in sections[0] and "已邀请" in sections[0]
    assert "路演评委" in sections[1] and "评委甲" in sections[1] and "评委乙" in sections[1]
    # the expert accepts as a new person and is in the campaign's pool under the invited name
    invitations.accept_new(_token("bing@example.cn"), username="bing", password="Bing-Zhuan-Jia-77")
    from jinxuan.review.models import PoolMember

    assert PoolMember.objects.get(campaign=gz).expert.name == "专家丙"
    assert [i.label for i in people.grouped(gz)[0].rows] == ["已接受"]


def test_resend_replaces_the_link_and_withdraw_stops_it(org_client, gz):
    url = reverse("accounts:seats", args=[gz.slug])
    org_client.post(url, {"action": "invite", "role": "inspector", "name": "考察丁", "email": "ding@example.cn"})
    first = SeatInvitation.objects.get()
    old = _token("ding@example.cn")
    org_client.post(url, {"action": "resend", "invitation": first.pk})
    new = _token("ding@example.cn")
    assert old != new and AuditEvent.objects.filter(action="accounts.seat_invitation_resent").count() == 1
    with pytest.raises(invitations.InvitationError):
        invitations.open_token(old)
    fresh = SeatInvitation.objects.get(state=SeatInvitation.PENDING)
    org_client.post(url, {"action": "revoke", "invitation": fresh.pk})
    assert people.state_label(SeatInvitation.objects.get(pk=fresh.pk)) == "已撤回"
    with pytest.raises(invitations.InvitationError):
        invitations.open_token(new)
    assert AuditEvent.objects.filter(action="accounts.seat_invitation_revoked").count() == 1


def test_an_expired_invitation_shows_as_expired(gz):
    import datetime as dt

    from django.utils import timezone

    invitation, _ = invitations.invite("wu@example.cn", Role.GUIDANCE, gz, name="指导戊", send=False)
    SeatInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert people.state_label(SeatInvitation.objects.get(pk=invitation.pk)) == "已过期"


def test_an_accepted_judge_is_seated_on_the_panel_at_once(gz):
    from jinxuan.roadshow import services as roadshow

    invitations.invite("ji@example.cn", Role.ROADSHOW_JUDGE, gz, name="评委己")
    invitations.accept_new(_token("ji@example.cn"), username="ji_judge", password="Ji-Ping-Wei-55")
    assert [j.user.username for j in roadshow.panel(gz)] == ["ji_judge"]
    assert AuditEvent.objects.filter(action="roadshow.judge_seated").count() == 1


def test_only_the_campaigns_organiser_may_invite(client, gz, campaigns, make_user):
    other = make_user("people_other", Role.ORGANISER, campaign=campaigns["xinhua-nqp-2025"])
    client.force_login(other)
    url = reverse("accounts:seats", args=[gz.slug])
    assert client.post(url, {"action": "bulk", "role": "inspector", "people": "甲 a@example.cn"}).status_code == 404
    assert not SeatInvitation.objects.exists()
    assert not RoleAssignment.objects.filter(campaign=gz, role=Role.INSPECTOR).exists()

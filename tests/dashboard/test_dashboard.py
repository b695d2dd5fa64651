"""The organiser dashboard: campaigns, tracks, schedule, pipeline and counts per state."""

import pytest

from jinxuan.accounts.models import Role, User
from jinxuan.demo.population import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    build(seed=3, applications_per_campaign=7)
    client.force_login(User.objects.get(username="organiser"))
    return client


def test_campaign_list_shows_the_three_campaigns(organiser_client):
    html = organiser_client.get("/manage/").content.decode()
    for name in ("点数成金", "金融新质生产力", "十大"):
        assert name in html


def test_campaign_page_shows_tracks_schedule_pipeline_and_counts(organiser_client):
    html = organiser_client.get("/manage/gz-dianshu-2025/").content.decode()
    assert "金融机构科技创新应用案例" in html and "路演答辩" in html and "网络投票" in html
    from django.utils import timezone

    from jinxuan.campaigns.models import Campaign

    stored = Campaign.objects.get(slug="xinhua-nqp-2025")  # the demo places its window relative to today
    xinhua = organiser_client.get("/manage/xinhua-nqp-2025/").content.decode()
    opens, closes = (timezone.localtime(t) for t in (stored.submission_opens, stored.submission_closes))
    assert (opens.hour, opens.minute, closes.hour, closes.minute) == (0, 0, 23, 59)
    assert opens.utcoffset().total_seconds() == 8 * 3600
    assert f"{opens.year}年{opens.month}月{opens.day}日 00:00" in xinhua  # stored in UTC, shown in Beijing time
    assert f"{closes.year}年{closes.month}月{closes.day}日 23:59" in xinhua
    assert "hx-get" in html
    fragment = organiser_client.get("/manage/gz-dianshu-2025/counts/").content.decode()
    assert "待补正" in fragment and "<html" not in fragment


def test_counts_match_the_database(organiser_client):
    from jinxuan.applicants.models import Application
    from jinxuan.campaigns.models import Campaign
    from jinxuan.dashboard.queries import state_counts

    campaign = Campaign.objects.get(slug="gz-dianshu-2025")
    counts = {row["state"]: row["count"] for row in state_counts(campaign)}
    for state, n in counts.items():
        assert Application.objects.filter(campaign=campaign, state=state).count() == n
    assert sum(counts.values()) == 7


def test_audit_page_lists_campaign_events(organiser_client):
    html = organiser_client.get("/manage/gz-dianshu-2025/audit/").content.decode()
    assert "campaign.preset_loaded" in html and "application." in html


def test_applicant_workspace_shows_own_applications_only(client):
    build(seed=3, applications_per_campaign=7)
    user = User.objects.get(username="applicant1")
    client.force_login(user)
    html = client.get("/workspace/").content.decode()
    from jinxuan.applicants.models import Application

    mine = Application.objects.filter(organisations__memberships__user=user).distinct()
    others = Application.objects.exclude(pk__in=mine)
    assert all(a.title in html for a in mine)
    assert not any(a.title in html for a in others if a.title not in {m.title for m in mine})


def test_guidance_unit_sees_dashboard_read_only(client):
    build(seed=3, applications_per_campaign=7)
    client.force_login(User.objects.get(username="guidance"))
    assert client.get("/manage/gz-dianshu-2025/").status_code == 200
    assert not User.objects.get(username="guidance").has_perm("campaigns.change", None)
    assert Role.GUIDANCE in {r.role for r in User.objects.get(username="guidance").role_assignments.all()}

"""After the vote is closed and the composite computed, the organiser's vote table still lists every case that entered
the vote with its counts, those that did not advance included; the composite table names cases by number and title."""

import pytest
from django.utils import timezone

from jinxuan.applicants.states import State
from jinxuan.voting.models import Vote, Voter
from tests.roadshow.scenario import roadshow_ready

pytestmark = pytest.mark.django_db


def test_vote_table_keeps_every_case_after_close(client, gz, organiser):
    apps = roadshow_ready(gz, organiser=organiser, district=())
    for app in apps:
        app.refresh_from_db()
    out = [a for a in apps if a.state == State.ELIMINATED]
    kept = [a for a in apps if a.state == State.IN_STAGE]
    assert out and kept
    # votes cast while the vote was open (stored rows; the counters only follow cases still in the vote)
    for i, app in enumerate([out[0]] * 3 + [kept[0]] * 2):
        Vote.objects.create(campaign=gz, application=app, voter=Voter.objects.create(phone=f"1370000{i:04d}"),
                            day=timezone.localdate())
    client.force_login(organiser)
    html = client.get(f"/manage/vote/{gz.slug}/").content.decode()
    votes = html[html.index("<h2>票数</h2>"):html.index('id="composite"')]
    for app in apps:
        assert f"<td>{app.number}</td><td>{app.title}</td>" in votes, app.title
    row = votes[votes.index(out[0].title):]
    assert row.split("</tr>")[0].count("<strong>3</strong>") == 1
    row = votes[votes.index(kept[0].title):]
    assert "<strong>2</strong>" in row.split("</tr>")[0]
    composite = html[html.index('id="composite"'):]
    composite = composite[:composite.index("</table>")]
    for app in apps:
        assert f"{app.number} {app.title}" in composite

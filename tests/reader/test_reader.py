"""The application reader: the 申报书's sections in order, what each role receives, previous/next through the
list with its filters, the decision panel, attachments in place."""

import pytest

from jinxuan import lists
from jinxuan.accounts.models import Role
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.reader import navigation
from jinxuan.reader.lens import EXPERT, FORMAL, Lens, lens_for
from jinxuan.reader.page import compose
from jinxuan.reader.sections import build, headline, place
from jinxuan.review import services as review
from tests.factories import verified_user

pytestmark = pytest.mark.django_db


def _contact(app):
    """(name, mobile) of the lead unit's first contact."""
    spec = app.campaign.spec
    for f in spec.form.fields("unit"):
        if f.type == "repeat" and any(s.type == "mobile" for s in f.fields):
            item = app.units.get(is_lead=True).answers[f.key][0]
            mobile = next(s.key for s in f.fields if s.type == "mobile")
            return item.get("name", ""), item[mobile]
    raise AssertionError("no contacts in the form")


def test_sections_follow_the_form_with_tables_as_tables(make_submitted):
    app = make_submitted(1)
    spec = app.campaign.spec
    sections = build(spec, app.versions.get().content, Lens(FORMAL, personal_masked=False), {})
    titles = [s.title for s in sections]
    expected = [s.title for s in spec.form.sections]
    assert [t.split("、", 1)[1] for t in titles] == expected  # every section, in the form's order
    blocks = [b for s in sections for b in s.blocks]
    indicator = next(f for f in spec.form.fields("unit") if f.type == "indicator_table")
    table = next(b for b in blocks if b.key == indicator.key)
    assert table.kind == "table" and table.head[0] == "指标" and len(table.rows) == len(indicator.rows)
    outline = next(f for f in spec.form.fields("application") if f.type == "outline")
    texts = [b.label for b in blocks if b.key == outline.key]
    assert texts == [f"{outline.label}·{s.title}" for s in outline.sections]
    contacts = next(b for b in blocks if b.kind == "table" and "手机" in b.head)
    assert _contact(app)[1] in contacts.rows[0]  # the formal reviewer checks the contacts: unmasked


def test_findings_and_figures_go_beside_their_fields(make_submitted):
    app = make_submitted(2)
    sections = build(app.campaign.spec, app.versions.get().content, Lens(FORMAL), {})
    name_key = next(f.key for f in app.campaign.spec.form.fields("application") if f.label == "案例名称")
    text = next(b for s in sections for b in s.blocks if b.kind == "text")
    findings = [{"rule": "case_name", "field": name_key, "severity": "warning", "message": "名称过长"},
                {"rule": "attachments", "field": "attachments.licence", "severity": "blocking", "message": "缺附件"}]
    figures = [{"source": text.label, "span": "两周", "kind": "duration", "value": 1209600.0, "unit": "秒"},
               {"source": text.label, "span": "1.2亿元", "kind": "money", "value": 1.2e8, "unit": "元"}]
    rest = place(sections, findings, figures)
    assert [f["message"] for f in rest] == ["缺附件"]
    name_block = next(b for s in sections for b in s.blocks if b.key == name_key)
    assert [f["message"] for f in name_block.findings] == ["名称过长"]
    assert [m["span"] for m in text.figures] == ["两周", "1.2亿元"]
    assert [m["span"] for m in headline(figures)] == ["1.2亿元"]  # money first; a duration is no headline


def test_a_blind_expert_never_receives_the_unit_or_its_people(client, make_submitted, organiser, org):
    app = make_submitted(3)
    user = verified_user("blind_expert")
    member = review.seat_expert(app.campaign, user, name="评审专家", employer_name="某研究院", actor=organiser)
    review.assign_manually(app.campaign, member.expert, app, actor=organiser)
    assert review.stage_params(app.campaign).blind
    lens = lens_for(user, app)
    assert lens.name == EXPERT and lens.blind and not lens.units and not lens.attachments
    person, mobile = _contact(app)
    client.force_login(user)
    response = client.get(f"/read/{app.campaign.slug}/{app.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for secret in (org.name, org.credit_code, person, mobile):
        assert secret not in page
    assert "匿名评审" in page and "打开评分表" in page
    attachment = app.attachments.first()
    assert client.get(f"/read/{app.campaign.slug}/{app.pk}/files/{attachment.pk}/").status_code == 404
    shown = compose(app, lens)
    assert shown["units"] == [] and shown["attachments"] == [] and shown["general_findings"] == []


def test_the_organiser_reads_personal_data_masked_and_others_are_refused(client, make_submitted, organiser,
                                                                          make_user, open_gz):
    app = make_submitted(4)
    person, mobile = _contact(app)
    client.force_login(organiser)
    page = client.get(f"/read/{app.campaign.slug}/{app.pk}/").content.decode()
    assert mobile not in page and f"{mobile[:3]}****{mobile[-4:]}" in page
    for user in (make_user("someone"), make_user("unassigned", Role.EXPERT, campaign=open_gz),
                 make_user("judge_nowhere", Role.ROADSHOW_JUDGE, campaign=open_gz)):
        client.force_login(user)
        assert client.get(f"/read/{app.campaign.slug}/{app.pk}/").status_code == 404


def test_neighbours():
    assert navigation.neighbours([5, 7, 9], 7) == (5, 9, 2, 3)
    assert navigation.neighbours([5, 7, 9], 5) == (None, 7, 1, 3)
    assert navigation.neighbours([5, 7, 9], 9) == (7, None, 3, 3)
    assert navigation.neighbours([5, 7], 8) == (None, 5, None, 2)


def test_previous_and_next_walk_the_filtered_list(client, make_submitted, formal_reviewer, open_gz):
    tracks = open_gz.tracks.count()
    apps = [make_submitted(n) for n in (0, 1, tracks, tracks + 1)]  # tracks 0, 1, 0, 1
    track = apps[0].track.key
    same = [a.pk for a in apps if a.track.key == track]
    assert len(same) >= 2 and len(same) < len(apps)  # the filter leaves some out
    client.force_login(formal_reviewer)
    slug = apps[0].campaign.slug
    queue = client.get(f"/manage/formal/{slug}/?track={track}").content.decode()
    first = lists.reader_url(apps[0].campaign, same[0], "formal", f"track={track}")
    assert first.replace("&", "&amp;") in queue
    page = client.get(first).content.decode()
    second = lists.reader_url(apps[0].campaign, same[1], "formal", f"track={track}")
    assert f'rel="next" href="{second.replace("&", "&amp;")}"' in page
    assert "第 1 / " in page and "J</kbd>" in page
    back = client.get(second).content.decode()
    assert f'rel="prev" href="{first.replace("&", "&amp;")}"' in back
    unfiltered = client.get(lists.reader_url(apps[0].campaign, apps[0].pk, "formal")).content.decode()
    second_all = lists.reader_url(apps[0].campaign, apps[1].pk, "formal")
    assert f'rel="next" href="{second_all}"' in unfiltered
    assert navigation.walk(apps[0].campaign, formal_reviewer, EXPERT, apps[0].pk, "formal", "") is None


def test_a_decision_in_the_reader_opens_the_next_application(client, make_submitted, formal_reviewer):
    first, second = make_submitted(5), make_submitted(6)
    client.force_login(formal_reviewer)
    url = lists.reader_url(first.campaign, first.pk, "formal")
    response = client.post(url, {"decision": "", "reason": "我写下的原因"})
    assert response.status_code == 400 and "审核结论无效" in response.content.decode()
    assert "我写下的原因" in response.content.decode()  # nothing typed is lost
    response = client.post(url, {"decision": "pass"})
    assert response.status_code == 302 and response["Location"] == lists.reader_url(first.campaign, second.pk, "formal")
    first.refresh_from_db()
    assert first.state == State.ACCEPTED
    assert AuditEvent.objects.filter(action="formal.decision", object_id=str(first.pk)).count() == 1
    old = client.get(f"/manage/formal/{first.campaign.slug}/{first.pk}/")
    assert old.status_code == 302 and old["Location"].startswith(f"/read/{first.campaign.slug}/{first.pk}/")


def test_attachments_are_previewed_inline(client, make_submitted, formal_reviewer):
    app = make_submitted(7)
    client.force_login(formal_reviewer)
    page = client.get(f"/read/{app.campaign.slug}/{app.pk}/").content.decode()
    pdf = next(a for a in app.attachments.all() if a.detected == "pdf")
    url = f"/read/{app.campaign.slug}/{app.pk}/files/{pdf.pk}/"
    assert f'<iframe class="pdf-preview" src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline") and response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_organisers_application_list_opens_the_reader_with_its_query(client, make_submitted, organiser):
    apps = [make_submitted(n) for n in range(3)]
    slug = apps[0].campaign.slug
    client.force_login(organiser)
    listing = client.get(f"/manage/{slug}/applications/?sort=-number").content.decode()
    assert f'/read/{slug}/{apps[2].pk}/?list=apps&amp;from=sort%3D-number' in listing
    page = client.get(lists.reader_url(apps[0].campaign, apps[2].pk, "apps", "sort=-number")).content.decode()
    expected = lists.reader_url(apps[0].campaign, apps[1].pk, "apps", "sort=-number").replace("&", "&amp;")
    assert f'rel="next" href="{expected}"' in page and "申报列表第 1 / 3 份" in page

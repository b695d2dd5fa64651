"""Consent to publish contact details: recorded with time and user, audited; public pages obey it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jinxuan.applicants import personal_data as pd
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent

from . import test_masking as shared
from .test_masking import EMAIL, EMAIL_MASKED, PHONE, PHONE_MASKED, RID, RID_MASKED, make_case

gz, people = shared.gz, shared.people  # the same fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(gz, people):
    return make_case(gz, people["owner"])


def _public_key(campaign) -> str:
    return next(f.key for f in campaign.spec.form.fields("application") if f.public and f.type == "textarea")


def test_applicant_records_and_withdraws_consent(client, case, people):
    url = reverse("apply:contact_consent", args=[case.pk])
    client.force_login(people["owner"])
    detail = client.get(reverse("apply:detail", args=[case.pk])).content.decode()
    assert "同意在公开页面展示" in detail and url in detail
    assert not pd.has_consent(Application.objects.get(pk=case.pk))
    assert client.post(url, {"consent": "1"}).status_code == 302
    stored = Application.objects.get(pk=case.pk)
    assert stored.contact_consent_at is not None and stored.contact_consent_by_id == people["owner"].pk
    event = AuditEvent.objects.get(action="application.contact_consent")
    assert event.after["consent"] is True and event.actor_id == people["owner"].pk and event.object_id == str(case.pk)
    client.post(url, {"consent": "1"})  # no change, no second event
    assert AuditEvent.objects.filter(action="application.contact_consent").count() == 1
    client.post(url, {})
    stored = Application.objects.get(pk=case.pk)
    assert stored.contact_consent_at is None and stored.contact_consent_by_id is None
    assert AuditEvent.objects.filter(action="application.contact_consent").count() == 2


def test_only_the_applicant_may_consent(client, case, people):
    url = reverse("apply:contact_consent", args=[case.pk])
    for role in ("organiser", "guidance", "other", "expert"):
        client.force_login(people[role])
        assert client.post(url, {"consent": "1"}).status_code == 404, role
    assert not pd.has_consent(Application.objects.get(pk=case.pk))
    client.force_login(people["organiser"])
    assert "同意在公开页面展示" not in client.get(reverse("apply:detail", args=[case.pk])).content.decode()


def test_public_fields_follow_consent_and_never_show_id_numbers(case, people):
    pairs = [("案例简介", f"联系人电话{PHONE}，邮箱{EMAIL}，证件{RID}")]
    off = pd.public_fields(case, pairs)[0][1]
    assert PHONE not in off and EMAIL not in off and PHONE_MASKED in off and RID_MASKED in off
    assert pd.public_contacts(case) == []
    pd.set_consent(case, people["owner"], True)
    on = pd.public_fields(case, pairs)[0][1]
    assert PHONE in on and EMAIL in on and RID not in on and RID_MASKED in on
    assert pd.public_contacts(case) == [{"unit": case.lead.name, "name": "张联络", "mobile": PHONE, "email": EMAIL}]


def test_publicity_page_shows_contacts_in_public_fields_only_with_consent(client, gz, people, monkeypatch):
    from jinxuan.publicity import services
    from tests.factories import inspected_run, publicity_entrant

    start = dt.date(2026, 9, 30)
    monkeypatch.setattr(services, "local_today", lambda: start)
    made = [publicity_entrant(gz, n, State.IN_STAGE) for n in (1, 2)]
    key = _public_key(gz)
    made[0].answers[key] = f"本案例联系电话{PHONE}，邮箱{EMAIL}，负责人证件{RID}。"
    made[0].save()
    inspected_run(gz, "composite", "composite", [(a, i, Decimal(90 - i), True, {}) for i, a in enumerate(made, 1)])
    inspected_run(gz, "roadshow", "roadshow", [(a, i, Decimal(90 - i), True, {}) for i, a in enumerate(made, 1)])
    inspected_run(gz, "site_inspection", "site_inspection", [(a, i, None, True, {}) for i, a in enumerate(made, 1)])
    services.open_publicity(gz, start, actor=people["organiser"])
    url = reverse("publicity:index", args=[gz.slug])
    page = client.get(url).content.decode()
    assert made[0].title in page and "本案例联系电话" in page
    assert PHONE not in page and EMAIL not in page and RID not in page and PHONE_MASKED in page
    pd.set_consent(made[0], people["owner"], True)
    page = client.get(url).content.decode()
    assert PHONE in page and EMAIL in page and RID not in page and RID_MASKED in page


def test_results_page_shows_contact_details_only_with_consent(client, campaigns, make_user):
    from jinxuan.accounts.models import Role
    from jinxuan.results import services
    from tests.factories import award_entrant, award_run

    xinhua = campaigns["xinhua-nqp-2025"]
    organiser = make_user("c_org", Role.ORGANISER, campaign=xinhua)
    track = xinhua.tracks.order_by("position").first().key
    apps = [award_entrant(xinhua, track, n=900 + i) for i in range(2)]
    contacts = next(f.key for f in xinhua.spec.form.fields("application") if f.type == "repeat"
                    and any(s.type == "mobile" for s in f.fields))
    for app, (phone, email) in zip(apps, [(PHONE, EMAIL), ("13655556666", "second.person@example.cn")], strict=True):
        app.answers[contacts] = [{"name": "联系人", "title": "经理", "mobile": phone, "email": email}]
        app.save()
    award_run(xinhua, "expert_review", "expert_review", [(a, i, Decimal(90 - i), True) for i, a in enumerate(apps, 1)])
    services.close_award(xinhua, actor=organiser)
    services.publish_results(xinhua, actor=organiser)
    url = reverse("results:index", args=[xinhua.slug])
    page = client.get(url).content.decode()
    assert apps[0].title in page and apps[1].title in page
    for secret in (PHONE, EMAIL, "13655556666", "second.person@example.cn", EMAIL_MASKED, PHONE_MASKED):
        assert secret not in page
    pd.set_consent(Application.objects.get(pk=apps[0].pk), None, True)
    page = client.get(url).content.decode()
    assert PHONE in page and EMAIL in page  # consented
    assert "13655556666" not in page and "second.person@example.cn" not in page  # not consented


def test_dashboard_export_reads_application_scope_contacts(client, campaigns, make_user):
    """xinhua / top10 keep contacts in the application section: masked in the export too."""
    import io

    from openpyxl import load_workbook

    from jinxuan.accounts.models import Role
    from tests.factories import award_entrant

    xinhua = campaigns["xinhua-nqp-2025"]
    app = award_entrant(xinhua, xinhua.tracks.order_by("position").first().key, state=State.SUBMITTED, n=950)
    contacts = next(f.key for f in xinhua.spec.form.fields("application") if f.type == "repeat"
                    and any(s.type == "mobile" for s in f.fields))
    app.answers[contacts] = [{"name": "联系人", "title": "经理", "mobile": PHONE, "email": EMAIL}]
    app.save()
    client.force_login(make_user("c_org2", Role.ORGANISER, campaign=xinhua))
    data = client.get(reverse("dashboard:applications_export", args=[xinhua.slug])).content
    text = "\n".join(str(v) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for v in row)
    assert PHONE_MASKED in text and EMAIL_MASKED in text and PHONE not in text and EMAIL not in text


def test_consent_at_submission(client, campaigns, make_user):
    import random

    from django.utils import timezone

    from jinxuan.applicants.models import ApplicationUnit, Membership, Organisation
    from jinxuan.campaigns.schedule import reschedule
    from jinxuan.demo.population import credit_code
    from tests.factories import complete

    now = timezone.now()
    gz_open = reschedule(campaigns["gz-dianshu-2025"], now - dt.timedelta(days=1), now + dt.timedelta(days=10))
    user = make_user("c_applicant")
    org = Organisation.objects.create(name="同意公开测试单位有限公司", credit_code=credit_code(random.Random(5), "广州"))
    Membership.objects.create(user=user, organisation=org, is_admin=True)
    app = Application.objects.create(campaign=gz_open, track=gz_open.tracks.first(), title="（未命名案例）", created_by=user)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
    complete(app)
    client.force_login(user)
    edit = client.get(reverse("apply:edit", args=[app.pk])).content.decode()
    assert 'name="contact_consent"' in edit and 'name="contact_consent_asked"' in edit
    response = client.post(reverse("apply:submit", args=[app.pk]),
                           {"idempotency_key": "c1", "contact_consent_asked": "1", "contact_consent": "1"})
    assert response.status_code == 302
    stored = Application.objects.get(pk=app.pk)
    assert stored.state == State.SUBMITTED and stored.contact_consent_by_id == user.pk
    assert AuditEvent.objects.filter(action="application.contact_consent", object_id=str(app.pk)).count() == 1

"""A conflicted expert never learns that the application exists: a canary string seeded in it appears in no
response to that expert (pages, lists, exports, API, e-mail), while the organiser sees it."""

import io

import pytest
from django.urls import reverse

from jinxuan.accounts.models import ApiToken
from jinxuan.notifications.models import OutboxMessage
from jinxuan.review import services
from jinxuan.review.models import ConflictSource


def visible_ids(expert, campaign) -> list[int]:
    from jinxuan.review.visibility import visible_applications

    return list(visible_applications(expert.user, campaign).order_by("pk").values_list("pk", flat=True))

pytestmark = pytest.mark.django_db

CANARY = "金丝雀银行Q7ZK"


def _text(response) -> str:
    body = response.content
    if body[:2] == b"PK":  # an .xlsx: every cell value of every sheet (the XML escapes CJK as &#…;)
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body))
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    return body.decode("utf-8", "replace")


@pytest.fixture
def seeded(gz, pool, accepted, organiser):
    canary_app = accepted[5]
    canary_app.title = f"{CANARY}智能风控平台"
    key = next(f.key for f in gz.spec.form.fields("application") if f.type == "textarea")
    canary_app.answers[key] = f"本案例由{CANARY}独立建设。" + (canary_app.answers.get(key) or "")
    canary_app.save()
    org = canary_app.units.get(is_lead=True).organisation
    org.name = f"{CANARY}股份有限公司"
    org.save()
    expert = pool[0].expert
    for app in accepted[:3] + [canary_app]:
        services.assign_manually(gz, expert, app, actor=organiser)
    services.notify_assignments(gz)  # before the conflict: the canary is in this e-mail
    OutboxMessage.objects.all().delete()
    services.add_conflict(gz, expert, canary_app, source=ConflictSource.DECLARED, reason="曾为该单位提供咨询",
                          actor=expert.user)
    services.solve_assignment(gz, actor=organiser)  # re-solve: the conflict is a hard constraint
    services.notify_assignments(gz, reminder=True)
    return expert, canary_app


def test_canary_never_reaches_the_conflicted_expert(gz, seeded, client, organiser):
    expert, canary_app = seeded
    client.force_login(expert.user)
    responses = [
        client.get(reverse("workspace")),
        client.get(reverse("review:workspace", args=[gz.slug])),
        client.get(reverse("review:my_scores", args=[gz.slug])),
        client.get(reverse("review:score", args=[gz.slug, canary_app.pk])),
        client.post(reverse("review:declare_conflict", args=[gz.slug, canary_app.pk]), {"reason": "x"}),
        client.get(reverse("apply:detail", args=[canary_app.pk])),
        client.get(reverse("review_manage:overview", args=[gz.slug])),
        client.get(reverse("review_manage:export", args=[gz.slug])),
        client.get(reverse("formalreview:detail", args=[gz.slug, canary_app.pk])),
    ]
    visible = visible_ids(expert, gz)
    assert visible and canary_app.pk not in visible
    for app_id in visible:
        responses.append(client.get(reverse("review:score", args=[gz.slug, app_id])))
    token = ApiToken.issue(expert.user, "test")[1]
    responses.append(client.get(f"/api/v1/review/{gz.slug}/assignments", HTTP_AUTHORIZATION=f"Bearer {token}"))
    responses.append(client.get(f"/api/v1/applications/{canary_app.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"))
    for response in responses:
        assert CANARY not in _text(response), response.request["PATH_INFO"]
    assert responses[3].status_code == 404
    mails = OutboxMessage.objects.filter(to=expert.user.email)
    assert mails.exists()
    for mail in mails:
        assert CANARY not in mail.subject + mail.body

    # the canary is really there for those who may see it
    client.force_login(organiser)
    assert CANARY in _text(client.get(reverse("review_manage:assignment", args=[gz.slug])))
    assert CANARY in _text(client.get(reverse("review_manage:export", args=[gz.slug])))


def test_blind_page_hides_identity_fields_and_names_in_text(gz, seeded, client):
    expert, canary_app = seeded
    other = visible_ids(expert, gz)[0]
    from jinxuan.applicants.models import Application

    app = Application.objects.get(pk=other)
    lead = app.units.get(is_lead=True).organisation
    key = next(f.key for f in gz.spec.form.fields("application") if f.type == "textarea")
    app.answers[key] = f"{lead.name}于2023年上线本系统，联系电话13800138000。"
    app.save()
    client.force_login(expert.user)
    page = client.get(reverse("review:score", args=[gz.slug, app.pk])).content.decode()
    assert lead.name not in page and lead.credit_code not in page and "13800138000" not in page
    assert "于2023年上线本系统" in page
    person = app.answers.get("responsible_person")
    assert person and person not in page  # responsible_person is not reviewable


def test_the_experts_assignment_api_sends_as_many_queries_for_five_rows_as_for_two(gz, pool, accepted, organiser,
                                                                                  client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    expert = pool[0].expert
    token = ApiToken.issue(expert.user, "test")[1]
    counts = []
    for apps in (accepted[:2], accepted[2:5]):
        for app in apps:
            services.assign_manually(gz, expert, app, actor=organiser)
        with CaptureQueriesContext(connection) as queries:
            rows = client.get(f"/api/v1/review/{gz.slug}/assignments", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        counts.append((len(rows), len(queries)))
    assert [n for n, _ in counts] == [2, 5] and counts[0][1] == counts[1][1], counts

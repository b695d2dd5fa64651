"""Issue 18, finding 2: whose organisation it is, joint units by consent, attributable draft edits."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jinxuan.accounts.models import ApiToken, Role
from jinxuan.applicants import ownership
from jinxuan.applicants.models import ApplicationUnit, Consent, Membership, Organisation, OrganisationClaim
from jinxuan.applicants.submission import SubmissionError, submit
from jinxuan.audit.models import AuditEvent
from jinxuan.demo.population import credit_code
from tests.factories import complete, verified_organisation

pytestmark = pytest.mark.django_db
B_CODE = credit_code(random.Random(2024), "深圳")


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")
    return SimpleUploadedFile("执照.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def other_institution(make_user):
    """B: a verified organisation with an administrator and a member."""
    org = verified_organisation("深圳乙金融科技有限公司", B_CODE)
    admin, member = make_user("b_admin"), make_user("b_member")
    Membership.objects.create(user=admin, organisation=org, is_admin=True)
    Membership.objects.create(user=member, organisation=org)
    return org, admin, member


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 't')[1]}"}


def _add_joint(client, app, code, name):
    return client.post(reverse("apply:unit_add", args=[app.pk]), {"name": name, "credit_code": code})


def test_naming_a_verified_organisation_asks_its_administrators_first(client, draft, applicant, other_institution):
    org, admin, member = other_institution
    client.force_login(applicant[0])
    _add_joint(client, draft, B_CODE, "随便填的名字")
    unit = draft.units.get(organisation=org)
    assert unit.consent == Consent.PENDING
    # until accepted, B's members get nothing: not through the pages, not through the API (GET or PATCH)
    for user in (admin, member):
        client.force_login(user)
        assert client.get(reverse("apply:detail", args=[draft.pk])).status_code == 404
        assert client.get(reverse("apply:edit", args=[draft.pk])).status_code == 404
        assert client.get(f"/api/v1/applications/{draft.pk}", **_bearer(user)).status_code == 404
        patch = client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {}}, content_type="application/json",
                             **_bearer(user))
        assert patch.status_code == 404
        assert draft.pk not in [a["id"] for a in client.get("/api/v1/applications", **_bearer(user)).json()]
    # and the application cannot be submitted
    complete(draft)
    with pytest.raises(SubmissionError) as refused:
        submit(draft, actor=applicant[0])
    assert any("尚未确认参与联合申报" in str(p) for p in refused.value.problems)
    # B's administrator sees the request and accepts; only then do B's members see the application
    client.force_login(admin)
    assert draft.title in client.get(reverse("apply:organisation", args=[org.pk])).content.decode()
    client.force_login(member)
    assert client.post(reverse("apply:joint_request", args=[unit.pk]), {"answer": "accept"}).status_code == 404
    client.force_login(admin)
    client.post(reverse("apply:joint_request", args=[unit.pk]), {"answer": "accept"})
    unit.refresh_from_db()
    assert unit.consent == Consent.ACCEPTED and unit.decided_by == admin
    client.force_login(member)
    assert client.get(reverse("apply:detail", args=[draft.pk])).status_code == 200
    assert submit(draft, actor=applicant[0]).number == 1
    assert AuditEvent.objects.filter(action="application.unit_consented").exists()


def test_declining_removes_the_unit(client, draft, applicant, other_institution):
    org, admin, _ = other_institution
    client.force_login(applicant[0])
    _add_joint(client, draft, B_CODE, "乙公司")
    unit = draft.units.get(organisation=org)
    client.force_login(admin)
    client.post(reverse("apply:joint_request", args=[unit.pk]), {"answer": "decline"})
    assert not draft.units.filter(organisation=org).exists()
    assert AuditEvent.objects.filter(action="application.unit_declined").exists()


def test_registering_someone_elses_code_grants_nothing_until_verified(client, make_user, draft, applicant):
    """The old hole: register B's code, be named (or name yourself) on applications, edit them."""
    code = credit_code(random.Random(77), "北京")
    client.force_login(applicant[0])
    _add_joint(client, draft, code, "丙银行")
    placeholder = Organisation.objects.get(credit_code=code)
    assert not placeholder.is_verified and not placeholder.memberships.exists()
    assert draft.units.get(organisation=placeholder).consent == Consent.UNCLAIMED
    impostor = make_user("impostor")
    claim = ownership.register(impostor, name="丙银行股份有限公司", credit_code=code)
    assert claim.state == OrganisationClaim.PENDING
    client.force_login(impostor)
    assert client.get(reverse("apply:detail", args=[draft.pk])).status_code == 404
    patch = client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {}}, content_type="application/json",
                         **_bearer(impostor))
    assert patch.status_code == 404
    # the real owner is not refused: their claim stands beside the impostor's, and the organiser decides
    owner = make_user("real_owner")
    real = ownership.register(owner, name="丙银行股份有限公司", credit_code=code, licence=_png())
    organiser = make_user("org", Role.ORGANISER)
    ownership.verify_claim(real, organiser)
    claim.refresh_from_db()
    placeholder.refresh_from_db()
    assert claim.state == OrganisationClaim.REJECTED and placeholder.is_verified
    assert list(placeholder.memberships.values_list("user__username", flat=True)) == ["real_owner"]
    # the verified owner takes the unit over: it becomes a request they answer
    unit = draft.units.get(organisation=placeholder)
    assert unit.consent == Consent.PENDING
    assert list(ownership.pending_requests(owner)) == [unit]
    assert not ownership.may_access(owner, draft)
    assert AuditEvent.objects.filter(action="organisation.verified").exists()


def test_an_unverified_claim_gives_only_the_claimants_own_drafts(client, make_user, open_gz):
    code = credit_code(random.Random(78), "广州")
    claimant, colleague = make_user("claimant"), make_user("colleague")
    claim = ownership.register(claimant, name="广州丁公司", credit_code=code)
    Membership.objects.create(user=colleague, organisation=claim.organisation)
    client.force_login(claimant)
    client.post(reverse("apply:new", args=[open_gz.slug]), {"organisation": claim.organisation_id})
    app = claim.organisation.applications.get()
    assert client.get(reverse("apply:edit", args=[app.pk])).status_code == 200
    client.force_login(colleague)
    assert client.get(reverse("apply:detail", args=[app.pk])).status_code == 404
    ownership.attach_licence(claim, _png())
    ownership.verify_claim(claim, make_user("org", Role.ORGANISER))
    assert client.get(reverse("apply:detail", args=[app.pk])).status_code == 200


def test_organiser_verifies_a_claim_with_the_licence_beside_name_and_code(client, make_user):
    code = credit_code(random.Random(79), "广州")
    claimant = make_user("claimant")
    client.force_login(claimant)
    client.post(reverse("apply:organisation_new"), {
        "name": "广州戊数字科技有限公司", "credit_code": code, "unit_type": "科技企业", "registered_region": "广东省广州市",
        "office_region": "广东省广州市", "contact_name": "王芳", "contact_title": "经理",
        "contact_mobile": "13912345678", "contact_email": "w@example.cn", "licence": _png()})
    claim = OrganisationClaim.objects.get(organisation__credit_code=code)
    assert claim.licence_type == "png"
    scoped = make_user("org", Role.ORGANISER)
    client.force_login(scoped)
    html = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "广州戊数字科技有限公司" in html and code in html and reverse("claims:licence", args=[claim.pk]) in html
    assert client.get(reverse("claims:licence", args=[claim.pk]))["Content-Type"] == "image/png"
    client.post(reverse("claims:detail", args=[claim.pk]), {"decision": "reject"})  # a reason is required
    claim.refresh_from_db()
    assert claim.state == OrganisationClaim.PENDING
    client.post(reverse("claims:detail", args=[claim.pk]), {"decision": "verify"})
    claim.refresh_from_db()
    assert claim.state == OrganisationClaim.VERIFIED and claim.organisation.is_verified
    event = AuditEvent.objects.get(action="organisation.verified")
    assert event.actor_id == scoped.pk
    client.force_login(claimant)
    assert client.get(reverse("claims:list")).status_code == 403


def test_a_dispute_is_decided_by_the_organiser(make_user, other_institution):
    org, admin, member = other_institution
    rightful = make_user("rightful")
    with pytest.raises(ownership.OwnershipError, match="已完成单位认证"):
        ownership.register(rightful, name=org.name, credit_code=B_CODE)
    claim = ownership.register(rightful, name="深圳乙金融科技有限公司", credit_code=B_CODE, licence=_png(),
                               dispute=True)
    assert claim.dispute and not org.memberships.filter(user=rightful).exists()  # nothing until decided
    ownership.verify_claim(claim, make_user("org", Role.ORGANISER), reason="营业执照核对一致，原认证有误")
    assert list(org.memberships.values_list("user__username", flat=True)) == ["rightful"]
    event = AuditEvent.objects.get(action="organisation.verified")
    assert sorted(event.after["removed_members"]) == ["b_admin", "b_member"]


def test_draft_edits_are_attributed_through_the_pages_and_the_api(client, draft, applicant):
    user = applicant[0]
    key = next(f.key for f in draft.campaign.spec.form.fields("application") if f.label == "案例名称")
    client.force_login(user)
    client.post(reverse("apply:autosave", args=[draft.pk]), {"_form_present": "1", f"a-{key}": "页面上的名字"})
    response = client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {key: "接口改的名字"}},
                            content_type="application/json", **_bearer(user))
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(action="application.draft_edited", object_id=str(draft.pk)).order_by("seq"))
    assert [e.after["via"] for e in events] == ["页面", "API"]
    assert all(e.actor_id == user.pk for e in events)
    assert events[1].before == {"title": "页面上的名字"} and events[1].after["title"] == "接口改的名字"
    assert key in events[1].after["fields"]["answers"]
    # saving the same content again writes nothing
    client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {key: "接口改的名字"}},
                 content_type="application/json", **_bearer(user))
    assert AuditEvent.objects.filter(action="application.draft_edited").count() == 2


def test_a_lead_member_naming_its_own_other_verified_unit_needs_no_request(client, draft, applicant):
    user, _ = applicant
    sister = verified_organisation("广州示例数字科技二公司", B_CODE)
    Membership.objects.create(user=user, organisation=sister, is_admin=True)
    client.force_login(user)
    _add_joint(client, draft, B_CODE, "二公司")
    assert draft.units.get(organisation=sister).consent == Consent.ACCEPTED


def test_a_licence_that_is_not_a_pdf_or_image_is_refused(make_user):
    claim = ownership.register(make_user("c"), name="某公司", credit_code=credit_code(random.Random(80), "广州"))
    with pytest.raises(ownership.OwnershipError, match="PDF、JPG 或 PNG"):
        ownership.attach_licence(claim, SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>"))
    assert ApplicationUnit.objects.count() == 0

"""One fixture world for the permission matrix: two campaigns, two organisations and a user for every role.

gz-dianshu-2025 is the campaign under test; xinhua-nqp-2025 is "another campaign" (its organiser must see nothing
of gz). Objects of gz that routes name: a draft of organisation A, a draft of B, an accepted application of A
assigned to two experts (one of them conflicted), a live inspection draw with one record assigned to one of two
inspectors (with one piece of evidence), an attachment and a library case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jinxuan.accounts.models import ApiToken, Role, RoleAssignment, User
from jinxuan.applicants.models import (
    Application,
    ApplicationUnit,
    Membership,
    Organisation,
    OrganisationClaim,
    StoredAttachment,
)
from jinxuan.applicants.states import State
from jinxuan.demo.files import tiny_pdf
from jinxuan.demo.population import credit_code
from jinxuan.prepared.models import PreparedFile
from tests.factories import verified_user

ANON = "anonymous"
APPLICANT_A = "applicant_a"
APPLICANT_B = "applicant_b"
EXPERT = "expert_assigned"
CONFLICTED = "expert_conflicted"
UNASSIGNED = "expert_unassigned"
JUDGE = "roadshow_judge"
INSPECTOR = "inspector_assigned"
IDLE_INSPECTOR = "inspector_unassigned"
ORGANISER = "organiser"
OTHER_ORGANISER = "organiser_other"
GUIDANCE = "guidance"

ROLES = (ANON, APPLICANT_A, APPLICANT_B, EXPERT, CONFLICTED, UNASSIGNED, JUDGE, INSPECTOR, IDLE_INSPECTOR,
         ORGANISER, OTHER_ORGANISER, GUIDANCE)

GLOBAL_ORGANISER = "organiser_global"  # not a matrix role: an organiser of every campaign, for the extra checks
GHOST_SLUG = "no-such-campaign-2099"
GHOST_PK = 987654


@dataclass
class World:
    gz: object
    other: object
    users: dict[str, User]
    tokens: dict[str, str]
    kwargs: dict[str, object] = field(default_factory=dict)  # URL kwarg name → value naming a real object
    files: dict[str, bytes] = field(default_factory=dict)  # stored file name → content, as built

    def restore_files(self) -> None:
        """Put back stored files a rolled-back request deleted (the database forgets, the disk does not)."""
        from django.core.files.storage import default_storage

        for name, content in self.files.items():
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))


def _user(username: str, *roles: str, campaign=None) -> User:
    user = User.objects.create_user(username=username, password="s3cret-Passw0rd!", email=f"{username}@example.cn",
                                    email_verified_at=timezone.now())
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role, campaign=campaign)
    return user


def _draft(campaign, user, org, title="（未命名案例）", state=State.DRAFT) -> Application:
    app = Application.objects.create(campaign=campaign, track=campaign.tracks.order_by("position").first(),
                                     title=title, state=state, created_by=user)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
    return app


def _attachment(app, user) -> StoredAttachment:
    item = StoredAttachment(application=app, key="business_licence", name="营业执照.pdf", detected="pdf", size=1,
                            sha256="0" * 64, uploaded_by=user)
    item.file.save("licence.pdf", ContentFile(tiny_pdf(f"licence-{app.pk}")), save=False)
    item.save()
    return item


def build() -> World:
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.inspection import services as inspection
    from jinxuan.library.models import Case
    from jinxuan.review import services as review
    from jinxuan.review.models import ConflictSource
    from tests.factories import make_application, make_pipeline_apps, roadshow_run

    gz, other = (load_preset(read_preset(path), str(path))[0]
                 for path in (Path(settings.PRESET_DIR) / f"{slug}.yaml" for slug in ("gz-dianshu-2025", "xinhua-nqp-2025")))
    rng = random.Random(91)

    users: dict[str, User] = {}
    users[ORGANISER] = _user("mx_organiser", Role.ORGANISER, campaign=gz)
    users[OTHER_ORGANISER] = _user("mx_organiser_other", Role.ORGANISER, campaign=other)
    users[GLOBAL_ORGANISER] = _user("mx_organiser_global", Role.ORGANISER)
    users[GUIDANCE] = _user("mx_guidance", Role.GUIDANCE, campaign=gz)
    users[JUDGE] = _user("mx_judge", Role.ROADSHOW_JUDGE, campaign=gz)
    users[INSPECTOR] = _user("mx_inspector", Role.INSPECTOR, campaign=gz)
    users[IDLE_INSPECTOR] = _user("mx_inspector_idle", Role.INSPECTOR, campaign=gz)

    orgs = {}
    for role, name in ((APPLICANT_A, "广州矩阵甲数字科技有限公司"), (APPLICANT_B, "广州矩阵乙金融服务有限公司")):
        users[role] = _user(f"mx_{role}")
        orgs[role] = Organisation.objects.create(name=name, credit_code=credit_code(rng, "广州"), verified_at=timezone.now())
        Membership.objects.create(user=users[role], organisation=orgs[role], is_admin=True)
    draft_a = _draft(gz, users[APPLICANT_A], orgs[APPLICANT_A])
    draft_b = _draft(gz, users[APPLICANT_B], orgs[APPLICANT_B])
    partner = Organisation.objects.create(name="广州矩阵丙信息技术有限公司", credit_code=credit_code(rng, "广州"))
    partner_unit = ApplicationUnit.objects.create(application=draft_b, organisation=partner, is_lead=False, position=1)
    elsewhere = _draft(other, users[APPLICANT_A], orgs[APPLICANT_A])  # an application of the other campaign
    reviewed = make_application(gz, orgs[APPLICANT_A], 1, applicant=users[APPLICANT_A])  # accepted, lead A

    pool = {}
    for i, role in enumerate((EXPERT, CONFLICTED, UNASSIGNED)):
        pool[role] = review.seat_expert(gz, verified_user(f"mx_{role}"), name=f"矩阵专家{i}", load=5,
                                        employer_name=f"某研究院{i}", actor=users[ORGANISER]).expert
        users[role] = pool[role].user
    review.assign_manually(gz, pool[EXPERT], reviewed, actor=users[ORGANISER])
    review.assign_manually(gz, pool[CONFLICTED], reviewed, actor=users[ORGANISER])
    review.add_conflict(gz, pool[CONFLICTED], reviewed, source=ConflictSource.DECLARED, reason="曾为该单位提供咨询",
                        actor=users[CONFLICTED])

    attachment, attachment_b = (_attachment(app, user) for app, user in ((draft_a, users[APPLICANT_A]),
                                                                         (draft_b, users[APPLICANT_B])))

    entrants = make_pipeline_apps(gz, 6, start=40)
    roadshow_run(gz, entrants)
    _, seed = inspection.commit(gz, actor=users[ORGANISER])
    draw = inspection.reveal_and_draw(gz, seed, actor=users[ORGANISER])
    record, unassigned_record = draw.inspections.order_by("application_id")[:2]
    inspection.assign(record, [users[INSPECTOR]], actor=users[ORGANISER])
    evidence, evidence_elsewhere = (
        inspection.add_evidence(r, SimpleUploadedFile("现场.pdf", tiny_pdf(f"evidence-{r.pk}")), actor=users[ORGANISER])
        for r in (record, unassigned_record))

    case = Case.objects.create(campaign=gz, year=gz.year, title="矩阵测试案例", organisations=["广州矩阵甲数字科技有限公司"],
                               paragraphs=["案例正文。"])
    historical = Case.objects.create(campaign=None, year=2019, title="矩阵历史案例", source=Case.IMPORTED,
                                     paragraphs=["历年汇编中的案例正文。"])  # outside every campaign

    # identity objects: B names A's verified organisation as a joint unit (A's administrator answers), and an
    # organisation claim waiting for an organiser
    request_to_a = ApplicationUnit.objects.create(application=draft_b, organisation=orgs[APPLICANT_A], position=2,
                                                  consent="pending", requested_by=users[APPLICANT_B])
    claimed = Organisation.objects.create(name="广州矩阵丁认证申请有限公司", credit_code=credit_code(rng, "广州"))
    claim = OrganisationClaim.objects.create(organisation=claimed, claimant=users[APPLICANT_B],
                                             claimed_name=claimed.name)

    # a vote export the organiser asked for, built: only the organiser may see or fetch it
    prepared = PreparedFile.objects.create(campaign=gz, kind="votes", requested_by=users[ORGANISER],
                                           state=PreparedFile.DONE, filename="votes.xlsx")
    prepared.file.save("votes.xlsx", ContentFile(b"PK matrix"))

    tokens = {role: ApiToken.issue(user, "matrix")[1] for role, user in users.items()}
    stage_key = gz.stages.get(kind="expert_review").key
    kwargs = {
        "slug": gz.slug,
        "application": draft_a.pk,  # /apply/<pk>/…, /api/v1/applications/{id}
        "reviewed": reviewed.pk,  # /review/<slug>/<pk>/, /manage/formal/<slug>/<pk>/
        "inspection": record.application_id,  # /inspection/<slug>/<pk>/
        "organisation": orgs[APPLICANT_A].pk,
        "case": case.pk,
        "att": attachment.pk,
        "ev": evidence.pk,
        "stage_key": stage_key,
        "joint_request": request_to_a.pk,
        "claim": claim.pk,
        "prepared": prepared.token,
        # objects of another parent, for the swap checks (an allowed role naming someone else's sub-object)
        "other_slug": other.slug,
        "elsewhere": elsewhere.pk,
        "att_of_b": attachment_b.pk,
        "unit_of_b": partner_unit.pk,
        "ev_elsewhere": evidence_elsewhere.pk,
        "historical_case": historical.pk,
    }
    from django.core.files.storage import default_storage

    files = {f.name: default_storage.open(f.name).read()
             for f in (attachment.file, attachment_b.file, evidence.file, evidence_elsewhere.file)}
    return World(gz=gz, other=other, users=users, tokens=tokens, kwargs=kwargs, files=files)

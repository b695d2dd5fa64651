"""A realistic synthetic population: the three presets, organisations, people of every role, applications."""

import datetime as dt
import random
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from jinxuan.accounts.models import Role, RoleAssignment, User
from jinxuan.applicants.attachments import store_upload
from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.applicants.services import snapshot_version, transition
from jinxuan.applicants.states import State
from jinxuan.campaigns.loader import load_preset
from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.notifications.mail import held

from . import history, library, points
from .answers import AnswerFaker
from .files import sample_file
from .text import TextFaker

DEMO_PASSWORD = "jinxuan-demo-2025"
CITY_REGION = {"广州": "广东省广州市", "深圳": "广东省深圳市", "佛山": "广东省佛山市", "上海": "上海市", "北京": "北京市",
               "杭州": "浙江省杭州市"}
DIVISIONS = {"广州": "440106", "深圳": "440305", "佛山": "440604", "上海": "310115", "北京": "110108", "杭州": "330106"}
ORG_KINDS = ["bank", "securities", "insurance", "fintech", "data", "research", "consumer_finance", "leasing", "fintech", "bank"]
UNIT_TYPE = {"bank": "银行", "securities": "证券", "insurance": "保险", "fintech": "科技企业", "data": "科技企业",
             "research": "科研院所", "consumer_finance": "消费金融", "leasing": "融资租赁"}
def credit_code(rng: random.Random, city: str) -> str:
    body = "91" + DIVISIONS[city] + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


ACCOUNTS = [  # username, role, scope: printed by `jinxuan demo`
    ("admin", "平台管理员（超级用户）", "全部"),
    ("organiser", Role.ORGANISER.label, "全部活动"),
    ("reviewer", Role.FORMAL_REVIEWER.label, "全部活动"),
    ("judge", Role.ROADSHOW_JUDGE.label, "点数成金2024（往届）"),
    ("inspector", Role.INSPECTOR.label, "点数成金2024（往届）"),
    ("guidance", Role.GUIDANCE.label, "全部活动"),
    ("expert1 … expert6", Role.EXPERT.label, "全部活动"),
    ("voter", Role.VOTER.label, "公开"),
    ("reader", Role.READER.label, "公开"),
    ("applicant1 … applicant10", Role.APPLICANT.label, "各自单位"),
]


@cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # one argon2 hash shared by every demo account


def _user(username: str, display: str, email: str, superuser: bool = False) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display, "email": email})
    user.display_name, user.email, user.is_superuser, user.is_staff = display, email, superuser, superuser
    user.email_verified_at = user.email_verified_at or timezone.now()  # demo mailboxes count as proven
    user.password = _demo_password_hash()
    user.save()
    return user


def _grant(user: User, role: str, campaign: Campaign | None = None) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role, campaign=campaign)


def load_presets() -> list[Campaign]:
    return [load_preset(read_preset(path), str(path))[0] for path in sorted(Path(settings.PRESET_DIR).glob("*.yaml"))]


def build(seed: int = 2025, applications_per_campaign: int = 14, progress=lambda msg: None) -> None:
    """The demo population; the e-mails it causes stay in the outbox (unsent), whatever the mail backend."""
    with held("演示数据"), transaction.atomic():
        _build(seed, applications_per_campaign, progress)


def _build(seed: int, applications_per_campaign: int, progress) -> None:
    rng = random.Random(seed)
    faker = TextFaker(seed)
    campaigns = {c.slug: c for c in load_presets()}
    progress(f"已载入 {len(campaigns)} 个征集活动预设")

    _user("admin", "平台管理员", "admin@jinxuan.example.cn", superuser=True)
    organiser = _user("organiser", "活动工作组", "organiser@jinxuan.example.cn")
    _grant(organiser, Role.ORGANISER)
    scoped = [("reviewer", "形式审核员", Role.FORMAL_REVIEWER), ("guidance", "指导单位联络员", Role.GUIDANCE)]
    for username, display, role in scoped:
        user = _user(username, display, f"{username}@jinxuan.example.cn")
        for campaign in campaigns.values():
            _grant(user, role, campaign)
    judge = _user("judge", "路演评委", "judge@jinxuan.example.cn")  # seated on the past edition (history)
    inspector = _user("inspector", "实地考察员", "inspector@jinxuan.example.cn")
    experts = []
    for i in range(1, 7):
        expert = _user(f"expert{i}", faker.person_name(), f"expert{i}@jinxuan.example.cn")
        experts.append(expert)
        for campaign in campaigns.values():
            _grant(expert, Role.EXPERT, campaign)
    for username, role in (("voter", Role.VOTER), ("reader", Role.READER)):
        _grant(_user(username, role.label, f"{username}@jinxuan.example.cn"), role)

    orgs = []
    for i, kind in enumerate(ORG_KINDS):
        city = rng.choice(list(DIVISIONS))
        name = faker.org_name(kind)
        code = credit_code(rng, city)
        founded = dt.date(rng.randint(2005, 2021), rng.randint(1, 12), rng.randint(1, 28))
        region = CITY_REGION[city]
        org, _ = Organisation.objects.get_or_create(
            credit_code=code,
            defaults={"name": name, "unit_type": UNIT_TYPE[kind], "registered_region": region, "office_region": region,
                      "founded": founded, "verified_at": timezone.now()},  # demo organisations come verified
        )
        user = _user(f"applicant{i + 1}", faker.person_name(), f"applicant{i + 1}@jinxuan.example.cn")
        Membership.objects.get_or_create(user=user, organisation=org, defaults={"is_admin": True})
        orgs.append(org)
    progress(f"已创建 {len(orgs)} 家申报单位及各角色账户")

    for slug, place in points.PLACES.items():
        campaign = campaigns.get(slug)
        if campaign is None:
            continue
        place.prepare(campaign)
        _applications(campaign, orgs, faker, rng, applications_per_campaign, place.paths)
        place.run(campaign, experts, rng, organiser)
        progress(f"{campaign.short_name}：{campaign.applications.count()} 份申报，{place.summary}")

    past = history.build(orgs, experts, judge, inspector, organiser, faker, rng,
                         count=max(20, 2 * applications_per_campaign))
    for username, _, role in scoped:
        _grant(User.objects.get(username=username), role, past)
    progress(f"往届：{past.short_name} 已完成全部环节（专业评审、网络投票、路演、实地考察、公示与递补）并发布入围名单，"
             "已进入案例库")

    library.build(rng)
    progress("案例库：往届入围案例及历史案例已按各自年份收录，可检索")


def _applications(campaign: Campaign, orgs, faker: TextFaker, rng: random.Random, count: int, paths: list) -> None:
    spec = campaign.spec
    tracks = list(campaign.tracks.all())
    max_units = spec.applicant_rules.max_units or 1
    for n in range(count):
        track = tracks[n % len(tracks)]
        lead = orgs[(n + len(campaign.slug)) % len(orgs)]
        joint = rng.sample([o for o in orgs if o != lead], k=rng.randint(0, min(2, max_units - 1)))
        units = [lead, *joint]
        topic = faker.topic()
        title = faker.case_title(max_chars=20, topic=topic)
        filler = AnswerFaker(faker, spec, track.key, [u.credit_code for u in units], topic)
        app = Application.objects.create(
            campaign=campaign, track=track, title=title, answers=filler.application(title),
            district_recommended=(campaign.slug == "gz-dianshu-2025" and n % 9 == 4),
            created_by=lead.memberships.first().user,
        )
        for position, org in enumerate(units):
            answers = filler.unit(org.name, org.credit_code)
            for field in spec.form.fields("unit"):  # keep the unit section consistent with the registration
                if field.label == "成立时间" and org.founded:
                    answers[field.key] = org.founded.strftime("%Y-%m")
                elif field.type == "region" and field.label in {"注册地", "主要办公地"}:
                    answers[field.key] = org.office_region
            ApplicationUnit.objects.create(application=app, organisation=org, is_lead=position == 0,
                                           position=position, answers=answers)
        path = paths[n % len(paths)]
        if path:  # everything past a draft has its required attachments
            for rule in spec.attachments:
                if rule.required:
                    filename, data = sample_file(rule)
                    store_upload(app, rule.key, SimpleUploadedFile(filename, data), check_state=False)
        for step in path:
            target, reason = step if isinstance(step, tuple) else (step, "")
            transition(app, target, reason=reason, notify_members=False)
            if target == State.SUBMITTED:
                snapshot_version(app)

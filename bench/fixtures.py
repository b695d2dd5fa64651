"""Shared set-up for benchmarks: open the reference campaign and create complete drafts quickly."""

import datetime as dt
import random

from django.utils import timezone


def prepare_applicants(count: int, seed: int = 1) -> list[tuple[int, str]]:
    """Return (application id, API token) for `count` applicants with complete drafts on gz-dianshu-2025."""
    from jinxuan.accounts.models import ApiToken, User
    from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.campaigns.schedule import reschedule
    from jinxuan.demo.answers import AnswerFaker
    from jinxuan.demo.population import _demo_password_hash, credit_code
    from jinxuan.demo.text import TextFaker

    campaign, _ = load_preset(read_preset("presets/gz-dianshu-2025.yaml"))
    now = timezone.now()
    reschedule(campaign, now - dt.timedelta(days=30), now + dt.timedelta(hours=2), reason="基准测试")
    spec, rng, out = campaign.spec, random.Random(seed), []
    tracks = list(campaign.tracks.all())
    faker = TextFaker(seed)
    for i in range(count):
        user = User.objects.create(username=f"bench{i}", email=f"bench{i}@example.cn", password=_demo_password_hash(),
                                   email_verified_at=now)
        code = credit_code(rng, "广州")
        org = Organisation.objects.create(name=f"基准测试单位{i}", credit_code=code, verified_at=now)
        Membership.objects.create(user=user, organisation=org, is_admin=True)
        track = tracks[i % len(tracks)]
        filler = AnswerFaker(faker, spec, track.key, [code], faker.topic())
        title = faker.case_title(topic=filler.topic)
        app = Application.objects.create(campaign=campaign, track=track, title=title, answers=filler.application(title))
        ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, answers=filler.unit(org.name, code))
        out.append((app.pk, ApiToken.issue(user, "bench")[1]))
    return out

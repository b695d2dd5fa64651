"""Test data, one place (factory_boy): campaigns from the shipped presets, users with roles, organisations,
applications with realistic answers (jinxuan/demo), experts in a campaign's pool and stored stage runs.

    gz = campaign("gz-dianshu-2025")
    org = OrganisationFactory()
    app = ApplicationFactory(campaign=gz, organisation=org, state=State.ACCEPTED)
    user = UserFactory(roles=[(Role.ORGANISER, gz)])
    run = StageRunFactory(campaign=gz, stage_key="composite", kind="composite", rows=[(app, 1, "90", True)])

Answers are seeded by `n` (a sequence unless given), so the same `n` gives the same application.
"""

from __future__ import annotations

import random
from pathlib import Path

import factory
from django.conf import settings
from django.utils import timezone

from jinxuan.accounts.models import RoleAssignment, User
from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.applicants.states import State
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker
from jinxuan.pipeline.models import StageRun, StageState

PASSWORD = "s3cret-Passw0rd!"


def campaign(slug: str):
    """The campaign of the shipped preset `slug`, loaded (or reloaded) into the test database."""
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset

    path = Path(settings.PRESET_DIR) / f"{slug}.yaml"
    return load_preset(read_preset(path), str(path))[0]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    class Params:
        city = "广州"
        seed = factory.Sequence(lambda n: 70_000 + n)

    name = factory.Sequence(lambda n: f"测试申报单位{n}有限公司")
    credit_code = factory.LazyAttribute(lambda o: credit_code(random.Random(o.seed), o.city))
    verified_at = factory.LazyFunction(timezone.now)  # ownership checked by an organiser


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles` is a list of role names or (role, campaign) pairs; `organisation` makes them its admin."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    email_verified_at = factory.LazyFunction(timezone.now)  # the mailbox proven

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        for item in extracted or ():
            role, scope = item if isinstance(item, tuple) else (item, None)
            RoleAssignment.objects.create(user=user, role=role, campaign=scope)

    @factory.post_generation
    def organisation(user, create, extracted, **kwargs):
        if extracted is not None:
            Membership.objects.create(user=user, organisation=extracted, is_admin=True)


def _answers(o) -> tuple:
    """(application answers, lead unit answers, title, track) filled by the demo population's fakers."""
    tracks = list(o.campaign.tracks.order_by("position")) if o.track is None else [o.track]
    track = tracks[o.n % len(tracks)]
    faker = TextFaker(o.seed if o.seed is not None else o.n)
    org = o.organisation
    filler = AnswerFaker(faker, o.campaign.spec, track.key, [org.credit_code], faker.topic())
    title = o.title or o.title_format.format(n=o.n, title=faker.case_title(topic=filler.topic))[:60]
    return filler.application(title), filler.unit(org.name, org.credit_code), title, track


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application with answers for every field of its campaign's form and its lead unit.

    `track`: a Track (default: the campaign's tracks in turn, by `n`); `seed`: the text faker's seed (default `n`);
    `title_format`: how the faked title is written (`{n}`, `{title}`); `organisation`: the lead unit."""

    class Meta:
        model = Application
        exclude = ("n", "seed", "title_format")

    campaign = factory.LazyFunction(lambda: campaign("gz-dianshu-2025"))
    n = factory.Sequence(lambda n: n)
    seed = None
    title_format = "{title}"
    organisation = factory.SubFactory(OrganisationFactory)
    track = None
    title = None
    state = State.ACCEPTED
    created_by = None
    filled = factory.LazyAttribute(_answers)

    @classmethod
    def _create(cls, model_class, *args, organisation=None, filled=None, **kwargs):
        answers, unit_answers, title, track = filled
        kwargs.update(track=track, title=title, answers={**answers, **(kwargs.get("answers") or {})})
        app = model_class.objects.create(*args, **kwargs)
        ApplicationUnit.objects.create(application=app, organisation=organisation, is_lead=True, position=0,
                                       answers=unit_answers)
        return app


def make_application(campaign, organisation=None, n=None, applicant=None, title=None, state=State.ACCEPTED,
                     **kwargs) -> Application:
    """ApplicationFactory with the campaign, lead unit and number given positionally (the tests' usual call):
    `applicant` is the account that created it; the answers are seeded by 100 + n (as the review tests always had)."""
    if n is not None:
        kwargs.setdefault("seed", 100 + n)
        kwargs["n"] = n
    if organisation is not None:
        kwargs["organisation"] = organisation
    return ApplicationFactory(campaign=campaign, title=title, state=state, created_by=applicant, **kwargs)


def _plant(app, key, canary: str, keep: int):
    """Start the private answer `key` with `canary` (followed by the first `keep` characters of the faked text)."""
    app.answers[key] = canary + str(app.answers[key])[:keep]
    app.save(update_fields=["answers"])


AWARD_CANARY = "私密内容K3VW"
award_numbers = iter(range(1, 10**6))


def award_entrant(campaign, track_key, state=State.IN_STAGE, n=None) -> Application:
    """An application of the results tests: numbered 第n号, of a 上海 organisation, its first private textarea
    starting with AWARD_CANARY."""
    n = n if n is not None else next(award_numbers)
    org = OrganisationFactory(name=f"获奖测试单位{n}股份有限公司", seed=1000 + n, city="上海")
    app = ApplicationFactory(campaign=campaign, organisation=org, n=n, seed=500 + n, state=state,
                             track=campaign.tracks.get(key=track_key), title_format="第{n}号·{title}")
    private = [f.key for f in campaign.spec.form.fields("application") if f.type == "textarea" and not f.public]
    if private:
        _plant(app, private[0], AWARD_CANARY, 50)
    return app


def award_run(campaign, key, kind, rows):
    """A final stage result; rows: (application, rank, score, advanced)."""
    return StageRunFactory(campaign=campaign, stage_key=key, kind=kind, rows=rows, inputs_digest="e" * 64)


PUBLICITY_CANARY = "私密业务方案Z9QX"


def publicity_entrant(campaign, n, state, track=None) -> Application:
    """An application of the publicity tests: 案例nn, of a 广州 organisation, its business plan starting with
    PUBLICITY_CANARY."""
    org = OrganisationFactory(name=f"测试申报单位{n}有限公司", seed=n, city="广州")
    app = ApplicationFactory(campaign=campaign, organisation=org, n=n, seed=200 + n, state=state, track=track,
                             title_format="案例{n:02d}·{title}")
    if "business_plan" in app.answers:
        _plant(app, "business_plan", PUBLICITY_CANARY, 100)
    return app


def inspected_run(campaign, key, kind, rows):
    """rows: (application, rank, score, advanced, detail); a disqualified entry gets the site inspection's reason."""
    return StageRunFactory(campaign=campaign, stage_key=key, kind=kind, inputs_digest="f" * 64, rows=[
        (a, rank, score, advanced, detail,
         f"实地考察不通过，取消资格：{detail['verdict_reason']}" if (detail or {}).get("disqualified") else "")
        for a, rank, score, advanced, detail in rows])


def expert(campaign, *, actor, n: int | None = None, **kwargs):
    """A member of the campaign's expert pool: a verified account seated directly (review.services.seat_expert)."""
    from jinxuan.review.services import seat_expert

    n = next(_experts) if n is None else n
    user = verified_user(f"expert{n}", f"expert{n}@example.cn")
    values = {"name": f"专家{n}", "employer_name": f"某研究院{n}", "load": 20, **kwargs}
    return seat_expert(campaign, user, actor=actor, **values)


_experts = iter(range(10_000, 10**9))


class StageRunFactory(factory.django.DjangoModelFactory):
    """A stored, final stage result; `rows` are (application, rank, score, advanced[, detail]) tuples."""

    class Meta:
        model = StageRun
        exclude = ("rows",)

    campaign = factory.LazyFunction(lambda: campaign("gz-dianshu-2025"))
    stage_key = "composite"
    kind = factory.SelfAttribute("stage_key")
    inputs_digest = "e" * 64
    is_final = True
    rows = ()
    result = factory.LazyAttribute(lambda o: {"entries": [_entry(*row) for row in o.rows]})


def _entry(app, rank, score, advanced, detail=None, reason=""):
    return {"application_id": app.pk, "rank": rank, "score": None if score is None else str(score),
            "advanced": advanced, "reason": reason, "detail": detail or {}}


def verified_user(username: str, email: str | None = None, **fields):
    """An account whose mailbox is proven."""
    return User.objects.create_user(username=username, email=email or f"{username}@example.cn",
                                    email_verified_at=timezone.now(), **fields)


def verified_organisation(name: str, credit_code: str, **fields):
    """An organisation whose ownership an organiser verified."""
    return Organisation.objects.create(name=name, credit_code=credit_code, verified_at=timezone.now(), **fields)


def roadshow_run(campaign, apps, advanced=None, ranks=None):
    """(The inspection tests' world.) A final roadshow StageRun over `apps` (listed in rank order); `advanced` defaults to all."""
    advanced = set(a.pk for a in apps) if advanced is None else set(advanced)
    key = campaign.stages.get(kind="roadshow").key
    entries = [{"application_id": a.pk, "rank": (ranks[i] if ranks else i + 1), "score": f"{90 - i}.5000",
                "advanced": a.pk in advanced, "reason": "", "detail": {}} for i, a in enumerate(apps)]
    # stored out of rank order on purpose: the draw must order by rank itself
    entries = entries[1::2] + entries[0::2]
    run = StageRun.objects.create(campaign=campaign, stage_key=key, kind="roadshow", is_final=True,
                                  inputs_digest="0" * 64, result={"stage_key": key, "kind": "roadshow",
                                                                  "entries": entries, "params": {}})
    # the ranking is stored but its stage not closed yet, so the tests may still commit a seed (in a real campaign
    # the seed is committed before the roadshow closes: see tests/pipeline/test_lifecycle.py)
    StageState.objects.update_or_create(campaign=campaign, stage_key=key, defaults={"status": StageState.OPEN})
    return run


def make_pipeline_apps(campaign, n, start=0, tracks=None):
    """n applications IN_STAGE at the roadshow stage; `tracks` (keys) overrides the round-robin track."""
    rng = random.Random(7 + start)
    key = campaign.stages.get(kind="roadshow").key
    apps = []
    for i in range(start, start + n):
        org = Organisation.objects.create(name=f"考察测试单位{i}有限公司", credit_code=credit_code(rng, "广州"))
        app = make_application(campaign, org, i, state=State.IN_STAGE)
        app.current_stage = key
        if tracks:
            app.track = campaign.tracks.get(key=tracks[i - start])
        app.save()
        apps.append(app)
    return apps


def complete(app: Application, seed: int = 5) -> Application:
    """Fill every field and attach every required file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinxuan.applicants.attachments import store_upload
    from jinxuan.demo.files import sample_file

    spec = app.campaign.spec
    units = list(app.units.select_related("organisation").order_by("position"))
    faker = TextFaker(seed)
    filler = AnswerFaker(faker, spec, app.track.key, [u.organisation.credit_code for u in units], faker.topic())
    title = faker.case_title(topic=filler.topic)
    app.answers = filler.application(title)
    app.title = title
    app.save()
    for unit in units:
        unit.answers = filler.unit(unit.organisation.name, unit.organisation.credit_code)
        unit.save()
    for rule in spec.attachments:
        if rule.required:
            name, data = sample_file(rule)
            store_upload(app, rule.key, SimpleUploadedFile(name, data))
    return app


def submitted_application(campaign, org, n: int, title: str | None = None, attachments: bool = True) -> Application:
    """A submitted application (version 1) with answers for every field and its required attachments."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinxuan.applicants.attachments import store_upload
    from jinxuan.applicants.services import snapshot_version, transition
    from jinxuan.demo.files import sample_file

    tracks = list(campaign.tracks.order_by("position"))
    track = tracks[n % len(tracks)]
    faker = TextFaker(300 + n)
    filler = AnswerFaker(faker, campaign.spec, track.key, [org.credit_code], faker.topic())
    title = title or faker.case_title(max_chars=20, topic=filler.topic)
    app = Application.objects.create(campaign=campaign, track=track, title=title, answers=filler.application(title))
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0,
                                   answers=filler.unit(org.name, org.credit_code))
    if attachments:
        for rule in campaign.spec.attachments:
            if rule.required:
                name, data = sample_file(rule)
                store_upload(app, rule.key, SimpleUploadedFile(name, data), check_state=False)
    transition(app, State.SUBMITTED, notify_members=False)
    snapshot_version(app)
    app.refresh_from_db()
    return app

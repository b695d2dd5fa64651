"""Applications fabricated in given states, stored stage results, and a rubric sheet filler."""

from decimal import Decimal

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.states import State
from tests.factories import ApplicationFactory, OrganisationFactory, StageRunFactory

PRIVATE_CANARY = "私密内容K3VW"
_seq = iter(range(1, 10**6))


def make_app(campaign, track_key, state=State.IN_STAGE, n=None):
    n = n if n is not None else next(_seq)
    org = OrganisationFactory(name=f"获奖测试单位{n}股份有限公司", seed=1000 + n, city="上海")
    app = ApplicationFactory(campaign=campaign, organisation=org, n=n, seed=500 + n, state=state,
                             track=campaign.tracks.get(key=track_key), title_format="第{n}号·{title}")
    private = [f.key for f in campaign.spec.form.fields("application") if f.type == "textarea" and not f.public]
    if private:
        app.answers[private[0]] = PRIVATE_CANARY + str(app.answers[private[0]])[:50]
        app.save(update_fields=["answers"])
    return app


def store_run(campaign, key, kind, rows):
    """rows: (application, rank, score, advanced)"""
    return StageRunFactory(campaign=campaign, stage_key=key, kind=kind, rows=rows, inputs_digest="e" * 64)


def ranked(campaign, key, kind, scored):
    """Store a ranking of (application, score) pairs, best first; all advance."""
    ordered = sorted(scored, key=lambda t: -t[1])
    return store_run(campaign, key, kind, [(a, i, Decimal(str(s)), True) for i, (a, s) in enumerate(ordered, 1)])


def set_awards(campaign, scheme):
    """Change the campaign's award scheme (as an organiser editing the preset would)."""
    from jinxuan.campaigns.models import Campaign

    campaign.preset = {**campaign.preset, "awards": scheme}
    campaign.save(update_fields=["preset"])
    return Campaign.objects.get(pk=campaign.pk)


def sheet(rubric, value):
    from jinxuan.review.rubric import input_name

    data = {}
    for c in rubric.criteria:
        if c.sub_items:
            data.update({input_name(c.key, s.key): str(value) for s in c.sub_items})
        else:
            data[input_name(c.key)] = str(value)
    return data


@pytest.fixture
def xinhua(campaigns):
    return campaigns["xinhua-nqp-2025"]


@pytest.fixture
def top10(campaigns):
    return campaigns["top10-2025"]


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def organiser_of(make_user):
    def make(campaign):
        return make_user(f"org_{campaign.pk}_{next(_seq)}", Role.ORGANISER, campaign=campaign)

    return make

"""Plain helpers for the upload-corpus and API-schema tests (no fixtures: this directory is shared)."""

import datetime as dt
import random

from django.utils import timezone

from jinxuan.accounts.models import ApiToken
from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.campaigns.schedule import reschedule
from jinxuan.demo.population import credit_code


def open_for_submissions(campaign):
    now = timezone.now()
    return reschedule(campaign, now - dt.timedelta(days=1), now + dt.timedelta(days=10))


def applicant_with_organisation(make_user, username: str, seed: int = 11):
    user = make_user(username)
    org = Organisation.objects.create(name=f"广州安全测试{seed}科技有限公司", credit_code=credit_code(random.Random(seed), "广州"))
    Membership.objects.create(user=user, organisation=org, is_admin=True)
    return user, org


def new_draft(campaign, user, org) -> Application:
    app = Application.objects.create(campaign=campaign, track=campaign.tracks.first(), title="（未命名案例）",
                                     created_by=user)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
    return app


def bearer(user) -> dict:
    """Test-client keyword arguments carrying a fresh API token of `user`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'security-tests')[1]}"}

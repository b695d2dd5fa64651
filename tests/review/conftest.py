import random

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Membership, Organisation
from jinxuan.demo.population import credit_code
from tests.factories import make_application


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def orgs(db):
    rng = random.Random(4)
    names = ["广州瀚澜数字科技有限公司", "广州农村商业银行股份有限公司", "广发证券股份有限公司", "粤信融资租赁有限公司",
             "广州数据交易所有限公司", "穗恒保险经纪有限公司"]
    return [Organisation.objects.create(name=name, credit_code=credit_code(rng, "广州")) for name in names]


@pytest.fixture
def accepted(gz, orgs, make_user):
    """Six accepted applications of gz, one per organisation; the last is the canary (its lead is 金丝雀银行)."""
    apps = []
    for n, org in enumerate(orgs):
        user = make_user(f"app{n}")
        Membership.objects.create(user=user, organisation=org, is_admin=True)
        apps.append(make_application(gz, org, n, applicant=user))
    return apps


@pytest.fixture
def organiser(make_user, gz):
    return make_user("org1", Role.ORGANISER, campaign=gz)


@pytest.fixture
def pool(gz, organiser):
    """Four experts in gz's pool with different expertise, each invited by e-mail and accepting as a new person."""
    import re

    from jinxuan.accounts.invitations import accept_new
    from jinxuan.notifications.models import OutboxMessage
    from jinxuan.review.models import PoolMember
    from jinxuan.review.services import add_to_pool

    specs = [
        ("张评审", ["数字信贷", "大数据", "人工智能"], "长期从事小微企业信贷风控与大数据征信"),
        ("李评审", ["保险科技", "区块链"], "研究保险理赔自动化与区块链存证"),
        ("王评审", ["支付结算", "云计算"], "负责跨境支付清算系统建设"),
        ("赵评审", ["数字信贷", "隐私计算"], "隐私计算在普惠金融中的应用研究"),
    ]
    members = []
    for i, (name, tags, bio) in enumerate(specs):
        email = f"expert{i}@example.cn"
        add_to_pool(gz, email=email, name=name, tags=tags, bio=bio, load=6, employer_name=f"某研究院{i}",
                    actor=organiser)
        body = OutboxMessage.objects.filter(event="seat_invited", to=email).latest("pk").body
        token = re.search(r"/accounts/invitations/([^/\s]+)/", body).group(1)
        _, user = accept_new(token, username=f"expert{i}", password="s3cret-Passw0rd!", display_name=name)
        members.append(PoolMember.objects.get(campaign=gz, expert__user=user))
    return members

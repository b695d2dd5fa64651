import random

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Organisation
from jinxuan.demo.population import credit_code
from tests.applicants.conftest import open_gz  # noqa: F401 - shared fixture
from tests.factories import submitted_application


@pytest.fixture
def org(db):
    return Organisation.objects.create(name="广州瀚澜数字科技有限公司", credit_code=credit_code(random.Random(7), "广州"))


@pytest.fixture
def make_submitted(open_gz, org):  # noqa: F811
    def make(n: int, **kwargs):
        return submitted_application(open_gz, org, n, **kwargs)

    return make


@pytest.fixture
def formal_reviewer(make_user, open_gz):  # noqa: F811
    return make_user("formal_reviewer", Role.FORMAL_REVIEWER, campaign=open_gz)


@pytest.fixture
def organiser(make_user, open_gz):  # noqa: F811
    return make_user("reader_organiser", Role.ORGANISER, campaign=open_gz)

"""The API refuses answer keys that are not in the campaign's form (issue 18, finding 6): 422 with a Chinese
message, nothing stored."""

import pytest

from jinxuan.applicants.models import Application
from tests.security.upload_support import applicant_with_organisation, bearer, new_draft, open_for_submissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_and_owner(campaigns, make_user):
    user, org = applicant_with_organisation(make_user, "answer_keys_applicant", seed=37)
    return new_draft(open_for_submissions(campaigns["gz-dianshu-2025"]), user, org), user


def _patch(client, draft, owner, body):
    return client.patch(f"/api/v1/applications/{draft.pk}", body, content_type="application/json", **bearer(owner))


def test_unknown_answer_keys_are_refused_in_chinese_and_not_stored(client, draft_and_owner):
    draft, owner = draft_and_owner
    before = dict(Application.objects.get(pk=draft.pk).answers)
    answer = _patch(client, draft, owner, {"answers": {"case_name": "新名称", "not_in_form": "x" * 5_000}})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "申报表中没有这些字段" in detail and "not_in_form" in detail
    stored = Application.objects.get(pk=draft.pk)
    assert "not_in_form" not in stored.answers and stored.answers == before  # nothing of the request stored
    units = _patch(client, draft, owner, {"units": {"0": {"not_a_unit_field": "y"}}})
    assert units.status_code == 422 and "单位0：not_a_unit_field" in units.json()["detail"]


def test_unknown_keys_inside_a_group_are_refused_and_known_ones_kept(client, draft_and_owner):
    draft, owner = draft_and_owner
    spec = draft.campaign.spec
    group = next((f for f in spec.form.fields("application") if f.type in {"group", "outline"}), None)
    assert group is not None
    inner = (group.sections[0].key if group.type == "outline" else group.fields[0].key)
    refused = _patch(client, draft, owner, {"answers": {group.key: {inner: "", "smuggled": "z"}}})
    assert refused.status_code == 422 and f"{group.key}.smuggled" in refused.json()["detail"]
    ok = _patch(client, draft, owner, {"answers": {"case_name": "数据要素赋能普惠金融"}})
    assert ok.status_code == 200 and ok.json()["title"] == "数据要素赋能普惠金融"

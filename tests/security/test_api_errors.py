"""What the schemathesis run found in the API, pinned: undeclared answers, English errors, non-object bodies."""

import pytest
from django.test import Client

from jinxuan.accounts.models import Role
from jinxuan.applicants.states import State

from .upload_support import applicant_with_organisation, bearer, new_draft, open_for_submissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_and_owner(campaigns, make_user):
    user, org = applicant_with_organisation(make_user, "sec_err_applicant", seed=31)
    return new_draft(open_for_submissions(campaigns["gz-dianshu-2025"]), user, org), user


@pytest.fixture
def organiser_auth(make_user):
    return bearer(make_user("sec_err_organiser", Role.ORGANISER))


def _schema(client):
    return client.get("/api/v1/openapi.json").json()


def test_public_operations_say_credentials_are_optional(client):
    paths = _schema(client)["paths"]
    assert {} in paths["/api/v1/campaigns"]["get"]["security"]
    assert {} in paths["/api/v1/campaigns/{slug}"]["get"]["security"]
    assert {} not in paths["/api/v1/campaigns/{slug}/preset"]["get"]["security"]


def test_preset_problems_and_form_problems_are_distinct_schemas(client):
    schemas = _schema(client)["components"]["schemas"]
    assert set(schemas["PresetProblemOut"]["properties"]) == {"path", "message", "line"}
    assert set(schemas["ProblemOut"]["properties"]) == {"path", "label", "message"}


def test_every_error_answer_is_declared(client):
    paths = _schema(client)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            if operation.get("security") and {} not in operation["security"]:
                assert "401" in declared, (method, path)
            typed = [p for p in operation.get("parameters", []) if p["schema"].get("type") != "string"]
            if typed or operation.get("requestBody"):  # a string path parameter cannot fail to parse
                assert "422" in declared, (method, path)
            if method in {"post", "patch"}:
                assert "403" in declared, (method, path)  # a browser session without its CSRF token


def test_a_body_that_is_no_object_is_refused_in_chinese(client, draft_and_owner):
    draft, owner = draft_and_owner
    for body in ("5", '"x"', "[1]", "null"):
        response = client.patch(f"/api/v1/applications/{draft.pk}", body, content_type="application/json",
                                **bearer(owner))
        assert response.status_code == 422, body
        assert response.json()["detail"] == "请求参数不正确：请求体：应为 JSON 对象"
    ok = client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {"case_name": "数据要素赋能普惠金融"}},
                      content_type="application/json", **bearer(owner))
    assert ok.status_code == 200 and ok.json()["title"] == "数据要素赋能普惠金融"



def test_text_postgresql_cannot_store_is_422_not_500(client, draft_and_owner):
    """A NUL character or a lone surrogate in any string (keys too) is refused before it reaches the database."""
    draft, owner = draft_and_owner
    for body in ('{"answers": {"case_name": "a\\u0000b"}}', '{"answers": {"\\ud9de": "x"}}',
                 '{"units": {"0": {"k": ["\\udc11"]}}}'):
        response = client.patch(f"/api/v1/applications/{draft.pk}", body, content_type="application/json",
                                **bearer(owner))
        assert response.status_code == 422, body
        assert "空字符" in response.json()["detail"]

def test_bad_parameters_and_unparsable_json_are_422_in_chinese(client, draft_and_owner, organiser_auth):
    draft, owner = draft_and_owner
    bad_id = client.get("/api/v1/applications/abc", **bearer(owner))
    assert bad_id.status_code == 422
    assert bad_id.json() == {"detail": "请求参数不正确：路径参数 id：应为整数",
                             "errors": [{"loc": ["path", "id"], "message": "应为整数"}]}
    missing = client.post("/api/v1/presets/validate", {}, content_type="application/json", **organiser_auth)
    assert missing.status_code == 422 and missing.json()["detail"] == "请求参数不正确：请求体 yaml：缺少该项"
    broken = client.post("/api/v1/presets/validate", "{", content_type="application/json", **organiser_auth)
    assert broken.status_code == 422 and broken.json()["detail"].startswith("请求体无法解析")


def test_no_or_stale_credentials_are_401_in_chinese(client):
    assert client.get("/api/v1/applications").json() == {"detail": "需要登录或有效的 API 令牌"}
    client.cookies["sessionid"] = "not-a-session"
    stale = client.post("/api/v1/presets/validate", {"yaml": "a: 1"}, content_type="application/json")
    assert stale.status_code == 401 and stale.json()["detail"] == "需要登录或有效的 API 令牌"  # not a CSRF failure


def test_a_session_without_its_csrf_token_is_refused_in_chinese(make_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("sec_err_session", Role.ORGANISER))
    refused = browser.post("/api/v1/presets/validate", {"yaml": "a: 1"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF 校验失败")
    browser.get("/api/v1/docs")  # any page sets the CSRF cookie
    token = browser.cookies.get("csrftoken")
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        browser.cookies["csrftoken"] = token_value = _get_new_csrf_string()
    else:
        token_value = token.value
    accepted = browser.post("/api/v1/presets/validate", {"yaml": "a: 1"}, content_type="application/json",
                            HTTP_X_CSRFTOKEN=token_value)
    assert accepted.status_code == 200 and accepted.json()["valid"] is False


def test_no_attachment_added_through_the_api_once_accepted(client, draft_and_owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinxuan.demo.files import tiny_pdf

    draft, owner = draft_and_owner
    draft.state = State.ACCEPTED  # formal review passed: the page refuses uploads, and so must the API
    draft.save(update_fields=["state"])
    response = client.post(f"/api/v1/applications/{draft.pk}/attachments",
                           {"key": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", tiny_pdf())},
                           **bearer(owner))
    assert response.status_code == 409 and "不能再更改申报材料" in response.json()["detail"]
    assert not draft.attachments.exists()

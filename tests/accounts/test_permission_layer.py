"""Every URL and API route goes through the one permission layer; anonymous users get nothing private."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jinxuan.accounts.access import PUBLIC
from jinxuan.accounts.models import Role
from jinxuan.api.routes import api


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _page_routes():
    return [(route, cb) for route, cb in _walk(get_resolver().url_patterns) if not route.startswith("api/v1/")]


def _api_operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                yield path, op


def _sample_path(route: str) -> str:
    samples = {"slug": "gz-dianshu-2025", "uidb64": "MQ", "token": "set-password"}
    path = re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", lambda m: samples.get(m.group(1) or m.group(2), "1"), route)
    return "/" + path.lstrip("^/").rstrip("$")


def test_every_page_has_a_permission_rule():
    routes = _page_routes()
    assert len(routes) >= 10
    uncovered = [route for route, cb in routes if not getattr(cb, "access_rule", None)]
    assert uncovered == [], f"views without a permission rule: {uncovered}"


def test_every_api_operation_has_a_permission_rule():
    ops = list(_api_operations())
    assert len(ops) >= 5
    uncovered = [(path, op.methods) for path, op in ops
                 if not getattr(op.view_func, "access_rule", None) and "openapi" not in path and "docs" not in path]
    assert uncovered == []


def test_api_schema_and_docs_are_the_only_ninja_views_without_handlers():
    # ninja adds the schema and docs views itself; they are public by design.
    names = {route for route, cb in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")}
    assert "api/v1/openapi.json" in names and "api/v1/docs" in names


@pytest.mark.django_db
def test_anonymous_is_refused_every_non_public_page(client, campaigns):
    private = [(route, cb) for route, cb in _page_routes() if cb.access_rule != PUBLIC]
    assert private
    for route, _ in private:
        response = client.get(_sample_path(route))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], route


@pytest.mark.django_db
def test_anonymous_is_refused_every_non_public_api_route(client, campaigns):
    for path, op in _api_operations():
        if op.view_func.access_rule == PUBLIC:
            continue
        url = "/api/v1" + _sample_path(path)
        for method in op.methods:
            response = client.generic(method, url, data='{"yaml": "a: 1"}', content_type="application/json")
            assert response.status_code == 401, (method, url, response.status_code)


@pytest.mark.django_db
def test_public_pages_open_to_anonymous(client, campaigns):
    for route, cb in _page_routes():
        if cb.access_rule == PUBLIC and "<" not in route and "logout" not in route:
            assert client.get(_sample_path(route)).status_code == 200, route


@pytest.mark.django_db
def test_roles_are_campaign_scoped(client, campaigns, make_user):
    gz, xh = campaigns["gz-dianshu-2025"], campaigns["xinhua-nqp-2025"]
    client.force_login(make_user("org_gz", Role.ORGANISER, campaign=gz))
    assert client.get("/manage/gz-dianshu-2025/").status_code == 200
    assert client.get("/manage/xinhua-nqp-2025/").status_code == 404  # existence not disclosed
    listing = client.get("/manage/").content.decode()
    assert gz.short_name in listing and xh.short_name not in listing
    assert client.get("/api/v1/campaigns/gz-dianshu-2025/preset").status_code == 200
    assert client.get("/api/v1/campaigns/xinhua-nqp-2025/preset").status_code == 404
    # a campaign-scoped organiser may not create campaigns
    assert client.post("/api/v1/presets/validate", {"yaml": "a: 1"}, content_type="application/json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EXPERT, Role.FORMAL_REVIEWER, Role.ROADSHOW_JUDGE, Role.INSPECTOR, Role.VOTER, Role.READER])
def test_other_roles_cannot_open_the_organiser_dashboard(client, campaigns, make_user, role):
    client.force_login(make_user("someone", role, campaign=campaigns["gz-dianshu-2025"]))
    assert client.get("/manage/").status_code == 403
    assert client.get("/manage/gz-dianshu-2025/").status_code == 404
    assert client.get("/workspace/").status_code == 200


@pytest.mark.django_db
def test_guidance_unit_reads_but_cannot_load_presets(client, campaigns, make_user):
    from jinxuan.accounts.models import ApiToken

    user = make_user("gov", Role.GUIDANCE, campaign=campaigns["gz-dianshu-2025"])
    _, raw = ApiToken.issue(user, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/campaigns/gz-dianshu-2025/counts", **auth).status_code == 200
    assert client.get("/api/v1/campaigns/top10-2025/counts", **auth).status_code == 404
    assert client.post("/api/v1/presets/validate", {"yaml": "a: 1"}, content_type="application/json", **auth).status_code == 403

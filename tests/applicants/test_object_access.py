"""Nothing of another organisation's application is reachable: the answer equals a nonexistent object's."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jinxuan.accounts.models import ApiToken
from jinxuan.api.routes import api
from tests.factories import complete

pytestmark = pytest.mark.django_db


def _object_routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _object_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and "<int:pk>" in str(p.pattern):
            yield prefix + str(p.pattern)


def _fill(route: str, pk: int) -> str:
    values = {"pk": pk, "att": 1, "unit": 1, "number": 1, "ev": 1, "fmt": "pdf", "upload_id": "A" * 32, "slug": "gz-dianshu-2025"}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), route)  # other ids: 1


@pytest.fixture
def victim(draft):
    from jinxuan.applicants.submission import submit

    complete(draft)
    submit(draft)
    return draft


@pytest.fixture
def intruder(make_user):
    import random

    from jinxuan.applicants.models import Membership, Organisation
    from jinxuan.demo.population import credit_code

    user = make_user("intruder")
    org = Organisation.objects.create(name="另一家单位", credit_code=credit_code(random.Random(99), "深圳"))
    Membership.objects.create(user=user, organisation=org, is_admin=True)
    return user


def _strip(content: bytes) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)  # per-request CSRF tokens differ


def test_every_page_with_an_application_id(client, victim, intruder):
    routes = sorted(set(_object_routes(get_resolver().url_patterns)))
    assert len(routes) >= 12
    client.force_login(intruder)
    missing = victim.pk + 10_000
    for route in routes:
        for method in ("get", "post"):
            theirs = getattr(client, method)(_fill(route, victim.pk))
            nothing = getattr(client, method)(_fill(route, missing))
            assert theirs.status_code == nothing.status_code, (method, route, theirs.status_code, nothing.status_code)
            assert theirs.status_code in {404, 405}, (method, route, theirs.status_code)
            assert _strip(theirs.content) == _strip(nothing.content), (method, route)


def test_every_api_operation_with_an_application_id(client, victim, intruder):
    _, raw = ApiToken.issue(intruder, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    checked = 0
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            if "{id}" not in path:
                continue
            for op in view.operations:
                for method in op.methods:
                    def call(pk, method=method, path=path):
                        url = "/api/v1" + path.replace("{id}", str(pk))
                        if path.endswith("/attachments"):  # a valid multipart body, so only the permission decides
                            from django.core.files.uploadedfile import SimpleUploadedFile

                            from jinxuan.demo.files import tiny_pdf

                            return client.post(url, {"key": "business_licence", "file": SimpleUploadedFile("a.pdf", tiny_pdf())}, **auth)
                        return client.generic(method, url, data='{"answers": {}, "idempotency_key": ""}',
                                              content_type="application/json", **auth)
                    theirs, nothing = call(victim.pk), call(victim.pk + 10_000)
                    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content), (method, path)
                    assert theirs.status_code == 404
                    checked += 1
    assert checked >= 5


def test_other_organisations_applications_are_not_listed(client, victim, intruder):
    client.force_login(intruder)
    assert victim.title not in client.get("/apply/").content.decode()
    _, raw = ApiToken.issue(intruder, "t")
    assert client.get("/api/v1/applications", HTTP_AUTHORIZATION=f"Bearer {raw}").json() == []

"""The 500 page stays Chinese when the database or cache that its context needs is down."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from jinxuan.dashboard import errors

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().post("/api/v1/applications/1/submit")
    request.user = user
    return request


def test_500_page_with_its_context(make_user):
    response = errors.server_error(_request(make_user("u500")))
    assert response.status_code == 500
    assert "服务暂时出错" in response.content.decode()


def test_500_page_when_the_context_cannot_be_built(make_user, monkeypatch):
    def down(user):
        raise OperationalError("connection refused")

    monkeypatch.setattr("jinxuan.accounts.context.roles_of", down)
    response = errors.server_error(_request(make_user("u500b")))
    body = response.content.decode()
    assert response.status_code == 500 and "服务暂时出错" in body and "Internal Server Error" not in body


def test_500_last_resort_is_chinese(make_user, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("template loader needs the database")

    monkeypatch.setattr(errors, "render", broken)
    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(_request(make_user("u500c")))
    assert response.status_code == 500 and "服务暂时出错" in response.content.decode()

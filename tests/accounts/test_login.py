"""Login with argon2 passwords, lockout after repeated failures, password reset by e-mail."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(make_user):
    assert make_user("alice").password.startswith("argon2")


def test_login_redirects_to_workspace(client, make_user):
    make_user("alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": "s3cret-Passw0rd!"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def test_wrong_password_shows_chinese_error(client, make_user):
    make_user("alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_lockout_after_repeated_failures(client, make_user, settings):
    make_user("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": "s3cret-Passw0rd!"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, make_user):
    make_user("alice")
    response = client.post("/accounts/password-reset/", {"email": "alice@example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "重设密码" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Neues-Passwort-42", "new_password2": "Neues-Passwort-42"})
    assert done.status_code == 302
    ok = client.post("/accounts/login/", {"username": "alice", "password": "Neues-Passwort-42"})
    assert ok.status_code == 302


def test_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302 and len(mail.outbox) == 0

"""Every page of the route walker, as each demo role, on the demo data: no internal identifier a user can read.

The pages are walked server-side with the Django test client (tests/pages/walk.py); the visible text of each is
checked for snake_case or dotted keys and for English words outside a short list (tests/pages/words.py, which also
says how user-entered case text is treated). A failure names the role, the route, the URL, the token and the line.
"""

import pytest
from django.test import Client

from jinxuan.accounts.models import User
from jinxuan.campaigns.models import Campaign

from .walk import ROLES, role_name, walk
from .words import findings, user_vocabulary, visible_text

pytestmark = pytest.mark.django_db

# Pages each role must reach: a walk that silently stops early would check nothing.
MUST_REACH = {
    None: {"", "campaigns/<slug:slug>/", "library/", "library/<int:pk>/", "inspection/<slug:slug>/draw/"},
    "applicant1": {"workspace/", "apply/<int:pk>/", "apply/<int:pk>/edit/"},
    "organiser": {"manage/<slug:slug>/", "manage/<slug:slug>/audit/", "manage/<slug:slug>/applications/",
                  "manage/formal/<slug:slug>/", "read/<slug:slug>/<int:pk>/", "manage/review/<slug:slug>/",
                  "manage/stages/<slug:slug>/<str:stage_key>/", "manage/<slug:slug>/mail-templates/",
                  "manage/vote/<slug:slug>/", "manage/roadshow/<slug:slug>/", "manage/publicity/<slug:slug>/"},
    "reviewer": {"manage/formal/<slug:slug>/", "read/<slug:slug>/<int:pk>/"},  # the queue opens the reader
    "expert1": {"review/<slug:slug>/", "review/<slug:slug>/<int:pk>/"},
    "judge": {"roadshow/<slug:slug>/judge/"},
    "inspector": {"inspection/<slug:slug>/"},
}


def _fetcher(client):
    def fetch(url):
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        if response.streaming or "text/html" not in content_type:
            return response.status_code, content_type, ""
        return response.status_code, content_type, response.content.decode()
    return fetch


def test_no_internal_identifier_on_any_page(demo):
    vocabulary = user_vocabulary()
    slugs = list(Campaign.objects.values_list("slug", flat=True))
    problems, unreached = [], []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role:
            client.force_login(User.objects.get(username=role))
        pages = walk(role, _fetcher(client), slugs)
        missing = MUST_REACH.get(role, set()) - {p.route for p in pages}
        if missing:
            unreached.append(f"{role_name(role)} did not reach {sorted(missing)}")
        for page in pages:
            for f in findings(visible_text(page.body), vocabulary):
                what = "internal key" if f.kind == "key" else "English word"
                problems.append(f"{role_name(role)} · {page.route} · {page.url}: {what} {f.token!r} in “{f.context}”")
    assert not unreached, "\n".join(unreached)
    assert not problems, f"{len(problems)} internal identifiers on pages:\n" + "\n".join(problems)


def test_the_checker_finds_what_it_must():
    text = visible_text('<html><body><h1>事件 application.attachment_added</h1><p>赛道 tech_empowered_rnd，'
                        'status draft</p><p translate="no">{{ campaign }}</p><textarea>typed text</textarea>'
                        '<p>GD2025-0001 导出 PDF、Excel，联系 a***@example.cn，XPay 平台</p></body></html>')
    found = {(f.kind, f.token) for f in findings(text, vocabulary=frozenset({"XPay"}))}
    assert found == {("key", "application.attachment_added"), ("key", "tech_empowered_rnd"), ("word", "status"),
                     ("word", "draft")}

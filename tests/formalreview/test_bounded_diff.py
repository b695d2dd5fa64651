"""The version diff is bounded in time and size (issue 18, finding 6): a 50,000-character field changed between
two versions is compared within MAX_WORK character pairs (difflib is quadratic) and the page stays small."""

import difflib
import random

import pytest

from jinxuan.applicants.models import ApplicationVersion
from jinxuan.formalreview import diff

from .test_formal_review import reviewer, submitted  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db

CHARS = "数据要素赋能普惠金融小微企业信用风控平台建设应用成效显著"


def _text(seed: int, n: int = 50_000) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(CHARS) for _ in range(n))


@pytest.fixture
def bounded(monkeypatch):
    """difflib as the diff module uses it, refusing any comparison above the bound instead of running it."""
    pairs = []

    class Matcher(difflib.SequenceMatcher):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            pairs.append(len(a) * len(b))
            assert len(a) * len(b) <= diff.MAX_WORK, f"{len(a)} × {len(b)} compared"
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(diff.difflib, "SequenceMatcher", Matcher)
    return pairs


def test_a_long_field_is_compared_within_the_bound(bounded):
    old, new = _text(1), _text(2)
    html = diff.inline(old, new)
    assert "<del>" in html and "<ins>" in html and len(html) < 3 * diff.MAX_SHOWN
    one_change = old[:30_000] + "改写" + old[30_010:]
    html = diff.inline(old, one_change)
    assert "<ins>改写</ins>" in html and "未改动" in html and len(html) < 2_000
    lines = "\n".join(old[i:i + 50] for i in range(0, 50_000, 50))
    edited = lines.replace(lines[100:110], "第一处").replace(lines[40_000:40_010], "第二处")
    html = diff.inline("甲" + lines + "乙", "丙" + edited + "丁")
    assert "<ins>第一处</ins>" in html and "<ins>第二处</ins>" in html
    assert max(bounded) <= diff.MAX_WORK


def test_formal_review_page_shows_a_long_change_within_the_bound(client, submitted, reviewer, bounded):  # noqa: F811
    first = submitted.versions.get()
    content = dict(first.content)
    intro = next(f.key for f in submitted.campaign.spec.form.fields("application") if f.label == "案例简介")
    first.content = {**content, "answers": {**content["answers"], intro: _text(3)}}
    first.save()
    ApplicationVersion.objects.create(application=submitted, number=2, content_hash="0" * 64,
                                      submitted_at=first.submitted_at,
                                      content={**content, "answers": {**content["answers"], intro: _text(4)}})
    client.force_login(reviewer)
    response = client.get(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "与上一版的差异" in html and "<del>" in html and "<ins>" in html
    changes = html.split('id="changes-h"', 1)[1].split("</section>", 1)[0]  # the page also shows the text itself
    assert len(changes.encode()) < 200_000

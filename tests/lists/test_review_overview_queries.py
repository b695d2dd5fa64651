"""The expert review overview answers with as many queries for 100 scored applications as for 10 (its ranking,
progress and charts read every score sheet at once)."""

from __future__ import annotations

import pytest

from tests.exports.test_export_queries import EXPORTS, Export, _count, world

pytestmark = pytest.mark.django_db

SCORES = next(e for e in EXPORTS if e.name == "scores")
PAGES = [Export(name, url, SCORES.add, setup=SCORES.setup) for name, url in [
    ("organiser", lambda w: f"/manage/review/{w.gz.slug}/"),
]]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_review_overview_queries_do_not_grow_with_scored_applications(page):
    w = world()
    page.setup(w)
    page.add(w, 0, 10)
    at_10, _, _ = _count(w, page)
    last = page.add(w, 10, 90)
    at_100, content, sql = _count(w, page)
    assert last in content.decode()
    assert at_100 == at_10, f"{at_10} queries at 10 scored applications, {at_100} at 100"

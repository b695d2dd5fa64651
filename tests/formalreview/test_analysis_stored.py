"""The text analysis of a version is computed once and stored; only the near-duplicates follow the corpus."""

import pytest

from jinxuan.applicants.models import Application, ApplicationUnit
from jinxuan.applicants.submission import submit
from jinxuan.formalreview import insights as analysis
from jinxuan.formalreview.models import VersionAnalysis
from tests.factories import complete

pytestmark = pytest.mark.django_db


class Counting:
    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


@pytest.fixture
def parts(monkeypatch):
    spies = {name: Counting(getattr(analysis, name)) for name in ("_text_part", "_duplicates_part", "_policies_part")}
    for name, spy in spies.items():
        monkeypatch.setattr(analysis, name, spy)
    return spies


@pytest.fixture
def submitted(draft):
    complete(draft)
    submit(draft)
    draft.refresh_from_db()
    return draft


def test_second_look_reads_the_stored_analysis(submitted, parts):
    first = analysis.insights(submitted)
    second = analysis.insights(submitted)
    assert parts["_text_part"].calls == 1 and parts["_duplicates_part"].calls == 1
    assert first["figures"] == second["figures"] and first["characters"] == second["characters"] > 0
    stored = VersionAnalysis.objects.get(version=submitted.versions.get())
    assert stored.text["figures"] == first["figures"] and stored.corpus_state


def test_a_new_submission_recomputes_only_the_duplicates(submitted, parts):
    analysis.insights(submitted)
    copy = Application.objects.create(campaign=submitted.campaign, track=submitted.track, title="复制的申报",
                                      answers=submitted.answers, submitted_at=submitted.submitted_at)
    ApplicationUnit.objects.create(application=copy, organisation=submitted.lead, is_lead=True)
    result = analysis.insights(submitted)
    assert parts["_text_part"].calls == 1
    assert parts["_duplicates_part"].calls == 2
    assert [d["other"] for d in result["duplicates"]] == [copy]


def test_a_changed_preset_recomputes_everything(submitted, parts):
    from jinxuan.campaigns.models import Campaign

    analysis.insights(submitted)
    Campaign.objects.filter(pk=submitted.campaign_id).update(preset_hash="1" * 64)
    submitted.campaign.refresh_from_db()
    analysis.insights(submitted)
    assert parts["_text_part"].calls == 2 and parts["_duplicates_part"].calls == 2
    assert VersionAnalysis.objects.get(version=submitted.versions.get()).preset_hash == "1" * 64


def test_the_corpus_index_follows_submissions_not_decisions(submitted, monkeypatch):
    """A decision leaves the corpus as it is; a first submission is added to the process's index without building it
    again (and is found as a near-duplicate); a repeated submission of an indexed application builds it again."""
    import datetime as dt

    from jinxuan.applicants.services import transition
    from jinxuan.applicants.states import State

    monkeypatch.setattr(analysis._corpus_index, "cached", None, raising=False)
    builds = Counting(analysis.similarity.DuplicateIndex)
    monkeypatch.setattr(analysis.similarity, "DuplicateIndex", builds)
    key = analysis._corpus_key()
    index = analysis._corpus_index()
    assert builds.calls == 1 and submitted.pk in index.texts
    transition(submitted, State.FORMAL_REVIEW)
    assert analysis._corpus_key() == key
    later = submitted.submitted_at + dt.timedelta(minutes=5)
    copy = Application.objects.create(campaign=submitted.campaign, track=submitted.track, title="复制的申报",
                                      answers=submitted.answers, submitted_at=later)
    assert analysis._corpus_index() is index and builds.calls == 1 and copy.pk in index.texts
    assert [d["other"] for d in analysis.insights(submitted)["duplicates"]] == [copy]
    Application.objects.filter(pk=submitted.pk).update(submitted_at=later + dt.timedelta(minutes=5))
    assert analysis._corpus_index() is not index and builds.calls == 2


def test_a_new_process_reads_the_saved_index_instead_of_building_it(submitted, monkeypatch, settings):
    """The index a process built is saved on the host; a process without one reads it, brings it up to date with
    the submissions since, and builds anew only from an unreadable file."""
    import datetime as dt

    monkeypatch.setattr(analysis._corpus_index, "cached", None, raising=False)
    builds = Counting(analysis.similarity.DuplicateIndex.__init__)  # the class itself stays (it is saved)
    monkeypatch.setattr(analysis.similarity.DuplicateIndex, "__init__",
                        lambda self, *a, **k: builds(self, *a, **k))
    first = analysis._corpus_index()
    assert builds.calls == 1 and analysis._index_file().parent == settings.TEXT_INDEX_DIR

    analysis._corpus_index.cached = None  # another process of the host
    later = submitted.submitted_at + dt.timedelta(minutes=5)
    copy = Application.objects.create(campaign=submitted.campaign, track=submitted.track, title="复制的申报",
                                      answers=submitted.answers, submitted_at=later)
    again = analysis._corpus_index()
    assert builds.calls == 1 and again is not first and set(again.texts) == {submitted.pk, copy.pk}
    assert [d["other"] for d in analysis.insights(submitted)["duplicates"]] == [copy]

    analysis._corpus_index.cached = None
    analysis._index_file().write_bytes(b"cut short")
    assert set(analysis._corpus_index().texts) == {submitted.pk, copy.pk} and builds.calls == 2

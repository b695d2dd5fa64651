"""Two hosts, one database: each host's search index (its own directory) follows the library's change log, so a case
published through one host is found through the other without a reindex, a withdrawn case leaves both, and a
rolled-back publication reaches neither."""

import pytest
from django.db import transaction

from jinxuan.applicants.models import Organisation
from jinxuan.campaigns import readiness
from jinxuan.library import changes, follow, search, search_index, services
from jinxuan.library.models import Case, Change, SearchDoc
from tests.factories import make_application

TERM = "跨链清算"


class Rollback(Exception):
    pass


@pytest.fixture
def hosts(tmp_path):
    return tmp_path / "host-a", tmp_path / "host-b"


def found(host, term=TERM) -> set[int]:
    """What a search through `host` finds (the search catches that host's index up first)."""
    with search_index.at(host):
        return {c.pk for c in search.search(term).cases}


def in_index(host, term=TERM) -> set[int]:
    """What `host`'s index holds now, read without catching up."""
    with search_index.at(host):
        return search_index.all_ids(search_index.query(search.grams.parse_query(term).phrases, {}))


def awarded(gz):
    org = Organisation.objects.create(name="深圳前海某某科技有限公司", credit_code="91440300MA5G000001",
                                      unit_type="科技公司", registered_region="广东省深圳市")
    app = make_application(gz, org, 1, title="多行结算服务平台")
    app.answers = {**app.answers, "case_brief": f"以{TERM}技术连接多家银行的结算系统。"}
    app.save()
    return app


def test_a_publication_through_one_host_is_found_through_the_other(gz, library, hosts):
    a, b = hosts
    assert found(a, "") == found(b, "") == {c.pk for c in library}  # both hosts start from the cases
    case = services.publish_application(awarded(gz), tier="入围案例")
    assert found(b) == {case.pk}  # host b never published anything and was not reindexed
    assert found(a) == {case.pk}
    edited = services.update_case(case, paragraphs=["改为讲述数字人民币跨境结算。"])
    assert found(b) == set() and found(b, "数字人民币") == {edited.pk}
    assert found(a) == set() and found(a, "数字人民币") == {edited.pk}

    services.unpublish_case(Case.objects.get(pk=case.pk))  # withdrawn through host a (the settings' host)
    assert found(a, "数字人民币") == found(b, "数字人民币") == set()
    assert not Case.objects.filter(pk=case.pk).exists()
    with search_index.at(b):
        assert search_index.size() == SearchDoc.objects.count() == len(library)


def test_a_rolled_back_publication_reaches_no_index(gz, library, hosts):
    a, b = hosts
    assert found(a, "") and found(b, "")
    app = awarded(gz)
    with pytest.raises(Rollback), transaction.atomic():
        case = services.publish_application(app, tier="入围案例")
        with search_index.at(a):  # a search inside the transaction applies nothing that may yet roll back
            search.search(TERM)
            assert follow.catch_up() is None
        assert found(a) == set()
        raise Rollback
    assert not Case.objects.filter(pk=case.pk).exists()
    for host in hosts:
        assert found(host) == set() and in_index(host) == set()
        with search_index.at(host):
            assert search_index.size() == len(library)
            assert follow.lag().changes == 0
    # the change numbers the rolled-back transaction took are given again, and applied, to the next one
    again = services.publish_application(app, tier="入围案例")
    assert found(b) == found(a) == {again.pk}


def test_the_follow_loop_catches_a_host_up_and_readiness_reports_the_lag(gz, library, hosts):
    a, b = hosts
    found(a, ""), found(b, "")
    services.add_historical_case(campaign=gz, title="新增案例", paragraphs=[f"{TERM}第二例。"])
    with search_index.at(b):
        lag = readiness.reports()["library_index"]
        assert lag["behind"] == 1 and lag["head"] == changes.head()[0] and lag["seconds"] >= 0
        follow.follow(interval=0.01, rounds=1)  # one round of `jinxuan library follow`
        assert readiness.reports()["library_index"]["behind"] == 0
    assert len(in_index(b)) == 1 and in_index(a) == set()  # host a has not searched yet


def test_a_search_applies_a_bounded_number_of_changes(gz, library, hosts, monkeypatch):
    a, _ = hosts
    found(a, "")
    monkeypatch.setattr(follow, "INLINE_CHANGES", 2)
    for i in range(5):
        services.add_historical_case(campaign=gz, title=f"补充{i}", paragraphs=[f"{TERM}之{i}。"])
    assert len(found(a)) == 2  # the search answered after two changes; the loop does the rest
    with search_index.at(a):
        assert follow.lag().changes == 3
        assert follow.catch_up() == 3
    assert len(in_index(a)) == 5


def test_a_host_rebuilds_when_its_position_cannot_be_continued(gz, library, hosts):
    a, _ = hosts
    found(a, "")
    services.add_historical_case(campaign=gz, title="被清理的变更", paragraphs=[f"{TERM}。"])
    Change.objects.all().delete()  # pruned before host a applied it
    assert len(found(a)) == 1
    with search_index.at(a):
        assert follow.position().seq == changes.head()[0]
        (search_index.path() / follow.POSITION).write_text('{"seq": 1, "epoch": "another-database"}')
        assert follow.catch_up() == len(library) + 1  # rebuilt from the cases


def test_follow_once_and_reindex_commands_set_the_position(gz, library, hosts):
    import io
    import json

    from django.core.management import call_command

    a, b = hosts
    services.add_historical_case(campaign=gz, title="命令案例", paragraphs=[f"{TERM}。"])
    with search_index.at(a):
        out = io.StringIO()
        call_command("library", "follow", "--once", stdout=out, stderr=io.StringIO())
        assert json.loads(out.getvalue()) == {"applied": len(library) + 1, "behind": 0,
                                              "position": changes.head()[0]}
    with search_index.at(b):
        out = io.StringIO()
        call_command("library", "reindex", stdout=out, stderr=io.StringIO())
        assert json.loads(out.getvalue()) == {"indexed": len(library) + 1}
        assert follow.position().seq == changes.head()[0] and follow.lag().changes == 0

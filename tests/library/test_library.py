import io
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Organisation
from jinxuan.audit.models import AuditEvent
from jinxuan.library import follow, grams, search, search_index, services
from jinxuan.library.models import Case, Facet
from tests.factories import make_application
from tests.helpers.library import CASES

CANARY = "私密金丝雀X9Q"


def substring_ids(term: str) -> set[int]:
    norm = grams.normalize(term)
    return {c.pk for c in Case.objects.all()
            if norm in grams.normalize("\n".join([c.title, *c.organisations, *c.paragraphs, *c.captions]))}


# --- tokens and queries -------------------------------------------------------------------------------

def test_tokens_are_bigrams_with_terminal_unigram():
    assert grams.doc_tokens("普惠金融，AI风控") == ["普惠", "惠金", "金融", "融", "ai", "风控", "控"]
    q = grams.parse_query("普惠金融 风控")
    assert [(p.tokens, p.prefix) for p in q.phrases] == [(("普惠", "惠金", "金融"), False), (("风控",), False)]
    assert [(p.tokens, p.prefix) for p in grams.parse_query("贷").phrases] == [(("贷",), True)]
    assert not grams.parse_query("，。 ！")


def test_highlight_escapes_and_marks():
    assert grams.highlight("<b>普惠</b>金融", ["普惠"]) == "&lt;b&gt;<mark>普惠</mark>&lt;/b&gt;金融"
    assert grams.highlight("ＡＩ风控", ["ai"]) == "<mark>ＡＩ</mark>风控"
    snip = grams.snippet(["无关的第一段。", "前文" * 80 + "智能风控平台支撑普惠业务" + "后文" * 80], ["风控", "普惠"])
    assert "<mark>风控</mark>" in snip and "<mark>普惠</mark>" in snip and snip.startswith("…")


# --- search ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["普惠", "风控", "征信", "小微", "数据", "贷"])
def test_short_queries_find_every_substring_hit(library, term):
    expected = substring_ids(term)
    assert expected, term
    assert search.matching_ids(term) == expected


def test_longer_query_is_a_phrase(library):
    assert search.matching_ids("普惠金融") == substring_ids("普惠金融") == {library[1].pk, library[3].pk}
    assert search.matching_ids("数字普惠金融") == {library[3].pk}
    assert search.matching_ids("普金") == set()  # both characters occur, never adjacent
    assert search.matching_ids("风控 隐私计算") == {library[2].pk}  # all terms required
    assert search.matching_ids("120倍") == {library[1].pk}


def test_relevance_title_first(library):
    r = search.search("征信")
    assert [c.title for c in r.cases][0] == "征信链赋能小微融资"
    r = search.search("风控")
    assert r.cases[0].title == "数据要素驱动保险风控服务"  # in the title and twice in the body
    assert r.total == 2


def test_facets_count_and_narrow(library):
    r = search.search("普惠")
    tracks = dict(r.facets["track"])
    assert tracks == {"金融服务赛道": 1, "科技创新赛道": 1}
    assert dict(r.facets["award"]) == {"一等奖": 1, "二等奖": 1}
    narrowed = search.search("普惠", {"track": "科技创新赛道"})
    assert [c.title for c in narrowed.cases] == ["征信链赋能小微融资"]
    assert dict(narrowed.facets["track"]) == {"科技创新赛道": 1}
    everything = search.search("", {"award": "二等奖"})
    assert everything.total == 2
    assert dict(search.search("").facets["year"]) == {"2025": 4}
    assert "银行" in dict(search.search("").facets["institution"])
    assert "青海" in dict(search.search("").facets["region"])
    assert "普惠金融" in dict(search.search("").facets["domain"])


def test_index_follows_edits(library):
    case = library[0]
    assert search.matching_ids("画像增信") == {case.pk}
    services.update_case(case, paragraphs=["改写后的正文提到养老金融服务。"])
    assert search.matching_ids("画像增信") == set()
    assert search.matching_ids("青海") == {case.pk}  # still in the organisation
    assert search.matching_ids("养老") == {case.pk}
    assert search.search("").total == len(CASES)  # replaced index rows are not counted
    assert Facet.objects.filter(case=case, kind="domain", value="养老金融").exists()
    assert search.rebuild() == len(CASES)
    assert search.matching_ids("养老") == {case.pk}
    assert search.matching_ids("普惠") == substring_ids("普惠")


def test_import_is_idempotent_and_audited(gz, library):
    before = AuditEvent.objects.filter(action="library.import").count()
    again = services.add_historical_case(campaign=gz, **CASES[0])
    assert again.pk == library[0].pk
    assert Case.objects.count() == len(CASES)
    assert AuditEvent.objects.filter(action="library.import").count() == before == len(CASES)
    changed = services.add_historical_case(campaign=gz, **{**CASES[0], "paragraphs": ["新的正文，讲述跨境支付。"]})
    assert changed.pk == library[0].pk and AuditEvent.objects.filter(action="library.update").count() == 1
    assert search.matching_ids("跨境") == {changed.pk}


def test_import_derives_figures_tags_and_regions(library):
    qinghai = library[0]
    spans = [f["span"] for f in qinghai.figures]
    assert any("463" in s for s in spans) and any("90%" in s for s in spans)
    assert not any(s.startswith("图") for s in spans)
    assert qinghai.regions == ["青海"] and qinghai.institution_types == ["政府及事业单位"]
    assert "区块链" in library[3].technologies
    assert "隐私计算" in library[2].technologies


def test_campaign_cases_order(gz):
    rows = [("B赛道", "二等奖"), ("A赛道", "一等奖"), ("B赛道", "一等奖"), ("A赛道", "二等奖"), ("B赛道", "特别奖")]
    for i, (track, tier) in enumerate(rows):
        services.add_historical_case(campaign=gz, title=f"案例{i}", track=track, tier=tier,
                                     paragraphs=[f"正文{i}"])
    # imported tracks and tiers (not in the scheme) keep their first appearance order
    assert [(c.track, c.tier) for c in services.campaign_cases(gz)] == [
        ("B赛道", "二等奖"), ("B赛道", "一等奖"), ("B赛道", "特别奖"), ("A赛道", "二等奖"), ("A赛道", "一等奖")]


# --- publishing an application ---------------------------------------------------------------------------

@pytest.fixture
def published(gz):
    org = Organisation.objects.create(name="广州农村商业银行股份有限公司", credit_code="91440101MA59AAAA1X",
                                      unit_type="银行", registered_region="广东省广州市")
    app = make_application(gz, org, 1, title="普惠风控一体化平台")
    answers = dict(app.answers)
    answers["case_brief"] = "以数字普惠金融服务小微企业，风控模型覆盖贷前贷中贷后。"
    answers["business_plan"] = f"业务方案含内部信息{CANARY}。"  # private field
    app.answers = answers
    app.save()
    unit = app.units.get()
    unit.answers = {**unit.answers, "unit_profile": f"单位简介{CANARY}"}
    unit.save()
    return services.publish_application(app, tier="入围案例")


def test_publish_keeps_public_fields_only(gz, published):
    app = published.application
    assert published.source == Case.PUBLISHED and published.tier == "入围案例"
    assert published.paragraphs[0].startswith("以数字普惠金融")
    public_keys = {f.key for f in gz.spec.form.fields("application") if f.public}
    assert public_keys == {"case_brief", "innovation_points"}
    assert app.answers["innovation_points"].strip() in published.paragraphs
    blob = json.dumps(services.public_dict(published), ensure_ascii=False)
    assert CANARY not in blob
    assert search.matching_ids(CANARY) == set()
    assert published.regions == ["广东"] and published.institution_types == ["银行"]
    assert AuditEvent.objects.filter(action="library.publish", object_id=str(published.pk)).count() == 1
    again = services.publish_application(app, tier="入围案例")
    assert again.pk == published.pk and Case.objects.filter(application=app).count() == 1
    assert AuditEvent.objects.filter(action__startswith="library.", object_id=str(published.pk)).count() == 1


def test_canary_in_no_page_feed_or_excel(client, published, library):
    pages = [
        client.get("/library/"), client.get("/library/", {"q": "普惠"}),
        client.get(f"/library/{published.pk}/"), client.get("/library/featured/"),
        client.get("/library/feed.json", {"q": "普惠"}), client.get("/library/feed.json"),
    ]
    for response in pages:
        assert response.status_code == 200
        assert CANARY not in response.content.decode()
    assert f"/library/{published.pk}/" in pages[1].content.decode()
    assert "<mark>普惠</mark>风控一体化平台" in pages[1].content.decode()
    assert 'id="lib-total">0<' in client.get("/library/", {"q": CANARY}).content.decode()  # the query echoes
    assert client.get("/library/feed.json", {"q": CANARY}).json()["total"] == 0
    xlsx = client.get("/library/export.xlsx", {"q": "普惠"}).content
    wb = load_workbook(io.BytesIO(xlsx))
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert published.title in cells
    assert not any(CANARY in v for v in cells)


# --- views -------------------------------------------------------------------------------------------------

def test_search_page_highlights_and_links_facets(client, library):
    html = client.get("/library/", {"q": "普惠"}).content.decode()
    assert "<mark>普惠</mark>" in html
    assert 'id="lib-total">2<' in html
    assert "?q=%E6%99%AE%E6%83%A0&amp;track=%E7%A7%91%E6%8A%80%E5%88%9B%E6%96%B0%E8%B5%9B%E9%81%93" in html
    narrowed = client.get("/library/", {"q": "普惠", "track": "科技创新赛道"}).content.decode()
    assert 'id="lib-total">1<' in narrowed and "征信链赋能小微融资" in narrowed
    assert "中信易贷数智服务" not in narrowed


def test_case_page_figures_and_similar(client, library):
    html = client.get(f"/library/{library[1].pk}/").content.decode()
    assert "量化成果" in html and "120倍" in html
    assert "相似案例" in html and library[0].title in html  # same track
    assert client.get("/library/999999/").status_code == 404


def test_feed_json_shape(client, library):
    data = client.get("/library/feed.json", {"q": "风控", "award": "二等奖"}).json()
    assert data["total"] == 2 and data["filters"] == {"award": "二等奖"} and data["pages"] == 1
    item = data["results"][0]
    assert set(item) >= {"id", "title", "campaign", "year", "track", "tier", "special", "organisations",
                         "paragraphs", "figures", "tags", "policies", "url", "snippet"}
    assert "<mark>风控</mark>" in item["snippet"]
    assert {"value": "二等奖", "count": 2} in data["facets"]["award"]


def test_excel_export_reads_back(client, library):
    response = client.get("/library/export.xlsx", {"q": "普惠"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content))["案例"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("案例名称", "征集活动", "年度", "赛道", "奖项等级")
    assert {r[0] for r in rows[1:]} == {"中信易贷数智服务", "征信链赋能小微融资"}
    assert all(r[2] == 2025 for r in rows[1:])


def test_featured_list_curated_by_organiser(client, make_user, gz, library):
    url = f"/library/{library[2].pk}/feature/"
    assert client.post(url, {"featured": "1"}).status_code == 302  # anonymous → login
    client.force_login(make_user("visitor"))
    assert client.post(url, {"featured": "1"}).status_code == 404
    assert not Case.objects.get(pk=library[2].pk).featured
    client.force_login(make_user("curator", Role.ORGANISER, campaign=gz))
    assert "加入精选" in client.get(f"/library/{library[2].pk}/").content.decode()
    client.post(url, {"featured": "1"})
    client.post(f"/library/{library[0].pk}/feature/", {"featured": "1"})
    assert [c.pk for c in services.featured_cases()] == [library[2].pk, library[0].pk]
    html = client.get("/library/featured/").content.decode()
    assert html.index(library[2].title) < html.index(library[0].title)
    client.post(url, {"featured": "0"})
    assert [c.pk for c in services.featured_cases()] == [library[0].pk]
    assert AuditEvent.objects.filter(action="library.feature").count() == 2


def test_bulk_import_indexes_and_skips_known_titles(gz, library):
    rows = [dict(title=f"批量案例{i}", track="批量赛道", tier="优秀案例", paragraphs=[f"第{i}个跨境支付案例。"],
                 organisations=["深圳某某科技有限公司"]) for i in range(5)]
    rows.append(dict(CASES[0]))  # already imported: goes through add_historical_case, stays one case
    assert services.import_cases(gz, rows, batch=2) == 6
    assert Case.objects.filter(campaign=gz).count() == len(CASES) + 5
    assert search.matching_ids("跨境支付") == {c.pk for c in Case.objects.filter(title__startswith="批量案例")}
    assert dict(search.search("", {"track": "批量赛道"}).facets["region"]) == {"广东": 5}
    assert AuditEvent.objects.filter(action="library.import_batch").count() == 3
    orders = {c.track_order for c in Case.objects.filter(track="批量赛道")}
    assert len(orders) == 1 and orders.pop() >= services.UNKNOWN_ORDER


def test_broad_queries_rank_title_hits_first_and_page_through_all(gz, library):
    extra = [services.add_historical_case(campaign=gz, title=f"补充案例{i}", paragraphs=[f"第{i}篇，讲风控。"])
             for i in range(3)]
    r = search.search("风控", per_page=2)
    assert r.total == 5
    assert r.cases[0].title == "数据要素驱动保险风控服务"  # the only title hit
    seen = [c.pk for p in (1, 2, 3) for c in search.search("风控", page=p, per_page=2).cases]
    assert sorted(seen) == sorted(search.matching_ids("风控")) and len(seen) == 5
    assert {e.pk for e in extra} <= set(seen)
    narrowed = search.search("风控", {"award": "二等奖"})
    assert {c.title for c in narrowed.cases} == {"数据要素驱动保险风控服务", "中信易贷数智服务"}
    assert search.search("", per_page=1).cases == [extra[-1]]  # no terms: most recently indexed first


def test_facet_counts_are_exact_over_every_match(library):
    r = search.search("")
    assert sum(n for _, n in r.facets["year"]) == len(library)
    awards = Counter(a for c in library for a in (c.tier, c.special) if a)
    assert dict(r.facets["award"]) == dict(awards)
    narrowed = search.search("", {"award": r.facets["award"][0][0]})
    assert narrowed.total == r.facets["award"][0][1] == len(narrowed.cases)


def test_an_empty_index_beside_indexed_cases_is_rebuilt(library, settings, tmp_path):
    """A new host or a restored backup: the index directory is empty, the database knows the cases."""
    before = search.matching_ids("普惠")
    settings.LIBRARY_INDEX_DIR = tmp_path / "elsewhere"
    assert search_index.size() == 0
    assert search.matching_ids("普惠") == before and before
    assert search.search("").total == len(library) == search_index.size()


def test_reindex_command_rewrites_the_index(library, settings, tmp_path):
    settings.LIBRARY_INDEX_DIR = tmp_path / "fresh"
    out = io.StringIO()
    call_command("library", "reindex", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue()) == {"indexed": len(library)}
    assert search_index.size() == len(library)


def test_unpublished_cases_leave_the_index(library):
    case = library[0]
    term = case.title[:4]
    assert case.pk in search.matching_ids(term)
    search.unindex_case(case)
    assert case.pk not in search.matching_ids(term)
    assert search.search("").total == len(library) - 1


def test_a_writer_waits_for_another_process_holding_the_lock(library, settings):
    """Writers in other processes (gunicorn workers, the task worker) take turns on the index's lock file."""
    code = ("import sys, time, tantivy; sys.path.insert(0, '.');"
            "from jinxuan.library import search_index;"
            f"idx = tantivy.Index(search_index.schema(), path={str(settings.LIBRARY_INDEX_DIR)!r}, reuse=True);"
            "w = idx.writer(heap_size=search_index.WRITER_HEAP, num_threads=1); print('held', flush=True);"
            "time.sleep(1.5); w.commit(); del w; print('released', flush=True)")
    assert search.search("").total == len(library)  # the index exists and is current
    services.update_case(library[1], paragraphs=["换了正文：乡村振兴专项贷款。"])
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        assert follow.catch_up() == 1  # the worker's step applies the edit once the other writer is done
        waited = time.monotonic() - started
    finally:
        holder.wait(10)
    assert waited > 0.5  # it waited for the lock rather than failing
    assert search.matching_ids("乡村振兴") == {library[1].pk}


def test_readiness_reports_an_unusable_index(db, settings, tmp_path):
    from jinxuan.campaigns import readiness

    assert not any("检索索引" in p for p in readiness.check())
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.LIBRARY_INDEX_DIR = blocker
    assert any(p.startswith("案例库检索索引不可用") for p in readiness.check())


def test_cached_facet_counts_follow_every_commit(gz, library):
    before = dict(search.search("跨境").facets["track"])
    services.add_historical_case(campaign=gz, title="跨境结算新案例", track="新增赛道", paragraphs=["跨境结算。"])
    after = dict(search.search("跨境").facets["track"])
    assert after == {**before, "新增赛道": 1}

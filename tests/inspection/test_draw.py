"""Commit → reveal → draw: refusal of a wrong seed, the stored draw reproduced by an independent script,
stratification, the public page and JSON, the CLI check and tampering."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from jinxuan.audit.models import AuditEvent
from jinxuan.inspection import services
from jinxuan.inspection.models import Draw, Inspection
from tests.factories import make_pipeline_apps, roadshow_run

from . import reference


def test_commit_publishes_only_the_hash_of_a_generated_seed(gz, passers, organiser):
    draw, seed = services.commit(gz, actor=organiser)
    assert seed and len(seed) == 32
    assert draw.commitment == hashlib.sha256(f"jinxuan-draw-v1:{seed}".encode()).hexdigest()
    assert Draw.objects.get(pk=draw.pk).seed == ""
    event = AuditEvent.objects.get(action="inspection.committed")
    assert event.after["commitment"] == draw.commitment and event.after["generated"] is True
    assert seed not in json.dumps([e.after for e in AuditEvent.objects.all()], ensure_ascii=False)
    with pytest.raises(services.InspectionError, match="已公布随机种子承诺值"):
        services.commit(gz, actor=organiser)


def test_organiser_seed_must_be_long_enough(gz, passers, organiser):
    with pytest.raises(services.InspectionError, match="至少 16 个字符"):
        services.commit(gz, actor=organiser, seed="1234")
    draw, shown = services.commit(gz, actor=organiser, seed="我们的种子-2025-实地考察-第一批")
    assert shown is None and not draw.generated


@pytest.mark.parametrize("wrong", ["", "0" * 32, "UPPER"])
def test_wrong_seed_is_refused_and_nothing_is_drawn(gz, passers, organiser, wrong):
    _, seed = services.commit(gz, actor=organiser)
    attempt = seed.upper() if wrong == "UPPER" else wrong
    assert attempt != seed
    with pytest.raises(services.InspectionError, match="与已公布的承诺值不符"):
        services.reveal_and_draw(gz, attempt, actor=organiser)
    draw = services.live_draw(gz)
    assert not draw.is_drawn and draw.seed == "" and draw.selected == []
    assert not Inspection.objects.exists()
    assert AuditEvent.objects.filter(action="inspection.reveal_refused").count() == 1
    assert not AuditEvent.objects.filter(action="inspection.drawn").exists()


def test_draw_needs_a_commitment_and_a_final_roadshow(gz, organiser, passers):
    with pytest.raises(services.InspectionError, match="请先公布"):
        services.reveal_and_draw(gz, "a" * 32, actor=organiser)


def test_draw_refused_before_the_roadshow_result(gz, organiser):
    make_pipeline_apps(gz, 3)
    _, seed = services.commit(gz, actor=organiser)
    with pytest.raises(services.InspectionError, match="路演答辩尚未结束"):
        services.reveal_and_draw(gz, seed, actor=organiser)
    assert not services.live_draw(gz).is_drawn


def test_draw_is_stored_and_reproduced_exactly_by_an_independent_script(drawn, passers, gz):
    draw, seed = drawn
    draw.refresh_from_db()
    # the frozen list: only the roadshow's advanced entries, in rank order (the run stored them shuffled)
    assert [row["application_id"] for row in draw.ranking] == [a.pk for a in passers]
    assert [row["title"] for row in draw.ranking] == [a.title for a in passers]
    pairs = [(row["application_id"], row["track"]) for row in draw.ranking]
    expected = reference.run(seed, pairs, fraction="0.3")
    assert expected["size"] == 3  # ceil(0.3 × 10)
    assert draw.seed == seed and draw.commitment == expected["commitment"]
    assert draw.ranking_digest == expected["ranking_digest"]
    assert draw.size == 3 and draw.selected == expected["selected"] and draw.keys == expected["keys"]
    assert draw.allocation is None and not draw.stratified
    assert sorted(Inspection.objects.filter(draw=draw).values_list("application_id", flat=True)) == sorted(
        expected["selected"])
    event = AuditEvent.objects.get(action="inspection.drawn")
    assert event.after["seed"] == seed and event.after["selected"] == expected["selected"]
    with pytest.raises(services.InspectionError, match="已完成抽取"):
        services.reveal_and_draw(gz, seed)


def test_stratified_draw_by_track(gz, organiser):
    stage = gz.stages.get(kind="site_inspection")
    stage.params = {"sample_count": 4, "stratify_by_track": True, "checks": ["企业风险排查"]}
    stage.save()
    tracks = ["fi_tech_application"] * 5 + ["tech_empowered_rnd"] * 3 + ["data_elements"] * 2 + ["comprehensive"]
    apps = make_pipeline_apps(gz, len(tracks), tracks=tracks)
    roadshow_run(gz, apps)
    _, seed = services.commit(gz, actor=organiser)
    draw = services.reveal_and_draw(gz, seed, actor=organiser)
    pairs = [(a.pk, t) for a, t in zip(apps, tracks, strict=True)]
    expected = reference.run(seed, pairs, count=4, stratify=True)
    # quotas 4×5/11=1.82, 4×3/11=1.09, 4×2/11=0.73, 4×1/11=0.36 → 1, 1, 0, 0 then the largest remainders
    assert expected["allocation"] == {"comprehensive": 0, "data_elements": 1, "fi_tech_application": 2,
                                      "tech_empowered_rnd": 1}
    assert draw.stratified and draw.allocation == expected["allocation"]
    assert draw.selected == expected["selected"] and draw.keys == expected["keys"]
    by_track = {}
    for app_id in draw.selected:
        by_track[dict(pairs)[app_id]] = by_track.get(dict(pairs)[app_id], 0) + 1
    assert by_track == {t: n for t, n in expected["allocation"].items() if n}


def test_public_page_before_and_after_the_draw(client, gz, passers, organiser):
    draw, seed = services.commit(gz, actor=organiser)
    page = client.get("/inspection/gz-dianshu-2025/draw/").content.decode()
    assert draw.commitment in page and "尚未抽取" in page and seed not in page
    services.reveal_and_draw(gz, seed, actor=organiser)
    draw.refresh_from_db()
    page = client.get("/inspection/gz-dianshu-2025/draw/").content.decode()
    assert seed in page and draw.ranking_digest in page and "复算一致" in page
    for app in passers:
        assert app.title in page
    for _app_id, key in draw.keys:
        assert key in page
    import re

    table = re.sub(r"<pre.*?</pre>", "", page, flags=re.S)  # everything outside the canonical (hashed) list
    for track in gz.tracks.all():
        assert track.key not in table  # tracks by name, e.g. never tech_empowered_rnd
    assert any(track.name in table for track in gz.tracks.all())
    for app in passers:
        assert f"<td>{app.number}</td>" in table and f"<td>{app.pk}（" not in table
    assert client.get("/inspection/top10-2025/draw/").status_code == 404  # no site inspection stage there


def _download(client, tmp_path):
    response = client.get("/inspection/gz-dianshu-2025/draw.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    path = tmp_path / "draw.json"
    path.write_bytes(response.content)
    return path


def test_json_download_verifies_with_the_cli(client, drawn, tmp_path, capsys):
    draw, seed = drawn
    path = _download(client, tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["seed"] == seed and doc["selected"] == draw.selected and len(doc["ranking"]) == 10
    call_command("inspection", "verify", str(path))
    assert "复核一致" in capsys.readouterr().out


def _swap_first_two(doc):
    doc["ranking"][0]["position"], doc["ranking"][1]["position"] = 2, 1


TAMPERINGS = {
    "seed": lambda doc: doc.update(seed=doc["seed"][:-1] + ("0" if doc["seed"][-1] != "0" else "1")),
    "selected": lambda doc: doc.update(selected=[row["application_id"] for row in doc["ranking"]][-3:]
                                       if doc["selected"] != [r["application_id"] for r in doc["ranking"]][-3:]
                                       else [r["application_id"] for r in doc["ranking"]][:3]),
    "ranking order": _swap_first_two,
    "ranking dropped": lambda doc: doc["ranking"].pop(),
    "size": lambda doc: doc.update(size=doc["size"] + 1),
    "key": lambda doc: doc["keys"][0].__setitem__(1, "f" * 64),
}


@pytest.mark.parametrize("how", TAMPERINGS)
def test_tampered_json_fails_the_cli(client, drawn, tmp_path, how, capsys):
    path = _download(client, tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    TAMPERINGS[how](doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="复核失败"):
        call_command("inspection", "verify", str(path))
    assert capsys.readouterr().err.strip()


def test_cli_rejects_unreadable_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("inspection", "verify", str(bad))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("inspection", "verify", str(tmp_path / "missing.json"))


def test_voided_commitment_stays_public(client, gz, passers, organiser):
    first, _ = services.commit(gz, actor=organiser)
    with pytest.raises(services.InspectionError, match="须说明原因"):
        services.void_commitment(gz, " ", actor=organiser)
    services.void_commitment(gz, "种子遗失", actor=organiser)
    second, seed = services.commit(gz, actor=organiser)
    services.reveal_and_draw(gz, seed, actor=organiser)
    doc = client.get("/inspection/gz-dianshu-2025/draw.json").json()
    assert doc["commitment"] == second.commitment
    assert doc["voided_commitments"][0]["commitment"] == first.commitment
    assert doc["voided_commitments"][0]["reason"] == "种子遗失"
    with pytest.raises(services.InspectionError, match="不能作废"):
        services.void_commitment(gz, "想重抽", actor=organiser)


def test_json_before_the_draw_shows_the_commitment_and_cannot_verify(client, gz, passers, organiser, tmp_path):
    draw, seed = services.commit(gz, actor=organiser)
    path = _download(client, tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["commitment"] == draw.commitment and doc["seed"] is None and doc["selected"] == []
    assert seed not in path.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="复核失败"):
        call_command("inspection", "verify", str(path))


def test_manage_page_of_a_campaign_without_site_inspection(client, campaigns, make_user):
    from jinxuan.accounts.models import Role

    top10 = campaigns["top10-2025"]
    client.force_login(make_user("org_top", Role.ORGANISER, campaign=top10))
    page = client.get("/manage/inspection/top10-2025/")
    assert page.status_code == 200 and "本活动没有实地考察阶段" in page.content.decode()
    client.post("/manage/inspection/top10-2025/commit/", {"seed": ""})
    assert not Draw.objects.exists()

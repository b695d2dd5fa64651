"""Presets: the three shipped ones load faithfully; broken ones are refused with the key named."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from jinxuan.campaigns.loader import load_preset
from jinxuan.campaigns.preset_io import PresetError, parse_preset_text, read_preset
from tests.helpers.presets import PRESETS

GZ = Path("presets/gz-dianshu-2025.yaml")


def test_three_presets_ship():
    assert {p.stem for p in PRESETS} == {"gz-dianshu-2025", "xinhua-nqp-2025", "top10-2025"}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_each_preset_loads_into_the_database(db, path):
    preset = read_preset(path)
    campaign, created = load_preset(preset, str(path))
    assert created
    assert campaign.slug == preset.slug
    assert [t.key for t in campaign.tracks.all()] == [t.key for t in preset.tracks]
    assert [s.kind for s in campaign.stages.all()] == [s.kind for s in preset.stages]
    assert campaign.spec == preset  # the stored JSON round-trips to the same preset
    again, created_again = load_preset(preset, str(path))
    assert again.pk == campaign.pk and not created_again


def _field(preset, key):
    return next(f for f in preset.form.fields() if f.key == key)


def _fields_by_label(preset, label):
    return [f for f in preset.form.fields() if f.label == label]


def test_gz_dianshu_is_faithful_to_000():
    p = read_preset(GZ)
    assert len(p.tracks) == 4
    assert p.applicant_rules.max_units == 3 and p.applicant_rules.min_years_in_operation == 2
    multi = [f for f in p.form.fields("application") if f.type == "multi_choice"]
    domains = next(f for f in multi if f.label == "应用领域")
    techs = next(f for f in multi if f.label == "主要技术")
    assert len(domains.choices) == 19 and domains.other
    assert len(techs.choices) == 10 and techs.other
    assert "大模型" in techs.choice_labels() and "其他" in techs.choice_labels()
    name = next(f for f in p.form.fields() if f.label == "案例名称")
    assert name.max_chars == 20 and name.required
    limits = {f.label: f.max_chars for f in p.form.fields("application") if f.type == "textarea"}
    assert limits["案例简介"] == 200 and limits["案例创新点"] == 500 and limits["合规与风险管控方案"] == 300
    public = {f.label for f in p.form.fields() if f.public}
    assert {"案例简介", "案例创新点", "数字金融成果简介"} <= public
    assert "业务方案" not in public
    outline = next(f for f in p.form.fields() if f.type == "outline")
    assert [s.min_chars for s in outline.sections] == [300, 100, 3000, 300, 200, 500, 300]
    table = next(f for f in p.form.fields("unit") if f.type == "indicator_table")
    assert table.columns == ["2023", "2024", "2025"] and len(table.rows) == 8
    assert any(r.ratio_of for r in table.rows)
    kinds = [s.kind for s in p.stages]
    assert kinds == ["formal_review", "expert_review", "public_vote", "composite", "roadshow",
                     "site_inspection", "publicity", "award", "publish"]
    composite = p.stages[3].params
    assert {c.source: c.weight for c in composite.components} == {"expert_review": Decimal("0.95"), "public_vote": Decimal("0.05")}
    assert composite.cut.fraction == Decimal("0.3") and composite.cut.rounding in {"floor", "round", "ceil"}
    assert composite.direct_entry_flag
    assert p.stages[6].params.working_days == 7 and p.stages[6].params.backfill
    assert not p.stages[4].params.earlier_scores_count
    assert {a.name for a in p.attachments if a.required} >= {"营业执照", "申报承诺函", "方案书"}


def test_xinhua_is_faithful_to_001():
    p = read_preset("presets/xinhua-nqp-2025.yaml")
    assert len(p.tracks) == 8 and all(len(t.sub_directions) == 2 for t in p.tracks)
    assert str(p.applicant_rules.implemented_from) == "2023-01-01"
    outline = next(f for f in p.form.fields() if f.type == "outline")
    assert (outline.min_chars, outline.max_chars) == (3000, 5000)
    logo = next(a for a in p.attachments if a.image)
    assert logo.formats == ["jpg"] and (logo.max_size_kb, logo.size_below) == (200, True)
    assert logo.size_text == "小于 200 KB"  # the document: 图样文件大小小于200kb
    assert logo.allows_size(round(199.2 * 1024)) and not logo.allows_size(200 * 1024)
    assert (logo.image.min_px, logo.image.max_px) == (400, 1500)
    criteria = {c.name: [s.name for s in c.sub_items] for c in p.rubric.criteria}
    assert list(criteria) == ["创新性", "实效性", "示范性", "合规性"]
    assert criteria["示范性"] == ["可复制性", "行业影响", "成本优势", "兼容优势"]
    assert p.rubric.organiser_default


def test_top10_is_faithful_to_002():
    p = read_preset("presets/top10-2025.yaml")
    assert len(p.tracks) == 5
    assert sorted(t.winners for t in p.tracks if t.winners) == [10, 10]
    shanghai = next(t for t in p.tracks if t.kind == "feature_list")
    assert shanghai.rules.geographic.region == "上海市" and len(shanghai.rules.geographic.otherwise_all_of) == 3
    tech = next(t for t in p.tracks if t.rules and t.rules.technology_scope)
    assert len(tech.rules.technology_scope) == 5 and "区块链" in tech.rules.technology_scope


# --- broken presets -------------------------------------------------------------------------

def _broken(mutate) -> list[str]:
    data = yaml.safe_load(GZ.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(PresetError) as info:
        parse_preset_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "broken.yaml")
    return [str(p) for p in info.value.problems]


def test_wrong_type_names_the_key():
    problems = _broken(lambda d: d.__setitem__("year", "二〇二五"))
    assert any("year" in p and "整数" in p for p in problems)


def test_missing_required_key_is_named():
    problems = _broken(lambda d: d["organiser"].pop("name"))
    assert any("organiser.name" in p and "缺少必填项" in p for p in problems)


def test_unknown_stage_kind_is_named():
    problems = _broken(lambda d: d["stages"].append({"key": "lottery", "kind": "lottery", "name": "抽签"}))
    assert any("stages[9]" in p and "lottery" in p and "未知的阶段类型" in p for p in problems)


def test_weights_not_summing_to_one_are_refused():
    def bump(d):
        d["stages"][3]["params"]["components"][1]["weight"] = 0.06

    problems = _broken(bump)
    assert any("stages[3].params.components" in p and "之和必须为 1" in p for p in problems)


def test_rubric_weights_must_sum_to_one():
    problems = _broken(lambda d: d["rubric"]["criteria"][0].__setitem__("weight", 0.9))
    assert any(p.startswith("broken.yaml") and "rubric" in p and "之和必须为 1" in p for p in problems)


def test_unknown_key_and_line_number_reported():
    text = GZ.read_text(encoding="utf-8").replace("slug: gz-dianshu-2025", "slug: gz-dianshu-2025\nslogan: 错误的键", 1)
    with pytest.raises(PresetError) as info:
        parse_preset_text(text, "x.yaml")
    problem = info.value.problems[0]
    assert problem.path == "slogan" and "不认识的键" in problem.message
    assert text.splitlines()[problem.line - 1].startswith("slogan")


def test_duplicate_yaml_keys_are_refused():
    with pytest.raises(PresetError) as info:
        parse_preset_text("slug: a\nslug: b\n", "dup.yaml")
    assert "重复" in str(info.value) and info.value.problems[0].line == 2


def test_stage_must_not_read_a_later_stage():
    def reorder(d):
        d["stages"][1], d["stages"][3] = d["stages"][3], d["stages"][1]

    assert any("不在它之前" in p for p in _broken(reorder))


def test_cli_validate_exits_non_zero_with_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GZ.read_text(encoding="utf-8").replace("year: 2025", "year: abc", 1), encoding="utf-8")
    cli = [sys.executable, "-m", "jinxuan.cli", "preset", "validate"]
    ok = subprocess.run([*cli, str(GZ)], capture_output=True, text=True)
    assert ok.returncode == 0 and '"valid": true' in ok.stdout
    failed = subprocess.run([*cli, str(bad)], capture_output=True, text=True)
    assert failed.returncode != 0
    assert "year" in failed.stderr and "应为整数" in failed.stderr

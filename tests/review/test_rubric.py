from decimal import Decimal

from jinxuan.campaigns.preset_io import read_preset
from jinxuan.review.rubric import input_name, missing, read_sheet, total_of

XINHUA = read_preset("presets/xinhua-nqp-2025.yaml").rubric


def full(value="80"):
    return {input_name(c.key, s.key): value for c in XINHUA.criteria for s in c.sub_items}


def test_total_is_weighted_on_100_points():
    data = full("80")
    # innovation (0.3) sub-items 90, everything else 80 -> 0.3*90 + 0.7*80 = 83
    for s in XINHUA.criteria[0].sub_items:
        data[input_name("innovation", s.key)] = "90"
    sheet = read_sheet(XINHUA, data)
    assert sheet.errors == {} and sheet.total == Decimal("83.00")
    assert total_of(XINHUA, sheet.scores) == Decimal("83.00")


def test_sub_items_average_with_equal_weights():
    data = full("60")
    subs = XINHUA.criteria[2].sub_items  # demonstration: 4 sub-items, weight 0.2
    data[input_name("demonstration", subs[0].key)] = "100"
    sheet = read_sheet(XINHUA, data)
    # demonstration = (100 + 3*60)/4 = 70 -> total 0.8*60 + 0.2*70 = 62
    assert sheet.total == Decimal("62.00")


def test_bad_values_are_reported_in_chinese_and_kept_out_of_the_total():
    data = full("70")
    key = input_name("compliance", "ethics")
    data[key] = "120"
    data[input_name("innovation", "tech_originality")] = "abc"
    data[input_name("innovation", "model_innovation")] = "70.25"
    sheet = read_sheet(XINHUA, data)
    assert "0 到 100" in sheet.errors[key]
    assert "数字" in sheet.errors[input_name("innovation", "tech_originality")]
    assert "一位小数" in sheet.errors[input_name("innovation", "model_innovation")]
    assert sheet.total is None
    assert "合规性·伦理规范" in missing(XINHUA, sheet.scores)


def test_partial_sheet_is_a_draft_with_missing_items():
    sheet = read_sheet(XINHUA, {input_name("innovation", "tech_originality"): "75", "comment__innovation": "亮点突出"})
    assert sheet.total is None and not sheet.errors
    assert sheet.comments == {"innovation": "亮点突出"}
    assert len(missing(XINHUA, sheet.scores)) == 13

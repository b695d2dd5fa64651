"""Score charts stay readable and small at a national campaign's scale: dots up to DOTS_MAX scores, ranges above."""

from jinxuan.review import charts


def test_a_few_scores_are_dots_and_many_are_ranges():
    few = charts.strip_plot({"专家甲": [60.0, 70.0, 80.0]}, "给分分布")
    assert few.count("<circle") == 3 and "最低" not in few
    values = [50.0 + (i % 50) for i in range(charts.DOTS_MAX + 1)]
    many = charts.strip_plot({"专家甲": values[:1000], "专家乙": values[1000:]}, "给分分布")
    assert "<circle" not in many and many.count("<line") > 2
    assert "最低 50.0 · 最高 99.0" in many
    assert len(many) < 5000  # the range, the quartile box and the median for each row, whatever the count


def test_many_experts_chart_those_farthest_from_everyone_strictest_first():
    from jinxuan.review.charts import most_apart

    groups = {f"专家{i:02d}": [70.0 + (i % 5), 71.0 + (i % 5)] for i in range(20)}
    groups |= {"偏严": [40.0, 45.0], "偏松": [95.0, 99.0], "略松": [88.0, 90.0], "空": []}
    kept = most_apart(groups, 3)
    assert list(kept) == ["偏严", "略松", "偏松"]  # the three farthest, by median
    few = most_apart({"乙": [80.0], "甲": [60.0], "丙": []}, 3)
    assert list(few) == ["甲", "乙"]  # all of them (none empty), strictest first

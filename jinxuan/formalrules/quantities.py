"""A small detector of quantified results in Chinese text: 提升30%、降低2个百分点、1.2亿元、服务5000家.

Deliberately small (one regex): it answers "does this text give figures?" for formal review.  A fuller
extractor (value, unit, direction, subject) belongs in jinxuan.textmining and will replace this one.
Years and dates (2023年、2025年底、1月) are not results and are not counted.
"""

import re

UNITS = (
    "个百分点", "百分点", "%", "％", "‰", "倍",
    "万亿元", "亿元", "万元", "千元", "元", "万亿", "亿", "万",
    "万家", "万户", "万人次", "万人", "万笔", "万次", "万个",
    "家", "户", "人次", "人", "笔", "项", "个", "次", "类", "款", "条", "份", "台", "套", "张", "单",
    "个工作日", "工作日", "个月", "天", "小时", "分钟", "秒", "毫秒", "周",
    "TB", "PB", "GB", "QPS", "TPS", "ms",
)
_NUMBER = r"(?<![0-9A-Za-z.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
QUANTITY = re.compile(rf"{_NUMBER}\s*(?:余|多|\+)?\s*(?:{_UNIT})|{_NUMBER}\s*(?=年)(?!\d)")
_YEAR = re.compile(r"^(19|20)\d\d\s*$")


def quantities(text: str) -> list[str]:
    """Number-with-unit mentions in `text`, in order (durations like "3年" count, calendar years do not)."""
    out = []
    for match in QUANTITY.finditer(text or ""):
        token = match.group(0)
        if _YEAR.match(token):  # 2023年: a calendar year
            continue
        if token.strip().isdigit():  # "3" before 年: a duration of years
            token += "年"
        out.append(token.strip())
    return out

"""Quantified results in Chinese case texts: "1500 余家部门", "放款超 463 亿元", "提升 90% 以上".

`extract(text)` returns `Metric`s in text order.  A figure is a number (Arabic, with optional
thousands separators and decimals, or Chinese numerals converted with cn2an) followed by an optional
magnitude (万/亿/千万…), an optional 余/多/+ and a unit.  Values are normalised to the base unit:

* amounts of money → "元" (万元, 亿元, 万亿元 … are multiplied out);
* percentages → "%"; "个百分点" and "倍" are kept as they are;
* counts keep their measure word (家, 户, 人, 人次, 项 …);
* durations → "秒" (the original unit stays in ``measure``).

Qualifiers written around the figure (超/逾/近/约 before it, 余/多 inside it, 以上/以下 after it, verbs
such as 提升/降低/降至/缩短) are collected in reading order, comma-separated.  "从四个月缩短至两周"
gives one metric for 两周 with ``before`` = four months and the qualifier "从…到…,缩短".

Never reported: years (2024年), dates and months (3月15日, 2025-10-20), ordinals (一是, 第三届),
figure/table numbers (图1, 表 3), section numbers, phone numbers and codes, version numbers (V2.0)
and technology names with digits (5G, 3D, 区块链3.0) — none of them carries a unit, and the ones
that could (years with 年, 第N项 …) are rejected explicitly.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import cn2an

__all__ = ["Metric", "extract", "to_json"]


@dataclass(frozen=True)
class Metric:
    value: float
    unit: str
    measure: str
    qualifier: str
    span: str
    start: int
    end: int
    kind: str = "count"  # money | percent | points | times | count | duration
    before: float | None = None


def to_json(metrics: list[Metric]) -> list[dict]:
    return [dataclasses.asdict(m) for m in metrics]


# --- units -------------------------------------------------------------------------------------

MAGNITUDES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5,
              "万": 1e4, "千": 1e3}
DURATIONS = {"秒钟": 1, "秒": 1, "分钟": 60, "小时": 3600, "个工作日": 86400, "工作日": 86400, "天": 86400,
             "周": 604800, "个星期": 604800, "星期": 604800, "个月": 2592000, "年": 31536000}
COUNT_UNITS = ["千瓦时", "人次", "平方米", "平方公里", "立方米", "公里", "千米", "公斤", "千克", "家", "户", "人",
               "笔", "条", "个", "次", "辆", "款", "项", "件", "台", "所", "种", "套", "场", "名", "位", "亩",
               "吨", "类", "张", "座", "批", "份", "篇", "处", "颗", "头", "只", "枚", "本", "部", "支", "组",
               "幅", "度", "米", "GB", "TB", "PB", "大类"]
# nouns accepted in place of a measure word after a magnitude: "60 万经营主体", "百万用户"
COUNT_NOUNS = ["经营主体", "市场主体", "个人用户", "小微企业", "企业", "用户", "客户", "商户", "农户", "群众",
               "居民", "人口", "机构"]

_UNIT_ALTS = (["个百分点", "百分点", "%", "％", "倍", "元"] + sorted(DURATIONS, key=len, reverse=True)
              + sorted(COUNT_UNITS, key=len, reverse=True))

CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"
_AR_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_NUM = rf"[{CN_CHARS}]+(?:点[{CN_DIGITS}]+[万亿]*)?"

FIGURE = re.compile(
    rf"(?:(?P<pct>百分之)(?P<pctnum>[{CN_CHARS}]+(?:点[{CN_DIGITS}]+)?)"
    rf"|(?P<num>{_AR_NUM}|{_CN_NUM})[ \u00a0]?(?:(?P<approx0>余|多)[ \u00a0]?)?(?P<mag>{'|'.join(sorted(MAGNITUDES, key=len, reverse=True))})?"
    rf"(?P<approx>余|多|\+)?[ \u00a0]?"
    rf"(?P<unit>{'|'.join(map(re.escape, _UNIT_ALTS))}|{'|'.join(COUNT_NOUNS)})?)"
)
TRAILING = re.compile(r"[ \u00a0]?(以上|以下|之多|左右)")

# prefix qualifiers, matched against the text right before a figure (longest first)
PREFIXES = [
    ("下降至", "降至"), ("下降到", "降至"), ("降低至", "降至"), ("降低到", "降至"), ("降至", "降至"), ("降到", "降至"),
    ("缩短至", "缩短"), ("缩短到", "缩短"), ("缩短为", "缩短"), ("缩短了", "缩短"), ("缩短", "缩短"),
    ("提升至", "提升"), ("提升到", "提升"), ("提升为", "提升"), ("提升了", "提升"), ("提升", "提升"),
    ("提高至", "提高"), ("提高到", "提高"), ("提高了", "提高"), ("提高", "提高"),
    ("增长至", "增长"), ("增长到", "增长"), ("增长了", "增长"), ("增长", "增长"), ("增加了", "增长"), ("增加", "增长"),
    ("增至", "增长"), ("下降了", "下降"), ("下降", "下降"), ("降低了", "降低"), ("降低", "降低"),
    ("减少了", "减少"), ("减少", "减少"),
    ("不超过", "以下"), ("不高于", "以下"), ("不多于", "以下"), ("不少于", "以上"), ("不低于", "以上"),
    ("超过", "超"), ("超出", "超"), ("突破", "超"), ("超", "超"), ("逾", "逾"),
    ("将近", "近"), ("接近", "近"), ("近", "近"), ("大约", "约"), ("约", "约"),
]
FILLERS = ("原来的", "原来", "达到", "达", "为", "了", "至", "到", "的", "累计", "大幅", "显著")
RANGE_START = ("从", "由")
RANGE_LINK = re.compile(r"^[ \u00a0]*(?:大幅|显著|明显|进一步)?[ \u00a0]*"
                        r"(提升至|提升到|提升为|提高至|提高到|降低至|降低到|下降至|下降到|降至|缩短至|缩短到|缩短为"
                        r"|增长至|增长到|增至|减少至|减少到|减至|压缩至|压缩到|到|至|为)[ \u00a0]*$")
LINK_VERB = {"提升": "提升", "提高": "提高", "降低": "降至", "下降": "降至", "降至": "降至", "缩短": "缩短",
             "增长": "增长", "增至": "增长", "减少": "减少", "减至": "减少", "压缩": "缩短"}

_BLOCK_BEFORE = re.compile(r"(?:第|图|表|附件|附图|图表|编号|序号|电话|热线|手机|号码|代码|No\.|Fig\.?|Figure|Table)"
                           r"[ \u00a0]*$", re.IGNORECASE)
_TECH_BEFORE = re.compile(r"(?:区块链|工业|互联网|Web|版本|版|协议|标准|模型|接口)[ \u00a0]*$", re.IGNORECASE)
_ADJACENT_BEFORE = re.compile(r"[A-Za-z0-9_.\-/:+~～－—]$")
_ADJACENT_AFTER = re.compile(r"^[ \u00a0]?(?:[-/:－.]\d|[A-Za-z])")
_SINGLE_CN = set("一二两三四五六七八九十")
_DATE_AFTER = re.compile(r"^(?:度|代|份|初|底|末)")


def _cn_value(s: str) -> float | None:
    if s[0] in "百千万亿":
        s = "一" + s
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _number(s: str) -> float | None:
    if s[0].isdigit():
        return float(s.replace(",", ""))
    if "点" in s:  # 六点四万 → 6.4 * 1e4
        head, _, tail = s.partition("点")
        mult = 1.0
        while tail and tail[-1] in "万亿":
            mult *= MAGNITUDES[tail[-1]]
            tail = tail[:-1]
        whole = _cn_value(head) if head else 0.0
        if whole is None or not tail:
            return None
        digits = "".join(str("零一二三四五六七八九".find(c) if c != "〇" else 0) for c in tail)
        return (whole + float("0." + digits)) * mult
    return _cn_value(s)


def _prefix_qualifiers(text: str, start: int) -> tuple[list[str], int]:
    """Qualifiers written before the figure, in reading order, and the earliest position consumed."""
    found: list[str] = []
    pos = start
    for _ in range(4):
        while pos > 0 and text[pos - 1] in " \u00a0":
            pos -= 1
        window = text[max(0, pos - 4):pos]
        for pattern, qual in PREFIXES:
            if window.endswith(pattern):
                if qual not in found:
                    found.insert(0, qual)
                pos -= len(pattern)
                break
        else:
            for filler in FILLERS:
                if window.endswith(filler):
                    pos -= len(filler)
                    break
            else:
                break
    return found, pos


def _raw_figures(text: str):
    for m in FIGURE.finditer(text):
        if not m.group(0).strip():
            continue
        start = m.start()
        if m.group("pct"):
            value = _number(m.group("pctnum"))
            if value is None:
                continue
            yield m, start, m.end(), value, "%", "%", "百分之", "percent", ""
            continue
        num, mag, unit = m.group("num"), m.group("mag"), m.group("unit")
        approx = m.group("approx0") or m.group("approx")
        if num is None:
            continue
        arabic = num[0].isdigit()
        written_mag = num[len(num.rstrip("万亿")):] if not arabic and "点" not in num else ""
        end = m.end()
        # a Chinese numeral ending in 万/亿 swallowed the magnitude: split it back for `measure`
        if not arabic and not mag and "点" not in num:
            for mg in sorted(MAGNITUDES, key=len, reverse=True):
                if num.endswith(mg) and len(num) > len(mg) and mg[0] in "万亿":
                    num, mag = num[: -len(mg)], mg
                    break
        if unit in COUNT_NOUNS and not mag:
            unit = ""  # a noun counts as the unit only after 万/亿: "60 万经营主体"
        if approx == "+" and re.match(r"[ \u00a0]?[0-9A-Za-z一二三四五六七八九十]", text[m.end("approx"):m.end("approx") + 2]):
            continue  # "5+1"篇大文章, 1+N: a formula, not "more than"
        implied_money = False
        if not unit:
            if not arabic and mag and mag.endswith("亿") and _prefix_qualifiers(text, start)[0]:
                unit, implied_money = "元", True  # 超万亿, 超百亿: an amount of money with 元 left out
            elif not (arabic and (approx == "+" or mag)):
                continue  # a bare number: section numbers, codes, years, 图1 …
            else:
                unit = ""
        if arabic and len(num) >= 11 and num.isdigit():
            continue  # phone numbers, account numbers
        # the regex may leave a space before a missing unit; trim the match end to the last char used
        end = next(m.end(g) for g in ("unit", "approx", "mag", "approx0", "num")
                   if m.group(g) and (g != "unit" or unit))
        before = text[:start]
        if _BLOCK_BEFORE.search(before):
            continue
        if arabic and _ADJACENT_BEFORE.search(before):
            continue
        if arabic and _ADJACENT_AFTER.match(text[m.end("num"):m.end("num") + 3]):
            continue
        if not arabic and all(c in "十百千万亿" for c in num):
            if before.endswith(("数", "几", "上", "成")):
                continue  # 数万个: vague
            if all(c in "万亿" for c in num) and not _prefix_qualifiers(text, start)[0]:
                continue  # 万元, 亿元 written without a number
        after = text[end:end + 3]
        if unit == "年":
            if mag or approx:
                pass
            elif arabic and (len(num) == 4 or float(num.replace(",", "")) >= 1000):
                continue
            elif not arabic and all(c in CN_DIGITS for c in num) and len(num) >= 2:
                continue  # 二〇二四年
            if _DATE_AFTER.match(after):
                continue
        if unit == "位" and after.startswith("一体"):
            continue
        if unit == "所" and after[:1] in ("示", "有", "在", "属", "以", "得", "述"):
            continue  # 如表所示, 所有
        if arabic and "." in num and _TECH_BEFORE.search(before):
            continue  # 区块链3.0, 工业4.0
        if unit in ("场", "元", "个", "部", "度", "处", "本", "支") and after[:1] in ("景", "宇", "性", "门", "分", "于", "理", "地"):
            continue
        if unit == "度" and not arabic:
            continue
        value = _number(num) if num else None
        if value is None:
            continue
        if mag:
            value *= MAGNITUDES[mag]
        measure = (written_mag or mag or "") + ("" if implied_money else unit)
        if unit == "大类":
            unit = "类"
        if unit in ("%", "％"):
            kind, base = "percent", "%"
        elif unit in ("个百分点", "百分点"):
            kind, base = "points", "个百分点"
        elif unit == "倍":
            kind, base = "times", "倍"
        elif unit == "元":
            kind, base = "money", "元"
        elif unit in DURATIONS:
            kind, base = "duration", "秒"
            value *= DURATIONS[unit]
        else:
            kind, base = "count", unit
            if unit in COUNT_NOUNS:
                measure = written_mag or mag or ""
            elif not unit:
                measure = (mag or "") + ("+" if approx == "+" else "")
        if (kind == "count" and not arabic and not mag and not approx and num in _SINGLE_CN):
            # 三个阶段, 两核, 五位一体: a bare single Chinese digit is rarely a result
            quals, _ = _prefix_qualifiers(text, start)
            if not quals:
                continue
        yield m, start, end, value, base, measure, approx or "", kind, unit


def extract(text: str) -> list[Metric]:
    if not text:
        return []
    out: list[Metric] = []
    for _m, start, end, value, unit, measure, approx, kind, _raw in _raw_figures(text):
        quals, _ = _prefix_qualifiers(text, start)
        if approx in ("余", "多") and approx not in quals:
            quals.append(approx)
        elif approx == "+":
            quals.append("以上")
        t = TRAILING.match(text, end)
        if t:
            q = {"之多": "多", "左右": "约"}.get(t.group(1), t.group(1))
            if q not in quals:
                quals.append(q)
            end = t.end()
        metric = Metric(value=value, unit=unit, measure=measure, qualifier=",".join(quals),
                        span=text[start:end], start=start, end=end, kind=kind)
        # 从四个月缩短至两周: merge with the previous figure
        if out:
            prev = out[-1]
            link = RANGE_LINK.match(text[prev.end:start]) if start - prev.end <= 8 else None
            lead = text[max(0, prev.start - 3):prev.start].rstrip(" \u00a0")
            if link and prev.unit == unit and prev.before is None and lead.endswith(RANGE_START):
                verb = next((v for k, v in LINK_VERB.items() if link.group(1).startswith(k)), "")
                rq = ["从…到…"] + ([verb] if verb else []) + [q for q in quals if q not in (verb,)]
                out[-1] = Metric(value=value, unit=unit, measure=measure, qualifier=",".join(dict.fromkeys(rq)),
                                 span=text[prev.start:end], start=prev.start, end=end, kind=kind,
                                 before=prev.value)
                continue
        out.append(metric)
    return out

"""Records for the screening tests, built with the demo answer faker in the export format."""

import copy
import random

from stdnum.cn import uscc

from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.text import TextFaker

GZ = read_preset("presets/gz-dianshu-2025.yaml")
XH = read_preset("presets/xinhua-nqp-2025.yaml")
TOP = read_preset("presets/top10-2025.yaml")
DIVISIONS = {"广州": "440106", "深圳": "440305", "上海": "310115", "北京": "110108"}
REGION_OF = {"广州": "广东省广州市", "深圳": "广东省深圳市", "上海": "上海市", "北京": "北京市"}


def credit_code(seed: int, city: str = "广州") -> str:
    rng = random.Random(seed)
    body = "91" + DIVISIONS[city] + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def field_key(preset, label, scope="application"):
    return next(f.key for f in preset.form.fields(scope) if f.label == label)


def make_record(preset, track=None, title="基于隐私计算的普惠信贷风控应用", units=None, seed=7, submitted_at=None):
    """A complete application record. `units`: [(name, city, founded "YYYY-MM-DD")], lead first."""
    units = units or [("广州瀚澜银行股份有限公司", "广州", "2010-05-01"), ("深圳睿拓数据科技有限公司", "深圳", "2015-03-01")]
    track = track or preset.tracks[0].key
    faker = TextFaker(seed)
    codes = [credit_code(seed * 10 + i, city) for i, (_, city, _) in enumerate(units)]
    filler = AnswerFaker(faker, preset, track, codes, faker.topic())
    answers = filler.application(title)
    unit_records = []
    for i, ((name, city, founded), code) in enumerate(zip(units, codes, strict=True)):
        unit_answers = filler.unit(name, code)
        for f in preset.form.fields("unit"):
            if f.type == "region":
                unit_answers[f.key] = REGION_OF[city]
            if f.label == "成立时间":
                unit_answers[f.key] = founded[:7]
            if f.label == "单位类型":
                labels = f.choice_labels()
                wanted = [c for c in ("银行" if "银行" in name else "科技企业", "金融机构" if "银行" in name else "科技企业")
                          if c in labels]
                unit_answers[f.key] = {"choice": wanted[0] if wanted else labels[0], "sub": [], "text": ""}
            if f.type == "indicator_table":
                consistent_table(unit_answers[f.key])
        unit_records.append({
            "name": name, "credit_code": code, "is_lead": i == 0, "answers": unit_answers,
            "organisation": {"founded": founded, "registered_region": REGION_OF[city], "office_region": REGION_OF[city],
                             "unit_type": "银行" if "银行" in name else "科技企业"},
        })
    attachments = [{"key": a.key, "name": f"{a.name}.{a.formats[0]}", "sha256": f"{i:064x}", "size": 1000,
                    "detected": a.formats[0]} for i, a in enumerate(preset.attachments) if a.required]
    return {
        "format": "jinxuan.application/1", "campaign": preset.slug, "number": "T2025-0001", "track": track,
        "title": title, "state": "submitted", "submitted_at": submitted_at, "version": 1, "content_hash": "x" * 64,
        "answers": answers, "units": unit_records, "attachments": attachments,
    }


def consistent_table(table):
    """The faker draws rows independently; keep 数字金融业务收入 and 研发投入 below 营业收入."""
    for col, revenue in table["revenue"].items():
        table["digital_finance_revenue"][col] = str(round(float(revenue) * 0.4, 2))
        if float(table["rd_investment"][col]) > float(revenue):
            table["rd_investment"][col] = str(round(float(revenue) * 0.1, 2))
            table["rd_ratio"][col] = "10.00"


def fresh(record):
    return copy.deepcopy(record)


def blocking(findings, rule=None):
    return [f for f in findings if f.severity == "blocking" and (rule is None or f.rule == rule)]


def of_rule(findings, rule):
    return [f for f in findings if f.rule == rule]

"""Fill a campaign's form schema with plausible answers (for demo data and tests).

Answer shapes, by field type (the portal reads and writes the same shapes):
  text / textarea / email / mobile / uscc / region → str
  integer → int; decimal / percent / money → str of a decimal
  date → "YYYY-MM-DD"; month → "YYYY-MM"; month_range → {"start": "YYYY-MM", "end": "YYYY-MM" | "至今"}
  single_choice → {"choice": label, "sub": [labels], "text": str}   multi_choice → {"choices": [labels], "other": str}
  boolean → bool; track → track key; group → {sub_key: value}; repeat → [{sub_key: value}]
  indicator_table → {row_key: {column: str}}; outline → {section_key: str}; declaration → {"accepted": bool}
  per_unit fields → {credit_code: value}
"""

from decimal import Decimal

from jinxuan.campaigns.schema import ChoiceSpec, FormField, Preset
from jinxuan.textmining.wordcount import word_count

from .text import TextFaker

REGIONS = ["广东省广州市", "广东省深圳市", "广东省佛山市", "上海市", "北京市", "浙江省杭州市"]


class AnswerFaker:
    def __init__(self, faker: TextFaker, preset: Preset, track_key: str, credit_codes: list[str], topic: dict):
        self.f, self.preset, self.track_key = faker, preset, track_key
        self.codes, self.topic, self.rnd = credit_codes, topic, faker.rng

    def application(self, title: str) -> dict:
        out = {}
        for field in self.preset.form.fields("application"):
            value = self.value(field, title=title)
            out[field.key] = {code: self.value(field, title=title) for code in self.codes} if field.per_unit else value
        return out

    def unit(self, org_name: str, credit_code: str) -> dict:
        out = {}
        for field in self.preset.form.fields("unit"):
            if field.type == "uscc":
                out[field.key] = credit_code
            elif field.key in {"name", "unit_name", "org_name"} or field.label == "单位名称":
                out[field.key] = org_name
            else:
                out[field.key] = self.value(field)
        return out

    def value(self, field: FormField, title: str = ""):  # noqa: C901 - one branch per field type
        r, t = self.rnd, field.type
        if t == "text":
            if field.label in {"案例名称", "事件名称"} or field.key in {"case_name", "event_name", "title"}:
                return title
            if any(word in field.label for word in ("负责人", "姓名", "联系人")):
                return self.f.person_name()
            limit = field.max_chars or 30
            return self.f.case_title(max_chars=min(limit, 20), topic=self.topic)
        if t == "textarea":
            high = field.max_chars or 400
            low = field.min_chars or max(20, int(high * 0.5))
            return self._at_least(self.f.text_of_length(low, max(low + 10, int(high * 0.95)) if field.max_chars else low + 200,
                                                        topic=self.topic), field.min_chars, field.max_chars)
        if t == "integer":
            return r.randint(1, 40)
        if t in {"decimal", "money"}:
            return str(Decimal(r.randint(50, 50000)) / 10)
        if t == "percent":
            return str(r.randint(30, 100))
        if t == "date":
            return f"{r.randint(2023, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        if t == "month":
            return f"{r.randint(2015, 2024)}-{r.randint(1, 12):02d}"
        if t == "month_range":
            return {"start": f"{r.randint(2023, 2024)}-{r.randint(1, 12):02d}", "end": "至今"}
        if t == "single_choice":
            choice = r.choice(field.choices)
            if isinstance(choice, ChoiceSpec):
                sub = r.sample(choice.sub_choices, k=r.randint(1, len(choice.sub_choices))) if choice.sub_choices else []
                if sub and not choice.sub_multi:
                    sub = sub[:1]
                text = self.f.paragraph(topic=self.topic, min_chars=60, max_chars=150) if choice.text else ""
                return {"choice": choice.label, "sub": sub, "text": text}
            return {"choice": choice, "sub": [], "text": ""}
        if t == "multi_choice":
            labels = [c if isinstance(c, str) else c.label for c in field.choices]
            return {"choices": r.sample(labels, k=min(len(labels), r.randint(1, 3))), "other": ""}
        if t == "boolean":
            return r.random() < 0.7
        if t == "email":
            return self.f.email()
        if t == "mobile":
            return self.f.mobile()
        if t == "uscc":
            return self.codes[0]
        if t == "region":
            return r.choice(REGIONS)
        if t == "track":
            return self.track_key
        if t == "group":
            return self._group(field)
        if t == "repeat":
            count = max(field.min_items, 1)
            return [self._group(field) for _ in range(count)]
        if t == "indicator_table":
            return self._table(field)
        if t == "outline":
            return self._outline(field)
        if t == "declaration":
            return {"accepted": True}
        raise ValueError(f"unknown field type {t}")

    def _group(self, field: FormField) -> dict:
        values = {}
        for sub in field.fields:
            if sub.type == "text" and sub.label in {"姓名", "联系人"}:
                values[sub.key] = self.f.person_name()
            elif sub.type == "text" and "职务" in sub.label:
                values[sub.key] = "".join(self.f.department_title())
            else:
                values[sub.key] = self.value(sub)
        for check in field.checks:
            values[check.total] = sum(int(values[p]) for p in check.parts)
        return values

    def _table(self, field: FormField) -> dict:
        table = {}
        for row in field.rows:
            table[row.key] = {}
            for i, col in enumerate(field.columns):
                if row.kind == "integer":
                    table[row.key][col] = str(self.rnd.randint(50, 3000) + 20 * i)
                elif row.kind in {"percent", "decimal"} and not row.ratio_of:
                    table[row.key][col] = str(Decimal(self.rnd.randint(50, 400)) / 10)
                else:
                    table[row.key][col] = str(Decimal(self.rnd.randint(1000, 900000) * (10 + i)) / 100)
        for prev, row in zip(field.rows, field.rows[1:], strict=False):
            if row.label.startswith("其中"):  # a part of the row above it (数字金融业务收入 within 营业收入)
                for col in field.columns:
                    share = Decimal(self.rnd.randint(10, 90)) / 100
                    table[row.key][col] = str((Decimal(table[prev.key][col]) * share).quantize(Decimal("0.01")))
        for row in field.rows:
            if row.ratio_of:
                num, den = row.ratio_of
                for col in field.columns:
                    n, d = Decimal(table[num][col]), Decimal(table[den][col])
                    if n > d:  # keep the ratio meaningful: scale the numerator down
                        n = (d * Decimal(self.rnd.randint(3, 30)) / 100).quantize(Decimal("0.01"))
                        table[num][col] = str(n)
                    table[row.key][col] = str((n / d * 100).quantize(Decimal("0.01")))
        return table

    def _at_least(self, text: str, low: int | None, high: int | None) -> str:
        """Latin runs count once in Word's 字数, so top up until the Word count reaches the minimum."""
        while low and word_count(text) < low:
            extra = self.f.paragraph(topic=self.topic, min_chars=60, max_chars=120)
            if high and word_count(text) + word_count(extra) > high:
                extra = extra[: max(1, low - word_count(text) + 5)]
            text += extra
        return text

    def _outline(self, field: FormField) -> dict:
        sections = {}
        for section in field.sections:
            low = section.min_chars or 150
            high = section.max_chars or int(low * 1.3) + 50
            sections[section.key] = self._at_least(self.f.text_of_length(low, high, topic=self.topic), section.min_chars,
                                                   section.max_chars)
        total_min = field.min_chars or 0
        current = sum(word_count(v) for v in sections.values())
        if current < total_min and field.sections:  # a whole-report minimum (001: 3,000–5,000)
            extra = total_min - current + 100
            key = field.sections[len(field.sections) // 2].key
            sections[key] += "\n" + self.f.text_of_length(extra, extra + 200, topic=self.topic)
        return sections

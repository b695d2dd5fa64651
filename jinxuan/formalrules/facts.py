"""What the rules read from a preset and a record, located by field type and label, computed once.

`facts(preset, record)` returns a `Facts` view; inside `screen()` it is shared by all rules for the
record (evaluate.memo), so texts, titles and dates are extracted once.  Every accessor tolerates a
malformed record: a value of the wrong type reads as missing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Any

from .evaluate import memo

CN_TZ = dt.timezone(dt.timedelta(hours=8))  # China has no daylight saving time
TITLE_LABELS = ("案例名称", "事件名称", "项目名称")
TITLE_KEYS = ("case_name", "event_name", "title")
TEXT_TYPES = {"text", "textarea"}

_PRESET_CACHE: dict[int, tuple[Any, dict]] = {}


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def as_str(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _preset_memo(preset, key, compute):
    entry = _PRESET_CACHE.get(id(preset))
    if entry is None or entry[0] is not preset:
        if len(_PRESET_CACHE) > 32:
            _PRESET_CACHE.clear()
        entry = (preset, {})
        _PRESET_CACHE[id(preset)] = entry
    store = entry[1]
    if key not in store:
        store[key] = compute()
    return store[key]


def find_field(preset, scope: str | None = None, types=(), labels=(), contains=(), keys=()):
    """The first form field of `scope` with one of `types` whose label is one of `labels`, or contains
    all words of one of the tuples in `contains`, or whose key is one of `keys`."""
    def compute():
        for field in preset.form.fields(scope):
            if types and field.type not in types:
                continue
            if not (labels or contains or keys):
                return field
            if field.label in labels or field.key in keys:
                return field
            if any(all(word in field.label for word in words) for words in contains):
                return field
        return None

    return _preset_memo(preset, ("field", scope, tuple(types), tuple(labels), tuple(map(tuple, contains)), tuple(keys)),
                        compute)


def sub_field(field, types=(), labels=(), contains=()):
    for sub in getattr(field, "fields", None) or []:
        if types and sub.type not in types:
            continue
        if not (labels or contains) or sub.label in labels or any(all(w in sub.label for w in words) for words in contains):
            return sub
    return None


def title_field(preset):
    return (find_field(preset, "application", ("text",), labels=TITLE_LABELS)
            or find_field(preset, "application", ("text",), keys=TITLE_KEYS))


def effective_rules(preset, track_key: str | None):
    """The campaign's applicant rules with the track's own rules laid over them."""
    def compute():
        base = preset.applicant_rules
        track = next((t for t in preset.tracks if t.key == track_key), None)
        if not track or not track.rules:
            return base
        return base.model_copy(update={k: getattr(track.rules, k) for k in track.rules.model_fields_set})

    return _preset_memo(preset, ("rules", track_key), compute)


def track_name(preset, key: str | None) -> str:
    return next((t.name for t in preset.tracks if t.key == key), key or "")


def parse_date(value) -> dt.date | None:
    """"YYYY-MM-DD" or "YYYY-MM" (first of the month) → date; anything else → None."""
    text = as_str(value)
    match = re.fullmatch(r"((?:19|20)\d\d)-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


def parse_month(value) -> tuple[int, int] | None:
    date = parse_date(value)
    return (date.year, date.month) if date else None


def month_label(month: tuple[int, int]) -> str:
    return f"{month[0]}-{month[1]:02d}"


def choice_of(value) -> str:
    if isinstance(value, dict):
        return as_str(value.get("choice"))
    return as_str(value)


def choices_of(value) -> tuple[list[str], str]:
    """multi_choice answer → (labels, 其他 text)."""
    if isinstance(value, dict):
        return [c for c in as_list(value.get("choices")) if isinstance(c, str)], as_str(value.get("other"))
    return [c for c in as_list(value) if isinstance(c, str)], ""


def walk_texts(fields, values: dict, path: str = ""):
    """(path, label, text) of every free text in `values` (text/textarea, outline sections, 其他 and
    follow-up texts of choices, inside groups, repeats and per-unit values)."""
    for field in fields:
        value = values.get(field.key)
        here = f"{path}{field.key}"
        per = as_dict(value).items() if field.per_unit else [("", value)]
        for code, item in per:
            where = f"{here}.{code}" if code else here
            yield from _texts_of(field, item, where)


def _texts_of(field, value, path):
    t = field.type
    if t in TEXT_TYPES and isinstance(value, str) and value.strip():
        yield path, field.label, value
    elif t == "outline":
        titles = {s.key: s.title for s in field.sections}
        for key, text in as_dict(value).items():
            if isinstance(text, str) and text.strip():
                yield f"{path}.{key}", f"{field.label}·{titles.get(key, key)}", text
    elif t == "single_choice" and as_str(as_dict(value).get("text")):
        yield f"{path}.text", field.label, as_dict(value)["text"]
    elif t == "multi_choice" and as_str(as_dict(value).get("other")):
        yield f"{path}.other", field.label, as_dict(value)["other"]
    elif t == "group":
        yield from walk_texts(field.fields, as_dict(value), path + ".")
    elif t == "repeat":
        for i, item in enumerate(as_list(value)):
            yield from walk_texts(field.fields, as_dict(item), f"{path}[{i}].")


class Unit:
    def __init__(self, index: int, raw: dict):
        self.index, self.raw = index, raw
        self.name = as_str(raw.get("name"))
        self.credit_code = as_str(raw.get("credit_code")).upper()
        self.is_lead = raw.get("is_lead") is True
        self.answers = as_dict(raw.get("answers"))
        self.organisation = as_dict(raw.get("organisation"))

    @property
    def who(self) -> str:
        role = "主申报单位" if self.is_lead else "联合申报单位"
        return f"{role}“{self.name}”" if self.name else role


class Facts:
    def __init__(self, preset, record: dict):
        self.preset, self.record = preset, record if isinstance(record, dict) else {}

    @cached_property
    def answers(self) -> dict:
        return as_dict(self.record.get("answers"))

    @cached_property
    def units(self) -> list[Unit]:
        return [Unit(i, u) for i, u in enumerate(as_list(self.record.get("units"))) if isinstance(u, dict)]

    @cached_property
    def lead(self) -> Unit | None:
        return next((u for u in self.units if u.is_lead), self.units[0] if self.units else None)

    @cached_property
    def track(self) -> str:
        track = as_str(self.record.get("track"))
        if track:
            return track
        field = find_field(self.preset, "application", ("track",))
        return as_str(self.answers.get(field.key)) if field else ""

    @cached_property
    def rules(self):
        return effective_rules(self.preset, self.track)

    @cached_property
    def title(self) -> str:
        field = title_field(self.preset)
        answer = as_str(self.answers.get(field.key)) if field else ""
        return answer or as_str(self.record.get("title"))

    @cached_property
    def reference(self) -> tuple[dt.date, str]:
        """The date eligibility is measured at: submission, or, for a draft, the submission deadline."""
        submitted = self.record.get("submitted_at")
        if isinstance(submitted, str) and submitted.strip():
            try:
                moment = dt.datetime.fromisoformat(submitted.strip())
            except ValueError:
                moment = None
            if moment is not None:
                date = moment.astimezone(CN_TZ).date() if moment.tzinfo else moment.date()
                return date, "提交日期"
        return self.preset.schedule.submission_closes.date(), "申报截止日期"

    @cached_property
    def case_texts(self) -> list[tuple[str, str, str]]:
        """Application-scope free texts: (path, label, text)."""
        return list(walk_texts(list(self.preset.form.fields("application")), self.answers))

    @cached_property
    def unit_texts(self) -> list[tuple[str, str, str]]:
        fields = list(self.preset.form.fields("unit"))
        return [t for u in self.units for t in walk_texts(fields, u.answers, f"units[{u.index}].")]

    def unit_answer(self, unit: Unit, types=(), labels=(), contains=()):
        field = find_field(self.preset, "unit", types, labels=labels, contains=contains)
        return (field, unit.answers.get(field.key)) if field else (None, None)


def facts(preset, record) -> Facts:
    return memo(record, "facts", lambda: Facts(preset, record))

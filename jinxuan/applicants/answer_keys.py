"""Django-free. Answer keys a client may send: only those of the campaign's form schema (the pages read the form field by field;
the API takes JSON, so it checks here). Unknown keys are refused, never stored."""

from __future__ import annotations

NESTED = {"group", "repeat", "outline"}


def _sub_keys(field) -> set[str]:
    return {s.key for s in field.sections} if field.type == "outline" else {f.key for f in field.fields}


def _unknown_in(field, value, path: str) -> list[str]:
    """Unknown keys inside a group / repeat / outline value (other shapes are the value checks' concern)."""
    if field.type not in NESTED:
        return []
    subs = {f.key: f for f in field.fields}
    items = value if field.type == "repeat" and isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        where = f"{path}[{i}]" if field.type == "repeat" else path
        for key, sub_value in item.items():
            if key not in _sub_keys(field):
                out.append(f"{where}.{key}")
            elif key in subs:
                out += _unknown_in(subs[key], sub_value, f"{where}.{key}")
    return out


def unknown_keys(spec, scope: str, answers: dict) -> list[str]:
    """Paths of the keys in `answers` (of the "application" or "unit" scope) that the form does not have."""
    fields = {f.key: f for f in spec.form.fields(scope)}
    out = []
    for key, value in answers.items():
        field = fields.get(key)
        if field is None:
            out.append(str(key))
        elif field.per_unit and isinstance(value, dict):
            for code, per_unit in value.items():
                out += _unknown_in(field, per_unit, f"{key}.{code}")
        else:
            out += _unknown_in(field, value, str(key))
    return out


def refusal(spec, answers: dict, units: dict[int, dict]) -> str:
    """The Chinese message refusing unknown keys, or "" when every key is in the form."""
    found = unknown_keys(spec, "application", answers)
    for position, unit_answers in sorted(units.items()):
        found += [f"单位{position}：{k}" for k in unknown_keys(spec, "unit", unit_answers)]
    if not found:
        return ""
    shown = "、".join(found[:10]) + (f" 等 {len(found)} 项" if len(found) > 10 else "")
    return f"申报表中没有这些字段，未保存任何内容：{shown}。请按本活动的申报表字段提交"

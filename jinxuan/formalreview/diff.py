"""What changed between two submitted versions, field by field, with the changed characters marked."""

import difflib
import json

from django.utils.html import escape
from django.utils.safestring import mark_safe


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _flatten(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            yield prefix, "、".join(value)
        else:
            for i, sub in enumerate(value):
                yield from _flatten(sub, f"{prefix}[{i}]")
    else:
        yield prefix, "" if value is None else str(value)


def _labels(spec) -> dict[str, str]:
    labels = {}
    for section in spec.form.sections:
        for field in section.fields:
            labels[field.key] = field.label
            for sub in field.fields:
                labels[f"{field.key}.{sub.key}"] = f"{field.label}·{sub.label}"
            for s in field.sections:
                labels[f"{field.key}.{s.key}"] = f"{field.label}·{s.title}"
    return labels


def _label(labels: dict[str, str], path: str) -> str:
    probe = path
    while probe:
        if probe in labels:
            return labels[probe] + path[len(probe):].replace(".", " ")
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    return path


def inline(before: str, after: str):
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(before[a1:a2]))
        if op in {"delete", "replace"}:
            out.append(f"<del>{escape(before[a1:a2])}</del>")
        if op in {"insert", "replace"}:
            out.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(out))


def version_diff(spec, old: dict, new: dict) -> list[dict]:
    """Changed fields between two version contents (answers, units, attachments)."""
    labels = _labels(spec)
    rows = []
    before, after = dict(_flatten(old.get("answers", {}))), dict(_flatten(new.get("answers", {})))
    for path in sorted(set(before) | set(after)):
        if before.get(path, "") != after.get(path, ""):
            rows.append({"label": _label(labels, path), "diff": inline(before.get(path, ""), after.get(path, ""))})
    old_units = {u["credit_code"]: u for u in old.get("units", [])}
    for unit in new.get("units", []):
        prior = old_units.pop(unit["credit_code"], None)
        b = dict(_flatten(prior["answers"])) if prior else {}
        a = dict(_flatten(unit["answers"]))
        for path in sorted(set(a) | set(b)):
            if a.get(path, "") != b.get(path, ""):
                rows.append({"label": f"单位 {unit['credit_code']}·{_label(labels, path)}", "diff": inline(b.get(path, ""), a.get(path, ""))})
    for code in old_units:
        rows.append({"label": "申报单位", "diff": inline(code, "")})
    files_before = json.dumps(sorted((f["key"], f["name"]) for f in old.get("attachments", [])), ensure_ascii=False)
    files_after = json.dumps(sorted((f["key"], f["name"]) for f in new.get("attachments", [])), ensure_ascii=False)
    if files_before != files_after:
        rows.append({"label": "附件", "diff": inline(files_before, files_after)})
    return rows

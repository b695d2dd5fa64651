"""What changed between two submitted versions, field by field, with the changed characters marked.

Bounded in time and size whatever the texts: the common start and end are cut off first (linear); the rest is
compared character by character only while the two parts' lengths multiply to at most MAX_WORK (difflib is
quadratic), else line by line under the same bound (changed lines compared character by character when small),
else shown as one replacement. Unchanged runs longer than CONTEXT are shortened around an ellipsis and a changed
run longer than MAX_SHOWN is cut, so the page stays small for a 50,000-character field.
"""

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


MAX_WORK = 1_000_000  # characters (or lines) of one side times the other's that difflib may compare
CONTEXT = 200  # characters of an unchanged run shown on each side of a change
MAX_SHOWN = 5_000  # characters of one deleted or inserted run shown


def _equal(text: str, first: bool, last: bool) -> str:
    """An unchanged run, shortened to its CONTEXT next to the changes."""
    keep_head = 0 if first else CONTEXT
    keep_tail = 0 if last else CONTEXT
    if len(text) <= keep_head + keep_tail + 20:
        return escape(text)
    skipped = len(text) - keep_head - keep_tail
    return (escape(text[:keep_head]) + f'<span class="muted">…（未改动 {skipped} 字）…</span>'
            + escape(text[len(text) - keep_tail:]))


def _changed(tag: str, text: str) -> str:
    if not text:
        return ""
    shown = escape(text[:MAX_SHOWN])
    more = f'<span class="muted">…（另有 {len(text) - MAX_SHOWN} 字）</span>' if len(text) > MAX_SHOWN else ""
    return f"<{tag}>{shown}{more}</{tag}>"


def _opcodes(before: str, after: str) -> list[tuple[str, str, str]]:
    """(op, old text, new text) runs covering both texts, computed within MAX_WORK."""
    if len(before) * len(after) <= MAX_WORK:
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        return [(op, before[a1:a2], after[b1:b2]) for op, a1, a2, b1, b2 in matcher.get_opcodes()]
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old_lines) * len(new_lines) > MAX_WORK or len(old_lines) < 2 and len(new_lines) < 2:
        return [("replace", before, after)]
    out = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        old, new = "".join(old_lines[a1:a2]), "".join(new_lines[b1:b2])
        if op == "replace" and len(old) * len(new) <= MAX_WORK:
            out += _opcodes(old, new)
        else:
            out.append((op, old, new))
    return out


def inline(before: str, after: str):
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    runs = [("equal", before[:start], before[:start])] if start else []
    runs += _opcodes(before[start:len(before) - end], after[start:len(after) - end])
    if end:
        runs.append(("equal", before[len(before) - end:], before[len(before) - end:]))
    out = []
    for i, (op, old, new) in enumerate(runs):
        if op == "equal":
            out.append(_equal(old, first=i == 0, last=i == len(runs) - 1))
        if op in {"delete", "replace"}:
            out.append(_changed("del", old))
        if op in {"insert", "replace"}:
            out.append(_changed("ins", new))
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

"""HTML form fields from the schema, and answers back from the POST (names: a-KEY…, u{i}-KEY…).

Values are shown as typed and read back as typed; nothing is dropped for breaking a rule.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from jinxuan.campaigns.schema import ChoiceSpec, FormField

REPEAT_SLOTS = 5
INPUT_TYPES = {"integer": "number", "decimal": "text", "money": "text", "percent": "text", "email": "email",
               "mobile": "tel", "date": "date", "month": "month"}


def _attrs(field: FormField) -> SafeString:
    parts = []
    if field.max_chars:
        parts.append(format_html(' data-max-chars="{}"', field.max_chars))
    if field.min_chars:
        parts.append(format_html(' data-min-chars="{}"', field.min_chars))
    return mark_safe("".join(parts))


def _label(field: FormField, for_name: str, suffix: str = "") -> SafeString:
    req = mark_safe('<span class="req" title="必填">*</span>') if field.required else ""
    unit = format_html('<span class="unit">（{}）</span>', field.unit) if field.unit else ""
    pub = mark_safe('<span class="public" title="可能用于公开宣传">公开</span>') if field.public else ""
    return format_html('<label class="field-label" for="{}">{}{}{}{}{}</label>', for_name, field.label, suffix, unit, req, pub)


def _checked(flag: bool) -> str:
    return " checked" if flag else ""


def _errors(messages, err_id: str) -> SafeString:
    """The messages at a field, always present (empty) so the page script can fill it after a blur."""
    items = format_html_join("", '<p class="field-error"><span class="visually-hidden">错误：</span>{}</p>', ((m,) for m in messages))
    return format_html('<div class="field-errors" id="{}">{}</div>', err_id, items)


def _aria(messages, err_id: str) -> SafeString:
    return format_html(' aria-invalid="true" aria-describedby="{}"', err_id) if messages else mark_safe("")


def render_field(field: FormField, value, name: str, problems: dict[str, list[str]], path: str, tracks=(),
                 anchors: dict[str, str] | None = None) -> SafeString:  # noqa: C901 - one branch per type
    """One field of the 申报书. `problems`: path → messages to show now (only touched fields or after a submit
    attempt); `anchors` (filled in): path → id of the control an error summary link focuses."""
    anchors = {} if anchors is None else anchors
    anchors.setdefault(path, name)
    t = field.type
    mine = problems.get(path, [])
    err_id = f"err-{name}"
    aria = _aria(mine, err_id)
    help_text = format_html('<p class="help">{}</p>', field.help) if field.help else ""
    errors = _errors(mine, err_id)
    if t in {"text", "uscc", "region"} or t in INPUT_TYPES:
        kind = INPUT_TYPES.get(t, "text")
        body = format_html('<input id="{0}" name="{0}" type="{1}" value="{2}"{3}{4}{5}>', name, kind, value or "", _attrs(field),
                           mark_safe(' inputmode="decimal"') if t in {"decimal", "money", "percent"} else "", aria)
    elif t == "textarea":
        rows = 4 if (field.max_chars or 600) <= 300 else 8
        body = format_html('<textarea id="{0}" name="{0}" rows="{1}"{2}{3}>{4}</textarea>', name, rows, _attrs(field), aria, value or "")
    elif t == "track":
        body = format_html_join("", '<label class="opt"><input type="radio" name="{}" value="{}"{}{}> {}</label>',
                                ((name, tr.key, _checked(value == tr.key), _first_id(i, name, aria), tr.name)
                                 for i, tr in enumerate(tracks)))
    elif t == "boolean":
        body = format_html('<label class="opt"><input id="{0}" type="radio" name="{0}" value="yes"{1}{3}> 是</label>'
                           '<label class="opt"><input type="radio" name="{0}" value="no"{2}> 否</label>',
                           name, _checked(value is True), _checked(value is False), aria)
    elif t == "month_range":
        value = value or {}
        body = format_html('<span class="range"><input id="{0}" name="{0}-start" type="month" value="{1}" aria-label="{4}起始月份"{5}> 至 '
                           '<input name="{0}-end" type="month" value="{2}" aria-label="{4}结束月份">{3}</span>', name, value.get("start", ""),
                           "" if value.get("end") == "至今" else value.get("end", ""),
                           format_html('<label class="opt"><input type="checkbox" name="{}-ongoing" value="1"{}> 至今</label>',
                                       name, _checked(value.get("end") == "至今")) if field.open_end else "", field.label, aria)
    elif t == "single_choice":
        body = _single(field, value or {}, name, aria)
    elif t == "multi_choice":
        value = value or {}
        chosen = set(value.get("choices") or [])
        body = format_html_join("", '<label class="opt"><input type="checkbox" name="{}" value="{}"{}{}> {}</label>',
                                ((name, label, _checked(label in chosen), _first_id(i, name, aria), label)
                                 for i, label in enumerate(field.choice_labels())))
        if field.other:
            body += format_html('<input class="other" name="{}-other" placeholder="其他（请注明）" aria-label="{}：其他（请注明）" value="{}">',
                                name, field.label, value.get("other", ""))
    elif t == "group":
        value = value or {}
        body = format_html_join("", '<div class="sub">{}</div>', (
            (render_field(sub, value.get(sub.key), f"{name}-{sub.key}", problems, f"{path}.{sub.key}", anchors=anchors),)
            for sub in field.fields))
        if field.fields:
            anchors[path] = anchors.get(f"{path}.{field.fields[0].key}", name)
    elif t == "repeat":
        items = list(value or [])
        slots = max(field.min_items, 1, min(len(items) + 1, field.max_items or REPEAT_SLOTS))
        rows = []
        for i in range(slots):
            item = items[i] if i < len(items) else {}
            cells = format_html_join("", "<td>{}</td>", (
                (render_field(sub, item.get(sub.key), f"{name}-{i}-{sub.key}", problems, f"{path}[{i}].{sub.key}", anchors=anchors),)
                for sub in field.fields))
            rows.append(format_html("<tr>{}</tr>", cells))
        if field.fields:
            anchors[path] = f"{name}-0-{field.fields[0].key}"
        head = format_html_join("", "<th>{}</th>", ((s.label,) for s in field.fields))
        body = format_html('<table class="repeat"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, mark_safe("".join(rows)))
    elif t == "indicator_table":
        value = value or {}
        head = format_html_join("", "<th>{}</th>", ((c,) for c in field.columns))
        cell_errors = []
        for row in field.rows:
            for col in field.columns:
                cell_id = f"{name}-{row.key}-{col}"
                anchors[f"{path}.{row.key}.{col}"] = cell_id
                cell_errors += [f"{row.label}（{col}）：{m}" for m in problems.get(f"{path}.{row.key}.{col}", [])]
        if field.rows and field.columns:
            anchors[path] = f"{name}-{field.rows[0].key}-{field.columns[0]}"
        rows = format_html_join("", "<tr><th>{}{}</th>{}</tr>", (
            (row.label, f"（{row.unit}）" if row.unit else "", format_html_join("", '<td><input id="{0}" name="{0}" value="{1}" inputmode="decimal" aria-label="{2}（{3}）"{4}></td>', (
                (f"{name}-{row.key}-{col}", (value.get(row.key) or {}).get(col, ""), row.label, col,
                 _aria(problems.get(f"{path}.{row.key}.{col}"), err_id)) for col in field.columns)))
            for row in field.rows))
        body = format_html('<table class="indicators"><thead><tr><th>指标</th>{}</tr></thead><tbody>{}</tbody></table>', head, rows)
        errors = _errors(mine + cell_errors, err_id)
    elif t == "outline":
        value = value or {}
        parts = []
        for s in field.sections:
            sub_name, sub_path = f"{name}-{s.key}", f"{path}.{s.key}"
            anchors[sub_path] = sub_name
            sub_problems = problems.get(sub_path, [])
            limits = mark_safe(("" if s.min_chars is None else f' data-min-chars="{s.min_chars}"')
                               + ("" if s.max_chars is None else f' data-max-chars="{s.max_chars}"'))
            parts.append(format_html(
                '<div class="outline-section" data-path="{0}"><label for="{1}">{2}</label><p class="help">{3}</p>'
                '<textarea id="{1}" name="{1}" rows="10"{4}{5}>{6}</textarea>{7}</div>',
                sub_path, sub_name, s.title, s.guidance, limits, _aria(sub_problems, f"err-{sub_name}"), value.get(s.key, ""),
                _errors(sub_problems, f"err-{sub_name}")))
        if field.sections:
            anchors[path] = f"{name}-{field.sections[0].key}"
        body = mark_safe("".join(parts))
    elif t == "declaration":
        accepted = isinstance(value, dict) and value.get("accepted") is True
        body = format_html('<div class="declaration">{}</div><label class="opt"><input id="{}" type="checkbox" name="{}" value="accepted"{}{}> 我已阅读并确认以上承诺</label>',
                           field.text, name, name, _checked(accepted), aria)
    else:
        body = format_html("<p>{}</p>", value or "")
    return format_html('<div class="field field-{} {}" id="field-{}" data-path="{}">{}{}{}{}</div>', t,
                       "has-error" if mine else "", path, path, _label(field, name), help_text, body, errors)


def _first_id(index: int, name: str, aria: SafeString) -> SafeString:
    """The first option of a group carries the id its label and the error summary point at."""
    return format_html(' id="{}"{}', name, aria) if index == 0 else mark_safe("")


def _single(field: FormField, value: dict, name: str, aria: SafeString | str = "") -> SafeString:
    out = []
    for i, choice in enumerate(field.choices):
        label = choice if isinstance(choice, str) else choice.label
        out.append(format_html('<label class="opt"><input type="radio" name="{}" value="{}"{}{}> {}</label>', name, label,
                               _checked(value.get("choice") == label), _first_id(i, name, aria), label))
        if isinstance(choice, ChoiceSpec):
            kind = "checkbox" if choice.sub_multi else "radio"
            out.extend(format_html('<label class="opt sub-opt"><input type="{}" name="{}-sub" value="{}"{}> {}</label>', kind, name, sub,
                                   _checked(sub in (value.get("sub") or []) and value.get("choice") == label), sub)
                       for sub in choice.sub_choices)
            if choice.text:
                text = value.get("text", "") if value.get("choice") == label else ""
                out.append(format_html('<textarea name="{}-text" rows="4" placeholder="{}" aria-label="{}"{}>{}</textarea>', name,
                                       choice.text_label or "请说明", f"{label}：{choice.text_label or '请说明'}",
                                       mark_safe(f' data-max-chars="{choice.text_max_chars}"') if choice.text_max_chars else "", text))
    if field.other:
        out.append(format_html('<label class="opt"><input type="radio" name="{}" value="其他"{}> 其他</label>'
                               '<input class="other" name="{}-text" placeholder="请注明" value="{}" aria-label="其他（请注明）">', name,
                               _checked(value.get("choice") == "其他"), name, value.get("text", "") if value.get("choice") == "其他" else ""))
    return mark_safe("".join(out))


# -- reading the POST back ------------------------------------------------------------------------

def read_field(field: FormField, post, name: str):  # noqa: C901 - mirrors render_field
    t = field.type
    if t in {"text", "textarea", "uscc", "region", "track", "email", "mobile", "date", "month"} or t in INPUT_TYPES:
        raw = post.get(name)
        if raw is None:
            return None
        return raw.strip().upper() if t == "uscc" else (raw.strip() if t != "textarea" else raw)
    if t == "boolean":
        raw = post.get(name)
        return {"yes": True, "no": False}.get(raw)
    if t == "month_range":
        if f"{name}-start" not in post:
            return None
        end = "至今" if post.get(f"{name}-ongoing") and field.open_end else post.get(f"{name}-end", "")
        return {"start": post.get(f"{name}-start", ""), "end": end}
    if t == "single_choice":
        if name not in post and f"{name}-text" not in post:
            return None
        return {"choice": post.get(name, ""), "sub": post.getlist(f"{name}-sub"), "text": post.get(f"{name}-text", "")}
    if t == "multi_choice":
        if name not in post and f"{name}-other" not in post and not post.get("_form_present"):
            return None
        return {"choices": post.getlist(name), "other": post.get(f"{name}-other", "")}
    if t == "group":
        return {sub.key: read_field(sub, post, f"{name}-{sub.key}") for sub in field.fields}
    if t == "repeat":
        items = []
        for i in range(field.max_items or REPEAT_SLOTS):
            item = {sub.key: read_field(sub, post, f"{name}-{i}-{sub.key}") for sub in field.fields}
            if any(v not in (None, "") for v in item.values()):
                items.append(item)
        return items
    if t == "indicator_table":
        return {row.key: {col: post.get(f"{name}-{row.key}-{col}", "").strip() for col in field.columns} for row in field.rows}
    if t == "outline":
        return {s.key: post.get(f"{name}-{s.key}", "") for s in field.sections}
    if t == "declaration":
        return {"accepted": post.get(name) == "accepted"}
    return None


def read_application(spec, post, unit_codes: list[str]) -> dict:
    answers = {}
    for field in spec.form.fields("application"):
        if field.per_unit:
            answers[field.key] = {code: read_field(field, post, f"a-{field.key}-{i}") for i, code in enumerate(unit_codes)}
        else:
            answers[field.key] = read_field(field, post, f"a-{field.key}")
    return {k: v for k, v in answers.items() if v is not None}


def read_unit(spec, post, index: int) -> dict:
    values = {f.key: read_field(f, post, f"u{index}-{f.key}") for f in spec.form.fields("unit")}
    return {k: v for k, v in values.items() if v is not None}


# -- the reverse: answers → form pairs (for tests, integrations and pre-filling) ---------------------

def field_pairs(field: FormField, value, name: str) -> list[tuple[str, str]]:  # noqa: C901 - mirrors read_field
    t = field.type
    if value is None:
        return []
    if t == "boolean":
        return [(name, "yes" if value else "no")]
    if t == "month_range":
        pairs = [(f"{name}-start", value.get("start", ""))]
        if value.get("end") == "至今":
            pairs.append((f"{name}-ongoing", "1"))
        else:
            pairs.append((f"{name}-end", value.get("end", "")))
        return pairs
    if t == "single_choice":
        pairs = [(name, value.get("choice", ""))] + [(f"{name}-sub", s) for s in value.get("sub") or []]
        if value.get("text"):
            pairs.append((f"{name}-text", value["text"]))
        return pairs
    if t == "multi_choice":
        pairs = [(name, c) for c in value.get("choices") or []]
        if value.get("other"):
            pairs.append((f"{name}-other", value["other"]))
        return pairs
    if t == "group":
        return [p for sub in field.fields for p in field_pairs(sub, value.get(sub.key), f"{name}-{sub.key}")]
    if t == "repeat":
        return [p for i, item in enumerate(value) for sub in field.fields
                for p in field_pairs(sub, item.get(sub.key), f"{name}-{i}-{sub.key}")]
    if t == "indicator_table":
        return [(f"{name}-{row}-{col}", str(v)) for row, cols in value.items() for col, v in cols.items()]
    if t == "outline":
        return [(f"{name}-{key}", text) for key, text in value.items()]
    if t == "declaration":
        return [(name, "accepted")] if value.get("accepted") else []
    return [(name, str(value))]


def form_pairs(spec, answers: dict, unit_answers: list[dict], unit_codes: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = [("_form_present", "1")]
    for field in spec.form.fields("application"):
        value = answers.get(field.key)
        if field.per_unit:
            for i, code in enumerate(unit_codes):
                pairs += field_pairs(field, (value or {}).get(code), f"a-{field.key}-{i}")
        else:
            pairs += field_pairs(field, value, f"a-{field.key}")
    for i, unit in enumerate(unit_answers):
        for field in spec.form.fields("unit"):
            pairs += field_pairs(field, unit.get(field.key), f"u{i}-{field.key}")
    return pairs

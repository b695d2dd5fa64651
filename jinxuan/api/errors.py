"""Chinese 422 answers for requests that do not match an operation (ninja reports pydantic's English)."""

SOURCES = {"path": "路径参数", "query": "查询参数", "body": "请求体", "form": "表单字段", "file": "上传文件",
           "header": "请求头", "cookie": "Cookie"}
PROBLEMS = {
    "missing": "缺少该项",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为字符串", "string_unicode": "应为字符串",
    "text_unstorable": "文本不能包含空字符（\\u0000）或不成对的 Unicode 代理字符",
    "dict_type": "应为 JSON 对象", "model_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为数组", "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON",
    "datetime_parsing": "应为日期时间", "datetime_type": "应为日期时间", "date_parsing": "应为日期",
    "string_too_long": "过长", "too_long": "项数过多", "string_too_short": "过短", "extra_forbidden": "不接受该项",
    "greater_than": "数值过小", "greater_than_equal": "数值过小", "less_than": "数值过大",
    "less_than_equal": "数值过大", "upload_file": "应为上传的文件",
}  # fmt: skip


def _where(loc) -> tuple[list, str]:
    loc = list(loc or [])
    source = SOURCES.get(str(loc[0]), "") if loc else ""
    rest = loc[1:] if source else loc
    if loc and loc[0] == "body":
        rest = rest[1:]  # ninja nests the body under the handler's parameter name
    name = ".".join(str(part) for part in rest)
    return loc, " ".join(part for part in (source, name) if part) or "请求"


def invalid_request(errors: list[dict]) -> dict:
    items, parts = [], []
    for error in errors:
        loc, where = _where(error.get("loc"))
        problem = PROBLEMS.get(str(error.get("type")), "格式不正确")
        items.append({"loc": [p if isinstance(p, int) else str(p) for p in loc], "message": problem})
        parts.append(f"{where}：{problem}")
    return {"detail": "请求参数不正确：" + "；".join(dict.fromkeys(parts)), "errors": items}


def unparsable_body() -> dict:
    return {"detail": "请求体无法解析：请发送有效的 JSON（Content-Type: application/json）",
            "errors": [{"loc": ["body"], "message": "不是有效的 JSON"}]}

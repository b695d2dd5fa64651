"""Django-free. Read a preset file, validate it, and report problems in Chinese with the key path and line."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import STAGE_MODELS, Preset

# Pydantic error types → what was expected, in Chinese.
EXPECTED = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键（请检查拼写或删除）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不符：应为小写字母开头，仅含小写字母、数字、下划线（slug 可含连字符）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，如 2025-04-10",
    "date_parsing": "应为日期，如 2025-04-10",
    "date_from_datetime_parsing": "应为日期，如 2025-04-10",
    "datetime_type": "应为日期时间，如 2025-04-10 17:00",
    "datetime_parsing": "应为日期时间，如 2025-04-10 17:00",
    "datetime_from_date_parsing": "应为日期时间，如 2025-04-10 17:00",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "tuple_type": "应为两项的列表",
    "too_short": "项数太少",
    "too_long": "项数太多",
    "greater_than": "取值太小",
    "greater_than_equal": "取值太小",
    "less_than": "取值太大",
    "less_than_equal": "取值太大",
    "literal_error": "取值不在允许范围内",
    "union_tag_invalid": "未知的阶段类型",
    "union_tag_not_found": "缺少 kind（阶段类型）",
}


@dataclass(frozen=True)
class PresetProblem:
    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(根)'}: {self.message}"


class PresetError(Exception):
    def __init__(self, problems: list[PresetProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BASE_LOADER):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.MarkedYAMLError(
                problem=f"键 {key!r} 重复出现", problem_mark=key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _format_loc(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in STAGE_MODELS or item.startswith("function-"):
            continue  # the discriminator tag / validator wrapper pydantic inserts
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _line_of(root: yaml.Node | None, loc: tuple) -> int | None:
    node, line = root, None
    for item in loc:
        if node is None:
            break
        if isinstance(item, str) and (item in STAGE_MODELS or item.startswith("function-")):
            continue
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == item), None)
            if match is None:
                key_node = next((k for k, _ in node.value if k.value == item), None)
                return (key_node or node).start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(item, int) and item < len(node.value):
            node = node.value[item]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    expected = EXPECTED.get(kind, error["msg"])
    if kind == "literal_error":
        expected = f"{expected}，可选：{error.get('ctx', {}).get('expected', '')}"
    if kind == "union_tag_invalid":
        expected = f"{expected} {error.get('ctx', {}).get('tag')!r}，可选：{', '.join(STAGE_MODELS)}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_short", "too_long"}:
        ctx = error.get("ctx", {})
        expected = f"{expected}（{', '.join(f'{k}={v}' for k, v in ctx.items())}）"
    got = error.get("input")
    if kind != "missing" and isinstance(got, str | int | float | bool) and len(str(got)) < 40:
        expected = f"{expected}；实际为 {got!r}"
    return expected


def parse_preset_text(text: str, file: str = "<preset>") -> Preset:
    """Validate YAML text; raise PresetError listing every problem."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PresetError([PresetProblem(file, "", f"YAML 语法错误：{problem}", line)]) from exc
    if not isinstance(data, dict):
        raise PresetError([PresetProblem(file, "", "预设文件的顶层应为映射（键: 值）")])
    try:
        return Preset.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text, Loader=_BASE_LOADER)  # only for line numbers
        problems = [
            PresetProblem(file, _format_loc(e["loc"]), _message(e), _line_of(root, e["loc"]))
            for e in exc.errors(include_url=False)
        ]
        raise PresetError(problems) from exc


def read_preset(path: str | Path) -> Preset:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PresetError([PresetProblem(str(path), "", "文件不存在")]) from exc
    except UnicodeDecodeError as exc:
        raise PresetError([PresetProblem(str(path), "", "文件不是 UTF-8 编码")]) from exc
    return parse_preset_text(text, str(path))

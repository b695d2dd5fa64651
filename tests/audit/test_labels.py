"""Every audit event kind written anywhere in jinxuan/ has Chinese words; no key is ever shown raw."""

import ast
import re
from pathlib import Path

import pytest

import jinxuan
from jinxuan.applicants.states import MOVES
from jinxuan.audit.labels import EVENT_LABELS, event_label, is_labelled
from jinxuan.publicity.models import Objection
from jinxuan.roadshow.models import SlotState

SOURCE = Path(jinxuan.__file__).parent
RAW_KEY = re.compile(r"[a-z_]+\.[a-z_]+")

# Functions that take the key from their caller (keyword audit=), and the files where they record it.
FORWARDERS = {"run_bulk"}
FORWARDING = {Path("lists/bulk.py")}

# Keys built at run time, expanded to every value they can take.
DYNAMIC = {
    "application.{move.label}": [f"application.{m.label}" for m in MOVES],
    "'roadshow.slot_' + slot.state": [f"roadshow.slot_{s}" for s in SlotState.values],
    "publicity.objection_{decision}": [f"publicity.objection_{d}" for d in (Objection.UPHELD, Objection.DISMISSED)],
}


def _keys(node: ast.expr) -> list[str] | None:
    """The keys an expression can evaluate to, or None when it cannot be read statically."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _keys(node.body), _keys(node.orelse)
        return None if a is None or b is None else a + b
    source = ast.unparse(node)
    for pattern, keys in DYNAMIC.items():
        if pattern in source:
            return keys
    return None


def written_event_keys() -> tuple[set[str], list[str]]:
    keys: set[str] = set()
    unreadable: list[str] = []
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "jinxuan.audit.log import record" not in text and "run_bulk" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORWARDERS:
                # the bulk runner writes the key its caller names
                given = next((k.value for k in node.keywords if k.arg == "audit"), None)
                if isinstance(given, ast.Constant) and isinstance(given.value, str):
                    keys.add(given.value)
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "record":
                if path.relative_to(SOURCE) in FORWARDING and isinstance(node.args[0] if node.args else None, ast.Name):
                    continue
                arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "action"), None)
                found = _keys(arg) if arg is not None else None
                if found is None:
                    unreadable.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
                else:
                    keys.update(found)
    return keys, unreadable


def test_every_event_key_written_in_the_code_has_a_chinese_label():
    keys, unreadable = written_event_keys()
    assert not unreadable, f"event keys that cannot be read from the source (add them to DYNAMIC): {unreadable}"
    assert len(keys) > 60  # the scan really found the writers
    missing = sorted(k for k in keys if not is_labelled(k))
    assert not missing, f"event keys without a Chinese label in jinxuan/audit/labels.py: {missing}"
    for key in keys:
        label = event_label(key)
        assert re.search(r"[\u4e00-\u9fff]", label) and not RAW_KEY.search(label), (key, label)


def test_no_label_is_left_over_for_a_key_nobody_writes():
    keys, _ = written_event_keys()
    assert sorted(set(EVENT_LABELS) - keys) == []


@pytest.mark.parametrize("key, words", [
    ("application.attachment_added", "上传附件"),
    ("application.提交申报", "提交申报"),
    ("vote.invalidated", "认定投票无效"),
    ("review.some_future_kind", "专家评审相关操作"),
    ("mystery_thing", "其他操作"),
    ("", "其他操作"),
    ("测试事件", "测试事件"),
])
def test_label_falls_back_to_words_never_the_key(key, words):
    assert event_label(key) == words

"""The rule evaluator: findings, the rule registry, `screen()` and `validate_record()`.

A rule is a function ``(preset, record, params) -> list[Finding]`` registered with ``@rule(name,
default_severity, params=(...))``.  `screen()` runs the rules a preset switches on (``preset.screening``)
or the specs given, each inside its own ``try``: a record broken in a way a rule did not expect gives a
warning finding "规则执行出错：…" instead of an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from jinxuan.campaigns.rule_names import RULE_NAMES

FORMAT = "jinxuan.application/1"
BLOCKING, WARNING = "blocking", "warning"
Severity = Literal["blocking", "warning"]
SEVERITIES = (BLOCKING, WARNING)


@dataclass(frozen=True)
class Finding:
    rule: str
    field: str  # the answer path the finding is about ("case_name", "units[1].established", "attachments.proposal")
    severity: Severity
    message: str  # Chinese, shown to the reviewer and the applicant
    evidence: dict = field(default_factory=dict)  # JSON-ready: what triggered the finding

    def to_json(self) -> dict:
        """A JSON-ready dict (``json.dumps(finding.to_json(), ensure_ascii=False)``)."""
        return {"rule": self.rule, "field": self.field, "severity": self.severity, "message": self.message,
                "evidence": _jsonable(self.evidence)}


RuleFn = Callable[[Any, dict, dict], list[Finding]]


@dataclass(frozen=True)
class RuleInfo:
    name: str
    default_severity: Severity
    params: tuple[str, ...]
    fn: RuleFn
    doc: str


RULES: dict[str, RuleFn] = {}
INFO: dict[str, RuleInfo] = {}


def rule(name: str, default_severity: Severity, params: Iterable[str] = ()):
    """Register a rule under `name` (one of names.RULE_NAMES) with the parameters it reads."""
    if name not in RULE_NAMES:
        raise ValueError(f"rule {name!r} is not listed in jinxuan.campaigns.rule_names.RULE_NAMES")
    if default_severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}")

    def register(fn: RuleFn) -> RuleFn:
        RULES[name] = fn
        INFO[name] = RuleInfo(name, default_severity, tuple(params), fn, (fn.__doc__ or "").strip())
        return fn

    return register


def finding(rule_name: str, field_path: str, message: str, evidence: dict | None = None,
            severity: Severity | None = None) -> Finding:
    """A finding at the rule's default severity unless `severity` says otherwise."""
    return Finding(rule_name, field_path, severity or INFO[rule_name].default_severity, message, evidence or {})


# -- per-record memo ------------------------------------------------------------------------------
# screen() opens a memo for the duration of one call, so facts several rules need (texts, word counts,
# regions) are computed once per record.  A rule called on its own computes them itself.

_MEMO: ContextVar[dict | None] = ContextVar("jinxuan_screening_memo", default=None)


def memo(record: Any, key: str, compute: Callable[[], Any]) -> Any:
    store = _MEMO.get()
    if store is None:
        return compute()
    slot = (id(record), key)
    if slot not in store:
        store[slot] = compute()
    return store[slot]


# -- input -----------------------------------------------------------------------------------------

def validate_record(data: Any) -> list[str]:
    """Problems (Chinese) that make `data` unusable as an application record; [] when it can be screened."""
    if not isinstance(data, dict):
        return [f"申报记录应为 JSON 对象，实际为 {type(data).__name__}"]
    problems = []
    if data.get("format") != FORMAT:
        problems.append(f"记录格式应为 {FORMAT}，实际为 {data.get('format')!r}")
    campaign = data.get("campaign")
    if not isinstance(campaign, str) or not campaign.strip():
        problems.append("缺少 campaign（活动标识）或其不是文本")
    if not isinstance(data.get("answers"), dict):
        problems.append("缺少 answers（申报内容）或其不是对象")
    units = data.get("units")
    if not isinstance(units, list):
        problems.append("缺少 units（申报单位列表）或其不是列表")
    else:
        problems += [f"units[{i}] 应为对象" for i, unit in enumerate(units) if not isinstance(unit, dict)]
    return problems


def _spec_parts(spec: Any) -> tuple[str, str | None, dict]:
    if isinstance(spec, dict):
        return spec.get("rule", ""), spec.get("severity"), dict(spec.get("params") or {})
    return spec.rule, spec.severity, dict(spec.params or {})


def _override(item: Finding, severity: str | None) -> Finding:
    """A spec's severity: "warning" downgrades everything; "blocking" upgrades the rule's default-level
    findings (the rule's own softer notes, e.g. "请核实", stay warnings)."""
    if severity == WARNING and item.severity != WARNING:
        return Finding(item.rule, item.field, WARNING, item.message, item.evidence)
    if severity == BLOCKING and item.severity == WARNING and INFO[item.rule].default_severity == WARNING:
        return Finding(item.rule, item.field, BLOCKING, item.message, item.evidence)
    return item


def run_rule(name: str, preset: Any, record: Any, params: dict | None = None) -> list[Finding]:
    """One rule, never raising: an exception becomes a warning finding naming its type."""
    try:
        found = RULES[name](preset, record, params or {})
        return [f for f in found if isinstance(f, Finding)]
    except Exception as exc:  # noqa: BLE001 - a broken record must not stop the other rules
        return [Finding(name, "", WARNING, f"规则执行出错：{type(exc).__name__}: {str(exc)[:200]}",
                        {"exception": type(exc).__name__, "detail": str(exc)[:500]})]


def screen(preset: Any, record: Any, specs: Iterable[Any] | None = None) -> list[Finding]:
    """Run the rules of `specs` (default ``preset.screening``) on `record`; blocking findings first."""
    problems = validate_record(record)
    if problems:
        return [Finding("record", "", BLOCKING, f"申报记录无法审核：{p}", {"problem": p}) for p in problems]
    # the preset's section keeps its stored key `screening:` (jinxuan.campaigns.schema.Preset.screening)
    specs = list(preset.screening if specs is None else specs)
    out: list[Finding] = []
    if record["campaign"] != preset.slug:
        out.append(Finding("record", "campaign", BLOCKING,
                           f"申报记录属于活动“{record['campaign']}”，与审核所用预设“{preset.slug}”不一致",
                           {"record_campaign": record["campaign"], "preset": preset.slug}))
    token = _MEMO.set({})
    try:
        for spec in specs:
            name, severity, params = _spec_parts(spec)
            if name not in RULES:
                out.append(Finding(str(name), "", WARNING, f"未知的审核规则“{name}”，已跳过",
                                   {"known_rules": sorted(RULES)}))
                continue
            unknown = sorted(set(params) - set(INFO[name].params))
            if unknown:
                out.append(Finding(name, "", WARNING, f"审核规则“{name}”不认识参数：{'、'.join(unknown)}（已忽略）",
                                   {"unknown_params": unknown, "accepted_params": list(INFO[name].params)}))
            out += [_override(f, severity) for f in run_rule(name, preset, record, params)]
    finally:
        _MEMO.reset(token)
    return sorted(out, key=lambda f: f.severity != BLOCKING)  # stable: rule order kept within a severity


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# The rule modules register themselves on import; they import this module, so they come last.
from . import rules_eligibility, rules_form, rules_lists  # noqa: E402, F401

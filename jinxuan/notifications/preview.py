"""Mail templates as organisers edit them: the variables each notice offers, a preview with sample data, and
template errors in Chinese (with the line), instead of Django's English exception text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError

from .mail import DEFAULTS

# Every variable a notice may use: its meaning and the sample value of the preview.
VARIABLES = {
    "campaign": ("征集活动名称", "2025年“点数成金”数字金融创新实践案例征集"),
    "title": ("案例名称", "基于隐私计算的普惠小微信贷风控应用"),
    "number": ("申报编号", "GD2025-0001"),
    "state": ("申报状态", "需补正"),
    "reason": ("说明或原因", "营业执照扫描件不清晰，请重新上传"),
    "version": ("提交的版本号", "2"),
    "hash": ("内容摘要值", "3f9a1c0b7d2e"),
    "time": ("提交时间", "2025-06-30 16:20"),
    "deadline": ("截止时间", "2025-07-15 17:00"),
    "organisation": ("单位名称", "广州示例银行股份有限公司"),
    "inviter": ("邀请人", "张敏"),
    "link": ("链接", "https://jinxuan.example.cn/…"),
    "name": ("收件人姓名", "李华"),
    "count": ("份数", "3"),
    "items": ("申报清单（逐行）", ["GD2025-0001 基于隐私计算的普惠小微信贷风控应用", "GD2025-0002 供应链金融数据平台"]),
    "hours": ("有效小时数", "24"),
    "role": ("职务", "路演评委"),
    "until": ("有效期至", "2025-07-20 17:00"),
    "lead": ("牵头申报单位", "广州示例科技有限公司"),
    "code": ("统一社会信用代码", "91440106MA5XXXXXXX"),
    "outcome": ("认证结果", "已通过认证"),
}
_ENGINE = Engine(debug=True, autoescape=False)  # debug: a syntax error knows its line
_NAME = re.compile(r"{{\s*(\w+)|{%\s*for\s+\w+\s+in\s+(\w+)|{%\s*if\s+(\w+)")


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str


def variables_of(event: str) -> list[Variable]:
    """The variables a notice offers: those its default template uses, in their order."""
    names = []
    for text in DEFAULTS[event]:
        for m in _NAME.finditer(text):
            name = next(g for g in m.groups() if g)
            if name in VARIABLES and name not in names:
                names.append(name)
    return [Variable(n, VARIABLES[n][0]) for n in names]


def problems(event: str, subject: str, body: str) -> list[str]:
    """What is wrong with a template, in Chinese; empty when it can be saved."""
    out = []
    for part, text in (("标题", subject), ("正文", body)):
        if not text.strip():
            out.append(f"{part}不能为空")
            continue
        try:
            _ENGINE.from_string(text)
        except TemplateSyntaxError as exc:
            out.append(f"{part}：模板语法错误{_where(exc, text)}。{_explain(str(exc))}")
            continue
        offered = {v.name for v in variables_of(event)}
        loop_names = set(re.findall(r"{%\s*for\s+(\w+)\s+in", text))
        for m in _NAME.finditer(text):
            name = next(g for g in m.groups() if g)
            if name not in offered and name not in loop_names:
                listed = "、".join(f"{{{{ {n} }}}}" for n in sorted(offered)) or "无"
                out.append(f"{part}：本通知没有变量“{name}”（可用：{listed}）")
    return out


def preview(subject: str, body: str) -> tuple[str, str]:
    """The notice as a recipient would read it, filled with the sample values."""
    context = Context({name: sample for name, (_, sample) in VARIABLES.items()}, autoescape=False)
    return (_ENGINE.from_string(subject).render(context).strip().replace("\n", " "),
            _ENGINE.from_string(body).render(context))


def _where(exc: TemplateSyntaxError, text: str) -> str:
    debug = getattr(exc, "template_debug", None)
    if not debug:
        return ""
    return f"（第 {debug['line']} 行：“{debug['during'].strip()}”）"


def _explain(message: str) -> str:
    if "Unclosed tag" in message or "expected 'end" in message or "Expected 'end" in message:
        return "{% if %} 要以 {% endif %} 结束，{% for %} 要以 {% endfor %} 结束。"
    if "Invalid block tag" in message:
        return "只能使用 {% if %}…{% endif %} 和 {% for 行 in 清单 %}…{% endfor %} 这类标签，请检查拼写。"
    if "Invalid filter" in message:
        return "变量后的“|”过滤器写法无法识别，请删去或改正。"
    if "did not receive value" in message or "Unexpected end of expression" in message or "Not expecting" in message:
        return "{% if %} 后面要写一个变量，例如 {% if reason %}。"
    return "请检查花括号是否成对：变量写作 {{ 变量 }}，标签写作 {% 标签 %}。"

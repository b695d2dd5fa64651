"""Names of the formal-review rules; a preset's `screening:` section may use only these.

The preset's vocabulary: jinxuan.campaigns.schema validates rule names against it, the rules themselves live
above it in jinxuan.formalrules. Imports nothing.
"""

RULE_NAMES = (
    "completeness",
    "case_name",
    "unit_count",
    "years_in_operation",
    "implementation_region",
    "implementation_dates",
    "applicant_type",
    "shanghai_scope",
    "technology_scope",
    "industry_focus",
    "consistency",
    "quantified_results",
)

RULE_LABELS = {
    "completeness": "材料完整性",
    "case_name": "案例名称规范",
    "unit_count": "申报单位数量",
    "years_in_operation": "运营年限",
    "implementation_region": "落地实施地区",
    "implementation_dates": "实施时间",
    "applicant_type": "申报主体类型",
    "shanghai_scope": "上海地区范围",
    "technology_scope": "技术应用范围",
    "industry_focus": "行业聚焦",
    "consistency": "内容前后一致",
    "quantified_results": "成效量化",
}


def rule_label(name: str) -> str:
    """The Chinese name of a formal-review rule; never the key itself."""
    return RULE_LABELS.get(name, "其他审核规则")

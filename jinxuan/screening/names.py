"""Names of the formal-review rules; a preset's `screening:` section may use only these.

Kept free of imports so that jinxuan.campaigns.schema can validate rule names without an import cycle.
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

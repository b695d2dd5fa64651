"""Formal review (形式审核) as rules: an application record in, findings out.  No Django here.

`formcheck` checks answers against the form (required fields, limits, credit codes); the applicant's form
shows its problems at the fields, and the `completeness` rule turns them into findings.

Input: an application record in the export format "jinxuan.application/1"
(written by jinxuan.applicants.export, read by `jinxuan formalreview`):

    {"format": "jinxuan.application/1", "campaign": slug, "number": "GD2025-0007", "track": track_key,
     "title": str, "state": str, "submitted_at": ISO-8601 with offset or null, "version": int or null,
     "content_hash": str or null,
     "answers": {field_key: value (shapes of jinxuan.demo.answers)},
     "units": [{"name", "credit_code", "is_lead": bool, "answers": {unit field values},
                "organisation": {"founded": "YYYY-MM-DD" or null, "registered_region": str,
                                 "office_region": str, "unit_type": str}}],
     "attachments": [{"key", "name", "sha256", "size", "detected"}]}

Output: a list of `Finding(rule, field, severity, message, evidence)`, blocking findings first;
``finding.to_json()`` gives the JSON form.  ``validate_record(data)`` lists (in Chinese) what makes a
record unusable; ``screen(preset, record, specs=None)`` runs the rules the preset switches on in its
``screening:`` section (see jinxuan.campaigns.schema.ScreeningRule), or the given specs.

Rules find the fields they need in the preset's form by type and label (案例名称/事件名称, the
month_range, the outline, 主要技术/所用技术, 核心实践地 …), so the same rules serve every preset; a rule
whose field the preset lacks finds nothing.  The rule names are listed in
`jinxuan.campaigns.rule_names.RULE_NAMES` (the preset's vocabulary), the
rules themselves in rules_form (completeness, case_name, consistency), rules_eligibility (unit_count,
years_in_operation, implementation_region, implementation_dates, applicant_type) and rules_lists
(shanghai_scope, technology_scope, industry_focus, quantified_results).
"""

from .evaluate import FORMAT, INFO, RULES, Finding, run_rule, screen, validate_record

__all__ = ["FORMAT", "INFO", "RULES", "Finding", "run_rule", "screen", "validate_record"]

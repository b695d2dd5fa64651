"""检查申报书: the campaign's formal-review rules run on the applicant's draft, shown as advice.

The same rule functions the formal reviewer's screening runs (jinxuan.formalrules), on the draft's live content;
nothing is stored and no decision is recorded. Missing fields are left to the form's own checklist.
"""

from dataclasses import dataclass

from jinxuan.campaigns.rule_names import rule_label
from jinxuan.formalrules.evaluate import BLOCKING, screen

from .export import export_application
from .formpage import FormPage, root_of

LEFT_TO_THE_FORM = {"completeness"}  # the checklist beside the submit button already lists these


@dataclass(frozen=True)
class Advice:
    rule: str  # Chinese name of the rule
    message: str
    required: bool  # the formal reviewer would send the application back for this
    href: str  # the control to look at, or "" when the advice concerns the whole application


def advise(app, page: FormPage | None = None) -> list[Advice]:
    record = export_application(app, latest=False)  # the draft as it is now, not the last submitted version
    spec = app.campaign.spec
    specs = [s for s in spec.screening if (s if isinstance(s, str) else s.rule) not in LEFT_TO_THE_FORM]
    out = []
    for f in screen(spec, record, specs):
        href = ""
        if page and f.field:
            href = page.anchors.get(f.field) or page.anchors.get(root_of(f.field)) or ""
        out.append(Advice(rule_label(f.rule), f.message, f.severity == BLOCKING, href))
    return out

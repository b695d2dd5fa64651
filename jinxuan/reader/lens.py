"""Who reads an application, and what that role may see of it (the one place the reader decides it).

A lens is chosen from the reader's roles on the application's campaign, most capable first:
formal review (organisers, superusers, formal reviewers), guidance, roadshow judge, expert. Blind review
(experts in a blind campaign) hides the units, the people and every identity inside free text
(jinxuan/review/masking.py); personal data (phones, e-mails, ID numbers) is masked for every lens but the formal
reviewer's, whose job is to check them (jinxuan/accounts/personal_data.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from jinxuan.accounts.models import Role
from jinxuan.accounts.roles import has_role
from jinxuan.review.services import stage_params
from jinxuan.review.visibility import may_see

FORMAL, GUIDANCE, JUDGE, EXPERT = "formal", "guidance", "judge", "expert"


@dataclass(frozen=True)
class Lens:
    name: str
    blind: bool = False  # identities hidden inside the text, no units
    personal_masked: bool = True  # phones, e-mails, ID numbers masked
    reviewable_only: bool = False  # only the fields the preset lets reviewers see
    units: bool = True  # the unit sections and names
    attachments: bool = True
    findings: bool = False  # formal-review rule findings
    duplicates: bool = False  # near-duplicate candidates (they name other applications)
    decide: bool = False  # the formal-review decision panel


def is_judge_of(user, application) -> bool:
    """A roadshow judge of the campaign reads the applications that present at its roadshow."""
    if not has_role(user, Role.ROADSHOW_JUDGE, application.campaign):
        return False
    return application.roadshow_slots.exists()


def may_read(user, application) -> bool:
    """The reader's permission rule (installed as `reader.read`)."""
    return lens_for(user, application) is not None


def lens_for(user, application) -> Lens | None:
    """The lens of `user` on `application`, or None when the user may not read it."""
    if application is None or not getattr(user, "is_authenticated", False):
        return None
    campaign = application.campaign
    if user.is_superuser or has_role(user, Role.ORGANISER, campaign):
        return Lens(FORMAL, findings=True, duplicates=True, decide=True)
    if has_role(user, Role.FORMAL_REVIEWER, campaign):
        return Lens(FORMAL, personal_masked=False, findings=True, duplicates=True, decide=True)
    if has_role(user, Role.GUIDANCE, campaign):
        return Lens(GUIDANCE, findings=True, duplicates=True)
    if is_judge_of(user, application):
        return Lens(JUDGE, reviewable_only=True)
    if has_role(user, Role.EXPERT, campaign) and may_see(user, application):
        blind = stage_params(campaign).blind
        return Lens(EXPERT, blind=blind, reviewable_only=True, units=not blind, attachments=not blind)
    return None

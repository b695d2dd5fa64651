"""An application's personal data: who sees it unmasked, its contacts, and the applicant's consent to publish them.

Masking itself and the reasoned unmasked export are in jinxuan/accounts/personal_data.py (the survey of where
personal data lives is there too). Public pages pass public-field text through `public_fields` and show contacts
only from `public_contacts`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from jinxuan.accounts.personal_data import mask_email, mask_phone, mask_text
from jinxuan.audit.log import record

from .models import Application
from .ownership import may_access
from .prefetch import prefetched


def sees_unmasked(user, application) -> bool:
    """Only the applying organisations' own members see their application's personal data in pages and exports."""
    return may_access(user, application)  # members of verified, consenting units; own drafts


def _contact_row(unit_name: str, fields, item: dict, masked: bool) -> dict:
    row = {"unit": unit_name, "name": "", "title": "", "mobile": "", "email": ""}
    for f in fields:
        value = str(item.get(f.key) or "")
        if f.type == "mobile":
            row["mobile"] = mask_phone(value) if masked and value else value
        elif f.type == "email":
            row["email"] = mask_email(value) if masked and value else value
        elif f.key == "name":
            row["name"] = value
        elif f.type == "text" and not row["title"]:
            row["title"] = mask_text(value) if masked else value
    return row


def _contacts_in(fields, answers: dict, unit_name: str, masked: bool) -> list[dict]:
    """Contacts are repeats (or groups) with a mobile / e-mail sub-field, in either scope of the form."""
    rows = []
    for field in fields:
        if field.type not in {"repeat", "group"} or not any(f.type in {"mobile", "email"} for f in field.fields):
            continue
        value = (answers or {}).get(field.key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        rows += [_contact_row(unit_name, field.fields, item, masked) for item in items if isinstance(item, dict)]
    return rows


def contact_rows(application, masked: bool = True) -> list[dict]:
    """The contacts of an application: unit, name, title, mobile, e-mail (schema-driven; application-scope
    contacts are the lead unit's)."""
    spec = application.campaign.spec
    if prefetched(application, "units"):  # a list loaded them (with their organisations) for all its rows
        units = sorted(application.units.all(), key=lambda u: u.position)
    else:
        units = list(application.units.select_related("organisation").order_by("position"))
    lead = next((u.organisation.name for u in units if u.is_lead), "")
    rows = _contacts_in(spec.form.fields("application"), application.answers, lead, masked)
    for unit in units:
        rows += _contacts_in(spec.form.fields("unit"), unit.answers, unit.organisation.name, masked)
    return rows


# -- consent to publish contact details ---------------------------------------------------------------------

def has_consent(application) -> bool:
    return getattr(application, "contact_consent_at", None) is not None


def set_consent(application, user, given: bool) -> None:
    """Record (or withdraw) the applicant's consent to publish the contact details, with time and user."""
    before = {"consent": has_consent(application)}
    if given == before["consent"]:
        return
    at = timezone.now() if given else None
    Application.objects.filter(pk=application.pk).update(contact_consent_at=at, contact_consent_by=user if given else None)
    application.contact_consent_at, application.contact_consent_by = at, (user if given else None)
    record("application.contact_consent", application, actor=user, before=before,
           after={"consent": given, "at": at.isoformat() if at else None})


def public_fields(application, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, text) of public fields as a public page may show them: resident IDs always masked; phones and
    e-mails masked unless the applicant consented to publish contact details.  Every public page uses this."""
    consent = has_consent(application)
    return [(label, mask_text(text, phones=not consent, emails=not consent)) for label, text in pairs]


def public_contacts(application) -> list[dict]:
    """The contacts (unit, name, mobile, e-mail) a public page may show: none without consent."""
    if not has_consent(application):
        return []
    return [{k: r[k] for k in ("unit", "name", "mobile", "email")} for r in contact_rows(application, masked=False)]

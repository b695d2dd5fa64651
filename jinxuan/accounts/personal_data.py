"""Personal data: who needs it, masking, the reasoned unmasked export, and consent to publish contact details.

Where personal data lives (survey) and who needs it unmasked:

| data | where it appears | unmasked for | masked for |
|---|---|---|---|
| applicants' contacts (form fields typed ``mobile`` / ``email`` in presets/*.yaml, inside the unit-scope ``contacts`` repeat; phones, e-mails and ID numbers typed into free text) | application JSON export (jinxuan.application/1, page and API), the watermarked PDF, the dashboard application export | members of the applying organisations (their own data); organisers only through the reasoned unmasked export | organisers by default, guidance unit, experts (never shown: ``reviewable: false``), everyone else |
| contact details in public fields (``public: true`` answers) | publicity page, results page, case library | the public only with the applicant's consent (`public_fields`, `public_contacts`); ID numbers never | the public without consent (the default) |
| objection filers' contacts (jinxuan/publicity) | organiser's objection queue, the objection export | organisers through the reasoned unmasked export | organisers on the page and in the default export |
| experts' and inspectors' e-mails (users) | expert pool page, inspection assignment page | the person; superusers in the admin | organisers in lists |
| users' e-mails in the notifications outbox | dashboard outbox (recipient, message bodies) | the mail server only | organisers |
| expert comments (free text) | review score workbook | — | everyone: phones / e-mails / IDs masked |
| stage reasons (free text) | reports workbook | — | everyone: phones / e-mails / IDs masked |
| voters' phones | jinxuan/voting (already masked there) | — | everyone |
| contact changes between versions | formal review diff (jinxuan/formalreview) | formal reviewers (checking the contacts is their job) | — (experts never reach it) |
| organisations' registration contacts (``Organisation.profile``) | stored only; no page or export shows them | — | — |

Organisation names and unified social credit codes identify organisations, not people: they are not masked here
(blind review hides them from experts, jinxuan/review/masking.py).

Who sees an application's personal data unmasked, its contact rows, and consent to publish them live with the
applications (jinxuan/applicants/personal_data.py); this module masks and audits the reasoned unmasked export.

Consent (``Application.contact_consent_at`` / ``contact_consent_by``, set by `set_consent`, audited as
``application.contact_consent``): given on the submit form or the application's detail page.  Public pages pass
public-field text through `public_fields` and show contacts only from `public_contacts`: the publicity page, the
results page, the public vote pages (jinxuan/voting/presentation.py) and the case library (cases store their
paragraphs at publish time, through `public_fields` in ``library.services.publish_application``) do.

Exports: every workbook is written by jinxuan/exports/xlsx.py (user text as text, never a formula); the masked
ones mask here, the unmasked ones go through `unmasked_export` (a reason, audited). Blind review (experts) hides
organisations and people through jinxuan/review/masking.py on the pages and in the expert's own export alike.

Formats: phone 138****8000, e-mail z***@example.cn, resident ID 110***********1234.  `mask_text` finds them in
free text (phonenumbers' matcher and the review module's mobile / e-mail patterns; ID numbers by shape and a
valid birth date, stdnum.cn.ric).  Masking never raises and is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import phonenumbers
from stdnum.cn import ric

from jinxuan.audit.log import record
from jinxuan.exports.xlsx import CONTENT_TYPE as XLSX

from .patterns import MOBILE

MASK_CHAR = "*"
REASON_MIN_CHARS = 5
REASON_MAX_CHARS = 500
# numbers, dates and codes of organisations: never personal, and free-text masking would misread them
UNMASKED_TYPES = {"integer", "decimal", "percent", "money", "date", "month", "month_range", "uscc", "region", "track",
                  "indicator_table", "boolean"}

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}[01]\d[0-3]\d\d{3}(?![0-9A-Za-z])")


# -- masking ----------------------------------------------------------------------------------------------

def mask_phone(value) -> str:
    """138****8000: the first three and last four digits kept (a +86 / 86 prefix dropped)."""
    text = "" if value is None else str(value)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not digits:
        return MASK_CHAR * 3 if text.strip() else ""
    if len(digits) < 8:
        return MASK_CHAR * len(digits)
    return digits[:3] + MASK_CHAR * (len(digits) - 7) + digits[-4:]


def mask_email(value) -> str:
    """z***@example.cn: the first character of the local part kept, the domain kept."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return MASK_CHAR * 3
    return f"{local[0]}{MASK_CHAR * 3}@{domain}"


def mask_id(value) -> str:
    """110***********1234: a resident ID (or any identity number) with its first three and last four kept."""
    text = re.sub(r"\s", "", "" if value is None else str(value))
    if len(text) < 8:
        return MASK_CHAR * len(text)
    return text[:3] + MASK_CHAR * (len(text) - 7) + text[-4:]


def mask_contact(value) -> str:
    """A contact that is either an e-mail or a phone number (objection filers, ...)."""
    text = "" if value is None else str(value)
    return mask_email(text) if "@" in text else mask_phone(text)


def _is_resident_id(raw: str) -> bool:
    try:
        ric.get_birth_date(ric.compact(raw))  # the shape and a real date; checksum typos are masked too
        return True
    except Exception:  # noqa: BLE001 — stdnum raises several kinds on a non-ID
        return False


def _spans(text: str, phones: bool, emails: bool, ids: bool) -> list[tuple[int, int, Callable]]:
    found: list[tuple[int, int, Callable]] = []
    if emails:
        found += [(m.start(), m.end(), mask_email) for m in _EMAIL.finditer(text)]
    if ids:
        for pattern in (_ID, _ID15):
            found += [(m.start(), m.end(), mask_id) for m in pattern.finditer(text) if _is_resident_id(m.group())]
    if phones:
        found += [(m.start(), m.end(), mask_phone) for m in MOBILE.finditer(text)]
        try:
            matcher = phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.VALID)
            found += [(m.start, m.end, mask_phone) for m in matcher]
        except Exception:  # noqa: BLE001 — the regex above still covers mainland mobiles
            pass
    return sorted(found, key=lambda s: (s[0], -s[1]))


def mask_text(text, *, phones: bool = True, emails: bool = True, ids: bool = True) -> str:
    """Free text with phone numbers, e-mail addresses and resident ID numbers masked in place."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if not any(ch.isdigit() or ch == "@" for ch in text):
        return text
    try:
        out, pos = [], 0
        for start, end, masker in _spans(text, phones, emails, ids):
            if start < pos:
                continue  # overlaps a span already masked (an ID also matched as a phone ...)
            out += [text[pos:start], masker(text[start:end])]
            pos = end
        out.append(text[pos:])
        return "".join(out)
    except Exception:  # noqa: BLE001 — never leak because masking failed
        return MASK_CHAR * 3 if text else ""


def mask_value(value):
    """Every string inside a JSON-like value passed through `mask_text` (a deep copy)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    return value


def _mask_field(field, value):
    if field.type in UNMASKED_TYPES:
        return value
    if field.type == "mobile" and isinstance(value, str):
        return mask_phone(value) if value.strip() else value
    if field.type == "email" and isinstance(value, str):
        return mask_email(value) if value.strip() else value
    if field.type == "group" and isinstance(value, dict):
        return mask_answers(field.fields, value)
    if field.type == "repeat" and isinstance(value, list):
        return [mask_answers(field.fields, item) if isinstance(item, dict) else mask_value(item) for item in value]
    return mask_value(value)


def mask_answers(fields: Iterable, answers) -> dict:
    """Answers with fields typed mobile / email masked by type, and every other string by `mask_text`."""
    if not isinstance(answers, dict):
        return mask_value(answers)
    by_key = {f.key: f for f in fields}
    return {k: _mask_field(by_key[k], v) if k in by_key else mask_value(v) for k, v in answers.items()}


def mask_content(spec, content: dict) -> dict:
    """A version's content ({"answers", "units": [{"answers"}], ...}) with personal data masked."""
    out = dict(content)
    out["answers"] = mask_answers(list(spec.form.fields("application")), content.get("answers") or {})
    unit_fields = list(spec.form.fields("unit"))
    out["units"] = [{**u, "answers": mask_answers(unit_fields, u.get("answers") or {})} for u in content.get("units", [])]
    return out


def mask_export(spec, data: dict) -> dict:
    """The jinxuan.application/1 export with personal data masked (it says so in ``personal_data``)."""
    out = mask_content(spec, data)
    out["personal_data"] = "masked"
    return out


# -- the reasoned unmasked export ------------------------------------------------------------------------------

class ReasonError(ValueError):
    pass


def clean_reason(raw) -> str:
    reason = " ".join(str(raw or "").split())
    if len(reason) < REASON_MIN_CHARS:
        raise ReasonError(f"请填写导出未脱敏数据的理由（不少于 {REASON_MIN_CHARS} 个字）")
    if len(reason) > REASON_MAX_CHARS:
        raise ReasonError(f"理由不超过 {REASON_MAX_CHARS} 个字")
    return reason


def record_unmasked_export(campaign, *, kind: str, reason: str, rows: int, actor=None):
    return record("personal_data.unmasked_export", campaign, campaign=campaign, actor=actor, reason=reason,
                  after={"kind": kind, "rows": rows})


def unmasked_export(request, campaign, *, kind: str, title: str, build: Callable[[], tuple[bytes, int]],
                    filename: str, back: str):
    """GET: the reason form; POST: check the reason, audit (reason, kind, row count), return the file.

    The caller's view is guarded by ``personal_data.export_unmasked`` (organisers of the campaign only)."""
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.utils.http import content_disposition_header

    error, reason = "", ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            cleaned = clean_reason(reason)
        except ReasonError as exc:
            error = str(exc)
        else:
            data, rows = build()
            record_unmasked_export(campaign, kind=kind, reason=cleaned, rows=rows, actor=request.user)
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = content_disposition_header(True, filename)
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/unmasked_export.html", {
        "campaign": campaign, "title": title, "error": error, "reason": reason, "back": back,
        "min_chars": REASON_MIN_CHARS, "max_chars": REASON_MAX_CHARS,
    }, status=400 if error else 200)

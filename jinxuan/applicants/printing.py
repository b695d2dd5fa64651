"""Print-outs of an application: the watermarked 申报书 PDF, the case description DOCX, the 承诺函."""

import re

from django.utils import timezone

from .documents.pdf import application_pdf, commitment_pdf
from .documents.printable import build_printable
from .documents.word import case_description_docx, commitment_docx


def _units(content: dict, application) -> list[dict]:
    names = {u.organisation.credit_code: u.organisation.name for u in application.units.select_related("organisation")}
    return [{"name": names.get(u["credit_code"], u["credit_code"]), "credit_code": u["credit_code"],
             "is_lead": u["is_lead"], "answers": u["answers"]} for u in content["units"]]


def application_pdf_for(application, version, verify_url: str, masked: bool = False) -> bytes:
    """The PDF of a submitted version, built from that version's stored content (not the live draft);
    ``masked``: contacts and other personal data masked (for readers outside the applying organisations)."""
    content = version.content
    if masked:
        from jinxuan.accounts.personal_data import mask_content

        content = mask_content(application.campaign.spec, content)
    meta = {
        "application_no": application.number,
        "version_no": version.number,
        "version_hash": version.content_hash,
        "submitted_at": timezone.localtime(version.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
        "verify_url": verify_url,
        "campaign_name": application.campaign.name,
        "track_name": application.campaign.tracks.filter(key=content["track"]).values_list("name", flat=True).first() or "",
    }
    doc = build_printable(application.campaign.spec, content["answers"], _units(content, application), meta)
    return application_pdf(doc)


def _outline(application):
    spec = application.campaign.spec
    field = next((f for f in spec.form.fields("application") if f.type == "outline"), None)
    if field is None:
        return []
    values = application.answers.get(field.key) or {}
    return [(section.title, values.get(section.key, "")) for section in field.sections]


def case_docx_for(application) -> bytes:
    return case_description_docx(application.title, _outline(application))


def _commitments(application) -> list[str]:
    spec = application.campaign.spec
    declaration = next((f for f in spec.form.fields() if f.type == "declaration"), None)
    if declaration is None:
        return []
    prefix = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、])")
    lines = [line.strip() for line in declaration.text.splitlines()]
    numbered = [prefix.sub("", line).strip() for line in lines if prefix.match(line)]
    return numbered or [declaration.text.strip()]


def commitment_for(application, fmt: str) -> bytes:
    lead = application.lead
    args = (application.campaign.name, lead.name if lead else "", lead.credit_code if lead else "",
            _commitments(application), f"关于征集{application.campaign.name}的通知")
    return commitment_pdf(*args) if fmt == "pdf" else commitment_docx(*args)

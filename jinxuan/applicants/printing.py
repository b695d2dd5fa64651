"""Print-outs of an application: the watermarked 申报书 PDF, the case description DOCX, the 承诺函.

The `*_for` functions render; the `*_stored` ones serve a submitted version's print-out from storage
(`printouts.stored`), rendering it only when it is not there yet or its inputs changed."""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jinxuan.accounts.personal_data import mask_content

from . import printouts
from .documents.pdf import application_pdf, commitment_pdf
from .documents.printable import build_printable
from .documents.word import case_description_docx, commitment_docx
from .submission import verify_token


def _units(content: dict, application) -> list[dict]:
    names = {u.organisation.credit_code: u.organisation.name for u in application.units.select_related("organisation")}
    return [{"name": names.get(u["credit_code"], u["credit_code"]), "credit_code": u["credit_code"],
             "is_lead": u["is_lead"], "answers": u["answers"]} for u in content["units"]]


def verify_url(version, base_url: str = "") -> str:
    """The verification link printed as the QR code: on PUBLIC_URL when set, else on `base_url` (the request's)."""
    base = (settings.PUBLIC_URL or base_url).rstrip("/")
    return base + reverse("verify", args=[version.pk, verify_token(version)])


def printable_for(application, version, verify_url: str, masked: bool = False):
    """What the 申报书 of a submitted version shows, built from that version's stored content (not the live
    draft); ``masked``: contacts and other personal data masked (for readers outside the applying organisations)."""
    content = version.content
    if masked:
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
    return build_printable(application.campaign.spec, content["answers"], _units(content, application), meta)


def application_pdf_for(application, version, verify_url: str, masked: bool = False) -> bytes:
    """The PDF of a submitted version, rendered now."""
    return application_pdf(printable_for(application, version, verify_url, masked))


def application_pdf_stored(application, version, verify_url: str, masked: bool = False) -> bytes:
    """The PDF of a submitted version, from storage when rendered before from the same content."""
    doc = printable_for(application, version, verify_url, masked)
    kind = "application-masked.pdf" if masked else "application.pdf"
    return printouts.stored(version, kind, doc, lambda: application_pdf(doc))


def _outline_of(spec, answers: dict) -> list[tuple[str, str]]:
    field = next((f for f in spec.form.fields("application") if f.type == "outline"), None)
    if field is None:
        return []
    values = answers.get(field.key) or {}
    return [(section.title, values.get(section.key, "")) for section in field.sections]


def _outline(application):
    return _outline_of(application.campaign.spec, application.answers)


def case_docx_for(application) -> bytes:
    return case_description_docx(application.title, _outline(application))


def _latest(application):
    return application.versions.order_by("-number").first()


def case_docx_stored(application) -> bytes:
    """The 申报案例说明 of the live answers; kept with the latest version when they are that version's."""
    title, outline = application.title, _outline(application)
    latest = _latest(application)
    if latest is None or (latest.content.get("title"), _outline_of(application.campaign.spec, latest.content["answers"])) \
            != (title, outline):
        return case_description_docx(title, outline)  # a draft differing from every submitted version
    return printouts.stored(latest, "case.docx", [title, outline], lambda: case_description_docx(title, outline))


def _declaration(application):
    return next((f for f in application.campaign.spec.form.fields() if f.type == "declaration"), None)


def _commitments(application) -> list[str]:
    """The declaration's lines as the preset quotes them from the call: its opening sentence (which names the
    notice) followed by the numbered items; a declaration without numbered items is one commitment."""
    declaration = _declaration(application)
    if declaration is None:
        return []
    prefix = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、])")
    lines = [line.strip() for line in declaration.text.splitlines() if line.strip()]
    numbered = [i for i, line in enumerate(lines) if prefix.match(line)]
    if not numbered:
        return [declaration.text.strip()]
    opening = [line for line in lines[:numbered[0]] if "承诺如下" in line or line.startswith("根据")]
    return opening[:1] + [prefix.sub("", lines[i]).strip() for i in numbered]


NOTICE = re.compile(r"《([^《》]*通知)》")


def call_title(application) -> str:
    """The notice the 承诺函 refers to, exactly as the call document's own 承诺函 quotes it (in the preset's
    declaration); a campaign whose declaration names no notice refers to its own name."""
    declaration = _declaration(application)
    match = NOTICE.search(declaration.text) if declaration else None
    return match.group(1) if match else f"关于征集{application.campaign.name}的通知"


def _commitment_args(application) -> tuple:
    lead = application.lead
    return (application.campaign.name, lead.name if lead else "", lead.credit_code if lead else "",
            _commitments(application), call_title(application))


def commitment_for(application, fmt: str) -> bytes:
    args = _commitment_args(application)
    return commitment_pdf(*args) if fmt == "pdf" else commitment_docx(*args)


def commitment_stored(application, fmt: str) -> bytes:
    """The 承诺函 (campaign and lead organisation filled in): kept with the latest submitted version, rendered
    again when the organisation's name or the call changes; rendered on demand before the first submit."""
    latest = _latest(application)
    if latest is None:
        return commitment_for(application, fmt)
    args = _commitment_args(application)
    render = (lambda: commitment_pdf(*args)) if fmt == "pdf" else (lambda: commitment_docx(*args))
    return printouts.stored(latest, f"commitment.{fmt}", list(args), render)


def prepare(version, base_url: str = "") -> None:
    """Render and store every print-out of a just-submitted version (a background task runs this)."""
    application = version.application
    if settings.PUBLIC_URL or base_url:
        url = verify_url(version, base_url)
        for masked in (False, True):
            application_pdf_stored(application, version, url, masked)
    if _latest(application).pk == version.pk:
        case_docx_stored(application)
        for fmt in ("pdf", "docx"):
            commitment_stored(application, fmt)

"""What the public sees of an application: its title, track and the fields the form schema marks public, with
personal data masked as every public page masks it (`personal_data.public_fields`)."""

from jinxuan.applicants.documents.printable import render_section
from jinxuan.applicants.models import Application
from jinxuan.applicants.personal_data import public_fields

from .fraud import LABELS

SHORT = 120


def public_summary(app, full: bool = False) -> list[tuple[str, str]]:
    """(label, text) of the public fields, masked; shortened for lists unless `full` (after masking, so a cut
    never leaves part of a number unmasked)."""
    spec = app.campaign.spec
    pairs = []
    for section in spec.form.sections:
        if section.scope != "application":
            continue
        rendered = render_section(spec, section, app.answers, keep=lambda f: f.public)
        pairs += [(label, value) for label, value in rendered.rows + rendered.paragraphs
                  if value and label not in {"案例名称", "事件名称"}]
        if pairs and not full:
            break
    out = [(label, value if full or len(value) <= SHORT else value[:SHORT] + "…")
           for label, value in public_fields(app, pairs if full else pairs[:1])]
    return out


def signal_label(code: str) -> str:
    """The Chinese name of a fraud signal code (e.g. subnet_burst); never the code itself."""
    return LABELS.get(code, "其他异常投票信号")


def case_names(application_ids) -> dict:
    """application id -> "编号 案例名称", for tables that list cases by id."""
    apps = Application.objects.filter(pk__in=set(application_ids)).select_related("campaign")
    return {a.pk: f"{a.number} {a.title}" for a in apps}

"""The application as an expert sees it: only reviewable fields, identities masked in blind campaigns."""

from __future__ import annotations

from jinxuan.applicants.documents.printable import render_section
from jinxuan.applicants.models import Application, ApplicationUnit

from . import masking

IDENTITY_TYPES = {"email", "mobile", "uscc", "declaration"}


def reviewable(field) -> bool:
    if field.reviewable is not None:
        return field.reviewable
    return field.type not in IDENTITY_TYPES


def identity_terms(app: Application, extra: list[str] | None = None) -> list[str]:
    """Names to hide: every applying unit (with short forms), people named in unit answers and contacts."""
    if "units" in getattr(app, "_prefetched_objects_cache", {}):  # a list page read them for every row at once
        units = list(app.units.all())
    else:
        units = list(ApplicationUnit.objects.filter(application=app).select_related("organisation"))
    orgs = [u.organisation.name for u in units]
    people: list[str] = []

    def collect(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in {"name", "contact_name", "person", "姓名"} and isinstance(v, str):
                    people.append(v)
                else:
                    collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(app.answers)
    for u in units:
        collect(u.answers)
    if app.created_by and app.created_by.display_name:
        people.append(app.created_by.display_name)
    return masking.identity_terms(orgs, [p for p in people if p.strip()], list(extra or []))


def expert_sections(app: Application, blind: bool, extra_terms: list[str] | None = None) -> dict:
    """{"title", "track", "units", "sections": [PrintSection]} for the expert's page."""
    spec = app.campaign.spec
    terms = identity_terms(app, extra_terms) if blind else []
    sections = []
    for section in spec.form.sections:
        if section.scope != "application":
            continue
        out = render_section(spec, section, app.answers, keep=reviewable)
        if blind:
            out.rows = [(label, masking.mask(value, terms)) for label, value in out.rows]
            out.paragraphs = [(h, masking.mask(body, terms)) for h, body in out.paragraphs]
        if out.rows or out.paragraphs:
            sections.append(out)
    title = masking.mask(app.title, terms) if blind else app.title
    units = [] if blind else list(
        ApplicationUnit.objects.filter(application=app).order_by("-is_lead", "pk")
        .values_list("organisation__name", flat=True))
    return {"title": title, "track": app.track.name, "units": units, "sections": sections}


def masked_title(app: Application, extra_terms: list[str] | None = None) -> str:
    return masking.mask(app.title, identity_terms(app, extra_terms))

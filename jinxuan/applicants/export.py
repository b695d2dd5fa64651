"""The documented JSON export of an application ("jinxuan.application/1"), read by `jinxuan formalreview`.

    {"format": "jinxuan.application/1", "campaign": slug, "number": "GD2025-0007", "track": key, "title": str,
     "state": str, "submitted_at": ISO-8601 | null, "version": int | null, "content_hash": str | null,
     "answers": {...}, "units": [{"name", "credit_code", "is_lead", "answers": {...},
                                  "organisation": {"founded", "registered_region", "office_region", "unit_type"}}],
     "attachments": [{"key", "name", "sha256", "size", "detected"}]}

A submitted application exports its latest version (what was submitted), a draft its live content.
"""

from .models import Application, Organisation
from .services import content_of

FORMAT = "jinxuan.application/1"


def export_application(application: Application, version=None, *, orgs: dict | None = None, files: dict | None = None,
                       latest: bool = True) -> dict:
    """`orgs` (credit code → Organisation) and `files` (sha256 → StoredAttachment) may be preloaded by a batch."""
    if version is None and latest:
        version = application.versions.order_by("-number").first()
    content = version.content if version else content_of(application)
    if orgs is None:
        codes = [u["credit_code"] for u in content["units"]]
        orgs = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    if files is None:
        files = {a.sha256: a for a in application.attachments.all()}
    units = []
    for unit in content["units"]:
        org = orgs.get(unit["credit_code"])
        units.append({
            "name": org.name if org else unit.get("name", ""),
            "credit_code": unit["credit_code"],
            "is_lead": unit["is_lead"],
            "answers": unit["answers"],
            "organisation": {
                "founded": org.founded.isoformat() if org and org.founded else None,
                "registered_region": org.registered_region if org else "",
                "office_region": org.office_region if org else "",
                "unit_type": org.unit_type if org else "",
            },
        })
    return {
        "format": FORMAT,
        "campaign": application.campaign.slug,
        "number": application.number,
        "track": content["track"],
        "title": content["title"],
        "state": application.state,
        "submitted_at": version.submitted_at.isoformat() if version else None,
        "version": version.number if version else None,
        "content_hash": version.content_hash if version else None,
        "answers": content["answers"],
        "units": units,
        "attachments": [
            {"key": a["key"], "name": a["name"], "sha256": a["sha256"], "size": a["size"],
             "detected": files[a["sha256"]].detected if a["sha256"] in files else ""}
            for a in content.get("attachments", [])
        ],
    }

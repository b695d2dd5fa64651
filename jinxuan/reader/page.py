"""Everything the reader's page shows of one application for one lens, as plain data (no request).

`compose(application, lens)` reads the latest submitted version (a draft's current answers when none), renders
its sections for the lens (jinxuan.reader.sections), and puts beside them what the formal review and the text
analysis found: rule findings, figures (the headline ones first, each as written), suggested tags, near-duplicate
candidates and policy clauses (stored per version, jinxuan.formalreview.insights), the attachments with their
preview, and for the formal reviewer the changes since the previous version and the decisions so far.
"""

from __future__ import annotations

from jinxuan.accounts.personal_data import mask_text
from jinxuan.applicants.models import Application, Organisation
from jinxuan.applicants.services import content_of
from jinxuan.formalreview.diff import version_diff
from jinxuan.formalreview.insights import analysis_of
from jinxuan.formalreview.models import VersionAnalysis
from jinxuan.formalreview.queue import current_result
from jinxuan.policies.models import Policy
from jinxuan.review import masking
from jinxuan.review.presentation import identity_terms
from jinxuan.review.services import settings_of

from . import sections as render
from .files import preview_kind
from .lens import Lens


def _analysis(app: Application, version) -> dict:
    """The stored text analysis of `version` (computed and stored once when missing or the preset changed;
    near-duplicates as last computed)."""
    row = VersionAnalysis.objects.filter(version=version).first() if version is not None else None
    if row is None or row.preset_hash != app.campaign.preset_hash:
        row = analysis_of(app, version)
    return {"text": row.text or {}, "duplicates": row.duplicates or [], "policies": row.policies or []}


def _attachments(app: Application, spec, content: dict) -> list[dict]:
    names = {rule.key: rule.name for rule in spec.attachments}
    submitted = {f.get("sha256") for f in content.get("attachments") or []}
    out = []
    for stored in app.attachments.order_by("key", "uploaded_at"):
        if submitted and stored.sha256 not in submitted:
            continue  # uploaded after the version being read
        out.append({"stored": stored, "label": names.get(stored.key, "附件"), "preview": preview_kind(stored)})
    return out


def _terms(app: Application, lens: Lens) -> list[str]:
    if not lens.blind:
        return []

    return identity_terms(app, settings_of(app.campaign).mask_terms)


def compose(app: Application, lens: Lens) -> dict:
    spec = app.campaign.spec
    versions = list(app.versions.order_by("-number")[:2])
    version = versions[0] if versions else None
    content = version.content if version is not None else content_of(app)
    terms = _terms(app, lens)
    codes = [u.get("credit_code") for u in content.get("units") or []]
    names = {} if lens.blind else dict(Organisation.objects.filter(credit_code__in=codes).values_list("credit_code", "name"))
    shown = render.build(spec, content, lens, names, terms)

    def hide(text: str) -> str:
        text = masking.mask(text, terms) if lens.blind else text
        return mask_text(text) if lens.personal_masked else text

    analysis = _analysis(app, version)
    figures = [{**m, "span": hide(m.get("span", ""))} for m in analysis["text"].get("figures") or []]
    findings, result = [], None
    if lens.findings:
        result = current_result(app)
        findings = [{**f, "message": hide(f.get("message", ""))} for f in (result.findings if result else [])]
    general = render.place(shown, findings, figures)
    out = {
        "lens": lens, "version": version, "sections": shown, "title": hide(app.title), "track": app.track.name,
        "units": [] if lens.blind else [names.get(c, "") for c in codes if names.get(c)],
        "headline": render.headline(figures), "figures_total": len(figures), "result": result,
        "general_findings": general, "suggested": analysis["text"].get("suggested") or {},
        "mismatches": analysis["text"].get("mismatches") or [],
        "attachments": _attachments(app, spec, content) if lens.attachments else [],
        "policies": _policies(analysis["policies"]), "duplicates": [], "changes": None, "decisions": [],
    }
    if lens.duplicates:
        others = Application.objects.select_related("campaign").in_bulk([d["other"] for d in analysis["duplicates"]])
        out["duplicates"] = [{**d, "other": others[d["other"]]} for d in analysis["duplicates"] if d["other"] in others]
    if lens.decide:
        if len(versions) == 2:
            out["changes"] = version_diff(spec, versions[1].content, versions[0].content)
            out["previous_version"] = versions[1]
        out["decisions"] = list(app.formal_decisions.select_related("decided_by"))
    return out


def _policies(stored: list[dict]) -> list[dict]:
    policies = Policy.objects.in_bulk([p["policy"] for p in stored])
    return [{**p, "policy": policies[p["policy"]]} for p in stored if p["policy"] in policies]

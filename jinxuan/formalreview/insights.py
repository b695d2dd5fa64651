"""Text analysis shown to reviewers next to an application: figures, tags vs ticks, duplicates, policy clauses."""

from django.core.cache import cache

from jinxuan.applicants.export import export_application
from jinxuan.applicants.models import Application
from jinxuan.textmining import metrics, similarity, tags
from jinxuan.textmining.policy import align_json

TEXT_TYPES = {"textarea", "outline"}


def texts_of(spec, answers: dict) -> list[tuple[str, str]]:
    """(label, text) of every long text answer, in form order."""
    out = []
    for field in spec.form.fields("application"):
        value = answers.get(field.key)
        if field.type == "textarea" and isinstance(value, str) and value.strip():
            out.append((field.label, value))
        elif field.type == "outline" and isinstance(value, dict):
            out.extend((f"{field.label}·{s.title}", value.get(s.key) or "") for s in field.sections if value.get(s.key))
    return out


def _ticked(spec, answers: dict) -> dict:
    ticked = {"track": None, "domains": [], "technologies": []}
    for field in spec.form.fields("application"):
        value = answers.get(field.key)
        if field.type == "track":
            ticked["track"] = value
        elif field.type == "multi_choice" and isinstance(value, dict):
            if field.label == "应用领域":
                ticked["domains"] = value.get("choices") or []
            elif "技术" in field.label:
                ticked["technologies"] = value.get("choices") or []
    return ticked


def _corpus_index() -> similarity.DuplicateIndex:
    """All submitted applications' texts, indexed once per change of the set (cached in process)."""
    latest = Application.objects.exclude(submitted_at=None).order_by("-updated_at").values_list("updated_at", flat=True).first()
    key = f"{Application.objects.exclude(submitted_at=None).count()}:{latest}"
    cached = getattr(_corpus_index, "cached", None)
    if cached and cached[0] == key:
        return cached[1]
    index = similarity.DuplicateIndex()
    for app in Application.objects.exclude(submitted_at=None).select_related("campaign"):
        text = "\n".join(t for _, t in texts_of(app.campaign.spec, app.answers))
        if text:
            index.add(app.pk, text)
    _corpus_index.cached = (key, index)
    return index


def insights(application: Application) -> dict:
    spec = application.campaign.spec
    record = export_application(application)
    parts = texts_of(spec, record["answers"])
    full = "\n".join(text for _, text in parts)
    figures = [{"source": label, **m} for label, text in parts for m in metrics.to_json(metrics.extract(text))]
    suggested = tags.suggest(full, spec) if full else {"track": [], "domains": [], "technologies": []}
    mismatches = tags.compare(suggested, _ticked(spec, record["answers"])) if full else []
    duplicates = []
    if full:
        index = _corpus_index()
        for cand in index.query(full, exclude=application.pk):
            if cand.flagged:
                other = Application.objects.filter(pk=cand.doc_id).select_related("campaign").first()
                if other is None:
                    continue
                duplicates.append({"other": other, "scores": cand.scores.as_dict(),
                                   "passages": similarity.passages(full, index.texts[cand.doc_id])[:5]})
    policies = []
    from jinxuan.policies.models import Policy

    for policy in Policy.objects.all()[:3]:
        parsed = cache.get(f"policy:{policy.pk}:{policy.imported_at}")
        if parsed is None:
            parsed = policy.parsed()
            cache.set(f"policy:{policy.pk}:{policy.imported_at}", parsed, 3600)
        if full:
            policies.append({"policy": policy, "clauses": align_json(full, parsed, top=3)})
    return {"figures": figures, "suggested": suggested, "mismatches": mismatches, "duplicates": duplicates,
            "policies": policies, "characters": len(full)}

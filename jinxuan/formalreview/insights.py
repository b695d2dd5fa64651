"""Text analysis shown to reviewers next to an application: figures, tags vs ticks, duplicates, policy clauses."""

import json
import logging
import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from jinxuan.applicants.export import export_application
from jinxuan.applicants.models import Application, ApplicationVersion
from jinxuan.campaigns.models import Campaign
from jinxuan.policies.models import Policy
from jinxuan.textmining import metrics, similarity, tags
from jinxuan.textmining.policy import align_json

from .models import VersionAnalysis

TEXT_TYPES = {"textarea", "outline"}
logger = logging.getLogger(__name__)


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


def _corpus_key() -> str:
    """The state of the corpus of submitted texts: how many, and the latest submission (a decision or any other
    change of state leaves it as it is; a new or repeated submission changes it)."""
    found = Application.objects.exclude(submitted_at=None).aggregate(n=Count("pk"), latest=Max("submitted_at"))
    return f"{found['n']}:{found['latest'].isoformat() if found['latest'] else ''}"


def _texts(apps) -> Iterator[tuple[int, str]]:
    """(id, the text of its free-text answers) of each application; each campaign's preset parsed once."""
    campaigns = {}
    for app in apps:
        if app.campaign_id not in campaigns:
            campaigns[app.campaign_id] = Campaign.objects.get(pk=app.campaign_id).spec
        text = "\n".join(t for _, t in texts_of(campaigns[app.campaign_id], app.answers))
        if text:
            yield app.pk, text


def _corpus_index(key: str | None = None) -> similarity.DuplicateIndex:
    """All submitted applications' texts, indexed once per host and kept current: applications submitted for the
    first time since are added; when one already indexed is submitted again (or leaves the corpus), the index is
    built again. A process without an index reads the one the last process saved on this host (`_saved`): building
    it over 2,831 texts takes 8-10 s, reading it 0.15 s."""
    key = key or _corpus_key()
    cached = getattr(_corpus_index, "cached", None) or _saved()
    if cached and cached[0] == key:
        _corpus_index.cached = cached
        return cached[1]
    submitted = Application.objects.exclude(submitted_at=None).only("pk", "campaign_id", "answers", "submitted_at")
    if cached and cached[2] is not None:
        _, index, since, count = cached
        new = list(submitted.filter(submitted_at__gt=since))
        if new and count + len(new) == int(key.split(":")[0]) and not any(a.pk in index.texts for a in new):
            for pk, text in _texts(new):
                index.add(pk, text)
            _keep((key, index, max(a.submitted_at for a in new), count + len(new)))
            return index
    index = similarity.DuplicateIndex()
    apps = list(submitted)
    for pk, text in _texts(apps):
        index.add(pk, text)
    _keep((key, index, max((a.submitted_at for a in apps), default=None), len(apps)))
    return index


def _index_file() -> Path:
    """This host's saved corpus index; its name holds the indexing parameters, so a change of them starts anew."""
    s = similarity
    return Path(settings.TEXT_INDEX_DIR) / (f"corpus-{s.NUM_PERM}-{s.BANDS}x{s.ROWS}-{s.SEED}-{s.SHINGLE}-{s.GRAM}-"
                                            f"{s.TFIDF_BUCKETS}-{s.COMMON_BUCKETS}.pickle")


def _saved() -> tuple | None:
    """The index a process of this host saved last, with its corpus key; None if none can be read. The file is
    written by this application only (its data folder), never received from a user."""
    path = _index_file()
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - the application's own file, see above
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a file cut short or from another library version: built again
        logger.warning("saved corpus index %s unreadable; building it again", path, exc_info=True)
        return None


def _keep(state: tuple) -> None:
    """Keep the index in this process and save it for the host's other processes (written whole, then renamed)."""
    _corpus_index.cached = state
    path = _index_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".corpus-", delete=False) as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except Exception:  # noqa: BLE001 - e.g. a full or read-only disk: this process still has its index
        logger.warning("corpus index not saved to %s", path, exc_info=True)


def _text_part(spec, answers: dict) -> dict:
    parts = texts_of(spec, answers)
    full = "\n".join(text for _, text in parts)
    figures = [{"source": label, **m} for label, text in parts for m in metrics.to_json(metrics.extract(text))]
    suggested = tags.suggest(full, spec) if full else {"track": [], "domains": [], "technologies": []}
    mismatches = tags.compare(suggested, _ticked(spec, answers)) if full else []
    return {"figures": figures, "suggested": suggested, "mismatches": mismatches, "characters": len(full)}


def _duplicates_part(application: Application, full: str, corpus: str) -> list[dict]:
    if not full:
        return []
    index = _corpus_index(corpus)
    return [{"other": cand.doc_id, "scores": cand.scores.as_dict(),
             "passages": similarity.passages(full, index.texts[cand.doc_id])[:5]}
            for cand in index.query(full, exclude=application.pk) if cand.flagged]


def _policies() -> tuple[list, str]:
    policies = list(Policy.objects.all()[:3])
    return policies, ";".join(f"{p.pk}:{p.imported_at}" for p in policies)


def _policies_part(full: str, policies: list) -> list[dict]:
    out = []
    for policy in policies:
        parsed = cache.get(f"policy:{policy.pk}:{policy.imported_at}")
        if parsed is None:
            parsed = policy.parsed()
            cache.set(f"policy:{policy.pk}:{policy.imported_at}", parsed, 3600)
        if full:
            out.append({"policy": policy.pk, "clauses": align_json(full, parsed, top=3)})
    return out


def _json(value):
    """As stored in a JSONField (tuples become lists, numpy numbers plain numbers)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=float))


def analysis_of(application: Application, version: ApplicationVersion | None) -> VersionAnalysis:
    """The text analysis of `version`, stored with it: computed once, then only the parts whose inputs changed
    (the preset: everything; the corpus of submitted texts: the near-duplicates; the policies: their clauses).
    Without a version (never submitted) it is computed and not stored."""
    spec, preset_hash = application.campaign.spec, application.campaign.preset_hash
    row = VersionAnalysis.objects.filter(version=version).first() if version is not None else None
    row = row or VersionAnalysis(version=version)
    answers = export_application(application, version)["answers"]
    full = None
    dirty = False
    if row.pk is None or row.preset_hash != preset_hash:
        row.preset_hash, row.text = preset_hash, _json(_text_part(spec, answers))
        row.corpus_state = row.policy_state = ""
        dirty = True
    corpus = _corpus_key()
    if row.corpus_state != corpus:
        full = "\n".join(text for _, text in texts_of(spec, answers))
        row.duplicates, row.corpus_state = _json(_duplicates_part(application, full, corpus)), corpus
        dirty = True
    policies, policy_state = _policies()
    if row.policy_state != policy_state:
        full = full if full is not None else "\n".join(text for _, text in texts_of(spec, answers))
        row.policies, row.policy_state = _json(_policies_part(full, policies)), policy_state
        dirty = True
    if dirty and version is not None:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # stored at the same moment by another request; this one is as good
            pass
    return row


def insights(application: Application) -> dict:
    """What the formal-review page shows next to the latest version: the stored analysis, with the applications
    and policies it names loaded in two queries."""
    version = application.versions.order_by("-number").first()
    row = analysis_of(application, version)
    others = Application.objects.select_related("campaign").in_bulk([d["other"] for d in row.duplicates])
    policies = Policy.objects.in_bulk([p["policy"] for p in row.policies])
    duplicates = [{**d, "other": others[d["other"]]} for d in row.duplicates if d["other"] in others]
    return {**row.text, "duplicates": duplicates,
            "policies": [{**p, "policy": policies[p["policy"]]} for p in row.policies if p["policy"] in policies]}

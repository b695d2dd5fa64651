"""The case library's operations: publish an awarded application, import a historical case, list a campaign's
cases in compendium order, curate the featured list, withdraw a case.  Every write logs its change for the search
index of every host in its own transaction (`search.py`, `changes.py`) and is audited."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jinxuan.applicants import personal_data
from jinxuan.audit.log import record

from . import derive, search
from .models import Case

UNKNOWN_ORDER = 1000  # tracks/tiers not in the campaign's scheme come after it, in first-appearance order


class LibraryError(ValueError):
    pass


def _scheme_tiers(campaign) -> list[str]:
    awards = (campaign.preset or {}).get("awards") or {} if campaign else {}
    return [t.get("name", "") for t in awards.get("tiers", [])] + [t.get("name", "") for t in awards.get("special", [])]


def _order(campaign, attr: str, name: str, known: list[str], exclude_pk=None) -> int:
    """Order of a track/tier name: its place in the scheme, else after the scheme by first appearance."""
    if not name:
        return UNKNOWN_ORDER * 2
    if name in known:
        return known.index(name)
    others = Case.objects.filter(campaign=campaign).exclude(pk=exclude_pk).order_by()
    same = list(others.filter(**{attr: name}).values_list(f"{attr}_order", flat=True)[:1])
    if same:
        return same[0]
    last = others.filter(**{f"{attr}_order__gte": UNKNOWN_ORDER, f"{attr}_order__lt": UNKNOWN_ORDER * 2}).aggregate(
        m=Max(f"{attr}_order"))["m"]
    return UNKNOWN_ORDER if last is None else last + 1


def _derive(case: Case, organisations_meta: list[tuple[str, str, str]] | None = None) -> None:
    """Fill figures, tags, policies, regions and institution types from the public text."""
    text = "\n".join([case.title, *case.paragraphs])
    case.figures = derive.figures(list(case.paragraphs))
    case.tags = derive.tags_for(text, case.campaign.preset if case.campaign_id else None)
    case.policies = derive.policies_for(text)
    meta = organisations_meta or [(name, "", "") for name in case.organisations]
    case.regions = list(dict.fromkeys(r for r in (derive.region_of(region, name) for name, _, region in meta) if r))
    case.institution_types = list(dict.fromkeys(derive.institution_type(name, t) for name, t, _ in meta))


def _snapshot(case: Case) -> dict:
    return {"title": case.title, "track": case.track, "tier": case.tier, "special": case.special,
            "year": case.year, "organisations": case.organisations, "paragraphs": case.paragraphs,
            "captions": case.captions}


def add_historical_case(*, campaign, title, track="", tier="", special="", paragraphs, captions=(),
                        organisations=(), year=None, actor=None) -> Case:
    """Import a published case (e.g. from a past compendium). Idempotent on campaign + title: a repeat with the
    same content changes nothing; with other content it updates the case and its index entry."""
    title = (title or "").strip()
    if not title:
        raise LibraryError("案例名称不能为空")
    paragraphs = [str(p).strip() for p in paragraphs if str(p).strip()]
    if not paragraphs:
        raise LibraryError(f"案例“{title}”没有正文")
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(campaign=campaign, title=title).first() if campaign else None
        created = case is None
        if created:
            case = Case(campaign=campaign, title=title, source=Case.IMPORTED)
        before = None if created else _snapshot(case)
        case.track, case.tier, case.special = track or "", tier or "", special or ""
        case.paragraphs, case.captions = paragraphs, [str(c).strip() for c in captions if str(c).strip()]
        case.organisations = [str(o).strip() for o in organisations if str(o).strip()]
        case.year = year or (campaign.year if campaign else None)
        if before is not None and before == _snapshot(case):
            return case
        if campaign is not None:
            track_names = list(campaign.tracks.order_by("position").values_list("name", flat=True))
            case.track_order = _order(campaign, "track", case.track, track_names, case.pk)
            case.tier_order = _order(campaign, "tier", case.tier, _scheme_tiers(campaign), case.pk)
            if created:
                case.position = Case.objects.filter(campaign=campaign).count()
        _derive(case)
        case.save()
        search.index_case(case)
        record("library.import" if created else "library.update", case, campaign=campaign, actor=actor,
               before=before, after={"title": case.title, "track": case.track, "tier": case.tier,
                                     "special": case.special})
    return case


def import_cases(campaign, rows, *, actor=None, batch: int = 500) -> int:
    """Bulk import for large collections: rows as `add_historical_case` keywords (campaign given here).
    Titles already in the campaign go through `add_historical_case`; new ones are derived, stored and indexed
    in batches, with one audit event per batch. Returns the number of cases written."""
    from itertools import islice

    rows = iter(rows)
    written = 0
    track_names = list(campaign.tracks.order_by("position").values_list("name", flat=True)) if campaign else []
    tiers = _scheme_tiers(campaign)
    orders = {"track": dict(Case.objects.filter(campaign=campaign).values_list("track", "track_order")),
              "tier": dict(Case.objects.filter(campaign=campaign).values_list("tier", "tier_order"))}
    position = Case.objects.filter(campaign=campaign).count()

    def order(attr, name, known):
        if not name:
            return UNKNOWN_ORDER * 2
        if name in known:
            return known.index(name)
        seen = orders[attr]
        if name not in seen:
            seen[name] = UNKNOWN_ORDER + sum(1 for v in seen.values() if UNKNOWN_ORDER <= v < UNKNOWN_ORDER * 2)
        return seen[name]

    while True:
        chunk = list(islice(rows, batch))
        if not chunk:
            return written
        existing = set(Case.objects.filter(campaign=campaign, title__in=[r["title"] for r in chunk])
                       .values_list("title", flat=True)) if campaign else set()
        new = []
        for r in chunk:
            if r["title"] in existing:
                add_historical_case(campaign=campaign, actor=actor, **r)
                written += 1
                continue
            existing.add(r["title"])
            case = Case(campaign=campaign, title=r["title"].strip(), source=Case.IMPORTED, track=r.get("track", ""),
                        tier=r.get("tier", ""), special=r.get("special", ""),
                        paragraphs=[p.strip() for p in r["paragraphs"] if p.strip()],
                        captions=list(r.get("captions", ())), organisations=list(r.get("organisations", ())),
                        year=r.get("year") or (campaign.year if campaign else None), position=position)
            case.track_order = order("track", case.track, track_names)
            case.tier_order = order("tier", case.tier, tiers)
            position += 1
            _derive(case)
            new.append(case)
        with transaction.atomic():
            Case.objects.bulk_create(new, batch_size=500)
            if new and new[0].pk is None:  # backends without RETURNING
                by_title = dict(Case.objects.filter(campaign=campaign, title__in=[c.title for c in new])
                                .values_list("title", "pk"))
                for c in new:
                    c.pk = by_title[c.title]
            search.index_cases(new)
            if new:
                record("library.import_batch", None, campaign=campaign, actor=actor,
                       after={"count": len(new), "titles": [c.title for c in new]})
        written += len(new)


def public_fields(application) -> list[tuple[str, str]]:
    """(label, text) of the application-scope answers the form marks public, in form order (title excluded)."""
    out = []
    spec = application.campaign.spec
    for f in spec.form.fields("application"):
        if not f.public:
            continue
        value = (application.answers or {}).get(f.key)
        if isinstance(value, str) and value.strip() and value.strip() != application.title.strip():
            out.append((f.label, value.strip()))
    return out


def publish_application(application, *, tier, special="", actor=None) -> Case:
    """Publish an awarded application to the library with its public fields only. Idempotent: publishing again
    refreshes the case from the application (and its index entry)."""
    if not tier:
        raise LibraryError("请指定奖项等级")
    campaign = application.campaign
    units = list(application.units.select_related("organisation").order_by("-is_lead", "position"))
    meta = [(u.organisation.name, u.organisation.unit_type, u.organisation.registered_region) for u in units]
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(application=application).first()
        created = case is None
        if created:
            clash = Case.objects.filter(campaign=campaign, title=application.title).first()
            if clash is not None:
                raise LibraryError(f"本活动的案例库已有同名案例“{application.title}”")
            case = Case(application=application, campaign=campaign, source=Case.PUBLISHED,
                        position=Case.objects.filter(campaign=campaign).count())
        before = None if created else _snapshot(case)
        case.title = application.title
        case.year = campaign.year
        case.track = application.track.name
        case.track_order = application.track.position
        case.tier, case.special = tier, special or ""
        known = _scheme_tiers(campaign)
        case.tier_order = known.index(tier) if tier in known else _order(campaign, "tier", tier, known, case.pk)
        case.organisations = [name for name, _, _ in meta]
        # contact details only with the applicant's consent; resident ID numbers never (applicants.personal_data)
        case.paragraphs = [text for _, text in personal_data.public_fields(application, public_fields(application))]
        case.captions = []
        if before is not None and before == _snapshot(case):
            return case
        _derive(case, meta)
        case.published_at = timezone.now() if created else case.published_at
        case.save()
        search.index_case(case)
        record("library.publish" if created else "library.update", case, campaign=campaign, actor=actor,
               before=before, after={"application": application.pk, "tier": tier, "special": case.special})
    return case


def update_case(case: Case, *, actor=None, **changes) -> Case:
    """Edit a case's public text or award fields; the index follows."""
    allowed = {"title", "track", "tier", "special", "paragraphs", "captions", "organisations", "year"}
    unknown = set(changes) - allowed
    if unknown:
        raise LibraryError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    before = _snapshot(case)
    with transaction.atomic():
        for k, v in changes.items():
            setattr(case, k, list(v) if k in {"paragraphs", "captions", "organisations"} else v)
        _derive(case)
        case.save()
        search.index_case(case)
        record("library.update", case, campaign=case.campaign, actor=actor, before=before, after=_snapshot(case))
    return case


def unpublish_case(case: Case, *, actor=None) -> None:
    """Withdraw a case from the library (its page, the search on every host, the compendium). Audited with the
    case's content; publishing the application again brings it back."""
    with transaction.atomic():
        before = {**_snapshot(case), "application": case.application_id, "source": case.source}
        search.unindex_case(case)
        record("library.unpublish", case, campaign=case.campaign, actor=actor, before=before)
        case.delete()


def unpublish_application(application, *, actor=None) -> bool:
    """Withdraw the application's case from the library, if it has one. Returns whether there was one."""
    case = Case.objects.filter(application=application).select_related("campaign").first()
    if case is None:
        return False
    unpublish_case(case, actor=actor)
    return True


def campaign_case_values(campaign) -> list[tuple]:
    """(title, organisations, track, tier, special) of a campaign's cases, in `campaign_cases` order."""
    return list(Case.objects.filter(campaign=campaign).order_by("track_order", "tier_order", "position", "pk")
                .values_list("title", "organisations", "track", "tier", "special"))


def campaign_cases(campaign) -> list[Case]:
    """A campaign's cases: by track order, tier order (award scheme, else first appearance), then position. They
    share the campaign object."""
    cases = list(Case.objects.filter(campaign=campaign).order_by("track_order", "tier_order", "position", "pk"))
    for case in cases:
        case.campaign = campaign
    return cases


def set_featured(case: Case, featured: bool, *, actor=None) -> Case:
    """Put a case on the organiser-curated featured list (at the end) or take it off."""
    if case.featured == featured:
        return case
    with transaction.atomic():
        case.featured = featured
        if featured:
            last = Case.objects.filter(featured=True).order_by("-featured_rank").values_list("featured_rank",
                                                                                             flat=True).first()
            case.featured_rank = (last or 0) + 1
        case.save(update_fields=["featured", "featured_rank", "updated_at"])
        record("library.feature" if featured else "library.unfeature", case, campaign=case.campaign, actor=actor)
    return case


def featured_cases() -> list[Case]:
    return list(Case.objects.filter(featured=True).select_related("campaign").defer("campaign__preset")
                .order_by("featured_rank", "pk"))


def public_dict(case: Case) -> dict:
    """A case as the JSON feed shows it (public fields only)."""
    return {
        "id": case.pk, "title": case.title, "campaign": case.campaign_name, "year": case.year, "track": case.track,
        "tier": case.tier, "special": case.special, "organisations": case.organisations,
        "paragraphs": case.paragraphs, "captions": case.captions,
        "figures": [{k: f.get(k) for k in ("span", "value", "unit", "measure", "qualifier", "kind")}
                    for f in case.figures],
        "tags": {"domains": case.domains, "technologies": case.technologies},
        "policies": case.policies, "regions": case.regions, "institution_types": case.institution_types,
        "featured": case.featured, "source": case.source,
        "published_at": case.published_at.isoformat() if case.published_at else None,
    }

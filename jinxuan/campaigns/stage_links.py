"""Links to each stage's pages, shown only once a stage has something to show: public pages on the campaign page,
organiser pages on the dashboard. Reads the stage apps' own state; decides nothing."""

from django.urls import reverse


def public_links(campaign) -> list[tuple[str, str]]:
    from jinxuan.inspection.services import live_draw
    from jinxuan.publicity.models import Publicity
    from jinxuan.results.services import is_published
    from jinxuan.roadshow.models import Slot
    from jinxuan.voting.services import vote_stage

    kinds = set(campaign.stages.values_list("kind", flat=True))
    links = []
    if "public_vote" in kinds and vote_stage(campaign) is not None and _vote_started(campaign):
        links.append(("网络投票", reverse("vote:index", args=[campaign.slug])))
    if "roadshow" in kinds and Slot.objects.filter(campaign=campaign).exists():
        links.append(("路演答辩现场评分", reverse("roadshow:board", args=[campaign.slug])))
    if "site_inspection" in kinds and live_draw(campaign) is not None:
        links.append(("实地考察抽签（可复核）", reverse("inspection:draw", args=[campaign.slug])))
    if "publicity" in kinds and Publicity.objects.filter(campaign=campaign, starts_on__isnull=False).exists():
        links.append(("结果公示与异议", reverse("publicity:index", args=[campaign.slug])))
    if is_published(campaign):
        links.append(("评选结果", reverse("results:index", args=[campaign.slug])))
    return links


def _vote_started(campaign) -> bool:
    from jinxuan.voting.services import window

    w = window(campaign)
    return w.opens_at is not None


def manage_links(campaign) -> list[tuple[str, str]]:
    kinds = set(campaign.stages.values_list("kind", flat=True))
    pages = [("roadshow", "路演答辩", "roadshow:control"), ("site_inspection", "实地考察", "inspection:manage"),
             ("publicity", "结果公示", "publicity:manage"), ("award", "评定与发布", "results:manage")]
    return [(label, reverse(name, args=[campaign.slug])) for kind, label, name in pages if kind in kinds]

"""Links to each stage's pages, read from the stage registry (each stage app says what its pages are): public
pages on the campaign page once a stage has something to show, organiser pages on the dashboard. Decides nothing."""

from .registry import stage_app


def _links(campaign, attribute: str) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for kind in campaign.stages.order_by("position").values_list("kind", flat=True):
        app = stage_app(kind)
        link = getattr(app, attribute)(campaign) if app is not None else None
        if link and link[1] not in {url for _, url in links}:
            links.append(link)
    return links


def public_links(campaign) -> list[tuple[str, str]]:
    return _links(campaign, "public_link")


def manage_links(campaign) -> list[tuple[str, str]]:
    return _links(campaign, "manage_link")

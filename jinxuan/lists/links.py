"""Links out of a list: an application's number as typed into a search box, and the reader's address of a row
with the list it came from (so the reader's previous / next and its way back keep the list's filters)."""

import re
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

_NUMBER = re.compile(r"^(?:[A-Za-z]+\d{4}-)?0*(\d{1,9})$")


def number_id(term: str) -> int | None:
    """申报编号 as typed (GD2025-0007, 0007 or 7): the application's id."""
    m = _NUMBER.match(term.strip())
    return int(m.group(1)) if m else None


def number_q(term: str, field: str = "pk") -> Q | None:
    n = number_id(term)
    return Q(**{field: n}) if n is not None else None


def reader_url(campaign, pk: int, source: str = "", list_query: str = "") -> str:
    """The reader's page of application `pk`, read from the list `source` whose query string is `list_query`."""
    url = reverse("reader:read", args=[campaign.slug, pk])
    params = {k: v for k, v in (("list", source), ("from", list_query)) if v}
    return f"{url}?{urlencode(params)}" if params else url

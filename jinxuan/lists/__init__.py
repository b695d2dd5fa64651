"""Lists that work: search, filters, sorting and paging with the state in the URL, the Excel of exactly the
filtered list, and audited bulk actions on ids checked against what the user may see.

A list is described once by a `ListSpec`; `parse` reads a `ListState` from a query string (unknown or bad values
are ignored), `apply` filters, orders and pages a queryset, `ordered_ids` gives the ids of the whole filtered list
(previous/next in a reader), `export_xlsx` writes it, `run_bulk` runs a per-row action, `reader_url` opens a row in the reader. No request needed.
"""

from .bulk import BulkOutcome, BulkSkip, run_bulk, selected_ids, stage_closed
from .export import export_xlsx, xlsx_response
from .links import number_id, number_q, reader_url
from .spec import Filter, ListSpec, ListState, Sort, parse
from .table import Listing, apply, filtered, neighbours, ordered_ids

__all__ = [
    "BulkOutcome", "BulkSkip", "Filter", "ListSpec", "ListState", "Listing", "Sort", "apply", "export_xlsx",
    "filtered", "neighbours", "number_id", "number_q", "ordered_ids", "parse", "reader_url", "run_bulk", "selected_ids",
    "stage_closed", "xlsx_response",
]

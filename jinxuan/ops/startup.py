"""What an application process does once its apps are loaded, before it serves (jinxuan/wsgi.py; the page
benchmark does the same so that it measures what production runs)."""

import gc


def settle() -> None:
    """Load every URL's view module, then keep the loaded project out of the garbage collector: its ~260,000
    objects live as long as the process, and a full collection that scans them pauses every thread of a worker
    for 140-205 ms (measured on the votes at 1,000/s and on the stage overview at national scale). After this, a
    full collection scans only what came later (7-10 ms)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module it names
    gc.collect()
    gc.freeze()

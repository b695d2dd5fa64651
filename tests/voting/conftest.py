import pytest


@pytest.fixture(autouse=True)
def _clean_cache(vote_cache_cleared):
    """Every voting test starts and ends with an empty cache and no vote snapshot (tests/fixtures/voting.py)."""
    yield

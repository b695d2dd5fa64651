from tests.review.conftest import accepted, gz, organiser, orgs, pool  # noqa: F401 - shared fixtures
from tests.voting.conftest import _clean_cache, vote_open, voter  # noqa: F401 - shared fixtures

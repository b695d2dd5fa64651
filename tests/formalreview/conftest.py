from tests.applicants.conftest import applicant, draft, open_gz  # noqa: F401 - shared fixtures

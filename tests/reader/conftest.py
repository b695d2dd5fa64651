import pytest


@pytest.fixture
def organiser(reader_organiser):
    """The reader tests' organiser: of gz open for applications (tests/fixtures/reader.py), not review's."""
    return reader_organiser

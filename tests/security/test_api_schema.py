"""Schemathesis over the whole OpenAPI schema (/api/v1/openapi.json), in-process through Django's WSGI handler.

Three callers: anonymous, an organiser's bearer token, an applicant's bearer token. For every operation, positive
and negative (schema-violating) cases, and for the authenticated callers also cases aimed at a real object (the
applicant's draft, an open campaign). Every response must pass schemathesis's checks: no 5xx, only documented
status codes, content types, headers and bodies, schema-violating input refused, authentication enforced.

`positive_data_acceptance` is left out on purpose: schema-valid input may still break business rules the schema
cannot express (a YAML text that is no preset, submitting an incomplete application), and those answers are 400s.

schemathesis's pytest plugin (`from_fixture(...).parametrize()`) does not run under pytest 9 (it writes
`request.node._nodeid`), so the operations are driven through its Python API: `operation.as_strategy()` under
Hypothesis, `case.call_and_validate()` against the WSGI app.
"""

from __future__ import annotations

import random

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jinxuan.accounts.models import Role

from .upload_support import applicant_with_organisation, bearer, new_draft, open_for_submissions

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 6  # per operation and variant: 3 callers × 15 operations × up to 4 variants stay well under 2 min
OPERATIONS = 15


@pytest.fixture
def api_schema(db):
    """The schema as served, bound to Django's WSGI handler (the test's transaction stays open across requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(campaigns, make_user):
    gz = open_for_submissions(campaigns["gz-dianshu-2025"])
    user, org = applicant_with_organisation(make_user, "sec_api_applicant", seed=23)
    drafts = [new_draft(gz, user, org) for _ in range(2)]
    organiser = make_user("sec_api_organiser", Role.ORGANISER)
    return {"campaign": gz, "draft": drafts[0], "applicant": user, "organiser": organiser,
            "keys": [a.key for a in gz.spec.attachments]}


def _headers(who: str, world) -> dict:
    if who == "anonymous":
        return {}
    return {"Authorization": bearer(world[who])["HTTP_AUTHORIZATION"]}


def _variants(operation, who, world):
    yield GenerationMode.POSITIVE, None
    yield GenerationMode.NEGATIVE, None
    fixed = {}
    if "{id}" in operation.path:
        fixed["id"] = world["draft"].pk
    if "{slug}" in operation.path:
        fixed["slug"] = world["campaign"].slug
    if fixed and who != "anonymous":
        yield GenerationMode.POSITIVE, fixed
        yield GenerationMode.NEGATIVE, fixed


def _explore(operation, mode, fixed, headers, keys) -> tuple[int, dict[str, str]]:
    """Run the cases of one operation/variant; returns (cases sent, distinct failure → first report)."""
    sent, failures = [0], {}
    rng = random.Random(7)

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        if fixed and isinstance(case.body, dict) and "key" in case.body and mode is GenerationMode.POSITIVE:
            case.body["key"] = rng.choice(keys)  # a real attachment slot, so the file reaches the checks
        sent[0] += 1
        try:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        except BaseExceptionGroup as exc:  # schemathesis's FailureGroup: one or more failed checks
            for failure in exc.exceptions:
                key = f"{operation.label} [{mode.value}{' 固定对象' if fixed else ''}] {getattr(failure, 'title', '')}"
                failures.setdefault(key, str(exc)[:2000])

    try:
        run()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise  # only an operation without parameters has nothing to negate
    return sent[0], failures


@pytest.mark.parametrize("who", ["anonymous", "organiser", "applicant"])
def test_every_operation_keeps_to_the_schema(api_schema, world, who):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= OPERATIONS, [op.label for op in operations]
    headers = _headers(who, world)
    total, failures = 0, {}
    for operation in operations:
        for mode, fixed in _variants(operation, who, world):
            sent, found = _explore(operation, mode, fixed, headers, world["keys"])
            total += sent
            failures.update(found)
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    assert total >= len(operations) * MAX_EXAMPLES  # the run did send requests

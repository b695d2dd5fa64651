"""The permission matrix: every role × every route (pages and API) × every action, each with an asserted answer.

The walker lists every route of the URL resolver and every operation of the ninja API; a route without a row in
`matrix/rows.py` fails, so a new route forces a decision about who may use it. For every route and role a GET and a
POST are sent (API: the operation's own method): the gate must let exactly the row's roles through; everyone else
is refused — anonymous callers sent to log in (401 on the API), others answered 404 when an object is named (byte
for byte the answer for a nonexistent one) and 403 otherwise — and a refused request writes no audit event. An
allowed request must not fail with a server error. `SWAPS` adds the object-scoping cases: a role allowed on a route
that names someone else's object gets the answer of a nonexistent one.

The world is built once per module; every request runs in a transaction rolled back afterwards (and the role's
cookies and the world's files are put back), so each meets the world as built and allowed POSTs really execute.
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from jinxuan.accounts.access import PUBLIC

from .matrix.probe import ghost_of, judge, normalise, send, values_for
from .matrix.routes import all_routes, fill, schema_operations
from .matrix.rows import ROWS, SWAPS
from .matrix.world import ANON, GLOBAL_ORGANISER, GUIDANCE, ORGANISER, OTHER_ORGANISER, ROLES, build

ROUTES = all_routes()
BY_KEY = {r.key: r for r in ROUTES}
SCHEMA_VIEWS = {"api/v1/openapi.json", "api/v1/docs"}  # ninja's own views: public by design, no access_rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_files():
    """Overrides the per-test media directories of tests/conftest.py: the module's world keeps its own."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    with override_settings(MEDIA_ROOT=root / "media", AUDIT_ANCHOR_FILE=root / "anchors.log",
                           UPLOAD_CHUNK_DIR=root / "chunks"), django_db_blocker.unblock(), transaction.atomic():
        built = build()
        clients = {}
        for role in (*ROLES, GLOBAL_ORGANISER):
            clients[role] = Client(raise_request_exception=False)
            if role != ANON:
                clients[role].force_login(built.users[role])
        yield built, clients
        transaction.set_rollback(True)


def test_the_walker_finds_every_route_and_each_has_exactly_one_row():
    keys = [r.key for r in ROUTES]
    assert len(keys) == len(set(keys)), "two routes share a key"
    assert len(keys) >= 140 and any(r.api for r in ROUTES) and "apply/<int:pk>/" in keys
    assert schema_operations() == {r.key for r in ROUTES if r.api}, "the walk and the OpenAPI document disagree"
    missing = sorted(set(keys) - set(ROWS))
    stale = sorted(set(ROWS) - set(keys))
    assert not missing, f"routes without a row in tests/security/matrix/rows.py (decide who may use them): {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_rows_agree_with_the_views_public_marks():
    for route in ROUTES:
        if route.key in SCHEMA_VIEWS:
            continue
        assert route.rule, f"{route.key}: the view has no access rule"
        row = ROWS.get(route.key)
        if row is not None:
            assert row.public == (route.rule == PUBLIC), f"{route.key}: row public={row.public}, view {route.rule}"


@pytest.mark.parametrize("route", ROUTES, ids=[r.key or "/" for r in ROUTES])
def test_matrix(world, route):
    built, clients = world
    row = ROWS.get(route.key)
    assert row is not None, f"{route.key}: no row in the permission matrix"
    ghosts = {}
    problems = [f"{route.key} × {role} × {method}: {problem}"
                for method in route.methods for role in ROLES
                for problem in judge(built, clients, role, route, row, method, ghosts)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key,role,method,swap", SWAPS, ids=[f"{k} × {r} × {m}" for k, r, m, _ in SWAPS])
def test_someone_elses_object_answers_like_a_missing_one(world, key, role, method, swap):
    built, clients = world
    route, row = BY_KEY[key], ROWS[key]
    assert role in row.allow  # the role may use the route: only the swapped object is not theirs
    values = values_for(row, built, swap=swap)
    ghost_values = {**values, **{name: ghost_of(name) for name in swap}}
    answer = send(built, clients, role, route, row, method, values=values)
    ghost = send(built, clients, role, route, row, method, values=ghost_values)
    assert answer.status == 404, answer.body[:300]
    assert normalise(answer, fill(route, values)) == normalise(ghost, fill(route, ghost_values))
    assert answer.audit_written == 0


def test_the_other_organiser_is_refused_only_this_campaign(world):
    """The scoping check: the organiser refused everywhere in gz does run the other campaign."""
    built, clients = world
    client = clients[OTHER_ORGANISER]
    for url in (f"/manage/{built.other.slug}/", f"/manage/review/{built.other.slug}/", f"/manage/{built.other.slug}/audit/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/manage/{built.gz.slug}/").status_code == 404


def test_a_case_outside_every_campaign_is_curated_only_by_campaign_wide_staff(world):
    """A historical library case belongs to no campaign: an organiser of one campaign may not feature it (a role
    scoped to a campaign must not read "no campaign" as "any campaign"); an organiser of every campaign may."""
    built, clients = world
    key = "library/<int:pk>/feature/"
    route, row = BY_KEY[key], ROWS[key]
    values = values_for(row, built, swap={"pk": "historical_case"})
    ghost_values = {**values, "pk": ghost_of("pk")}
    for role in (ORGANISER, OTHER_ORGANISER, GUIDANCE):
        answer = send(built, clients, role, route, row, "POST", values=values)
        ghost = send(built, clients, role, route, row, "POST", values=ghost_values)
        assert not answer.passed_gate and answer.status == 404, role
        assert normalise(answer, fill(route, values)) == normalise(ghost, fill(route, ghost_values)), role
        assert answer.audit_written == 0
    answer = send(built, clients, GLOBAL_ORGANISER, route, row, "POST", values={**values})
    assert answer.passed_gate and answer.status == 302

"""The expected row of every route: which roles the gate lets through; everyone else is refused.

Written by hand from what each role must be able to do, not derived from rules.py: a change of a rule that widens
or narrows access fails the matrix until this table is changed with it. `obj` names the URL parameter of the object
the gate checks (refusal answers 404, exactly like that object not existing); without one the gate refuses with 403.
Anonymous callers are sent to the login page (pages) or told 401 (API).

One set per route serves both actions: the gate (`access.guard`) is method-blind, so whoever may GET a page may POST
to it and no one else; a POST-only view answers an allowed GET with 405, a refused one exactly as for a POST. API
operations have one method each and are keyed by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .world import (
    ANON,
    APPLICANT_A,
    APPLICANT_B,
    CONFLICTED,
    EXPERT,
    GUIDANCE,
    IDLE_INSPECTOR,
    INSPECTOR,
    JUDGE,
    ORGANISER,
    OTHER_ORGANISER,
    ROLES,
    UNASSIGNED,
)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
NOBODY = frozenset()
ORG = frozenset({ORGANISER})  # the organiser of this campaign
OVERSIGHT = frozenset({ORGANISER, GUIDANCE})
OWNER = frozenset({APPLICANT_A})  # a member of the application's organisation
READERS = frozenset({APPLICANT_A, ORGANISER, GUIDANCE})  # who may read an application of A
EXPERTS = frozenset({EXPERT, CONFLICTED, UNASSIGNED})
INSPECTORS = frozenset({INSPECTOR, IDLE_INSPECTOR})
ANY_ORGANISER_OR_GUIDANCE = frozenset({ORGANISER, OTHER_ORGANISER, GUIDANCE})
assert APPLICANT_B not in READERS | OWNER and JUDGE not in EXPERTS


@dataclass(frozen=True)
class Row:
    allow: frozenset[str]
    obj: str | None = None  # the URL parameter naming the gate's object
    values: dict = field(default_factory=dict)  # URL parameter → World.kwargs key (or a literal)
    public: bool = False
    body: str | None = None  # API: the body sent (a valid one, so refusal is the gate's and not the parser's)


def public(**values) -> Row:
    return Row(allow=EVERYONE, public=True, values=values)


def plain(allow) -> Row:
    return Row(allow=frozenset(allow))


def camp(allow, **values) -> Row:
    return Row(allow=frozenset(allow), obj="slug", values=values)


def app(allow, pk="application", **values) -> Row:
    return Row(allow=frozenset(allow), obj="pk", values={"pk": pk, **values})


def api(allow, obj=None, body=None, public_=False, **values) -> Row:
    return Row(allow=frozenset(allow), obj=obj, values=values, public=public_, body=body)


ROWS: dict[str, Row] = {
    # public site, health, accounts
    "": public(), "healthz": public(), "livez": public(), "readyz": public(),
    "campaigns/<slug:slug>/": public(),
    "accounts/login/": public(), "accounts/logout/": public(), "accounts/password-reset/": public(),
    "accounts/password-reset/sent/": public(), "accounts/reset/<uidb64>/<token>/": public(),
    "accounts/reset/done/": public(),
    "accounts/verify-email/<str:token>/": public(), "accounts/verify-email/": plain(SIGNED_IN),
    "accounts/invitations/<str:token>/": public(),
    "accounts/seats/<slug:slug>/": camp(ORG),
    "manage/recommendations/<slug:slug>/": camp(ORG),
    "manage/recommendations/<slug:slug>/import/": camp(ORG),
    "manage/recommendations/<slug:slug>/template.xlsx": camp(ORG),
    "manage/recommendations/<slug:slug>/<int:pk>/letter/": camp(ORG),
    "manage/organisations/claims/": plain({ORGANISER, OTHER_ORGANISER}),
    "manage/organisations/claims/<int:pk>/": Row(allow=frozenset({ORGANISER, OTHER_ORGANISER}), obj="pk",
                                                 values={"pk": "claim"}),
    "manage/organisations/claims/<int:pk>/licence/": Row(allow=frozenset({ORGANISER, OTHER_ORGANISER}), obj="pk",
                                                         values={"pk": "claim"}),
    "apply/joint-requests/<int:pk>/": app(OWNER, pk="joint_request"),
    "api/v1/openapi.json": public(), "api/v1/docs": public(),
    # personal workspace, applicants
    "workspace/": plain(SIGNED_IN),
    "apply/": plain(SIGNED_IN),
    "apply/signup/": public(),
    "apply/organisations/new/": plain(SIGNED_IN),
    "apply/organisations/<int:pk>/": app(OWNER, pk="organisation"),
    "apply/invitations/<str:token>/": public(),
    "apply/new/<slug:slug>/": plain(SIGNED_IN),
    "apply/<int:pk>/": app(READERS),
    "apply/<int:pk>/edit/": app(OWNER),
    "apply/<int:pk>/autosave/": app(OWNER),
    "apply/<int:pk>/units/": app(OWNER),
    "apply/<int:pk>/units/<int:unit>/remove/": app(OWNER),
    "apply/<int:pk>/attachments/": app(OWNER),
    "apply/<int:pk>/attachments/<int:att>/": app(READERS),
    "apply/<int:pk>/attachments/<int:att>/delete/": app(OWNER),
    "apply/<int:pk>/uploads/": app(OWNER),
    "apply/<int:pk>/uploads/<str:upload_id>/": app(OWNER),
    "apply/<int:pk>/uploads/<str:upload_id>/finish/": app(OWNER),
    "apply/<int:pk>/submit/": app(OWNER),
    "apply/<int:pk>/withdraw/": app(OWNER),
    "apply/<int:pk>/print/v<int:number>.pdf": app(READERS),
    "apply/<int:pk>/case.docx": app(READERS),
    "apply/<int:pk>/commitment.<str:fmt>": app(READERS),
    "apply/<int:pk>/paper-received/": app(ORG),
    "apply/<int:pk>/export.json": app(READERS),
    "apply/<int:pk>/contact-consent/": app(OWNER),
    "verify/<int:version_id>/<str:token>/": public(),
    # formal review (no formal reviewer in this world: the organiser only)
    "manage/formal/<slug:slug>/": camp(ORG),
    "manage/formal/<slug:slug>/recheck/": camp(ORG),
    "manage/formal/<slug:slug>/export.xlsx": camp(ORG),
    "manage/formal/<slug:slug>/bulk/": camp(ORG),
    # the application reader: organisers (and formal reviewers), guidance, the assigned expert, roadshow judges
    # of presenting applications ("reviewed" does not present, a conflicted expert may not read it)
    "read/<slug:slug>/<int:pk>/": Row(allow=frozenset({ORGANISER, GUIDANCE, EXPERT}), obj="pk", values={"pk": "reviewed"}),
    "read/<slug:slug>/<int:pk>/files/<int:att>/": Row(allow=frozenset({ORGANISER, GUIDANCE}), obj="pk",
                                                      values={"pk": "application", "att": "att"}),
    "manage/formal/<slug:slug>/<int:pk>/": camp(ORG, pk="reviewed"),
    "manage/formal/<slug:slug>/<int:pk>/insights/": camp(ORG, pk="reviewed"),
    # expert review
    "manage/review/<slug:slug>/": camp(OVERSIGHT),
    "manage/review/<slug:slug>/remind/": camp(ORG),
    "manage/review/<slug:slug>/close/": camp(ORG),
    "manage/review/<slug:slug>/visibility/": camp(ORG),
    "manage/review/<slug:slug>/experts/": camp(ORG),
    "manage/review/<slug:slug>/experts/template.xlsx": camp(ORG),
    "manage/review/<slug:slug>/experts/export.xlsx": camp(ORG),
    "manage/review/<slug:slug>/conflicts/": camp(ORG),
    "manage/review/<slug:slug>/assignment/": camp(ORG),
    "manage/review/<slug:slug>/assignment/export.xlsx": camp(ORG),
    "manage/review/<slug:slug>/reviews/<int:pk>/reopen/": camp(ORG),
    "manage/review/<slug:slug>/scores.xlsx": camp(OVERSIGHT),
    "review/": plain(SIGNED_IN),
    "manage/review/<slug:slug>/scores/": camp(OVERSIGHT),
    "manage/review/<slug:slug>/scores/export.xlsx": camp(OVERSIGHT),
    "review/<slug:slug>/": camp(EXPERTS),
    "review/<slug:slug>/my-scores.xlsx": camp(EXPERTS),
    "review/<slug:slug>/<int:pk>/": app({EXPERT}, pk="reviewed"),
    "review/<slug:slug>/<int:pk>/conflict/": app({EXPERT}, pk="reviewed"),
    # public vote
    "manage/vote/<slug:slug>/": camp(OVERSIGHT),
    "manage/vote/<slug:slug>/detect/": camp(ORG),
    "manage/vote/<slug:slug>/close/": camp(ORG),
    "manage/vote/<slug:slug>/window/": camp(ORG),
    "manage/vote/<slug:slug>/votes/": camp(ORG),
    "manage/vote/<slug:slug>/votes/invalidate/": camp(ORG),
    "manage/vote/<slug:slug>/votes.xlsx": camp(OVERSIGHT),
    "vote/verify/": public(),
    "vote/<slug:slug>/": public(),
    "vote/<slug:slug>/<int:pk>/": public(pk="reviewed"),
    "vote/<slug:slug>/<int:pk>/confirm/": public(pk="reviewed"),
    # roadshow
    "manage/roadshow/<slug:slug>/": camp(OVERSIGHT),
    "manage/roadshow/<slug:slug>/state.json": camp(OVERSIGHT),
    "manage/roadshow/<slug:slug>/schedule/": camp(ORG),
    "manage/roadshow/<slug:slug>/judges/": camp(ORG),
    "manage/roadshow/<slug:slug>/next/": camp(ORG),
    "manage/roadshow/<slug:slug>/close/": camp(ORG),
    "manage/roadshow/<slug:slug>/slots/<int:pk>/<slug:action>/": camp(ORG),
    "manage/roadshow/<slug:slug>/reopen/": camp(ORG),
    "roadshow/<slug:slug>/judge/": camp({JUDGE}),
    "roadshow/<slug:slug>/judge/state.json": camp({JUDGE}),
    "roadshow/<slug:slug>/board/": public(),
    "roadshow/<slug:slug>/board.json": public(),
    # site inspection
    "inspection/<slug:slug>/": camp(INSPECTORS),
    "inspection/<slug:slug>/draw/": public(),
    "inspection/<slug:slug>/draw.json": public(),
    "inspection/<slug:slug>/<int:pk>/": app({INSPECTOR}, pk="inspection"),
    "inspection/<slug:slug>/<int:pk>/evidence/": app({INSPECTOR}, pk="inspection"),
    "inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/": app({INSPECTOR}, pk="inspection"),
    "inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/delete/": app({INSPECTOR}, pk="inspection"),
    "manage/inspection/<slug:slug>/": camp(OVERSIGHT),
    "manage/inspection/<slug:slug>/commit/": camp(ORG),
    "manage/inspection/<slug:slug>/void/": camp(ORG),
    "manage/inspection/<slug:slug>/draw/": camp(ORG),
    "manage/inspection/<slug:slug>/close/": camp(ORG),
    "manage/inspection/<slug:slug>/records/<int:pk>/": app(OVERSIGHT, pk="inspection"),
    "manage/inspection/<slug:slug>/records/<int:pk>/assign/": app(ORG, pk="inspection"),
    "manage/inspection/<slug:slug>/records/<int:pk>/reopen/": app(ORG, pk="inspection"),
    "manage/inspection/<slug:slug>/records/<int:pk>/evidence/<int:ev>/": app(OVERSIGHT, pk="inspection"),
    # publicity and results
    "publicity/<slug:slug>/": public(),
    "publicity/<slug:slug>/objection/": public(),
    "manage/publicity/<slug:slug>/": camp(ORG),
    "manage/publicity/<slug:slug>/open/": camp(ORG),
    "manage/publicity/<slug:slug>/holidays/": camp(ORG),
    "manage/publicity/<slug:slug>/objections/<int:pk>/": camp(ORG),
    "manage/publicity/<slug:slug>/objections/<int:pk>/evidence/": camp(ORG),
    "manage/publicity/<slug:slug>/close/": camp(ORG),
    "manage/publicity/<slug:slug>/objections.xlsx": camp(ORG),
    "manage/publicity/<slug:slug>/objections-unmasked/": camp(ORG),
    "results/<slug:slug>/": public(),
    "manage/results/<slug:slug>/": camp(ORG),
    "manage/results/<slug:slug>/close/": camp(ORG),
    "manage/results/<slug:slug>/special/": camp(ORG),
    "manage/results/<slug:slug>/publish/": camp(ORG),
    "manage/results/<slug:slug>/tie/": camp(ORG),
    # stage reports, dashboard, library
    "manage/stages/<slug:slug>/": camp(OVERSIGHT),
    "manage/stages/<slug:slug>/report/": camp(OVERSIGHT),
    "manage/stages/<slug:slug>/stages.xlsx": camp(OVERSIGHT),
    "manage/stages/<slug:slug>/<str:stage_key>/": camp(OVERSIGHT),
    "manage/stages/<slug:slug>/<str:stage_key>/lifecycle/": camp(ORG),
    "manage/library/<slug:slug>/compendium/": camp(ORG),
    "manage/library/<slug:slug>/cases/": camp(ORG),
    "manage/library/<slug:slug>/cases/export.xlsx": camp(ORG),
    "manage/library/<slug:slug>/compendium.docx": camp(ORG),
    "manage/library/<slug:slug>/compendium.pdf": camp(ORG),
    "manage/library/<slug:slug>/import/": camp(ORG),
    "manage/library/<slug:slug>/import/<str:token>/": camp(ORG),
    "manage/library/<slug:slug>/import/<str:token>/confirm/": camp(ORG),
    "manage/library/<slug:slug>/import/<str:token>/discard/": camp(ORG),
    # a file built in the background: only the one who asked for it (the organiser here)
    "manage/files/<str:token>/": Row(allow=ORG, obj="token", values={"token": "prepared"}),
    "manage/files/<str:token>/download/": Row(allow=ORG, obj="token", values={"token": "prepared"}),
    "manage/": plain(ANY_ORGANISER_OR_GUIDANCE),
    "manage/<slug:slug>/": camp(OVERSIGHT),
    "manage/<slug:slug>/counts/": camp(OVERSIGHT),
    "manage/<slug:slug>/audit/": camp(OVERSIGHT),
    "manage/<slug:slug>/applications/": camp(OVERSIGHT),
    "manage/<slug:slug>/applications/export.xlsx": camp(OVERSIGHT),
    "manage/<slug:slug>/applications/export-unmasked/": camp(ORG),
    "manage/<slug:slug>/outbox/": camp(ORG),
    "manage/<slug:slug>/mail-templates/": camp(ORG),
    "library/": public(), "library/featured/": public(), "library/feed.json": public(),
    "library/export.xlsx": public(), "library/<int:pk>/": public(pk="case"),
    "library/<int:pk>/feature/": app(ORG, pk="case"),
    # the REST API
    "API GET /campaigns": api(EVERYONE, public_=True),
    "API GET /campaigns/{slug}": api(EVERYONE, public_=True),
    "API GET /campaigns/{slug}/preset": api(OVERSIGHT, obj="slug"),
    "API GET /campaigns/{slug}/counts": api(OVERSIGHT, obj="slug"),
    # campaign-wide organisers only: nobody in this world (every organiser here is scoped to one campaign)
    "API POST /presets/validate": api(NOBODY, body='{"yaml": "slug: x"}'),
    "API POST /presets": api(NOBODY, body='{"yaml": "slug: x"}'),
    "API GET /applications": api(SIGNED_IN),
    "API POST /applications": api(SIGNED_IN, body='{"campaign": "gz-dianshu-2025", "track": "x", "credit_code": "x"}'),
    "API GET /applications/{id}": api(READERS, obj="id"),
    "API PATCH /applications/{id}": api(OWNER, obj="id", body='{"answers": {}}'),
    "API POST /applications/{id}/attachments": api(OWNER, obj="id", body="multipart"),
    "API POST /applications/{id}/submit": api(OWNER, obj="id", body='{"idempotency_key": "matrix"}'),
    "API GET /applications/{id}/versions": api(READERS, obj="id"),
    "API GET /applications/{id}/export": api(READERS, obj="id"),
    "API GET /review/{slug}/assignments": api(EXPERTS, obj="slug"),
}

# A role allowed on a route names an object that is not under the one it may use (another campaign's application,
# another application's attachment, another record's evidence, the same application under another campaign's
# slug): the answer must be 404, exactly like a nonexistent object. (route, role, method, swapped parameters)
SWAPS: list[tuple[str, str, str, dict]] = [
    ("apply/<int:pk>/", ORGANISER, "GET", {"pk": "elsewhere"}),
    ("apply/<int:pk>/", GUIDANCE, "GET", {"pk": "elsewhere"}),
    ("apply/<int:pk>/export.json", GUIDANCE, "GET", {"pk": "elsewhere"}),
    ("apply/<int:pk>/paper-received/", ORGANISER, "POST", {"pk": "elsewhere"}),
    ("API GET /applications/{id}", ORGANISER, "GET", {"id": "elsewhere"}),
    ("API GET /applications/{id}/export", GUIDANCE, "GET", {"id": "elsewhere"}),
    ("manage/formal/<slug:slug>/<int:pk>/", ORGANISER, "GET", {"pk": "elsewhere"}),
    ("manage/formal/<slug:slug>/<int:pk>/", ORGANISER, "POST", {"pk": "elsewhere"}),
    ("manage/formal/<slug:slug>/<int:pk>/insights/", ORGANISER, "GET", {"pk": "elsewhere"}),
    ("read/<slug:slug>/<int:pk>/", ORGANISER, "GET", {"pk": "elsewhere"}),
    ("read/<slug:slug>/<int:pk>/", EXPERT, "GET", {"slug": "other_slug"}),
    ("read/<slug:slug>/<int:pk>/files/<int:att>/", ORGANISER, "GET", {"att": "att_of_b"}),
    ("apply/<int:pk>/attachments/<int:att>/", APPLICANT_A, "GET", {"att": "att_of_b"}),
    ("apply/<int:pk>/attachments/<int:att>/delete/", APPLICANT_A, "POST", {"att": "att_of_b"}),
    ("apply/<int:pk>/units/<int:unit>/remove/", APPLICANT_A, "POST", {"unit": "unit_of_b"}),
    ("inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/", INSPECTOR, "GET", {"ev": "ev_elsewhere"}),
    ("inspection/<slug:slug>/<int:pk>/evidence/<int:ev>/delete/", INSPECTOR, "POST", {"ev": "ev_elsewhere"}),
    ("manage/inspection/<slug:slug>/records/<int:pk>/evidence/<int:ev>/", ORGANISER, "GET", {"ev": "ev_elsewhere"}),
    ("review/<slug:slug>/<int:pk>/", EXPERT, "GET", {"slug": "other_slug"}),
    ("review/<slug:slug>/<int:pk>/conflict/", EXPERT, "POST", {"slug": "other_slug"}),
]

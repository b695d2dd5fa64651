"""REST API: the OpenAPI schema, token authentication, campaigns and presets."""

from pathlib import Path

import pytest

from jinxuan.accounts.models import ApiToken, Role
from jinxuan.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_token(make_user):
    user = make_user("boss", Role.ORGANISER)
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'ci')[1]}"}


def test_openapi_schema_at_a_stable_url(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "金选 API"
    assert {"/api/v1/campaigns", "/api/v1/campaigns/{slug}", "/api/v1/presets/validate", "/api/v1/presets"} <= set(schema["paths"])
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or "TokenAuth" in str(schema["components"]["securitySchemes"])


def test_docs_page_uses_local_assets(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in html.lower()


def test_public_campaign_list(client, campaigns):
    data = client.get("/api/v1/campaigns").json()
    assert {c["slug"] for c in data} == set(campaigns)
    gz = next(c for c in data if c["slug"] == "gz-dianshu-2025")
    assert len(gz["tracks"]) == 4 and gz["stages"][3]["kind"] == "composite"
    assert "preset" not in gz


def test_bad_token_is_not_accepted(client, campaigns):
    response = client.get("/api/v1/campaigns/gz-dianshu-2025/preset", HTTP_AUTHORIZATION="Bearer jx_forged")
    assert response.status_code == 401


def test_revoked_token_is_not_accepted(client, campaigns, make_user):
    user = make_user("boss2", Role.ORGANISER)
    token, raw = ApiToken.issue(user, "ci")
    token.revoked = True
    token.save()
    assert client.get("/api/v1/campaigns/gz-dianshu-2025/preset", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert len(token.digest) == 64 and raw not in token.digest


def test_validate_reports_problems_with_paths(client, organiser_token):
    response = client.post("/api/v1/presets/validate", {"yaml": "slug: x\nyear: abc\n"}, content_type="application/json", **organiser_token)
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert any(p["path"] == "year" and "整数" in p["message"] and p["line"] == 2 for p in body["problems"])


def test_load_creates_campaign_and_is_audited(client, organiser_token):
    text = Path("presets/xinhua-nqp-2025.yaml").read_text(encoding="utf-8")
    response = client.post("/api/v1/presets", {"yaml": text}, content_type="application/json", **organiser_token)
    assert response.status_code == 201 and response.json() == {"slug": "xinhua-nqp-2025", "created": True}
    campaign = Campaign.objects.get(slug="xinhua-nqp-2025")
    from jinxuan.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="campaign.preset_loaded", campaign=campaign)
    assert event.actor_label == "boss"
    bad = client.post("/api/v1/presets", {"yaml": text.replace("year: 2025", "year: x", 1)}, content_type="application/json", **organiser_token)
    assert bad.status_code == 400 and bad.json()["problems"][0]["path"] == "year"


def test_counts_for_organiser(client, campaigns, organiser_token):
    counts = client.get("/api/v1/campaigns/gz-dianshu-2025/counts", **organiser_token).json()
    assert {c["state"] for c in counts} >= {"draft", "submitted", "awarded"}

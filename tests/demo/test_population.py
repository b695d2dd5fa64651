"""The demo population: every role reachable, valid credit codes, answers that fit the form schema."""

from decimal import Decimal

import pytest
from stdnum.cn import uscc

from jinxuan.accounts.models import Role, RoleAssignment, User
from jinxuan.applicants.models import Application, Organisation
from jinxuan.audit.verify import verify_database
from jinxuan.demo.text import nchars

pytestmark = pytest.mark.django_db


def test_every_role_is_reachable(demo):
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held >= {r.value for r in Role} - {Role.APPLICANT.value}
    assert User.objects.filter(organisation_memberships__isnull=False).exists()
    assert User.objects.filter(is_superuser=True).count() == 1


def test_credit_codes_are_valid_and_unique(demo):
    codes = list(Organisation.objects.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes)) == 10
    assert all(uscc.is_valid(code) for code in codes)


def test_applications_in_several_states_with_a_clean_audit_log(demo):
    states = set(Application.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "formal_review", "needs_correction", "accepted", "rejected"} <= states
    assert verify_database() == []


def test_answers_respect_the_form_schema(demo):
    for app in Application.objects.select_related("campaign"):
        spec = app.campaign.spec
        units = list(app.units.all())
        assert len(units) <= (spec.applicant_rules.max_units or 1)
        for field in spec.form.fields("application"):
            value = app.answers[field.key]
            if field.per_unit:
                assert set(value) == {u.organisation.credit_code for u in units}
                continue
            if field.type in {"text", "textarea"} and field.max_chars:
                assert nchars(value) <= field.max_chars, (field.key, nchars(value))
            if field.type == "textarea" and field.min_chars:
                assert nchars(value) >= field.min_chars
            if field.type == "outline":
                for section in field.sections:
                    assert nchars(value[section.key]) >= (section.min_chars or 0), section.key
                total = sum(nchars(v) for v in value.values())
                if field.min_chars:
                    assert total >= field.min_chars
            if field.type == "group":
                for check in field.checks:
                    assert value[check.total] == sum(int(value[p]) for p in check.parts)
            if field.type == "track":
                assert value == app.track.key
            if field.type == "multi_choice":
                assert set(value["choices"]) <= set(field.choice_labels())
        for unit in units:
            for field in spec.form.fields("unit"):
                if field.type == "indicator_table":
                    table = unit.answers[field.key]
                    for row in field.rows:
                        if row.ratio_of:
                            num, den = row.ratio_of
                            for col in field.columns:
                                expected = Decimal(table[num][col]) / Decimal(table[den][col]) * 100
                                assert abs(Decimal(table[row.key][col]) - expected) < Decimal("0.01")
                if field.type == "uscc":
                    assert unit.answers[field.key] == unit.organisation.credit_code


def test_demo_mail_stays_in_the_outbox_unsent(demo):
    from jinxuan.notifications.models import OutboxMessage

    messages = OutboxMessage.objects.all()
    assert messages.exists()
    assert not messages.filter(sent_at__isnull=False).exists()
    assert set(messages.values_list("error", flat=True)) == {"演示数据"}


def test_past_edition_happens_in_order_and_before_the_current_call(demo):
    """点数成金2024: submissions inside its window, the vote after it, publicity after the vote — all before the
    current call (点数成金2025) opens."""
    from jinxuan.campaigns.models import Campaign
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.publicity.models import Publicity
    from jinxuan.voting.models import Vote, VoteWindow

    past = Campaign.objects.get(slug="gz-dianshu-2024")
    submitted = list(past.applications.exclude(submitted_at=None).values_list("submitted_at", flat=True))
    assert submitted and all(past.submission_opens <= s <= past.submission_closes for s in submitted)
    window = VoteWindow.objects.get(campaign=past)
    assert past.submission_closes < window.opens_at < window.closes_at
    stamps = list(Vote.objects.filter(campaign=past).values_list("created_at", flat=True))
    assert stamps and all(window.opens_at <= t <= window.closes_at for t in stamps)
    publicity = Publicity.objects.get(campaign=past)
    assert window.closes_at.date() < publicity.starts_on
    current = read_preset("presets/gz-dianshu-2025.yaml").schedule.submission_opens
    assert publicity.ends_on < current.date()


def test_historical_cases_are_filed_under_their_own_year(demo):
    from jinxuan.library.models import Case

    imported = Case.objects.filter(source=Case.IMPORTED).select_related("campaign")
    assert imported.exists()
    assert all(c.campaign is None or c.campaign.year == c.year for c in imported)
    assert imported.filter(campaign__slug="gz-dianshu-2024", year=2024).exists()

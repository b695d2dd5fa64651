"""The inspection seed is committed before the ranking it draws from is known; a closed inspection takes no
record or evidence."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jinxuan.inspection import services
from jinxuan.inspection.models import Draw
from jinxuan.pipeline import runtime

pytestmark = pytest.mark.django_db


def test_a_seed_committed_after_the_ranking_closed_is_refused(gz, passers, organiser):
    roadshow = runtime.stage_of(gz, "roadshow")
    runtime.mark_closed(gz, roadshow, actor=organiser)
    with pytest.raises(services.InspectionError, match="已结束，抽取所依据的排名已经产生"):
        services.commit(gz, actor=organiser)
    assert not Draw.objects.filter(campaign=gz).exists()
    # a commitment stored after the close (as an earlier version allowed) cannot be drawn from
    seed = "一个在排名公布之后才选定的随机种子"
    from jinxuan.outcomes import draw as D

    Draw.objects.create(campaign=gz, stage_key=runtime.stage_of(gz, "site_inspection").key,
                        commitment=D.commitment(seed), committed_at=timezone.now(), committed_by=organiser)
    with pytest.raises(services.InspectionError, match="排名产生之后才承诺"):
        services.reveal_and_draw(gz, seed, actor=organiser)
    assert not services.live_draw(gz).is_drawn


def test_a_seed_committed_while_the_ranking_was_open_draws(gz, passers, organiser):
    _, seed = services.commit(gz, actor=organiser)
    runtime.mark_closed(gz, runtime.stage_of(gz, "roadshow"), actor=organiser)
    assert services.reveal_and_draw(gz, seed, actor=organiser).is_drawn


def test_no_record_once_the_inspection_is_closed(gz, drawn, organiser, inspector):
    draw, _ = drawn
    record = draw.inspections.order_by("application_id").first()
    services.assign(record, [inspector], actor=organiser)
    runtime.mark_closed(gz, runtime.stage_of(gz, "site_inspection"), actor=organiser)
    with pytest.raises(services.InspectionError, match="阶段已结束"):
        services.save_record(record, {"verdict": "pass", "reason": "现场核实一致"}, submit=True, actor=inspector)


def test_the_record_page_refuses_once_the_inspection_is_closed(client, gz, drawn, organiser, inspector):
    draw, _ = drawn
    record = draw.inspections.order_by("application_id").first()
    services.assign(record, [inspector], actor=organiser)
    runtime.mark_closed(gz, runtime.stage_of(gz, "site_inspection"), actor=organiser)
    client.force_login(inspector)
    page = client.post(reverse("inspection:record", args=[gz.slug, record.application_id]),
                       {"verdict": "pass", "reason": "现场核实一致", "action": "submit"}, follow=True)
    assert "阶段已结束" in page.content.decode()
    record.refresh_from_db()
    assert record.submitted_at is None

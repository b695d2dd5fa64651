"""Demo site inspection for a campaign whose roadshow has a final result: a platform-generated seed committed and
revealed, the sample drawn, every drawn application assigned to the demo inspector, the first record submitted
(通过, with a photo), the second still being filled in, the rest not started."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.demo.files import tiny_jpg
from jinxuan.inspection import services
from jinxuan.inspection.models import Draw

FINDINGS = {
    "企业风险排查": ["经营状态正常，未发现行政处罚及重大诉讼", "征信与工商信息无异常，未列入经营异常名录"],
    "申报材料真实性核查": ["现场查看系统运行情况，与申报材料描述一致", "核对合同、验收报告原件，与申报材料一致"],
    "申报案例重复性检查": ["未发现以同一案例重复申报其他奖项", "与往年入选案例对比，创新点不同"],
}


def _finding(check: str, rng: random.Random) -> str:
    return rng.choice(FINDINGS.get(check, ["已现场核实，未发现问题"]))


def build(campaign, inspector_user, rng: random.Random) -> Draw:
    """Commit, draw and record a couple of inspections; returns the draw. Needs a final roadshow StageRun."""
    RoleAssignment.objects.get_or_create(user=inspector_user, role=Role.INSPECTOR, campaign=campaign)
    _, seed = services.commit(campaign)
    draw = services.reveal_and_draw(campaign, seed)
    records = list(draw.inspections.order_by("application_id"))
    for record in records:
        services.assign(record, [inspector_user])
    checks = services.checks(campaign)
    if records:
        first = records[0]
        data = {"verdict": "pass", "reason": "现场核实情况与申报材料一致，未发现风险"}
        for i, check in enumerate(checks):
            text_name, outcome_name = services.input_names(i)
            data[text_name], data[outcome_name] = _finding(check, rng), "pass"
        photo = SimpleUploadedFile("现场照片.jpg", tiny_jpg((640, 480), (rng.randrange(256), 90, 60)))
        services.add_evidence(first, photo, actor=inspector_user, note="申报单位现场")
        services.save_record(first, data, submit=True, actor=inspector_user)
    if len(records) > 1:  # still open: one finding written so far
        text_name, outcome_name = services.input_names(0)
        services.save_record(records[1], {text_name: _finding(checks[0], rng) if checks else "", outcome_name: "pass"},
                             actor=inspector_user)
    return draw

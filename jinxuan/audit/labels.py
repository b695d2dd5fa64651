"""Chinese labels for audit event kinds: the one place an event key becomes words a user reads.

Event keys are written by `jinxuan.audit.log.record` as "<area>.<what>". Keys whose second part is already
Chinese (application state changes are recorded as "application.<move label>", e.g. "application.提交申报")
are shown as that part. Any key without a label is shown as a generic phrase naming its area, never raw.
"""

import re

EVENT_LABELS: dict[str, str] = {
    # applications and organisations
    "application.created": "创建申报",
    "application.attachment_added": "上传附件",
    "application.attachment_removed": "删除附件",
    "application.unit_added": "添加联合申报单位",
    "application.unit_removed": "移除联合申报单位",
    "application.paper_received": "收到纸质材料",
    "application.contact_consent": "更改公开联系方式的同意",
    "application.draft_edited": "修改申报草稿",
    "application.unit_consented": "联合申报单位同意参与",
    "application.unit_declined": "联合申报单位拒绝参与",
    "organisation.claimed": "申请认领申报单位",
    "organisation.licence_uploaded": "上传营业执照",
    "organisation.verified": "核验申报单位",
    "organisation.claim_rejected": "驳回申报单位认领",
    "organisation.units_taken_over": "核验后接管联合申报单位",
    "organisation.member_joined": "加入申报单位",
    # accounts and seats
    "accounts.signed_up": "注册账号",
    "accounts.email_verified": "验证电子邮箱",
    "accounts.seat_invited": "发出职务邀请",
    "accounts.seat_granted": "接受职务邀请",
    "accounts.seat_invitation_revoked": "撤回职务邀请",
    "accounts.seat_invitation_resent": "重新发送职务邀请",
    # district recommendations (they change who advances)
    "recommendation.marked": "登记区级推荐",
    "recommendation.changed": "更改区级推荐",
    "recommendation.withdrawn": "撤销区级推荐",
    # campaign set-up
    "campaign.preset_loaded": "载入活动配置",
    "campaign.rescheduled": "调整活动日程",
    "notifications.template_changed": "修改通知模板",
    "personal_data.unmasked_export": "导出未脱敏个人信息",
    # formal review and stage results
    "formal.decision": "形式审核结论",
    "stage.result_applied": "应用阶段结果",
    "stage.opened": "开启阶段",
    "stage.closed": "关闭阶段",
    "stage.reopened": "重新开启阶段",
    "library.unpublish": "从案例库撤下案例",
    # expert review
    "review.peer_visibility": "设置评审专家能否查看他人评分",
    "review.group_map": "设置评审分组",
    "review.pool_add": "加入专家库",
    "review.pool_update": "更新专家信息",
    "review.conflicts_refreshed": "重新核查利益冲突",
    "review.conflict": "登记利益冲突",
    "review.assignment_solved": "计算专家分配方案",
    "review.assigned": "分配评审专家",
    "review.unassigned": "取消评审分配",
    "review.pair_rule": "设置专家回避规则",
    "review.submitted": "提交专家评分",
    "review.reopened": "退回专家评分以便修改",
    "review.reminded": "提醒专家提交评分",
    # public vote
    "vote.window": "设置投票时间",
    "vote.invalidated": "认定投票无效",
    # roadshow
    "roadshow.judge_seated": "评委入席",
    "roadshow.judge_unseated": "评委离席",
    "roadshow.schedule_built": "生成路演顺序",
    "roadshow.reordered": "调整路演顺序",
    "roadshow.slot_pending": "路演场次待开始",
    "roadshow.slot_presenting": "路演陈述开始",
    "roadshow.slot_qa": "路演问答开始",
    "roadshow.slot_scoring": "路演评分开始",
    "roadshow.slot_closed": "路演场次结束",
    "roadshow.sheet_signed": "评委签署评分表",
    "roadshow.sheet_reopened": "退回评委评分表",
    "roadshow.closed": "路演结束",
    # inspection
    "inspection.committed": "公布抽查随机数承诺",
    "inspection.commitment_voided": "作废抽查随机数承诺",
    "inspection.reveal_refused": "拒绝不符的抽查随机数",
    "inspection.drawn": "抽取实地核查案例",
    "inspection.assigned": "指派核查人员",
    "inspection.submitted": "提交核查记录",
    "inspection.reopened": "退回核查记录",
    "inspection.evidence_added": "上传核查证明材料",
    "inspection.evidence_removed": "删除核查证明材料",
    # publicity
    "publicity.holidays_set": "设置法定节假日安排",
    "publicity.holidays_deleted": "删除法定节假日安排",
    "publicity.backfill": "公示递补",
    "publicity.opened": "开始公示",
    "publicity.objection_filed": "收到异议",
    "publicity.objection_upheld": "异议成立",
    "publicity.objection_dismissed": "异议不成立",
    "publicity.closed": "公示结束",
    # results and library
    "results.cap_tie_decided": "评审委员会裁定名额末位并列",
    "results.awarded": "确定获奖名单",
    "results.special_awards": "确定单项奖",
    "results.published": "发布结果",
    "library.import": "导入案例库",
    "library.import_batch": "批量导入案例库",
    "library.publish": "收录进案例库",
    "library.update": "更新案例库条目",
    "library.feature": "设为精选案例",
    "library.unfeature": "取消精选案例",
}

AREA_LABELS: dict[str, str] = {
    "application": "申报",
    "organisation": "申报单位",
    "campaign": "活动设置",
    "notifications": "通知",
    "personal_data": "个人信息",
    "formal": "形式审核",
    "stage": "评审阶段",
    "review": "专家评审",
    "vote": "网络投票",
    "roadshow": "路演答辩",
    "inspection": "实地核查",
    "publicity": "公示",
    "results": "评选结果",
    "library": "案例库",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")


def event_label(action: str) -> str:
    """The Chinese label of an event key; never the key itself."""
    if action in EVENT_LABELS:
        return EVENT_LABELS[action]
    area, _, rest = (action or "").partition(".")
    if rest and _CJK.search(rest):
        return rest
    if not rest and _CJK.search(area):  # a key written in words already
        return area
    if area in AREA_LABELS:
        return f"{AREA_LABELS[area]}相关操作"
    return "其他操作"


def is_labelled(action: str) -> bool:
    """True when the key has its own words (not only the generic fallback)."""
    _, _, rest = action.partition(".")
    return action in EVENT_LABELS or bool(rest and _CJK.search(rest))


def kind_choices() -> list[tuple[str, str]]:
    """(key, label) pairs for a filter, ordered by label."""
    return sorted(EVENT_LABELS.items(), key=lambda kv: kv[1])

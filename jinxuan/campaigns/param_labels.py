"""Django-free. Chinese labels of the stage parameters (stage_params.py) and of their choice values, as shown on pages."""

PARAM_LABELS = {
    # formal review
    "allow_correction": "允许补正", "correction_days": "补正期限（天）",
    # expert review
    "experts_per_application": "每份申报的评审专家数", "blind": "匿名评审", "advance": "晋级方式",
    "advance_fraction": "晋级比例", "min_score": "晋级最低分", "aggregate": "汇总方式",
    "track_cap": "每位专家同一赛道最多评审数",
    # public vote
    "votes_per_application_per_day": "每人每日每个案例可投票数", "max_votes_per_day": "每人每日最多投票数",
    "display_delay_minutes": "票数延迟公布（分钟）", "verification": "投票验证方式",
    # composite
    "components": "组成部分", "source": "来源阶段", "weight": "权重", "normalise": "折算方式", "cut": "晋级线",
    "fraction": "晋级比例", "rounding": "名额取整", "ties_at_cut": "末位并列", "organiser_default": "由主办方默认设定",
    "direct_entry_flag": "直接晋级标记", "tie_break": "同分排序依据",
    # roadshow
    "criteria": "评分项", "key": "标识", "name": "名称", "max_score": "满分", "earlier_scores_count": "计入前序得分",
    "minutes_per_presentation": "每场陈述时长（分钟）", "qa_minutes": "每场问答时长（分钟）",
    "publish_scores_live": "现场公布得分",
    # site inspection
    "sample_fraction": "抽取比例", "sample_count": "抽取数量", "stratify_by_track": "按赛道分层抽取",
    "checks": "考察事项",
    # publicity
    "working_days": "公示期（工作日）", "objections": "接受异议", "backfill": "顺位递补", "backfill_from": "递补依据阶段",
    "backfill_same_track": "仅在同赛道内递补", "start_counts": "公示当日计为第一个工作日",
    # award, publish
    "rank_by": "排名依据", "per_track": "分赛道评定", "library": "收入案例库", "compendium": "编入案例集",
}

VALUE_LABELS = {
    "advance": {"all_scored": "全部有评分的申报晋级", "all": "全部晋级", "top_fraction": "按比例晋级",
                "min_score": "达到最低分晋级"},
    "aggregate": {"mean": "平均分", "trimmed_mean": "截尾平均分", "median": "中位数", "calibrated": "校准分"},
    "verification": {"sms": "短信验证码"},
    "normalise": {"as_is": "原值", "linear_on_max": "按最高值折算为百分制"},
    "rounding": {"floor": "向下取整", "round": "四舍五入", "ceil": "向上取整"},
    "ties_at_cut": {"include_all": "并列者全部晋级", "tie_break": "按同分排序依据决定"},
    "tie_break": {"submitted_at": "提交时间"},
}

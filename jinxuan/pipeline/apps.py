from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """The stage engine and runtime. Stage kinds register themselves from their own apps (`registry`)."""

    name = "jinxuan.pipeline"
    label = "pipeline"
    verbose_name = "评审流程"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        import rules

        from jinxuan.accounts.rules import staff_of_campaign

        from .runtime import MANAGE_PERMISSION

        rules.add_perm(MANAGE_PERMISSION, staff_of_campaign)  # organisers of the campaign and superusers

        from jinxuan.applicants.submission import install_closed_check

        from .runtime import applications_closed

        install_closed_check(applications_closed)  # a closed first stage freezes the applications

        from .registry import StageApp, register_stage_app

        def close(campaign, actor):
            from .composite import close_composite  # imports models: only once the app registry is ready

            return close_composite(campaign, actor=actor)

        register_stage_app(StageApp(
            kind="composite", label="综合得分", module="jinxuan.outcomes.composite", close=close,
            collects="只读取前序阶段已保存的结果（如专业评审得分、网络投票票数），按预设权重合成并按比例晋级",
        ))

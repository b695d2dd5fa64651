from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """The stage engine and runtime. Stage kinds register themselves from their own apps (`registry`)."""

    name = "jinxuan.pipeline"
    label = "pipeline"
    verbose_name = "评审流程"

    def ready(self):
        import rules

        from jinxuan.accounts.rules import staff_of_campaign

        from .runtime import MANAGE_PERMISSION

        rules.add_perm(MANAGE_PERMISSION, staff_of_campaign)  # organisers of the campaign and superusers

        from jinxuan.applicants.submission import install_closed_check

        from .runtime import applications_closed

        install_closed_check(applications_closed)  # a closed first stage freezes the applications

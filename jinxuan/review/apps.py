from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jinxuan.review"
    label = "review"
    verbose_name = "专业评审"

    def ready(self):
        from . import stage  # noqa: F401 - registers the expert_review stage kind

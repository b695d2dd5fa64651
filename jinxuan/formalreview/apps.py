from django.apps import AppConfig


class FormalReviewConfig(AppConfig):
    name = "jinxuan.formalreview"
    label = "formalreview"
    verbose_name = "形式审核"

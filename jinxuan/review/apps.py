from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jinxuan.review"
    label = "review"
    verbose_name = "专业评审"

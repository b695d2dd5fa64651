from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "jinxuan.applicants"
    label = "applicants"
    verbose_name = "申报"

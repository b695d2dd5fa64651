from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jinxuan.ops"
    label = "ops"
    verbose_name = "运维"

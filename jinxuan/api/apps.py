from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jinxuan.api"
    label = "api"
    verbose_name = "接口"

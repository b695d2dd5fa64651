from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "jinxuan.publicity"
    label = "publicity"
    verbose_name = "结果公示"

    def ready(self):
        from . import stage  # noqa: F401  (registers the `publicity` stage kind)
